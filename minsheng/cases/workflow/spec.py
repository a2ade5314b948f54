"""The vocabulary of the lifecycle table: the name of every timeline event, the shapes of
a table row (`Action` for what a person does, `Event` for what the system records beside
the actions), the queues of "My work", and the state groups.

Nothing here decides anything; `table.py` fills these shapes in.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Role, User
from minsheng.cases import access
from minsheng.cases.clocks import ClockEffect
from minsheng.cases.models import Case, NoticeKind, State
from minsheng.cases.office import OptionalStep


class Act(StrEnum):
    """The name of every line a case's timeline can hold: the lifecycle's actions first,
    then the events that other services record beside them. Nothing else names them."""

    REQUEST_INFO = "request_info"
    SUPPLEMENT = "supplement"
    ACCEPT = "accept"
    REJECT = "reject"
    TRANSFER = "transfer"
    ANSWER = "answer"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    SIGN = "sign"
    RETURN = "return"
    PLAN = "plan"
    PROGRESS = "progress"
    NOTE = "note"
    CO_REPORT = "co_report"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_APPROVE = "extension_approve"
    EXTENSION_REFUSE = "extension_refuse"
    MEDIATE = "mediate"
    SUBMIT_RESULT = "submit_result"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    LEADER_APPROVE = "leader_approve"
    LEADER_SEND_BACK = "leader_send_back"
    RATE = "rate"
    APPEAL = "appeal"
    # The steps an office may add (`cases.office.OptionalStep`).
    APPROVE_ACCEPTANCE = "approve_acceptance"
    REFUSE_ACCEPTANCE = "refuse_acceptance"
    FEEDBACK = "feedback"
    EVIDENCE_REQUEST = "evidence_request"
    EVIDENCE_SUPPLY = "evidence_supply"
    REGULATOR_ANSWER = "regulator_answer"
    REVIEW_REDO = "review_redo"
    REVIEW_UPHOLD = "review_uphold"
    CLOSE = "close"
    ARCHIVE = "archive"
    MERGE = "merge"
    LINK = "link"
    AUDIT_NOTE = "audit_note"
    # Events beside the actions (cases.services, the merge effect, notify's delivery log).
    REGISTER = "register"
    MERGED_IN = "merged_in"
    COLLECTIVE_FLAGGED = "collective_flagged"
    COMPLAINANT_MESSAGE = "complainant_message"
    FILES_ADDED = "files_added"
    NOTIFIED = "notified"
    NOTIFY_FAILED = "notify_failed"
    # Supervision notices (督办单) and return visits (回访), written by `supervision`.
    NOTICE_ISSUED = "notice_issued"
    NOTICE_ACKNOWLEDGED = "notice_acknowledged"
    NOTICE_ANSWERED = "notice_answered"
    NOTICE_SENT_BACK = "notice_sent_back"
    NOTICE_CLOSED = "notice_closed"
    NOTICE_ESCALATED = "notice_escalated"
    NOTICE_DUE_SOON = "notice_due_soon"
    NOTICE_OVERDUE = "notice_overdue"
    RETURN_VISIT = "return_visit"
    # Records some offices keep beside the lifecycle (`cases.services`, `enforcement`).
    MEDIATION_SIGNED = "mediation_signed"
    MEDIATION_FOLLOWED_UP = "mediation_followed_up"
    RESULT_SIGNED = "result_signed"
    ENFORCEMENT_OPENED = "enforcement_opened"


class Queue(models.TextChoices):
    """A tab of "My work": the cases waiting for one of the actions filed under it. Its
    roles and states are those of its actions (`table.queue_roles`, `table.queue_states`)."""

    REVIEW = "review", _("To review")  # 待受理
    ACCEPTANCE = "acceptance", _("To approve acceptance")  # 待立案审批
    DISPATCH = "dispatch", _("To dispatch")  # 待分拨
    SIGN = "sign", _("To sign")  # 待签收
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    APPROVAL = "approval", _("Awaiting approval")  # 待审核
    APPEALS = "appeals", _("Appeals to review")  # 复查


OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.NEEDS_INFO,
        State.PENDING_ACCEPTANCE,
        State.ACCEPTED,
        State.ASSIGNED,
        State.IN_PROGRESS,
        State.AWAITING_EVIDENCE,
        State.PENDING_APPROVAL,
        State.PENDING_LEADER_APPROVAL,
        State.UNDER_REVIEW,
    }
)
# States in which no clock runs.
RESTING_STATES = frozenset(
    {State.REPLIED, State.REJECTED, State.TRANSFERRED, State.CLOSED, State.MERGED, State.ARCHIVED}
)
ALL_STATES = frozenset(State)
# States only an optional step leads into, and the step: a case in one may always take
# the step's way out, even if the office has since stopped using the step.
STEP_STATES: dict[State, OptionalStep] = {
    State.PENDING_ACCEPTANCE: OptionalStep.ACCEPTANCE_APPROVAL,
    State.AWAITING_EVIDENCE: OptionalStep.EVIDENCE_REQUEST,
}


class TransitionNotAllowed(Exception):  # noqa: N818 - the name viewflow and django-fsm use
    """The action cannot be taken in the case's current state (or someone got there first)."""


