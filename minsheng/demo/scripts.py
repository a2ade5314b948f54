"""From a `Story` to the calls that live it out: registration through `case_create`, every
later step through `workflow.perform` (or `material_supply`), each by the person whose job it
is, as beats of a `timeline.Play`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from random import Random
from typing import Any

from django.utils import timezone

from minsheng.accounts.models import Department, Role, User
from minsheng.cases.models import Area, Case, Category, Channel, LinkKind, Rating, State
from minsheng.cases.services import Submission
from minsheng.cases.workflow import Act, perform
from minsheng.deadlines.calendar import WorkCalendar
from minsheng.deadlines.models import Kind, Severity
from minsheng.demo import texts
from minsheng.demo.catalogue import ENVIRONMENT, HOUSING, STAFF
from minsheng.demo.stories import FRESH, Story, weighted_choice
from minsheng.demo.timeline import Hours, Play
from minsheng.demo.topics import OTHER_TOPICS, WORKED_TOPICS, Topic

S = State
Wait = tuple[int, int]  # minutes after the previous step, at least and at most

# Handler and head of each department that has demo staff (housing and environment).
_DEPARTMENT_ROLES = {(spec.department, spec.role): spec.username for spec in STAFF}
DEPARTMENT_STAFF = {
    code: (_DEPARTMENT_ROLES[code, Role.HANDLER], _DEPARTMENT_ROLES[code, Role.HEAD])
    for code in (HOUSING, ENVIRONMENT)
}
CENTRE_STAFF = frozenset({"intake", "dispatcher"})  # the hotline works every day
STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.LETTER, Channel.WALK_IN})
CHANNEL_WEIGHTS = {
    Channel.PHONE: 40,
    Channel.WEB: 18,
    Channel.APP: 15,
    Channel.WALK_IN: 8,
    Channel.EMAIL: 7,
    Channel.LETTER: 6,
    Channel.API: 6,
}
CONTENT = {Rating.SATISFIED: 60, Rating.FAIRLY_SATISFIED: 40}
DISCONTENT = {Rating.NEUTRAL: 50, Rating.POOR: 50}
# Long enough for the 15-working-day appeal window to pass, national holidays included.
AFTER_APPEAL_WINDOW: Wait = (35 * 1440, 42 * 1440)


@dataclass
class Stage:
    """Everything stories are played with: the staff and the reference data."""

    staff: dict[str, User]
    departments: dict[str, Department]
    categories: dict[str, Category]  # "L1/L2/L3" → the third-level category
    communities: list[Area]
    calendar: WorkCalendar
    # The latest case registered under each topic, for "related case" links.
    latest_by_topic: dict[str, Case] = field(default_factory=dict)


def topic_for(story: Story, rng: Random) -> Topic:
    """A topic that fits the story: a staffed department's topic when one must act, an
    inquiry when it is answered at intake, a group matter for a collective complaint."""
    if story.answered:
        pool = [t for t in WORKED_TOPICS + OTHER_TOPICS if t.kind == Kind.INQUIRY]
    elif story.needs_staff:
        pool = [t for t in WORKED_TOPICS if t.kind != Kind.INQUIRY]
    elif story.pool == "other":
        pool = list(OTHER_TOPICS)
    else:
        pool = list(WORKED_TOPICS + OTHER_TOPICS)
    if story.anonymous:
        pool = [t for t in pool if t.kind in (Kind.COMPLAINT, Kind.REPORT)] or pool
    if story.group:
        pool = [t for t in pool if t.is_group] or pool
    return rng.choice(pool)


class Script:
    """Builds the beats of one story into a `Play` (see `build`)."""

    def __init__(self, *, stage: Stage, rng: Random, story: Story) -> None:
        self.stage = stage
        self.rng = rng
        self.story = story
        self.topic = topic_for(story, rng)
        self.area = rng.choice(stage.communities)
        street = self.area.parent
        district = street.parent if street else None
        self.slots = texts.slots_for(
            rng,
            district=district.name if district else "",
            street=street.name if street else "",
            community=self.area.name,
        )
        self.wording = texts.wording_for(self.topic, self.slots)
        self.category = stage.categories[self.topic.path]
        if self.category.department is None:
            raise ValueError(f"Category {self.topic.path} names no department.")
        self.lead: Department = self.category.department
        other = ENVIRONMENT if self.lead.code == HOUSING else HOUSING
        self.other_staffed = stage.departments[other]
        fast = story.timing == FRESH or story.severity == Severity.URGENT
        self.play = Play(rng=rng, calendar=stage.calendar, pace=0.25 if fast else 1.0)
        self.channel: str = Channel.WEB  # set when the case is registered
        self.duplicate: int | None = None

    # --- helpers ---------------------------------------------------------------------

    def user(self, username: str) -> User:
        return self.stage.staff[username]

    def say(self, choices: tuple[str, ...] | str) -> str:
        text = choices if isinstance(choices, str) else self.rng.choice(choices)
        return text.format(
            location=self.wording.location or "见诉求内容",
            respondent=self.wording.respondent or "被反映单位",
        )

    def staff_of(self, department: Department) -> tuple[str, str]:
        """The usernames of the department's handler and head."""
        return DEPARTMENT_STAFF[department.code]

    def act(
        self,
        case: int,
        action: Act,
        who: str | None,
        wait: Wait,
        *,
        paced: bool = True,
        **inputs: Any,
    ) -> None:
        """`who` takes `action` on case `case`: a username, or None for the complainant."""
        if who is None:
            hours = Hours.PUBLIC
        else:
            hours = Hours.HOTLINE if who in CENTRE_STAFF else Hours.OFFICE
        actor = self.user(who) if who else None
        self.play.act(case, action, actor, wait=wait, hours=hours, paced=paced, **inputs)

    def result(self) -> dict[str, Any]:
        """The five parts of the department's answer (答复五要素) and the remedy period."""
        w = self.wording
        return {
            "facts": w.facts,
            "basis": w.basis,
            "measures": w.measures,
            "outcome": w.outcome,
            "remedy": texts.REMEDY,
            "remedy_days": 15,
        }

    def submission_maker(self, *, people: int, channel: str) -> Callable[[], Submission]:
        """A function that builds the submission at the moment it is registered."""
        story, wording, rng = self.story, self.wording, self.rng
        persons = texts.people_for(
            rng,
            count=people,
            channel_is_email=channel == Channel.EMAIL,
            address=f"{self.slots['district']}{self.slots['street']}{self.slots['estate']}",
        )
        occurred_minutes = rng.randint(60, 5 * 1440)
        by_staff = channel in STAFF_CHANNELS
        located = channel in (Channel.APP, Channel.WEB)
        latitude = Decimal(f"{30.52 + rng.random() * 0.12:.6f}") if located else None
        longitude = Decimal(f"{114.25 + rng.random() * 0.15:.6f}") if located else None

        def make() -> Submission:
            return Submission(
                kind=self.topic.kind,
                subject=wording.subject,
                body=wording.body,
                channel=channel,
                # Staff at the hotline classify as they register; the public do not.
                severity=story.severity if by_staff else Severity.GENERAL,
                desired_outcome=wording.desired,
                occurred_at=timezone.now() - timedelta(minutes=occurred_minutes),
                location=wording.location,
                respondent=wording.respondent,
                area=self.area,
                latitude=latitude,
                longitude=longitude,
                category=self.category if by_staff else None,
                is_anonymous=people == 0,
                people=persons,
            )

        return make

    def register(self, *, duplicate: bool = False) -> int:
        """A new case through `case_create`; the hotline registers phone, letter and walk-in."""
        channel = weighted_choice(self.rng, CHANNEL_WEIGHTS)
        if duplicate:
            people = 1
        else:
            self.channel = channel
            people = 0 if self.story.anonymous else 1
            if self.story.group:
                people = self.rng.randint(5, 12)
        by_staff = channel in STAFF_CHANNELS
        return self.play.submit(
            self.submission_maker(people=people, channel=channel),
            actor=self.user("intake") if by_staff else None,
            wait=(60, 1440) if duplicate else (0, 0),
            hours=Hours.HOTLINE if by_staff else Hours.PUBLIC,
        )

    # --- the story -------------------------------------------------------------------

    def build(self) -> Play:
        """Steps: register; intake review (material, reject, transfer, answer, accept);
        dispatch (returns, assignment); the department's work; result and approvals; the
        complainant's rating and appeal; archiving. Stops where the story ends."""
        story, end = self.story, self.story.end
        case = self.register()
        if story.info_requested:
            self.act(case, Act.REQUEST_INFO, "intake", (20, 600), note=self.say(texts.REQUEST_INFO))
            if end == S.NEEDS_INFO:
                return self.play
            self.play.supply(
                case,
                None if self.rng.random() < 0.7 else self.user("intake"),
                note=self.say(texts.SUPPLEMENT),
                wait=(300, 4000),
            )
        if end == S.SUBMITTED:
            return self.play
        if end in (S.REJECTED, S.TRANSFERRED) or story.answered:
            self.intake_closes(case)
        else:
            self.accept(case)
            self.dispatch(case)
            if end in (S.ACCEPTED, S.ASSIGNED):
                return self.play
            self.work(case)
            if end == S.IN_PROGRESS:
                return self.play
            self.answer(case)
            if end in (S.PENDING_APPROVAL, S.PENDING_LEADER_APPROVAL):
                return self.play
        self.after_reply(case)
        if story.target == S.ARCHIVED:
            who = "supervisor" if self.rng.random() < 0.8 else "admin"
            self.act(case, Act.ARCHIVE, who, (1440, 20000), note=self.say(texts.ARCHIVE_NOTE))
        if story.duplicate_archived and self.duplicate is not None:
            self.act(
                self.duplicate, Act.ARCHIVE, "supervisor", (60, 600), note=texts.DUPLICATE_ARCHIVE
            )
        return self.play

    def intake_closes(self, case: int) -> None:
        """Rejected, transferred, or an inquiry answered on the spot."""
        end = self.story.end
        if end == S.REJECTED:
            self.act(case, Act.REJECT, "intake", (10, 300), note=self.say(texts.REJECT))
        elif end == S.TRANSFERRED:
            body, note = self.rng.choice(texts.TRANSFER)
            self.act(case, Act.TRANSFER, "intake", (10, 300), body=body, consent=True, note=note)
        else:
            self.act(case, Act.ANSWER, "intake", (5, 120), note=self.wording.answer)

    def accept(self, case: int) -> None:
        """Accept and classify; a duplicate arriving now is merged; a related case linked."""
        story = self.story
        classify: dict[str, Any] = {"category": self.category}
        if self.channel not in STAFF_CHANNELS and story.severity != Severity.GENERAL:
            classify["severity"] = story.severity
        self.act(
            case, Act.ACCEPT, "intake", (10, 600), note=self.say(texts.ACCEPT_NOTE), **classify
        )
        if self.rng.random() < 0.25:
            self.act(case, Act.NOTE, "intake", (5, 120), note=self.say(texts.NOTES))
        if story.duplicate:
            self.duplicate = self.register(duplicate=True)
            primary = case
            self.act(
                self.duplicate,
                Act.MERGE,
                "intake",
                (20, 300),
                into=lambda: self.play.cases[primary],
                note=lambda: texts.MERGE_NOTE.format(number=self.play.cases[primary].number),
            )
        if story.link:
            self.play.call(self.link_to_earlier(case), wait=(10, 240), hours=Hours.HOTLINE)

    def link_to_earlier(self, case: int) -> Callable[[], None]:
        def run() -> None:
            this = self.play.cases[case]
            earlier = self.stage.latest_by_topic.get(self.topic.path)
            if earlier is not None and earlier.pk != this.pk:
                perform(
                    case=this,
                    action=Act.LINK,
                    actor=self.user("dispatcher"),
                    other=earlier,
                    kind=LinkKind.RELATED,
                )

        return run

    def dispatch(self, case: int) -> None:
        """Assign, taking the departments' "not ours" returns first; a case that ends
        accepted stops before the (re)assignment."""
        story = self.story
        lead, other = self.lead, self.other_staffed
        returns = [
            (other, texts.RETURN_NOT_OURS.format(proper=lead.name)),
            (lead, texts.RETURN_SHARED.format(other=other.name)),
        ]
        for department, note in returns[: story.returns]:
            self.act(case, Act.ASSIGN, "dispatcher", (30, 900), department=department)
            handler, _ = self.staff_of(department)
            self.act(case, Act.RETURN, handler, (60, 1500), note=note)
        if story.end == S.ACCEPTED:
            return  # back with the dispatcher (or not yet dispatched)
        if story.returns >= 2:
            note = texts.FINAL_ASSIGN.format(lead=lead.name)
        else:
            note = self.say(texts.ASSIGN_NOTE)
        co = [other] if story.co else []
        self.act(
            case, Act.ASSIGN, "dispatcher", (30, 900), department=lead, co_departments=co, note=note
        )
        if story.urge:
            self.act(case, Act.NOTE, "supervisor", (1440, 4320), note=self.say(texts.URGING))

    def work(self, case: int) -> None:
        """Sign, plan, progress messages, the co-handler's report, mediation, extension."""
        story, rng = self.story, self.rng
        handler, head = self.staff_of(self.lead)
        self.act(case, Act.SIGN, handler, (30, 1200), note=self.say(texts.SIGN_NOTE))
        self.act(case, Act.PLAN, handler, (30, 600), note=self.say(texts.PLAN))
        for _ in range(rng.choice((0, 1, 1, 2))):
            self.act(case, Act.PROGRESS, handler, (600, 2880), note=self.say(texts.PROGRESS))
        if story.co:
            co_handler, _ = self.staff_of(self.other_staffed)
            self.act(case, Act.CO_REPORT, co_handler, (600, 2880), note=self.say(texts.CO_REPORT))
        if story.mediation:
            agreed = story.mediation == "agreement"
            text = texts.MEDIATION_AGREEMENT if agreed else texts.MEDIATION_FAILED
            parties: dict[str, Any] = (
                {"parties": self.say(texts.MEDIATION_PARTIES)} if agreed else {}
            )
            self.act(
                case,
                Act.MEDIATE,
                handler,
                (1440, 4320),
                outcome=story.mediation,
                note=self.say(text),
                **parties,
            )
        if story.extension:
            hours = story.severity == Severity.URGENT
            amount = rng.randint(12, 24) if hours else rng.randint(2, 5)
            note = self.say(texts.EXTENSION)
            self.act(case, Act.EXTENSION_REQUEST, head, (600, 2880), amount=amount, note=note)
            if story.extension == "approved":
                note = self.say(texts.EXTENSION_APPROVE)
                self.act(case, Act.EXTENSION_APPROVE, "supervisor", (60, 600), note=note)
            elif story.extension == "refused":
                note = self.say(texts.EXTENSION_REFUSE)
                self.act(case, Act.EXTENSION_REFUSE, "supervisor", (60, 600), note=note)

    def answer(self, case: int, *, again: bool = False) -> None:
        """Submit the result; the head approves (or sends it back); a leader approves a
        major case's answer. Stops at the story's end unless redoing after an appeal."""
        story, end = self.story, self.story.end
        handler, head = self.staff_of(self.lead)
        self.act(case, Act.SUBMIT_RESULT, handler, (1440, 4320), **self.result())
        if story.send_back and not again:
            self.act(case, Act.SEND_BACK, head, (60, 900), note=self.say(texts.SEND_BACK))
            self.act(case, Act.SUBMIT_RESULT, handler, (600, 2880), **self.result())
        if end == S.PENDING_APPROVAL and not again:
            return
        self.act(case, Act.APPROVE, head, (60, 900), note=self.say(texts.APPROVE_NOTE))
        if story.severity != Severity.MAJOR or (end == S.PENDING_LEADER_APPROVAL and not again):
            return
        if story.leader_send_back and not again:
            self.act(
                case,
                Act.LEADER_SEND_BACK,
                "leader",
                (120, 1440),
                note=self.say(texts.LEADER_SEND_BACK),
            )
            self.act(case, Act.SUBMIT_RESULT, handler, (600, 2880), **self.result())
            self.act(case, Act.APPROVE, head, (60, 900))
        self.act(case, Act.LEADER_APPROVE, "leader", (120, 1440), note=self.say(texts.APPROVE_NOTE))

    def rate(self, case: int, rating: str) -> None:
        # The hotline calls back phone callers (回访); others rate with their query code.
        who = "intake" if self.channel == Channel.PHONE and self.rng.random() < 0.5 else None
        note = self.say(texts.RATING_NOTES[Rating(rating)])
        self.act(case, Act.RATE, who, (60, 4320), rating=rating, note=note)

    def after_reply(self, case: int) -> None:
        """Rating; for the dissatisfied an appeal and its review, or a close once the
        appeal window has passed."""
        story, end, rng = self.story, self.story.end, self.rng
        if end in (S.REJECTED, S.TRANSFERRED):
            return
        content = story.rating or weighted_choice(rng, CONTENT)
        discontent = story.dissatisfied or weighted_choice(rng, DISCONTENT)
        if end == S.REPLIED:
            if story.dissatisfied:
                self.rate(case, story.dissatisfied)
            return
        if story.appeal:
            self.rate(case, discontent)
            self.act(case, Act.APPEAL, None, (600, 7200), note=self.say(texts.APPEAL))
            if end == S.UNDER_REVIEW:
                return
            reviewer = "leader" if story.severity == Severity.MAJOR else "supervisor"
            if story.appeal == "uphold":
                note = self.say(texts.REVIEW_UPHOLD)
                self.act(case, Act.REVIEW_UPHOLD, reviewer, (1440, 5760), note=note)
                return
            self.act(
                case, Act.REVIEW_REDO, reviewer, (1440, 5760), note=self.say(texts.REVIEW_REDO)
            )
            handler, _ = self.staff_of(self.lead)
            self.act(case, Act.PROGRESS, handler, (600, 2880), note=self.say(texts.PROGRESS))
            self.answer(case, again=True)
            self.rate(case, content)
        elif story.late_close:
            self.rate(case, discontent)
            who = "intake" if rng.random() < 0.5 else "supervisor"
            note = self.say(texts.CLOSE_NOTE)
            self.act(case, Act.CLOSE, who, AFTER_APPEAL_WINDOW, paced=False, note=note)
        else:
            self.rate(case, content)
