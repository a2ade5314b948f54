"""A demo case's story as beats in time: each beat is one call to a service or to
`workflow.perform`, scheduled at a plausible past moment (the public writes at any waking
hour, the hotline centre works every day, departments on working days) and run with the
clock travelled back to that moment, so every event and deadline is dated as if it had
happened then.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from random import Random
from typing import Any

import time_machine
from django.utils import timezone

from minsheng.accounts.models import User
from minsheng.cases.access import Citizen
from minsheng.cases.models import Case
from minsheng.cases.services import Submission, case_create, material_supply
from minsheng.cases.workflow import perform
from minsheng.deadlines.calendar import WorkCalendar


class Hours(StrEnum):
    """When a kind of person acts."""

    PUBLIC = "public"  # any waking hour, any day
    HOTLINE = "hotline"  # the 12345 centre: every day, 08:00-21:00
    OFFICE = "office"  # departments and supervision: working days, 08:30-17:30


WINDOWS: dict[Hours, tuple[time, time, bool]] = {
    Hours.PUBLIC: (time(7, 0), time(23, 0), False),
    Hours.HOTLINE: (time(8, 0), time(21, 0), False),
    Hours.OFFICE: (time(8, 30), time(17, 30), True),
}


@dataclass(frozen=True)
class Beat:
    """One step of a story: how long after the previous one, by whom, and what it does."""

    wait_minutes: int
    jitter_minutes: int  # how long after opening time, when the beat waits for it
    hours: Hours
    run: Callable[[], None]


class Play:
    """The beats of one story (one case, or a case and a duplicate merged into it).

    Build it with `submit`, `act` and `supply`; then `schedule` places the beats in time;
    then `run` performs them. Inputs that are callables are evaluated when their beat runs
    (for example the case to merge into, which does not exist yet while building).
    """

    def __init__(self, *, rng: Random, calendar: WorkCalendar, pace: float = 1.0) -> None:
        self.rng = rng
        self.calendar = calendar
        self.pace = pace
        self.beats: list[Beat] = []
        self.moments: list[datetime] = []
        self.cases: list[Case] = []
        self._case_count = 0

    # --- building --------------------------------------------------------------------

    def _add(
        self, wait: tuple[int, int], hours: Hours, run: Callable[[], None], *, paced: bool = True
    ) -> None:
        minutes = max(1, int(self.rng.randint(*wait) * (self.pace if paced else 1.0)))
        self.beats.append(Beat(minutes, self.rng.randint(0, 50), hours, run))

    def submit(
        self,
        make: Callable[[], Submission],
        *,
        actor: User | None,
        wait: tuple[int, int] = (0, 0),
        hours: Hours = Hours.PUBLIC,
    ) -> int:
        """Register a new case (built by `make` at its moment); returns the case's index."""
        index = self._case_count
        self._case_count += 1

        def run() -> None:
            registered = case_create(submission=make(), actor=actor)
            self.cases.append(registered.case)

        self._add(wait, hours, run)
        return index

    def call(self, run: Callable[[], None], *, wait: tuple[int, int], hours: Hours) -> None:
        """Any other step: `run` is called at the beat's moment."""
        self._add(wait, hours, run)

    def act(
        self,
        index: int,
        action: str,
        actor: User | None,
        *,
        wait: tuple[int, int],
        hours: Hours,
        paced: bool = True,
        **inputs: Any,
    ) -> None:
        """Take a workflow action on case `index`; `actor=None` is the case's complainant.
        `paced=False` keeps the wait as it is in a fast-paced story (a legal period)."""

        def run() -> None:
            case = self.cases[index]
            values = {name: v() if callable(v) else v for name, v in inputs.items()}
            perform(case=case, action=action, actor=self._actor(case, actor), **values)

        self._add(wait, hours, run, paced=paced)

    def supply(self, index: int, actor: User | None, *, note: str, wait: tuple[int, int]) -> None:
        """The complainant (or the hotline for them) supplies the material asked for."""

        def run() -> None:
            case = self.cases[index]
            material_supply(case=case, actor=self._actor(case, actor), note=note)

        self._add(wait, Hours.PUBLIC if actor is None else Hours.HOTLINE, run)

    @staticmethod
    def _actor(case: Case, actor: User | None) -> User | Citizen:
        return actor if actor is not None else Citizen(case_id=case.pk)

    # --- placing in time -------------------------------------------------------------

    def _within_hours(self, moment: datetime, beat: Beat) -> datetime:
        """The moment itself if the person works then, else their next opening time."""
        opens, closes, workdays_only = WINDOWS[beat.hours]
        local = timezone.localtime(moment)
        day = local.date()
        is_open_day = not workdays_only or self.calendar.is_workday(day)
        if is_open_day and opens <= local.time() < closes:
            return moment
        if local.time() >= closes:
            day += timedelta(days=1)
        while workdays_only and not self.calendar.is_workday(day):
            day += timedelta(days=1)
        opening = datetime.combine(day, opens, tzinfo=local.tzinfo)
        return opening + timedelta(minutes=beat.jitter_minutes)

    def _moments_from(self, start: datetime) -> list[datetime]:
        moments: list[datetime] = []
        moment = start
        for position, beat in enumerate(self.beats):
            if position:
                moment += timedelta(minutes=beat.wait_minutes)
            moment = self._within_hours(moment, beat)
            moments.append(moment)
        return moments

    def schedule(self, *, earliest_start: datetime, ends: tuple[datetime, datetime]) -> None:
        """Place the beats so the story starts after `earliest_start` (when it can) and its
        last beat falls between `ends`; never after the upper end.

        Steps: measure the story's length; draw an end time; start that long before it;
        then, since opening hours can stretch the story, move it earlier until it fits.
        """
        first_end, last_end = ends
        probe = self._moments_from(earliest_start)
        length = probe[-1] - probe[0]
        low = max(first_end, earliest_start + length)
        end = low + (last_end - low) * self.rng.random() if last_end > low else last_end
        start = end - length
        for attempt in range(100):
            moments = self._moments_from(start)
            overshoot = moments[-1] - last_end
            if overshoot <= timedelta(0):
                self.moments = moments
                return
            start -= overshoot + timedelta(hours=attempt + 1)
        raise RuntimeError("A demo story does not fit before its end time.")

    @property
    def starts_at(self) -> datetime:
        return self.moments[0]

    # --- running ---------------------------------------------------------------------

    def run(self) -> list[Case]:
        """Perform every beat at its moment; returns the cases it registered."""
        for beat, moment in zip(self.beats, self.moments, strict=True):
            with time_machine.travel(moment, tick=False):
                beat.run()
        return self.cases
