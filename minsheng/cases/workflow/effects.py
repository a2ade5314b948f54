"""What actions write beyond the state: fields of the case, results, extension requests,
links. Each is named in the table (`table.py`) and runs inside `perform`'s transaction,
after the state has moved; `perform` writes the timeline lines they ask for."""

from typing import Any

from minsheng.accounts.models import Department
from minsheng.cases import clocks, office
from minsheng.cases.models import (
    DISSATISFIED_RATINGS,
    Case,
    CaseLink,
    CaseResult,
    ExtensionRequest,
    MediationAgreement,
    MediationOutcome,
    RejectionReason,
    State,
)
from minsheng.cases.workflow.rules import MAX_RETURNS
from minsheng.cases.workflow.spec import Act, Context
from minsheng.deadlines.models import CaseClass, Unit

RESULT_PARTS = ("facts", "basis", "measures", "outcome", "remedy", "remedy_days")


def _save(case: Case, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=list(fields))


def request_info(ctx: Context) -> None:
    _save(ctx.case, is_info_requested=True)


def accept(ctx: Context) -> None:
    changes = {
        name: ctx.inputs[name]
        for name in ("kind", "severity", "category", "case_class")
        if ctx.inputs.get(name) not in (None, "")
    }
    case_class: CaseClass | None = changes.get("case_class")
    if case_class is not None:
        # The office's class decides the severity the lifecycle handles the case by.
        changes["severity"] = case_class.handling
    if changes:
        ctx.data.update(
            {
                k: v.code if isinstance(v, CaseClass) else str(getattr(v, "pk", v))
                for k, v in changes.items()
            }
        )
        _save(ctx.case, **changes)


def reject(ctx: Context) -> None:
    reason: RejectionReason | None = ctx.inputs.get("reason") or None
    text = ctx.inputs["note"]
    if reason is not None:
        text = f"{office.reason_text(reason)}\n{text}"
        ctx.data.update(reason=reason.code, legal_text=reason.legal_text)
    _save(ctx.case, rejection_reason=text, rejection_ground=reason, closed_at=ctx.now)


def transfer(ctx: Context) -> None:
    _save(ctx.case, transferred_to=ctx.inputs["body"], closed_at=ctx.now)
    ctx.data["body"] = ctx.inputs["body"]


def replied(ctx: Context) -> None:
    """The answer reaches the complainant: the appeal window opens."""
    policy = office.policy_of(ctx.case)
    _save(
        ctx.case,
        replied_at=ctx.now,
        approval_level=0,
        appeal_until=clocks.due_in(started_at=ctx.now, amount=policy.appeal_days),
    )


def answer(ctx: Context) -> None:
    _save(ctx.case, answer=ctx.inputs["note"])
    replied(ctx)


def assign(ctx: Context) -> None:
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


def sign(ctx: Context) -> None:
    _save(ctx.case, handler=ctx.user)


def return_(ctx: Context) -> None:
    ctx.data.update(department=ctx.case.department_id)
    _save(ctx.case, return_count=ctx.case.return_count + 1, department=None, handler=None)
    ctx.case.co_departments.clear()


def plan(ctx: Context) -> None:
    _save(ctx.case, plan=ctx.inputs["note"])


def extension_request(ctx: Context) -> None:
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


def _extension_decide(ctx: Context, status: str) -> ExtensionRequest:
    request = ctx.case.extension_requests.get(status=ExtensionRequest.Status.PENDING)
    request.status = status
    request.decided_by = ctx.user
    request.decided_at = ctx.now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    ctx.data.update(amount=request.amount, request=request.pk)
    return request


def extension_approve(ctx: Context) -> None:
    """The extension is granted: the table's `extend` clock effect adds its amount."""
    ctx.extension = _extension_decide(ctx, ExtensionRequest.Status.APPROVED).amount


def extension_refuse(ctx: Context) -> None:
    _extension_decide(ctx, ExtensionRequest.Status.REFUSED)


