"""THE case lifecycle: every state, every action, who may take it, what it needs, and what
it does to the deadlines. Pages, the API, jobs and the demo all ask this module.

    submitted ─accept→ accepted ─assign→ assigned ─sign→ in_progress ─submit_result→
    pending_approval ─approve→ replied ─rate→ closed ─archive→ archived
    (major cases: pending_approval ─approve→ pending_leader_approval ─leader_approve→ replied)

Side roads: request_info/supplement (the review clock stops while waiting), reject,
transfer, answer (an inquiry answered at intake), return (a department says "not ours"),
send_back, appeal → under_review → review_redo / review_uphold, merge, and the actions that
leave the state alone (plan, progress, note, co_report, extensions, mediation, link).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.accounts.models import Department, Role, User
from minsheng.cases import access, clocks
from minsheng.cases.clocks import STOP_ALL, ClockEffect, extend, pause, resume, start, stop
from minsheng.cases.models import (
    DISSATISFIED_RATINGS,
    Case,
    CaseEvent,
    CaseLink,
    CaseResult,
    Category,
    ExtensionRequest,
    LinkKind,
    Rating,
    State,
)
from minsheng.deadlines.models import Kind, Severity, Step
from minsheng.deadlines.selectors import policy_for

# A department may say "not ours" this many times; then the dispatcher's choice is final.
MAX_RETURNS = 2

OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.NEEDS_INFO,
        State.ACCEPTED,
        State.ASSIGNED,
        State.IN_PROGRESS,
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


@dataclass(frozen=True)
class Input:
    """One value an action takes from the person taking it."""

    name: str
    kind: InputKind = InputKind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Which department a department role must belong to: the lead one or a co-handler."""

    co_department: bool = False
    either: bool = False


LEAD = Scope()
CO = Scope(co_department=True)
ANY_DEPARTMENT = Scope(either=True)


@dataclass(frozen=True)
class Context:
    """What an action's effect function gets."""

    case: Case
    actor: access.Actor
    user: User | None
    role: Role
    inputs: dict[str, Any]
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)  # added to the event's data


@dataclass(frozen=True)
class Action:
    """One thing a person can do to a case."""

    label: Any  # lazy translated string
    sources: frozenset[State]
    target: State | None  # None: the state stays as it is
    roles: frozenset[Role]
    scope: Scope = LEAD
    inputs: tuple[Input, ...] = ()
    clocks: tuple[ClockEffect, ...] = ()
    is_public: bool = False
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


# --- conditions ------------------------------------------------------------------------


def _info_not_yet_requested(case: Case, now: datetime) -> str | None:
    if case.is_info_requested:
        return _("Missing material may be requested only once.")
    return None


def _is_inquiry(case: Case, now: datetime) -> str | None:
    if case.kind != Kind.INQUIRY:
        return _("Only an inquiry can be answered at intake.")
    return None


def _may_return(case: Case, now: datetime) -> str | None:
    if case.return_count >= MAX_RETURNS:
        return _(
            "This case has been returned %(count)s times; the dispatcher's assignment is final."
        ) % {"count": case.return_count}
    return None


def _has_plan(case: Case, now: datetime) -> str | None:
    if not case.plan:
        return _("Write the handling plan before submitting the result.")
    return None


def _no_pending_extension(case: Case, now: datetime) -> str | None:
    if case.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        return _("An extension request is already waiting for a decision.")
    return None


def _has_pending_extension(case: Case, now: datetime) -> str | None:
    if not case.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        return _("There is no extension request to decide.")
    return None


def _not_rated(case: Case, now: datetime) -> str | None:
    if case.rating:
        return _("The answer has already been rated.")
    return None


def _may_appeal(case: Case, now: datetime) -> str | None:
    if case.rating not in DISSATISFIED_RATINGS:
        return _("An appeal is possible after rating the answer as neutral or poor.")
    if case.appeal_until is None or now > case.appeal_until:
        return _("The time to appeal has passed.")
    return None


def _appeal_window_over(case: Case, now: datetime) -> str | None:
    if case.appeal_until is not None and now <= case.appeal_until:
        return _("The complainant may appeal until %(until)s.") % {
            "until": timezone.localtime(case.appeal_until).strftime("%Y-%m-%d %H:%M")
        }
    return None


