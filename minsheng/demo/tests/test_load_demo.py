"""`manage.py load_demo`: the demo logins, cases in every state reached by legal actions,
overdue and on-time open cases, and a second run that adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minsheng.accounts.models import Department, Membership, Role, User
from minsheng.api.models import Open311Key
from minsheng.api.services import open311_key_hash
from minsheng.cases.models import Case, CaseEvent, Category, State
from minsheng.cases.workflow import ACTIONS, OPEN_STATES, STEP_STATES, Act
from minsheng.notify.models import EventCursor

DEMO_ROLES = {
    "intake": (Role.INTAKE, None),
    "dispatcher": (Role.DISPATCHER, None),
    "handler": (Role.HANDLER, "housing"),
    "handler2": (Role.HANDLER, "environment"),
    "head": (Role.HEAD, "housing"),
    "head2": (Role.HEAD, "environment"),
    "supervisor": (Role.SUPERVISOR, None),
    "leader": (Role.LEADER, None),
    "admin": (Role.ADMIN, None),
    "auditor": (Role.AUDITOR, None),
}


def load_demo(cases: int = 60) -> str:
    out = StringIO()
    call_command("load_demo", cases=cases, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """One small demo for the whole module (loading takes seconds), rolled back after it."""
    # Ten users with the production password hasher would take seconds; the rules are the same.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_logins_exist_with_their_roles_and_are_printed(demo_output):
    output = demo_output

    for username, (role, department_code) in DEMO_ROLES.items():
        user = User.objects.get(username=username)
        assert user.check_password("minsheng-demo")
        assert user.first_name  # a Chinese full name
        membership = Membership.objects.get(user=user)
        assert membership.role == role
        assert getattr(membership.department, "code", None) == department_code
        assert username in output
    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert "minsheng-demo" in output
    assert "http://127.0.0.1:8000/" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert Open311Key.objects.filter(key_hash=open311_key_hash("demo-open311-key")).exists()
    assert "demo-open311-key" in output


@pytest.mark.django_db
def test_demo_has_cases_in_every_state_reached_by_legal_actions(demo_output):
    assert Case.objects.count() == 60
    # Every state of the municipal centre's process: not those only an office's optional
    # step leads into (each profile's demo shows those).
    every = set(State.values) - set(STEP_STATES)
    assert set(Case.objects.values_list("state", flat=True)) == every
    assert Category.objects.filter(level=1).count() == 15
    assert Department.objects.filter(code="hotline-centre", parent=None).exists()
    for case in Case.objects.prefetch_related("events"):
        state = None
        for event in case.events.all():
            if event.action == "register":
                assert state is None
                state = event.to_state
                continue
            if event.action not in ACTIONS:
                continue  # merged_in and other timeline entries that move nothing
            assert event.from_state in ACTIONS[Act(event.action)].sources, (
                case.number,
                event.action,
            )
            assert event.from_state == state, (case.number, event.action)
            state = event.to_state
        assert state == case.state, case.number


@pytest.mark.django_db
def test_demo_has_overdue_and_on_time_open_cases_and_nothing_dated_in_the_future(demo_output):
    now = timezone.now()
    open_cases = Case.objects.filter(state__in=OPEN_STATES)
    assert open_cases.filter(next_due_at__lt=now).exists()
    assert open_cases.filter(next_due_at__gte=now).exists()
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()
    oldest = Case.objects.order_by("created_at").first()
    assert oldest is not None
    assert (now - oldest.created_at).days <= 125


@pytest.mark.django_db
def test_loading_the_demo_again_adds_nothing(demo_output):
    counts = (
        User.objects.count(),
        Department.objects.count(),
        Category.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        Open311Key.objects.count(),
    )

    output = load_demo()

    assert "already loaded" in output
    assert "handler2" in output
    assert counts == (
        User.objects.count(),
        Department.objects.count(),
        Category.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        Open311Key.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_history_is_announced_to_nobody(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(cases=12)

    assert CaseEvent.objects.count() > 12
    assert not DBTaskResult.objects.exists()  # no fan-out queued for the worker
    cursor = EventCursor.objects.get()
    assert cursor.last_event_id == max(CaseEvent.objects.values_list("id", flat=True))
