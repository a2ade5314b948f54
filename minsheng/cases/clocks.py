"""The running clocks of a case: start, stop, pause, resume, extend, and the case's next
due step. Working-day arithmetic itself is `deadlines.calendar.compute_due`; this module
keeps the rows and calls it. Only `cases.workflow` (and case creation) call in here.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from minsheng.cases.models import Case, CaseClock
from minsheng.deadlines.calendar import Due, DueExplanation, Pause, WorkCalendar, compute_due
from minsheng.deadlines.models import Step, Unit
from minsheng.deadlines.selectors import PolicyValues, calendar_get, policy_for


class Op(StrEnum):
    START = "start"  # open a clock for the step (restarts it if one is open)
    STOP = "stop"  # the step is done
    PAUSE = "pause"  # waiting for the complainant: the clock stops counting
    RESUME = "resume"
    EXTEND = "extend"  # more time granted (amount from the action's inputs)
    STOP_ALL = "stop_all"


@dataclass(frozen=True)
class ClockEffect:
    """What an action does to one clock."""

    op: Op
    step: Step | None = None


def start(step: Step) -> ClockEffect:
    return ClockEffect(Op.START, step)


def stop(step: Step) -> ClockEffect:
    return ClockEffect(Op.STOP, step)


def pause(step: Step) -> ClockEffect:
    return ClockEffect(Op.PAUSE, step)


def resume(step: Step) -> ClockEffect:
    return ClockEffect(Op.RESUME, step)


def extend(step: Step) -> ClockEffect:
    return ClockEffect(Op.EXTEND, step)


STOP_ALL = ClockEffect(Op.STOP_ALL)


def _pauses(clock: CaseClock) -> list[Pause]:
    return [
        Pause(
            started_at=datetime.fromisoformat(started),
            ended_at=datetime.fromisoformat(ended) if ended else None,
        )
        for started, ended in clock.pauses
    ]


def clock_due(clock: CaseClock, calendar: WorkCalendar | None = None) -> Due:
    """The clock's due time and how it was reached."""
    return compute_due(
        started_at=clock.started_at,
        amount=clock.amount,
        unit=Unit(clock.unit),
        calendar=calendar or calendar_get(),
        pauses=_pauses(clock),
        extension=clock.extension,
    )


def clock_explain(clock: CaseClock) -> DueExplanation:
    """Why the clock is due when it is: start, days counted, holidays, pauses, extensions."""
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
    """Apply an action's clock effects to `case`'s clocks, then refresh its next due step."""
    if not effects:
        return
    calendar = calendar_get()
    policy: PolicyValues | None = None
    open_clocks = {c.step: c for c in case.clocks.filter(stopped_at__isnull=True)}
    for effect in effects:
        if effect.op == Op.STOP_ALL:
            case.clocks.filter(stopped_at__isnull=True).update(stopped_at=now)
            open_clocks.clear()
            continue
        assert effect.step is not None  # noqa: S101 - every other op names a step
        clock = open_clocks.get(effect.step)
        if effect.op == Op.START:
            if clock is not None:
                clock.stopped_at = now
                clock.save(update_fields=["stopped_at"])
            policy = policy or policy_for(kind=case.kind, severity=case.severity)
            clock = CaseClock(
                case=case,
                step=effect.step,
                unit=policy.unit,
                amount=policy.amount_for(effect.step),
                started_at=now,
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
    next_due_refresh(case)


def next_due_refresh(case: Case) -> None:
    """Store the earliest running clock on the case, for lists sorted by due time."""
    first = (
        case.clocks.filter(stopped_at__isnull=True, due_at__isnull=False).order_by("due_at").first()
    )
    case.next_due_step = first.step if first else ""
    case.next_due_at = first.due_at if first else None
    Case.objects.filter(pk=case.pk).update(
        next_due_step=case.next_due_step, next_due_at=case.next_due_at
    )


def due_in(*, started_at: datetime, amount: int, unit: Unit = Unit.WORKING_DAYS) -> datetime | None:
    """When a period of `amount` starting now ends (appeal windows, remedy periods)."""
    return compute_due(
        started_at=started_at, amount=amount, unit=unit, calendar=calendar_get()
    ).due_at
