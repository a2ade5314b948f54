"""What happens to each demo case. A `Story` names the state the case ends in and the side
roads it takes on the way (missing material, returns, co-handling, extensions, mediation,
send backs, ratings, appeals, a duplicate merged into it); `stories_plan` picks the stories
of a demo of a given size. `demo.scripts` turns a story into workflow actions.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from random import Random
from typing import TypeVar

from minsheng.cases.models import Rating, State
from minsheng.deadlines.models import Severity

S = State
T = TypeVar("T")

# How a story sits in time: (earliest start, earliest end, latest end) in days before now.
FRESH = "fresh"  # happened in the last hours: nothing is overdue yet
RECENT = "recent"  # ended in the last few days
STALE = "stale"  # stuck for a week or more: open clocks have run out
PAST = "past"  # anywhere in the last four months
TIMINGS: dict[str, tuple[float, float, float]] = {
    FRESH: (10, 0.25, 0.005),
    RECENT: (40, 4, 0.05),
    STALE: (60, 30, 6),
    PAST: (120, 120, 0.05),
}

# The states a case reaches only after a department has signed for it.
SIGNED_STATES = frozenset(
    {
        S.IN_PROGRESS,
        S.PENDING_APPROVAL,
        S.PENDING_LEADER_APPROVAL,
        S.REPLIED,
        S.UNDER_REVIEW,
        S.CLOSED,
    }
)


@dataclass(frozen=True)
class Story:
    """Where one demo case ends and which side roads it takes.

    `via` is the state an archived case was archived from (closed, rejected, transferred).
    `duplicate` adds a second case, merged into this one after it is accepted.
    """

    target: State
    timing: str = PAST
    via: State | None = None
    pool: str = ""  # "other": a topic of a department without demo staff
    severity: str = Severity.GENERAL
    info_requested: bool = False
    answered: bool = False  # an inquiry answered at intake
    returns: int = 0
    co: bool = False  # a co-handling department with staff, who report their part
    extension: str = ""  # "pending", "approved" or "refused"
    mediation: str = ""  # "agreement" or "failed"
    send_back: bool = False
    leader_send_back: bool = False
    dissatisfied: str = ""  # a neutral or poor rating before an appeal or a late close
    rating: str = ""  # the final rating of a closed case
    appeal: str = ""  # "pending", "uphold" or "redo"
    late_close: bool = False
    anonymous: bool = False
    group: bool = False
    duplicate: bool = False
    duplicate_archived: bool = False
    link: bool = False
    urge: bool = False

    @property
    def end(self) -> State:
        """The state the main line reaches (before archiving)."""
        return (self.via or S.CLOSED) if self.target == S.ARCHIVED else self.target

    @property
    def case_count(self) -> int:
        return 2 if self.duplicate else 1

    @property
    def needs_staff(self) -> bool:
        """Whether a department with demo staff must act on the case."""
        return not self.answered and (self.returns > 0 or self.end in SIGNED_STATES)


def weighted_choice(rng: Random, weights: Mapping[T, int]) -> T:
    """One key of `weights`, drawn in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def story_random(rng: Random) -> Story:
    """A story drawn with weights that make the demo look like a real hotline's books."""
    target = State(weighted_choice(rng, TARGET_WEIGHTS))
    chance = rng.random
    open_timing = weighted_choice(rng, {FRESH: 40, RECENT: 35, STALE: 25})
    story = Story(
        target=target,
        timing=PAST,
        severity=weighted_choice(rng, SEVERITY_WEIGHTS),
        info_requested=chance() < 0.1,
        anonymous=chance() < 0.05,
        group=chance() < 0.04,
        link=chance() < 0.05,
    )
    if target in (S.SUBMITTED, S.NEEDS_INFO, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS):
        story = replace(story, timing=open_timing, urge=open_timing == STALE and chance() < 0.5)
    elif target in (S.PENDING_APPROVAL, S.PENDING_LEADER_APPROVAL):
        story = replace(story, timing=open_timing)
    elif target in (S.REPLIED, S.UNDER_REVIEW):
        story = replace(story, timing=weighted_choice(rng, {FRESH: 30, RECENT: 70}))
    if target == S.NEEDS_INFO:
        story = replace(story, info_requested=True)
    if target == S.ARCHIVED:
        story = replace(story, via=State(weighted_choice(rng, ARCHIVED_FROM)))
    if target == S.PENDING_LEADER_APPROVAL:
        story = replace(story, severity=Severity.MAJOR)
    if story.end in (S.REPLIED, S.CLOSED) and chance() < 0.15:
        return replace(story, answered=True, severity=Severity.GENERAL, group=False)
    if story.end == S.ASSIGNED:
        story = replace(story, pool="other" if chance() < 0.6 else "")
    if story.end in (S.ACCEPTED, *SIGNED_STATES):
        story = replace(story, returns=1 if chance() < 0.08 else 0, duplicate=chance() < 0.06)
    if story.end in SIGNED_STATES:
        story = replace(
            story,
            co=chance() < 0.2,
            mediation=rng.choice(("agreement", "failed")) if chance() < 0.1 else "",
            extension=rng.choice(("approved", "refused")) if chance() < 0.12 else "",
            send_back=chance() < 0.12,
            leader_send_back=chance() < 0.3,
        )
    if target == S.IN_PROGRESS and chance() < 0.1:
        story = replace(story, extension="pending")
    if story.end == S.REPLIED and chance() < 0.4:
        story = replace(story, dissatisfied=rng.choice((Rating.NEUTRAL, Rating.POOR)))
    if story.end == S.UNDER_REVIEW:
        story = replace(story, appeal="pending")
    if story.end == S.CLOSED:
        roll = chance()
        story = replace(
            story,
            appeal=rng.choice(("uphold", "redo")) if roll < 0.1 else "",
            late_close=0.1 <= roll < 0.16,
            duplicate_archived=story.duplicate and target == S.ARCHIVED,
        )
    return story


