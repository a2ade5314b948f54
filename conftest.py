"""Fixtures shared by every app's tests."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from minsheng.cases.tests.factories import Cast, make_cast


@pytest.fixture
def english():
    """Messages in their English source text, for tests that read a rule's message."""
    with translation.override("en"):
        yield


@pytest.fixture
def cast(db) -> Cast:
    """Two departments and one user per role (see `Cast`)."""
    return make_cast()


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Real password hashing costs ~0.5 s a user; tests create a dozen users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters (minsheng.lib.ratelimits) live in the cache, which outlives a
    test: each test starts with none counted."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _routing_artifacts_in_tmp(settings, tmp_path):
    """Routing's artifacts (trained models, the duplicate-index snapshot the watch jobs
    write) go to the test's own folder, never to var/."""
    settings.ROUTING_ARTIFACT_DIR = str(tmp_path / "routing")


@pytest.fixture(autouse=True)
def _fresh_deadlines_cache():
    """The calendar and the policies are cached per process (minsheng.deadlines.selectors),
    and a test's rolled-back edits must not outlive it: each test reads them afresh."""
    from minsheng.deadlines.selectors import deadlines_cache_clear

    deadlines_cache_clear()


@pytest.fixture
def broker_down(settings):
    """The production task backend (RQ) with Redis stopped: every enqueue is refused."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 60}}


@pytest.fixture
def reseed():
    """Run data migrations' `seed` again (each is idempotent): a transactional test flushes
    the database when it ends, taking the seeded rows (message templates, evaluation
    weights) with it, so a later test that needs them puts them back."""

    def run(*migrations: str) -> None:
        for name in migrations:
            importlib.import_module(name).seed(django_apps, None)

    return run
