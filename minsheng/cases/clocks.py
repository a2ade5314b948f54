"""The running clocks of a case: start, stop, pause, resume, extend, and the case's next
due step. Working-day arithmetic itself is `deadlines.calendar.compute_due`; this module
keeps the rows and calls it. Only `cases.workflow` (and case creation) call in here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from minsheng.cases import office
from minsheng.cases.models import Case, CaseClock
from minsheng.deadlines.calendar import Due, DueExplanation, Pause, WorkCalendar, compute_due
from minsheng.deadlines.models import Step, Unit
from minsheng.deadlines.selectors import PolicyValues, calendar_get, policy_label
from minsheng.lib.bulk import insert_many


class Op(StrEnum):
    START = "start"  # open a clock for the step (restarts it if one is open)
    STOP = "stop"  # the step is done
    PAUSE = "pause"  # waiting for the complainant: the clock stops counting
    RESUME = "resume"
    EXTEND = "extend"  # more time granted (amount from the action's inputs)
    STOP_ALL = "stop_all"


Condition = Callable[[Case], bool]


@dataclass(frozen=True)
class ClockEffect:
    """What an action does to one clock; with `when`, only for the cases it holds for (an
    office's optional step, a regulator's transfer)."""

    op: Op
    step: Step | None = None
    when: Condition | None = None


def start(step: Step, *, when: Condition | None = None) -> ClockEffect:
    return ClockEffect(Op.START, step, when)


def stop(step: Step, *, when: Condition | None = None) -> ClockEffect:
    return ClockEffect(Op.STOP, step, when)


def pause(step: Step) -> ClockEffect:
    return ClockEffect(Op.PAUSE, step)


def resume(step: Step) -> ClockEffect:
    return ClockEffect(Op.RESUME, step)


def extend(step: Step) -> ClockEffect:
    return ClockEffect(Op.EXTEND, step)


STOP_ALL = ClockEffect(Op.STOP_ALL)
# Steps whose time runs on when the case's handling is over: the answer owed to the
# regulator who transferred it is due even after the complainant was answered.
OUTLIVES_HANDLING = frozenset({Step.REGULATOR})


def _amount(case: Case, step: Step, policy: PolicyValues) -> int | None:
    """The time `step` is allowed for `case`: an approval level's own time (None: the level
    has no clock of its own), the policy's for every other step."""
    if step == Step.APPROVAL:
        level = office.approval_level_current(case)
        return level.amount if level is not None else None
    return policy.amount_for(step)


def _pauses(clock: CaseClock) -> list[Pause]:
    return [
        Pause(
            started_at=datetime.fromisoformat(started),
            ended_at=datetime.fromisoformat(ended) if ended else None,
        )
        for started, ended in clock.pauses
    ]


def clock_due(clock: CaseClock, calendar: WorkCalendar | None = None) -> Due:
    """The clock's due time and how it was reached, from the policy that gave its time."""
    due = compute_due(
        started_at=clock.started_at,
        amount=clock.amount,
        unit=Unit(clock.unit),
        calendar=calendar or calendar_get(),
        pauses=_pauses(clock),
        extension=clock.extension,
    )
    policy = policy_label(clock.deadline_policy_id) or clock.policy
    return replace(due, explanation=replace(due.explanation, policy=policy))


def clock_explain(clock: CaseClock) -> DueExplanation:
    """Why the clock is due when it is: the policy, start, days counted, holidays, pauses,
    extensions."""
    return clock_due(clock).explanation


def _recompute(clock: CaseClock, calendar: WorkCalendar) -> None:
    clock.due_at = clock_due(clock, calendar).due_at
    clock.save(update_fields=["due_at", "pauses", "extension"])