def mediate(ctx: Context) -> None:
    """A mediation's outcome; an agreement is kept as its own record (调解协议书), to be
    signed, issued in copies and followed up for fulfilment (`cases.services`)."""
    ctx.data.update(outcome=ctx.inputs["outcome"])
    if ctx.inputs["outcome"] != MediationOutcome.AGREEMENT:
        return
    days = ctx.inputs.get("follow_up_days")
    agreement = MediationAgreement(
        case=ctx.case,
        parties=ctx.inputs["parties"],
        terms=ctx.inputs["note"],
        copies=ctx.inputs.get("copies") or 3,
        follow_up_by=clocks.due_in(started_at=ctx.now, amount=days, unit=Unit.DAYS)
        if days
        else None,
        created_by=ctx.user,
        created_at=ctx.now,
    )
    agreement.full_clean()
    agreement.save()
    ctx.data.update(agreement=agreement.pk)


def submit_result(ctx: Context) -> None:
    assert ctx.user is not None  # noqa: S101 - only staff roles may take this action
    result = CaseResult(
        case=ctx.case,
        submitted_by=ctx.user,
        submitted_at=ctx.now,
        **{name: ctx.inputs[name] for name in RESULT_PARTS},
    )
    result.full_clean()
    result.save()
    _save(ctx.case, approval_level=1)
    ctx.data.update(result=result.pk)


def approve(ctx: Context) -> None:
    """One sign-off of the office's approval chain: the answer goes out after the last
    one, otherwise the result waits at the next level."""
    level = office.approval_level_current(ctx.case, ctx.from_state)
    if level is not None:
        ctx.data.update(level=level.level, level_label=level.label)
    if ctx.case.state == State.REPLIED:
        replied(ctx)
    else:
        _save(ctx.case, approval_level=office.approval_level_of(ctx.case, ctx.from_state) + 1)


def sent_back(ctx: Context) -> None:
    level = office.approval_level_current(ctx.case, ctx.from_state)
    if level is not None:
        ctx.data.update(level=level.level, level_label=level.label)
    _save(ctx.case, approval_level=0)


def feedback(ctx: Context) -> None:
    _save(ctx.case, feedback_at=ctx.now)


def regulator_answer(ctx: Context) -> None:
    _save(ctx.case, regulator_answered_at=ctx.now)
    ctx.data.update(reference=ctx.case.regulator_reference)


def rate(ctx: Context) -> None:
    _save(ctx.case, rating=ctx.inputs["rating"])
    ctx.data.update(rating=ctx.inputs["rating"])
    if ctx.inputs["rating"] not in DISSATISFIED_RATINGS:
        _save(ctx.case, closed_at=ctx.now)


def review_redo(ctx: Context) -> None:
    _save(ctx.case, rating="", appeal_until=None, replied_at=None)


def closed(ctx: Context) -> None:
    _save(ctx.case, closed_at=ctx.now)


def merge(ctx: Context) -> None:
    """Fold this case into another: its complainants and history stay, the answer to the
    other case reaches them all."""
    into: Case = ctx.inputs["into"]
    _save(ctx.case, merged_into=into)
    # Cases merged earlier into this one follow it, so one answer still reaches everyone.
    Case.objects.filter(merged_into=ctx.case).update(merged_into=into)
    ctx.also_record(
        case=into,
        act=Act.MERGED_IN,
        note=ctx.inputs.get("note") or "",
        data={"case": ctx.case.number},
    )
    ctx.data.update(into=into.number)


def link(ctx: Context) -> None:
    other: Case = ctx.inputs["other"]
    CaseLink.objects.get_or_create(
        from_case=ctx.case,
        to_case=other,
        defaults={"kind": ctx.inputs["kind"], "created_by": ctx.user, "created_at": ctx.now},
    )
    ctx.data.update(other=other.number, kind=ctx.inputs["kind"])


# --- target choosers -------------------------------------------------------------------


def approve_target(case: Case, inputs: dict[str, Any]) -> State:
    """The next level of the office's approval chain, or the answer going out."""
    if office.approval_level_of(case) < len(office.approval_chain(case)):
        return State.PENDING_LEADER_APPROVAL
    return State.REPLIED


def accept_target(case: Case, inputs: dict[str, Any]) -> State:
    """Accepted, or waiting for a head's approval of the acceptance (立案审批)."""
    if office.uses(office.OptionalStep.ACCEPTANCE_APPROVAL):
        return State.PENDING_ACCEPTANCE
    return State.ACCEPTED


def rate_target(case: Case, inputs: dict[str, Any]) -> State:
    return State.REPLIED if inputs["rating"] in DISSATISFIED_RATINGS else State.CLOSED
