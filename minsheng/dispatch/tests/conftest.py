"""Fixtures for auto-dispatch: the level-1 topics mapped to the cast's departments, a
policy, tasks run in the test's process once the action "commits", and cases written to
be suggested with high or low confidence by the shipped routing model."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from minsheng.cases.models import Case, Category
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Kind
from minsheng.dispatch.models import DispatchPolicy
from minsheng.dispatch.services import policy_save

LEVEL1 = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
# The shipped model is ~98 % sure this is 环境保护 (above its 98 % threshold, ~0.89) ...
POLLUTION = (
    "化工厂夜间排放废气",
    "化工厂每天晚上排放刺鼻废气，污染空气，请环保部门查处偷排污水和废气。",
)
# ... and ~70 % sure of this one (below it).
NOISE = ("工地夜间施工噪音扰民", "小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息。")


@pytest.fixture
def topics(cast) -> dict[str, Category]:
    """The seven level-1 topics; 城乡建设 is handled by housing, 环境保护 by environment."""
    departments = {"城乡建设": cast.housing, "环境保护": cast.environment}
    return {
        name: Category.objects.create(name=name, level=1, department=departments.get(name))
        for name in LEVEL1
    }


@pytest.fixture
def policy(cast, topics) -> DispatchPolicy:
    """Complaints are dispatched automatically at 98 % precision."""
    return policy_save(
        policy=None,
        actor=cast.admin,
        kind=Kind.COMPLAINT,
        is_enabled=True,
        precision=Decimal("0.98"),
    )


@pytest.fixture
def tasks_now(settings, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """Run what an action schedules after commit, in this process, as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def run(action: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def accepted(cast, tasks_now) -> Callable[..., Case]:
    """A case submitted and accepted by intake, the auto-dispatch decision taken."""

    def make(
        text: tuple[str, str] = POLLUTION, *, accept: dict[str, Any] | None = None, **submit: Any
    ) -> Case:
        subject, body = text
        case = cast.submit(subject=subject, body=body, **submit).case
        inputs = accept or {}
        tasks_now(lambda: perform(case=case, action="accept", actor=cast.intake, **inputs))
        return Case.objects.get(pk=case.pk)

    return make