TARGET_WEIGHTS = {
    S.SUBMITTED: 4,
    S.NEEDS_INFO: 2,
    S.ACCEPTED: 3,
    S.REJECTED: 4,
    S.TRANSFERRED: 3,
    S.ASSIGNED: 7,
    S.IN_PROGRESS: 12,
    S.PENDING_APPROVAL: 4,
    S.PENDING_LEADER_APPROVAL: 2,
    S.REPLIED: 7,
    S.UNDER_REVIEW: 2,
    S.CLOSED: 28,
    S.ARCHIVED: 20,
}
SEVERITY_WEIGHTS = {
    Severity.GENERAL: 65,
    Severity.URGENT: 10,
    Severity.COMPLEX: 15,
    Severity.MAJOR: 10,
}
ARCHIVED_FROM = {S.CLOSED: 80, S.REJECTED: 12, S.TRANSFERRED: 8}
AGREE, FAIL = "agreement", "failed"

# Stories every demo has (as far as its size allows): every state, every side road, some
# open cases overdue and some not.
ESSENTIAL: tuple[Story, ...] = (
    Story(S.SUBMITTED, FRESH),
    Story(S.SUBMITTED, STALE, info_requested=True),
    Story(S.NEEDS_INFO, RECENT, info_requested=True),
    Story(S.ACCEPTED, FRESH),
    Story(S.ACCEPTED, STALE, returns=1),
    Story(S.REJECTED),
    Story(S.TRANSFERRED),
    Story(S.ASSIGNED, STALE, pool="other", urge=True),
    Story(S.ASSIGNED, FRESH),
    Story(S.IN_PROGRESS, FRESH, co=True),
    Story(S.IN_PROGRESS, RECENT, extension="pending"),
    Story(S.IN_PROGRESS, STALE, extension="refused", urge=True),
    Story(S.IN_PROGRESS, RECENT, extension="approved", mediation=AGREE),
    Story(S.IN_PROGRESS, FRESH, severity=Severity.URGENT),
    Story(S.IN_PROGRESS, RECENT, duplicate=True),
    Story(S.PENDING_APPROVAL, FRESH),
    Story(S.PENDING_APPROVAL, RECENT, send_back=True),
    Story(S.PENDING_LEADER_APPROVAL, RECENT, severity=Severity.MAJOR),
    Story(S.REPLIED, RECENT),
    Story(S.REPLIED, FRESH, answered=True),
    Story(S.REPLIED, RECENT, dissatisfied=Rating.POOR),
    Story(S.UNDER_REVIEW, RECENT, appeal="pending", dissatisfied=Rating.NEUTRAL),
    Story(S.CLOSED, rating=Rating.SATISFIED),
    Story(S.CLOSED, rating=Rating.FAIRLY_SATISFIED, co=True, mediation=FAIL),
    Story(S.CLOSED, appeal="uphold", dissatisfied=Rating.POOR),
    Story(S.CLOSED, appeal="redo", dissatisfied=Rating.NEUTRAL, rating=Rating.SATISFIED),
    Story(S.CLOSED, late_close=True, dissatisfied=Rating.POOR),
    Story(S.CLOSED, severity=Severity.MAJOR, leader_send_back=True),
    Story(S.CLOSED, returns=2, co=True),
    Story(S.CLOSED, group=True, extension="approved"),
    Story(S.CLOSED, answered=True, rating=Rating.SATISFIED),
    Story(S.CLOSED, anonymous=True),
    Story(S.CLOSED, severity=Severity.COMPLEX, link=True, send_back=True),
    Story(S.ARCHIVED, via=S.CLOSED),
    Story(S.ARCHIVED, via=S.REJECTED),
    Story(S.ARCHIVED, via=S.TRANSFERRED),
    Story(S.ARCHIVED, via=S.CLOSED, duplicate=True, duplicate_archived=True),
    Story(S.ASSIGNED, RECENT, anonymous=True),
    Story(S.ASSIGNED, STALE, pool="other", group=True),
)


def stories_plan(rng: Random, cases: int) -> list[Story]:
    """Stories for `cases` cases: the essential ones first, then random ones."""
    stories: list[Story] = []
    total = 0
    for story in ESSENTIAL:
        if total + story.case_count <= cases:
            stories.append(story)
            total += story.case_count
    while total < cases:
        story = story_random(rng)
        if total + story.case_count > cases:
            story = replace(story, duplicate=False, duplicate_archived=False)
        stories.append(story)
        total += story.case_count
    return stories