def apply_effects(
    *,
    case: Case,
    effects: tuple[ClockEffect, ...],
    now: datetime,
    extension: int = 0,
) -> None:
    """Apply an action's clock effects to `case`'s clocks, then store its next due step
    (the earliest running clock, for lists sorted by due time) if that changed."""
    effects = tuple(e for e in effects if e.when is None or e.when(case))
    if not effects:
        return
    calendar = calendar_get()
    policy: PolicyValues | None = None
    open_clocks = {c.step: c for c in case.clocks.filter(stopped_at__isnull=True)}
    for effect in effects:
        if effect.op == Op.STOP_ALL:
            ending = [s for s in open_clocks if s not in OUTLIVES_HANDLING]
            case.clocks.filter(stopped_at__isnull=True, step__in=ending).update(stopped_at=now)
            for step in ending:
                del open_clocks[step]
            continue
        assert effect.step is not None  # noqa: S101 - every other op names a step
        clock = open_clocks.get(effect.step)
        if effect.op == Op.START:
            if clock is not None:
                clock.stopped_at = now
                clock.save(update_fields=["stopped_at"])
                del open_clocks[effect.step]
            policy = policy or office.policy_of(case)
            amount = _amount(case, effect.step, policy)
            if amount is None:
                continue
            clock = CaseClock(
                case=case,
                step=effect.step,
                unit=policy.unit,
                amount=amount,
                started_at=now,
                deadline_policy_id=policy.policy_id,
                policy=policy.source[:200],
            )
            clock.due_at = clock_due(clock, calendar).due_at
            clock.save()
            open_clocks[effect.step] = clock
        elif clock is None:
            continue  # stopping, pausing or extending a step that is not running: nothing to do
        elif effect.op == Op.STOP:
            clock.stopped_at = now
            clock.save(update_fields=["stopped_at"])
            del open_clocks[effect.step]
        elif effect.op == Op.PAUSE and not clock.is_paused:
            clock.pauses = [*clock.pauses, [now.isoformat(), None]]
            _recompute(clock, calendar)
        elif effect.op == Op.RESUME and clock.is_paused:
            clock.pauses = [*clock.pauses[:-1], [clock.pauses[-1][0], now.isoformat()]]
            _recompute(clock, calendar)
        elif effect.op == Op.EXTEND:
            clock.extension += extension
            _recompute(clock, calendar)
    # `open_clocks` is every running clock now: the next due step comes from it, not from a
    # second read of the rows just written.
    step, due_at = _next_due(open_clocks.values())
    if (step, due_at) != (case.next_due_step, case.next_due_at):
        case.next_due_step, case.next_due_at = step, due_at
        Case.objects.filter(pk=case.pk).update(next_due_step=step, next_due_at=due_at)


def _next_due(running: Iterable[CaseClock]) -> tuple[str, datetime | None]:
    """The step and time of the earliest of `running` that has a due time (a paused clock
    has none), or ("", None)."""
    due = [c for c in running if c.due_at is not None]
    if not due:
        return "", None
    first = min(due, key=lambda c: (c.due_at, c.started_at, c.step))
    return first.step, first.due_at


def clocks_for_new_case(
    *, case: Case, effects: tuple[ClockEffect, ...], now: datetime
) -> list[tuple[CaseClock, Due]]:
    """The clocks a case being registered starts (`effects` may only start steps), each with
    its due time, before any row is written: sets the case's next due step and time on
    `case`, so that it is inserted once with them, and returns the clocks for
    `clocks_insert` once it has its id. Same rule as `apply_effects`' START on a case with
    no clock running; the policy and the calendar come from the process's cached copy."""
    policy = office.policy_of(case)
    calendar = calendar_get()
    started: list[tuple[CaseClock, Due]] = []
    for effect in effects:
        if effect.op != Op.START or effect.step is None:
            raise ValueError(f"a new case can only start clocks, not {effect!r}")
        if effect.when is not None and not effect.when(case):
            continue
        clock = CaseClock(
            case=case,
            step=effect.step,
            unit=policy.unit,
            amount=policy.amount_for(effect.step),
            started_at=now,
            deadline_policy_id=policy.policy_id,
            policy=policy.source[:200],
        )
        due = clock_due(clock, calendar)
        clock.due_at = due.due_at
        started.append((clock, due))
    case.next_due_step, case.next_due_at = _next_due(clock for clock, _ in started)
    return started


def clocks_insert(started: list[tuple[CaseClock, Due]]) -> None:
    """Write the clocks `clocks_for_new_case` made (of one case or a bulk load), in one
    statement, after their cases."""
    insert_many([clock for clock, _ in started])


def due_in(*, started_at: datetime, amount: int, unit: Unit = Unit.WORKING_DAYS) -> datetime | None:
    """When a period of `amount` starting now ends (appeal windows, remedy periods,
    a mediation agreement's follow-up)."""
    return compute_due(
        started_at=started_at, amount=amount, unit=unit, calendar=calendar_get()
    ).due_at
