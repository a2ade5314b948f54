"""A small month of cases whose figures are counted by hand (November 2026, one case in
October), built through the lifecycle; supervision notices are written as the timeline
events `supervision` writes (`notice_issued` with level and department)."""

from dataclasses import dataclass

import time_machine

from minsheng.cases.access import Citizen
from minsheng.cases.models import Area, Case, Category, Rating
from minsheng.cases.tests.factories import RESULT, Cast
from minsheng.cases.workflow import Act, perform
from minsheng.cases.workflow.events import event_record
from minsheng.deadlines.models import Kind

NOW = "2026-11-30 10:00 +08:00"


def at(moment: str):
    return time_machine.travel(moment, tick=False)


@dataclass
class Month:
    """The cases by letter (see `month_build`)."""

    cases: dict[str, Case]

    def numbers(self, *letters: str) -> set[str]:
        return {self.cases[letter].number for letter in letters}


def _to_in_progress(cast: Cast, case: Case, *, category: Category | None = None) -> None:
    perform(case=case, action=Act.ACCEPT, actor=cast.intake, category=category)
    perform(case=case, action=Act.ASSIGN, actor=cast.dispatcher, department=cast.housing)
    perform(case=case, action=Act.SIGN, actor=cast.handler)
    perform(case=case, action=Act.PLAN, actor=cast.handler, note="现场核查")


def _answer(cast: Cast, case: Case) -> None:
    perform(case=case, action=Act.SUBMIT_RESULT, actor=cast.handler, **RESULT)
    perform(case=case, action=Act.APPROVE, actor=cast.head)


def month_build(cast: Cast) -> Month:
    """A: answered the same day, rated satisfied. B: answered late (due 11-06, answered
    11-10), rated neutral. C: extended by 2 days, still unanswered (overdue). D: rejected.
    E: returned by housing, reassigned to environment, within its time. F: an inquiry
    answered at intake. G: merged into C. H: supervised (a 督办 and a 通报 to housing),
    overdue. P (October): answered and rated satisfied."""
    noise = Category.objects.create(name="环境保护", level=1)
    noise_leaf = Category.objects.create(name="噪声污染", level=2, parent=noise)
    traffic = Category.objects.create(name="交通出行", level=1)
    district = Area.objects.create(name="东城区", code="dc", level=Area.Level.DISTRICT)
    street = Area.objects.create(
        name="东华门街道", code="dc-dhm", level=Area.Level.STREET, parent=district
    )
    cases: dict[str, Case] = {}
    with at("2026-10-12 09:00 +08:00"):
        cases["P"] = cast.submit().case
        _to_in_progress(cast, cases["P"])
        _answer(cast, cases["P"])
        perform(
            case=cases["P"],
            action=Act.RATE,
            actor=Citizen(cases["P"].pk),
            rating=Rating.SATISFIED,
        )
    with at("2026-11-02 09:00 +08:00"):
        cases["A"] = cast.submit().case
        _to_in_progress(cast, cases["A"], category=noise_leaf)
        _answer(cast, cases["A"])
    with at("2026-11-02 15:00 +08:00"):
        perform(
            case=cases["A"],
            action=Act.RATE,
            actor=Citizen(cases["A"].pk),
            rating=Rating.SATISFIED,
        )
    with at("2026-11-03 09:00 +08:00"):
        cases["B"] = cast.submit().case
        _to_in_progress(cast, cases["B"], category=noise)
    with at("2026-11-10 09:00 +08:00"):
        _answer(cast, cases["B"])
        perform(
            case=cases["B"], action=Act.RATE, actor=Citizen(cases["B"].pk), rating=Rating.NEUTRAL
        )
    with at("2026-11-04 09:00 +08:00"):
        cases["C"] = cast.submit().case
        _to_in_progress(cast, cases["C"], category=traffic)
        perform(
            case=cases["C"],
            action=Act.EXTENSION_REQUEST,
            actor=cast.head,
            amount=2,
            note="需要协调多个部门",
        )
        perform(case=cases["C"], action=Act.EXTENSION_APPROVE, actor=cast.supervisor)
    with at("2026-11-05 09:00 +08:00"):
        cases["D"] = cast.submit().case
        perform(case=cases["D"], action=Act.REJECT, actor=cast.intake, note="不属于受理范围")
    with at("2026-11-06 09:00 +08:00"):
        cases["F"] = cast.submit(kind=Kind.INQUIRY, subject="公交线路调整咨询").case
        perform(case=cases["F"], action=Act.ANSWER, actor=cast.intake, note="已调整，详见公告")
    with at("2026-11-09 09:00 +08:00"):
        cases["G"] = cast.submit().case
        perform(case=cases["G"], action=Act.MERGE, actor=cast.intake, into=cases["C"])
    with at("2026-11-10 09:00 +08:00"):
        cases["H"] = cast.submit().case
        perform(case=cases["H"], action=Act.ACCEPT, actor=cast.intake)
        perform(case=cases["H"], action=Act.ASSIGN, actor=cast.dispatcher, department=cast.housing)
        perform(case=cases["H"], action=Act.SIGN, actor=cast.handler)
    with at("2026-11-16 09:00 +08:00"):
        for number, level in ((1, "supervision"), (2, "circulation")):
            event_record(
                case=cases["H"],
                act=Act.NOTICE_ISSUED,
                actor=cast.supervisor,
                actor_role="supervisor",
                note="请加快办理",
                data={"notice": number, "level": level, "department": cast.housing.pk},
                now=_now(),
            )
    with at("2026-11-27 09:00 +08:00"):
        cases["E"] = cast.submit().case
        perform(case=cases["E"], action=Act.ACCEPT, actor=cast.intake)
        perform(case=cases["E"], action=Act.ASSIGN, actor=cast.dispatcher, department=cast.housing)
        perform(case=cases["E"], action=Act.RETURN, actor=cast.handler, note="不属于本部门职责")
        perform(
            case=cases["E"], action=Act.ASSIGN, actor=cast.dispatcher, department=cast.environment
        )
        perform(case=cases["E"], action=Act.SIGN, actor=cast.handler2)
    Case.objects.filter(pk__in=[cases["A"].pk, cases["B"].pk]).update(area=street)
    for case in cases.values():
        case.refresh_from_db()
    return Month(cases=cases)


def _now():
    from django.utils import timezone

    return timezone.now()
