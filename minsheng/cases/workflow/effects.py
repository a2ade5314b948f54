"""What actions write beyond the state: fields of the case, results, extension requests,
links. Each is named in the table (`table.py`) and runs inside `perform`'s transaction,
after the state has moved; `perform` writes the timeline lines they ask for."""

from typing import Any

from minsheng.accounts.models import Department
from minsheng.cases import clocks
from minsheng.cases.models import (
    DISSATISFIED_RATINGS,
    Case,
    CaseLink,
    CaseResult,
    ExtensionRequest,
    State,
)
from minsheng.cases.workflow.rules import MAX_RETURNS
from minsheng.cases.workflow.spec import Act, Context
from minsheng.deadlines.models import Severity
from minsheng.deadlines.selectors import policy_for

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
        for name in ("kind", "severity", "category")
        if ctx.inputs.get(name) not in (None, "")
    }
    if changes:
        ctx.data.update({k: str(getattr(v, "pk", v)) for k, v in changes.items()})
        _save(ctx.case, **changes)


def reject(ctx: Context) -> None:
    _save(ctx.case, rejection_reason=ctx.inputs["note"], closed_at=ctx.now)


def transfer(ctx: Context) -> None:
    _save(ctx.case, transferred_to=ctx.inputs["body"], closed_at=ctx.now)
    ctx.data["body"] = ctx.inputs["body"]


def replied(ctx: Context) -> None:
    """The answer reaches the complainant: the appeal window opens."""
    policy = policy_for(kind=ctx.case.kind, severity=ctx.case.severity)
    _save(
        ctx.case,
        replied_at=ctx.now,
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
    ctx.data.update(outcome=ctx.inputs["outcome"])


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
    ctx.data.update(result=result.pk)


def approve(ctx: Context) -> None:
    if ctx.case.severity != Severity.MAJOR:
        replied(ctx)


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
    return State.PENDING_LEADER_APPROVAL if case.severity == Severity.MAJOR else State.REPLIED


def rate_target(case: Case, inputs: dict[str, Any]) -> State:
    return State.REPLIED if inputs["rating"] in DISSATISFIED_RATINGS else State.CLOSED