class InputKind(StrEnum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"
    DEPARTMENT = "department"
    DEPARTMENTS = "departments"
    CASE = "case"
    CATEGORY = "category"
    CASE_CLASS = "case_class"  # one of the office's classes, by code
    REJECTION_REASON = "rejection_reason"  # one of the office's rejection reasons, by code


@dataclass(frozen=True)
class Input:
    """One value an action takes from the person taking it: its name in forms and the API,
    its label on the page, and its type (with the choices, for a choice)."""

    name: str
    label: Any  # lazy translated string
    kind: InputKind = InputKind.TEXT
    required: bool = True
    choices: type[models.TextChoices] | None = None
    # A long free text: a text box in forms, and reply templates can fill it.
    is_long_text: bool = False


@dataclass(frozen=True)
class Scope:
    """Which department a department role must belong to: the lead one or a co-handler."""

    co_department: bool = False
    either: bool = False


LEAD = Scope()
CO = Scope(co_department=True)
ANY_DEPARTMENT = Scope(either=True)


@dataclass
class Context:
    """What an action's effect function gets, and what it hands back to `perform`."""

    case: Case
    actor: access.Actor
    user: User | None
    role: Role
    inputs: dict[str, Any]
    now: datetime
    from_state: State  # the state the action was taken in (`case.state` has moved on)
    data: dict[str, Any] = field(default_factory=dict)  # added to the event's data
    extension: int = 0  # time granted, for the action's `extend` clock effect
    # Timeline lines on other cases that the action causes, written by `perform` with its own.
    also: list["AlsoRecorded"] = field(default_factory=list)

    def also_record(self, *, case: Case, act: "Act", note: str, data: dict[str, Any]) -> None:
        """Ask `perform` to write a line on another case's timeline (a merge's `merged_in`)."""
        self.also.append(AlsoRecorded(case=case, act=act, note=note, data=data))


@dataclass(frozen=True)
class AlsoRecorded:
    """A timeline line an action causes on another case."""

    case: Case
    act: Act
    note: str
    data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Event:
    """One kind of timeline line and what its satellites need to know of it."""

    label: Any  # lazy translated string
    # What the complainant reads for it, in their words and never naming the department
    # (the tracking page and the public API); staff words (`label`) when not set.
    public_label: Any = None
    # Shown on the complainant's timeline. None: decided when it is written (files added
    # by staff are public when the files are).
    is_public: bool | None = False
    # Whether the complainant may read the note written with it (a request for material, a
    # progress message, a decision). Other notes may be internal instructions.
    note_for_complainant: bool = False
    # The messages it causes (notify), and, if set, only when it leads into one of these
    # states (an approval answers the complainant only when the answer goes out).
    notices: tuple[NoticeKind, ...] = ()
    notices_into: frozenset[State] | None = None
    # Fanned out to messages and webhooks; notify's own delivery log is not.
    is_announced: bool = True

    def notices_for(self, to_state: str) -> tuple[NoticeKind, ...]:
        """The messages an event of this kind causes when it leaves the case in `to_state`."""
        if self.notices_into is not None and to_state not in self.notices_into:
            return ()
        return self.notices


@dataclass(frozen=True, kw_only=True)
class Action(Event):
    """One thing a person can do to a case: from which states, to which, by whom, with
    which inputs, and what it does to the deadlines."""

    sources: frozenset[State]
    target: State | None  # None: the state stays as it is
    roles: frozenset[Role]
    # Narrows `roles` by the office's configuration for a case in one of `sources` (the
    # role of the approval level the result waits at, who approves acceptance).
    roles_from: Callable[[Case], frozenset[Role]] | None = None
    # The optional step the action belongs to: refused where the office does not use it
    # (but a case already in the step's own state may always leave it).
    step: OptionalStep | None = None
    scope: Scope = LEAD
    inputs: tuple[Input, ...] = ()
    # The label of its note, where the note means something particular.
    note_label: Any = None
    clocks: tuple[ClockEffect, ...] = ()
    queue: Queue | None = None
    # A policy knowledge base entry can start its text ("Use in the answer").
    takes_knowledge_entry: bool = False
    # Returns why the action is refused for this case now, or None.
    condition: Callable[[Case, datetime], str | None] | None = None
    # Validates inputs against the case beyond their types, raising ValidationError.
    check: Callable[[Case, dict[str, Any]], None] | None = None
    # Picks the target when it depends on the case or inputs, among `choices_of_target`.
    choose: Callable[[Case, dict[str, Any]], State] | None = None
    choices_of_target: frozenset[State] = frozenset()
    # Writes that belong to the action beyond the state (fields, results, links).
    effect: Callable[[Context], None] | None = None

    def targets_from(self, source: State) -> frozenset[State]:
        """Every state this action can lead to from `source` (for documentation and tests)."""
        if self.choose is not None:
            return self.choices_of_target
        return frozenset({self.target or source})