# --- input checks ----------------------------------------------------------------------


def _check_transfer(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["consent"] is not True:
        raise ValidationError(
            {"consent": [_("A transfer needs the complainant's consent.")]}, code="required"
        )


def _check_assign(case: Case, inputs: dict[str, Any]) -> None:
    lead: Department = inputs["department"]
    if not lead.is_active:
        raise ValidationError({"department": [_("This department is not active.")]})
    if any(d.pk == lead.pk for d in inputs.get("co_departments") or []):
        raise ValidationError(
            {"co_departments": [_("The lead department cannot also be a co-handler.")]}
        )


def _check_positive_amount(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["amount"] <= 0:
        raise ValidationError({"amount": [_("Ask for at least one unit of time.")]})


def _check_result(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["remedy_days"] <= 0:
        raise ValidationError({"remedy_days": [_("Give the number of days to seek a remedy.")]})


def _check_other_case(case: Case, inputs: dict[str, Any]) -> None:
    other: Case = inputs["other"]
    if other.pk == case.pk:
        raise ValidationError({"other": [_("A case cannot be linked to itself.")]})


def _check_merge(case: Case, inputs: dict[str, Any]) -> None:
    into: Case = inputs["into"]
    if into.pk == case.pk:
        raise ValidationError({"into": [_("A case cannot be merged into itself.")]})
    if into.state not in OPEN_STATES:
        raise ValidationError({"into": [_("Merge into a case that is still open.")]})


# --- effects ---------------------------------------------------------------------------


def _save(case: Case, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=list(fields))


def _request_info(ctx: Context) -> None:
    _save(ctx.case, is_info_requested=True)


def _accept(ctx: Context) -> None:
    changes = {
        name: ctx.inputs[name]
        for name in ("kind", "severity", "category")
        if ctx.inputs.get(name) not in (None, "")
    }
    if changes:
        ctx.data.update({k: str(getattr(v, "pk", v)) for k, v in changes.items()})
        _save(ctx.case, **changes)


def _reject(ctx: Context) -> None:
    _save(ctx.case, rejection_reason=ctx.inputs["note"], closed_at=ctx.now)


def _transfer(ctx: Context) -> None:
    _save(ctx.case, transferred_to=ctx.inputs["body"], closed_at=ctx.now)
    ctx.data["body"] = ctx.inputs["body"]


def _replied(ctx: Context) -> None:
    """The answer reaches the complainant: the appeal window opens."""
    policy = policy_for(kind=ctx.case.kind, severity=ctx.case.severity)
    _save(
        ctx.case,
        replied_at=ctx.now,
        appeal_until=clocks.due_in(started_at=ctx.now, amount=policy.appeal_days),
    )


def _answer(ctx: Context) -> None:
    _save(ctx.case, answer=ctx.inputs["note"])
    _replied(ctx)


def _assign(ctx: Context) -> None:
    lead: Department = ctx.inputs["department"]
    co: list[Department] = list(ctx.inputs.get("co_departments") or [])
    _save(ctx.case, department=lead, handler=None)
    ctx.case.co_departments.set(co)
    ctx.data.update(
        department=lead.pk,
        department_name=lead.name,
        co_departments=[d.pk for d in co],
        is_final=ctx.case.return_count >= MAX_RETURNS,
    )


def _sign(ctx: Context) -> None:
    _save(ctx.case, handler=ctx.user)


def _return(ctx: Context) -> None:
    ctx.data.update(department=ctx.case.department_id)
    _save(ctx.case, return_count=ctx.case.return_count + 1, department=None, handler=None)
    ctx.case.co_departments.clear()


def _plan(ctx: Context) -> None:
    _save(ctx.case, plan=ctx.inputs["note"])


def _extension_request(ctx: Context) -> None:
    assert ctx.user is not None  # noqa: S101 - only staff roles may take this action
    request = ExtensionRequest(
        case=ctx.case,
        amount=ctx.inputs["amount"],
        reason=ctx.inputs["note"],
        requested_by=ctx.user,
        requested_at=ctx.now,
    )
    request.full_clean()
    request.save()
    ctx.data.update(amount=request.amount, request=request.pk)


def _pending_extension(case: Case) -> ExtensionRequest:
    return case.extension_requests.get(status=ExtensionRequest.Status.PENDING)


def _extension_decide(ctx: Context, status: str) -> None:
    request = _pending_extension(ctx.case)
    request.status = status
    request.decided_by = ctx.user
    request.decided_at = ctx.now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    ctx.data.update(amount=request.amount, request=request.pk)


def _extension_approve(ctx: Context) -> None:
    _extension_decide(ctx, ExtensionRequest.Status.APPROVED)


def _extension_refuse(ctx: Context) -> None:
    _extension_decide(ctx, ExtensionRequest.Status.REFUSED)


def _mediate(ctx: Context) -> None:
    ctx.data.update(outcome=ctx.inputs["outcome"])


def _submit_result(ctx: Context) -> None:
    assert ctx.user is not None  # noqa: S101 - only staff roles may take this action
    result = CaseResult(
        case=ctx.case,
        submitted_by=ctx.user,
        submitted_at=ctx.now,
        **{name: ctx.inputs[name] for name in RESULT_PARTS},
    )
    result.full_clean()
    result.save()
    ctx.data.update(result=result.pk)


def _approve(ctx: Context) -> None:
    if ctx.case.severity != Severity.MAJOR:
        _replied(ctx)


def _rate(ctx: Context) -> None:
    _save(ctx.case, rating=ctx.inputs["rating"])
    ctx.data.update(rating=ctx.inputs["rating"])
    if ctx.inputs["rating"] not in DISSATISFIED_RATINGS:
        _save(ctx.case, closed_at=ctx.now)


def _review_redo(ctx: Context) -> None:
    _save(ctx.case, rating="", appeal_until=None, replied_at=None)


def _closed(ctx: Context) -> None:
    _save(ctx.case, closed_at=ctx.now)


def _merge(ctx: Context) -> None:
    """Fold this case into another: its complainants and history stay, the answer to the
    other case reaches them all."""
    into: Case = ctx.inputs["into"]
    _save(ctx.case, merged_into=into)
    # Cases merged earlier into this one follow it, so one answer still reaches everyone.
    Case.objects.filter(merged_into=ctx.case).update(merged_into=into)
    CaseEvent.objects.create(
        case=into,
        action="merged_in",
        actor=ctx.user,
        actor_role=ctx.role,
        from_state=into.state,
        to_state=into.state,
        note=ctx.inputs.get("note") or "",
        data={"case": ctx.case.number},
        created_at=ctx.now,
    )
    ctx.data.update(into=into.number)


def _link(ctx: Context) -> None:
    other: Case = ctx.inputs["other"]
    CaseLink.objects.get_or_create(
        from_case=ctx.case,
        to_case=other,
        defaults={"kind": ctx.inputs["kind"], "created_by": ctx.user, "created_at": ctx.now},
    )
    ctx.data.update(other=other.number, kind=ctx.inputs["kind"])


# --- target choosers -------------------------------------------------------------------


def _approve_target(case: Case, inputs: dict[str, Any]) -> State:
    return State.PENDING_LEADER_APPROVAL if case.severity == Severity.MAJOR else State.REPLIED


def _rate_target(case: Case, inputs: dict[str, Any]) -> State:
    return State.REPLIED if inputs["rating"] in DISSATISFIED_RATINGS else State.CLOSED


# --- the table -------------------------------------------------------------------------

R = Role
NOTE = Input("note")
OPTIONAL_NOTE = Input("note", required=False)
RESULT_PARTS = ("facts", "basis", "measures", "outcome", "remedy", "remedy_days")
STAFF_WRITERS = frozenset({R.INTAKE, R.DISPATCHER, R.HANDLER, R.HEAD, R.SUPERVISOR, R.LEADER})
MERGEABLE = frozenset(
    {State.SUBMITTED, State.NEEDS_INFO, State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS}
)
S = State

ACTIONS: dict[str, Action] = {
    "request_info": Action(
        label=gettext_lazy("Request missing material"),
        sources=frozenset({S.SUBMITTED}),
        target=S.NEEDS_INFO,
        roles=frozenset({R.INTAKE}),
        inputs=(NOTE,),
        clocks=(pause(Step.REVIEW),),
        is_public=True,
        condition=_info_not_yet_requested,
        effect=_request_info,
    ),
    "supplement": Action(
        label=gettext_lazy("Supply material"),
        sources=frozenset({S.NEEDS_INFO}),
        target=S.SUBMITTED,
        roles=frozenset({R.PUBLIC, R.INTAKE}),
        inputs=(NOTE,),
        clocks=(resume(Step.REVIEW),),
        is_public=True,
    ),
    "accept": Action(
        label=gettext_lazy("Accept"),
        sources=frozenset({S.SUBMITTED}),
        target=S.ACCEPTED,
        roles=frozenset({R.INTAKE}),
        inputs=(
            Input("kind", InputKind.CHOICE, required=False, choices=tuple(Kind.values)),
            Input("severity", InputKind.CHOICE, required=False, choices=tuple(Severity.values)),
            Input("category", InputKind.CATEGORY, required=False),
            OPTIONAL_NOTE,
        ),
        clocks=(stop(Step.REVIEW), start(Step.DISPATCH), start(Step.RESULT)),
        is_public=True,
        effect=_accept,
    ),
    "reject": Action(
        label=gettext_lazy("Reject"),
        sources=frozenset({S.SUBMITTED}),
        target=S.REJECTED,
        roles=frozenset({R.INTAKE}),
        inputs=(NOTE,),
        is_public=True,
        effect=_reject,
    ),
    "transfer": Action(
        label=gettext_lazy("Transfer to the competent body"),
        sources=frozenset({S.SUBMITTED}),
        target=S.TRANSFERRED,
        roles=frozenset({R.INTAKE}),
        inputs=(Input("body"), Input("consent", InputKind.BOOL), OPTIONAL_NOTE),
        is_public=True,
        check=_check_transfer,
        effect=_transfer,
    ),
    "answer": Action(
        label=gettext_lazy("Answer at intake"),
        sources=frozenset({S.SUBMITTED}),
        target=S.REPLIED,
        roles=frozenset({R.INTAKE}),
        inputs=(NOTE,),
        is_public=True,
        condition=_is_inquiry,
        effect=_answer,
    ),
    "assign": Action(
        label=gettext_lazy("Assign to a department"),
        sources=frozenset({S.ACCEPTED}),
        target=S.ASSIGNED,
        roles=frozenset({R.DISPATCHER}),
        inputs=(
            Input("department", InputKind.DEPARTMENT),
            Input("co_departments", InputKind.DEPARTMENTS, required=False),
            OPTIONAL_NOTE,
        ),
        clocks=(stop(Step.DISPATCH), start(Step.PLAN)),
        is_public=True,
        check=_check_assign,
        effect=_assign,
    ),
    "sign": Action(
        label=gettext_lazy("Sign for the case"),
        sources=frozenset({S.ASSIGNED}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(OPTIONAL_NOTE,),
        is_public=True,
        effect=_sign,
    ),
    "return": Action(
        label=gettext_lazy("Return as not ours"),
        sources=frozenset({S.ASSIGNED}),
        target=S.ACCEPTED,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(NOTE,),
        # The result clock keeps running: a case must not gain time by bouncing around.
        clocks=(stop(Step.PLAN), start(Step.DISPATCH)),
        condition=_may_return,
        effect=_return,
    ),
    "plan": Action(
        label=gettext_lazy("Write the handling plan"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(NOTE,),
        clocks=(stop(Step.PLAN),),
        effect=_plan,
    ),
    "progress": Action(
        label=gettext_lazy("Send a progress message"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(NOTE,),
        is_public=True,
    ),
    "note": Action(
        label=gettext_lazy("Add an internal note"),
        sources=ALL_STATES - {S.ARCHIVED},
        target=None,
        roles=STAFF_WRITERS,
        scope=ANY_DEPARTMENT,
        inputs=(NOTE,),
    ),
    "co_report": Action(
        label=gettext_lazy("Report the co-handling part"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        scope=CO,
        inputs=(NOTE,),
    ),
    "extension_request": Action(
        label=gettext_lazy("Request an extension"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HEAD}),
        inputs=(Input("amount", InputKind.INT), NOTE),
        condition=_no_pending_extension,
        check=_check_positive_amount,
        effect=_extension_request,
    ),
    "extension_approve": Action(
        label=gettext_lazy("Approve the extension"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.SUPERVISOR}),
        inputs=(OPTIONAL_NOTE,),
        clocks=(extend(Step.RESULT),),
        is_public=True,
        condition=_has_pending_extension,
        effect=_extension_approve,
    ),
    "extension_refuse": Action(
        label=gettext_lazy("Refuse the extension"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.SUPERVISOR}),
        inputs=(NOTE,),
        condition=_has_pending_extension,
        effect=_extension_refuse,
    ),
    "mediate": Action(
        label=gettext_lazy("Record a mediation"),
        sources=frozenset({S.IN_PROGRESS}),
        target=None,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(Input("outcome", InputKind.CHOICE, choices=("agreement", "failed")), NOTE),
        is_public=True,
        effect=_mediate,
    ),
    "submit_result": Action(
        label=gettext_lazy("Submit the result"),
        sources=frozenset({S.IN_PROGRESS}),
        target=S.PENDING_APPROVAL,
        roles=frozenset({R.HANDLER, R.HEAD}),
        inputs=(
            Input("facts"),
            Input("basis"),
            Input("measures"),
            Input("outcome"),
            Input("remedy"),
            Input("remedy_days", InputKind.INT),
        ),
        condition=_has_plan,
        check=_check_result,
        effect=_submit_result,
    ),
    "approve": Action(
        label=gettext_lazy("Approve the result"),
        sources=frozenset({S.PENDING_APPROVAL}),
        target=None,
        roles=frozenset({R.HEAD}),
        inputs=(OPTIONAL_NOTE,),
        is_public=True,
        choose=_approve_target,
        choices_of_target=frozenset({S.REPLIED, S.PENDING_LEADER_APPROVAL}),
        effect=_approve,
    ),
    "send_back": Action(
        label=gettext_lazy("Send the result back"),
        sources=frozenset({S.PENDING_APPROVAL}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.HEAD}),
        inputs=(NOTE,),
    ),
    "leader_approve": Action(
        label=gettext_lazy("Approve as leader"),
        sources=frozenset({S.PENDING_LEADER_APPROVAL}),
        target=S.REPLIED,
        roles=frozenset({R.LEADER}),
        inputs=(OPTIONAL_NOTE,),
        is_public=True,
        effect=_replied,
    ),
    "leader_send_back": Action(
        label=gettext_lazy("Send back as leader"),
        sources=frozenset({S.PENDING_LEADER_APPROVAL}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.LEADER}),
        inputs=(NOTE,),
    ),
    "rate": Action(
        label=gettext_lazy("Rate the answer"),
        sources=frozenset({S.REPLIED}),
        target=None,
        roles=frozenset({R.PUBLIC, R.INTAKE}),
        inputs=(Input("rating", InputKind.CHOICE, choices=tuple(Rating.values)), OPTIONAL_NOTE),
        is_public=True,
        condition=_not_rated,
        choose=_rate_target,
        choices_of_target=frozenset({S.REPLIED, S.CLOSED}),
        effect=_rate,
    ),
    "appeal": Action(
        label=gettext_lazy("Appeal"),
        sources=frozenset({S.REPLIED}),
        target=S.UNDER_REVIEW,
        roles=frozenset({R.PUBLIC, R.INTAKE}),
        inputs=(NOTE,),
        clocks=(start(Step.REVIEW),),
        is_public=True,
        condition=_may_appeal,
    ),
    "review_redo": Action(
        label=gettext_lazy("Order the case redone"),
        sources=frozenset({S.UNDER_REVIEW}),
        target=S.IN_PROGRESS,
        roles=frozenset({R.SUPERVISOR, R.LEADER}),
        inputs=(NOTE,),
        clocks=(stop(Step.REVIEW), start(Step.RESULT)),
        is_public=True,
        effect=_review_redo,
    ),
    "review_uphold": Action(
        label=gettext_lazy("Uphold the answer"),
        sources=frozenset({S.UNDER_REVIEW}),
        target=S.CLOSED,
        roles=frozenset({R.SUPERVISOR, R.LEADER}),
        inputs=(NOTE,),
        is_public=True,
        effect=_closed,
    ),
    "close": Action(
        label=gettext_lazy("Close"),
        sources=frozenset({S.REPLIED}),
        target=S.CLOSED,
        roles=frozenset({R.INTAKE, R.SUPERVISOR}),
        inputs=(OPTIONAL_NOTE,),
        is_public=True,
        condition=_appeal_window_over,
        effect=_closed,
    ),
    "archive": Action(
        label=gettext_lazy("Archive"),
        sources=frozenset({S.CLOSED, S.REJECTED, S.TRANSFERRED, S.MERGED}),
        target=S.ARCHIVED,
        roles=frozenset({R.SUPERVISOR, R.ADMIN}),
        inputs=(OPTIONAL_NOTE,),
    ),
    "merge": Action(
        label=gettext_lazy("Merge into another case"),
        sources=MERGEABLE,
        target=S.MERGED,
        roles=frozenset({R.INTAKE, R.DISPATCHER, R.SUPERVISOR}),
        inputs=(Input("into", InputKind.CASE), OPTIONAL_NOTE),
        is_public=True,
        check=_check_merge,
        effect=_merge,
    ),
    "link": Action(
        label=gettext_lazy("Link to another case"),
        sources=ALL_STATES - {S.ARCHIVED},
        target=None,
        roles=frozenset({R.INTAKE, R.DISPATCHER, R.SUPERVISOR}),
        inputs=(
            Input("other", InputKind.CASE),
            Input("kind", InputKind.CHOICE, choices=tuple(LinkKind.values)),
        ),
        check=_check_other_case,
        effect=_link,
    ),
}


# Timeline events that are not lifecycle actions (written by cases.services and `_merge`).
OTHER_EVENTS: dict[str, Any] = {
    "register": gettext_lazy("Matter received"),
    "merged_in": gettext_lazy("Another case was merged into this one"),
    "collective_flagged": gettext_lazy("Flagged as a collective complaint"),
    "complainant_message": gettext_lazy("Message from the complainant"),
    "files_added": gettext_lazy("Files added"),
    "notified": gettext_lazy("Message delivered"),
    "notify_failed": gettext_lazy("Message could not be delivered"),
}


def event_label(action: str) -> str:
    """The translated name of a timeline event, for pages and the API."""
    spec = ACTIONS.get(action)
    return str(spec.label if spec is not None else OTHER_EVENTS.get(action, action))


# --- asking and doing ------------------------------------------------------------------


@dataclass(frozen=True)
class _Held:
    """The roles an actor holds on a case: as lead department, and as co-handler."""

    lead: frozenset[Role]
    co: frozenset[Role]


def _held(actor: access.Actor, case: Case) -> _Held:
    return _Held(
        lead=access.roles_on_case(actor, case),
        co=access.roles_on_case(actor, case, co_department=True),
    )


def _acting_role(spec: Action, held: _Held) -> Role | None:
    """The role under which the actor may take `spec`, if any."""
    if spec.scope.co_department:
        pool = held.co
    elif spec.scope.either:
        pool = held.lead | held.co
    else:
        pool = held.lead
    usable = sorted(spec.roles & pool)
    return Role(usable[0]) if usable else None


def why_not(
    case: Case,
    actor: access.Actor,
    action: str,
    *,
    now: datetime | None = None,
    held: _Held | None = None,
) -> str | None:
    """Why `actor` may not take `action` on `case` now, or None if they may."""
    spec = ACTIONS.get(action)
    if spec is None:
        return _("Unknown action.")
    if _acting_role(spec, held or _held(actor, case)) is None:
        return _("You may not take this action on this case.")
    if case.state not in spec.sources:
        return _("Not possible while the case is %(state)s.") % {"state": State(case.state).label}
    if spec.condition is not None:
        return spec.condition(case, now or timezone.now())
    return None


def allowed_actions(case: Case, actor: access.Actor) -> list[str]:
    """The actions `actor` may take on `case` now. Pages draw their buttons from this and
    the API lists it; nothing else decides it."""
    now = timezone.now()
    held = _held(actor, case)
    return [name for name in ACTIONS if why_not(case, actor, name, now=now, held=held) is None]


def _clean_inputs(spec: Action, raw: dict[str, Any]) -> dict[str, Any]:
    """Check the inputs' presence and types; raise ValidationError naming each field."""
    known = {i.name for i in spec.inputs}
    errors: dict[str, list[str]] = {
        name: [_("This action takes no field of this name.")] for name in raw if name not in known
    }
    clean: dict[str, Any] = {}
    for spec_input in spec.inputs:
        value = raw.get(spec_input.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if spec_input.required:
                errors[spec_input.name] = [_("This field is required.")]
            clean[spec_input.name] = value
            continue
        problem = _type_problem(spec_input, value)
        if problem:
            errors[spec_input.name] = [problem]
        clean[spec_input.name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _type_problem(spec_input: Input, value: Any) -> str | None:
    kind = spec_input.kind
    if kind == InputKind.TEXT and not isinstance(value, str):
        return _("Enter text.")
    if kind == InputKind.TEXT and len(value) > 20000:
        return _("This text is too long.")
    if kind == InputKind.INT and (isinstance(value, bool) or not isinstance(value, int)):
        return _("Enter a whole number.")
    if kind == InputKind.BOOL and not isinstance(value, bool):
        return _("Enter yes or no.")
    if kind == InputKind.CHOICE and spec_input.choices and value not in spec_input.choices:
        return _("Choose one of: %(choices)s.") % {"choices": ", ".join(spec_input.choices)}
    if kind == InputKind.DEPARTMENT and not isinstance(value, Department):
        return _("Choose a department.")
    if kind == InputKind.DEPARTMENTS and not all(isinstance(v, Department) for v in value):
        return _("Choose departments.")
    if kind == InputKind.CASE and not isinstance(value, Case):
        return _("Choose a case.")
    if kind == InputKind.CATEGORY and not isinstance(value, Category):
        return _("Choose a category.")
    return None


def _event_data(inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as JSON for the event: objects by their number or id."""
    data: dict[str, Any] = {}
    for name, value in inputs.items():
        if value in (None, "", []) or name == "note":
            continue
        if isinstance(value, Case):
            data[name] = value.number
        elif isinstance(value, Department):
            data[name] = value.pk
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


@transaction.atomic
def perform(*, case: Case, action: str, actor: access.Actor, **inputs: Any) -> CaseEvent:
    """Take `action` on `case` as `actor`. The only writer of `case.state`.

    1. check the actor may take the action, and that the state and conditions allow it;
    2. check the inputs (ValidationError names the field);
    3. move the state with a conditional UPDATE, so two people cannot both win;
    4. apply the action's own writes and its effect on the clocks;
    5. append one CaseEvent.
    """
    now = timezone.now()
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": [_("Unknown action.")]})
    current = Case.objects.get(pk=case.pk)
    held = _held(actor, current)
    role = _acting_role(spec, held)
    if role is None:
        raise PermissionDenied(_("You may not take this action on this case."))
    reason = why_not(current, actor, action, now=now, held=held)
    if reason is not None:
        raise TransitionNotAllowed(reason)
    clean = _clean_inputs(spec, inputs)
    if spec.check is not None:
        spec.check(current, clean)

    from_state = State(current.state)
    to_state = spec.choose(current, clean) if spec.choose else (spec.target or from_state)
    changed = Case.objects.filter(pk=current.pk, state=from_state).update(
        state=to_state, updated_at=now
    )
    if changed != 1:
        raise TransitionNotAllowed(_("Someone else changed this case first; reload it."))
    current.state = to_state
    current.updated_at = now

    user = actor if isinstance(actor, User) else None
    ctx = Context(case=current, actor=actor, user=user, role=role, inputs=clean, now=now)
    if spec.effect is not None:
        spec.effect(ctx)
    effects = spec.clocks
    if to_state in RESTING_STATES and from_state not in RESTING_STATES:
        # Replied, rejected, transferred, merged, closed: nothing is due any more.
        effects = (*effects, STOP_ALL)
    clocks.apply_effects(
        case=current,
        effects=effects,
        now=now,
        extension=int(ctx.data.get("amount", 0)) if action == "extension_approve" else 0,
    )
    event = CaseEvent.objects.create(
        case=current,
        action=action,
        actor=user,
        actor_role=role,
        from_state=from_state,
        to_state=to_state,
        note=clean.get("note") or "",
        data={**_event_data({k: v for k, v in clean.items() if k not in ctx.data}), **ctx.data},
        is_public=spec.is_public,
        created_at=now,
    )
    case.refresh_from_db()
    return event
