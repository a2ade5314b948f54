"""Guards STYLE.md §4 promises: only `perform` writes a case's state (and only
`notice_perform` a supervision notice's), and no module names an action or event the
lifecycle tables do not know."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import Act, perform
from minsheng.supervision.notices import NOTICE_ACTIONS

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ROOT / "minsheng" / "cases" / "workflow" / "engine.py"
# A supervision notice has its own small lifecycle table, with its own one writer.
NOTICE_ENGINE = ROOT / "minsheng" / "supervision" / "notices.py"
# So has an enforcement case (立案查处): `enforcement_step_take` is its one writer.
ENFORCEMENT_ENGINE = ROOT / "minsheng" / "enforcement" / "services.py"
KNOWN = {str(name) for name in Act} | set(NOTICE_ACTIONS)


def _modules(*, with_tests: bool) -> Iterator[tuple[Path, ast.Module]]:
    for folder in ("minsheng", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or (not with_tests and "tests" in path.parts):
                continue
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _state_writes(tree: ast.Module) -> Iterator[int]:
    """Lines that assign a `state` attribute, or pass `state=` to update() or setattr."""
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "state":
                yield target.lineno
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "update_or_create", "bulk_update"}
            and any(k.arg == "state" for k in node.keywords)
        ):
            yield node.lineno
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "state"
        ):
            yield node.lineno


def test_only_perform_writes_a_case_state():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in _modules(with_tests=False)
        if path not in (ENGINE, NOTICE_ENGINE, ENFORCEMENT_ENGINE)
        for line in _state_writes(tree)
    ]
    assert found == []
    assert list(_state_writes(ast.parse(ENGINE.read_text()))), "the guard still sees perform"


def _named_actions(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """String literals used as an action's or event's name: `action="…"`, `act="…"` in a
    call,
    `….action == "…"` / `in (…)`, `action_form_class("…")`, `ACTIONS["…"]`, and the
    `/actions/<name>` of a URL."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and not _is_add_argument(node):  # argparse's action=
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg in {"action", "act"} and isinstance(value, ast.Constant):
                    yield value.lineno, str(value.value)
        if isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == "action"
            for side in (node.left, *node.comparators)
        ):
            for side in (node.left, *node.comparators):
                items = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
                for item in items:
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        yield item.lineno, item.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "action_form_class"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.lineno, str(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ACTIONS"
            and isinstance(node.slice, ast.Constant)
        ):
            yield node.lineno, str(node.slice.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            marker = "/actions/"
            if marker in node.value:
                name = node.value.split(marker, 1)[1].split("/")[0].split("?")[0]
                if name and "{" not in name and "<" not in name:
                    yield node.lineno, name


def _is_add_argument(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument"


def test_every_action_named_in_the_code_is_in_the_table():
    unknown = [
        f"{path.relative_to(ROOT)}:{line} {name!r}"
        for path, tree in _modules(with_tests=True)
        for line, name in _named_actions(tree)
        if name not in KNOWN and not name.startswith("not_an_")
    ]
    assert unknown == []
    seen = {name for _path, tree in _modules(with_tests=True) for _l, name in _named_actions(tree)}
    assert {"assign", "approve", "supplement"} <= seen, "the guard still finds names"


@pytest.mark.django_db
def test_every_action_raises_the_case_version_so_a_concurrent_one_is_refused(cast):
    """`perform` compares and sets the version it read, for actions that keep the state
    (a note, an extension request) as for those that move it."""
    case = drive_to(cast, State.IN_PROGRESS)
    before = case.version
    perform(case=case, action=Act.NOTE, actor=cast.supervisor, note="请关注")
    perform(case=case, action=Act.EXTENSION_REQUEST, actor=cast.head, amount=3, note="需检测")
    case.refresh_from_db()
    assert case.version == before + 2
    assert case.state == State.IN_PROGRESS
