"""THE life of an enforcement case (立案查处), the same shape as `cases.workflow`: the steps in
their order, who takes each, what each needs, and how long each may take.

    filing_approval (head) → notice → statement/hearing → decision (head) → service
      → rectification (the respondent's 3 days from service) → re-inspection → publication
      → close (head)

Each step is due a time after the one before it, counted on the official calendar by
`minsheng.deadlines` (`STEPS[...].amount` in `.unit`): the rectification period runs 3
natural days from the date of service (送达回证), and the re-inspection is due 5 working days
after the rectification deadline. Opening writes one line on the complaint's timeline
(`enforcement_opened`); every later step is written to the enforcement case's own step rows,
and every write is in the audit record.

`enforcement_open` creates one; `enforcement_step_take` is the only writer of its steps.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.accounts.models import Role, User
from minsheng.audit.models import Kind as AuditKind
from minsheng.audit.services import canonical_json, entry_append
from minsheng.cases.access import enforcement_roles_on
from minsheng.cases.models import Case, State
from minsheng.cases.workflow import Act, TransitionNotAllowed, event_record
from minsheng.deadlines.calendar import LOCAL_TZ, Due, compute_due
from minsheng.deadlines.models import Unit
from minsheng.deadlines.selectors import calendar_get
from minsheng.enforcement.models import (
    EnforcementCase,
    EnforcementState,
    EnforcementStep,
    HearingMode,
    Reinspection,
    Stage,
)
from minsheng.enforcement.numbering import enforcement_number_take

HEAD = frozenset({Role.HEAD})
DEPARTMENT = frozenset({Role.HANDLER, Role.HEAD})
TEXT_MAX = 5000
# The longest value of each short input (the rest are notes, TEXT_MAX).
SHORT_MAX = {"document": 100, "receiver": 100, "place": 200, "respondent": 200}
INPUTS = ("document", "note", "mode", "served_on", "receiver", "result", "place")


@dataclass(frozen=True)
class StepSpec:
    """One step: its label, who takes it, how long it may take from the step before (in
    `unit`), the inputs it reads and those it requires. A step that is not `is_taken` is a
    period of the respondent's; the step after it ends it."""

    label: Any  # lazy translated string
    roles: frozenset[Role]
    amount: int
    unit: Unit
    inputs: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    is_taken: bool = True


# THE table. The times follow the housing bureau's procedure: filing approved within 3
# working days of opening; the notice 3 working days after; the respondent's statement
# (陈述申辩, 3 days) or request for a hearing (听证, 5 days) within 5 working days; the
# decision 7 working days after; served within 7 days (行政处罚法 第六十一条); rectified within
# 3 days of service; re-inspected within 5 working days of the rectification deadline;
# published within 7 working days; closed within 5.
STEPS: dict[Stage, StepSpec] = {
    Stage.FILING_APPROVAL: StepSpec(
        label=gettext_lazy("Approve filing"),  # 立案审批
        roles=HEAD,
        amount=3,
        unit=Unit.WORKING_DAYS,
        inputs=("document", "note"),
        required=("note",),
    ),
    Stage.NOTICE: StepSpec(
        label=gettext_lazy("Record the notice of rectification"),  # 责令改正通知书
        roles=DEPARTMENT,
        amount=3,
        unit=Unit.WORKING_DAYS,
        inputs=("document", "note"),
        required=("document",),
    ),
    Stage.STATEMENT: StepSpec(
        label=gettext_lazy("Record the statement or hearing"),  # 陈述申辩/听证
        roles=DEPARTMENT,
        amount=5,
        unit=Unit.WORKING_DAYS,
        inputs=("mode", "note"),
        required=("mode", "note"),
    ),
    Stage.DECISION: StepSpec(
        label=gettext_lazy("Record the decision"),  # 处理决定
        roles=HEAD,
        amount=7,
        unit=Unit.WORKING_DAYS,
        inputs=("document", "note"),
        required=("document", "note"),
    ),
    Stage.SERVICE: StepSpec(
        label=gettext_lazy("Record the proof of service"),  # 送达回证
        roles=DEPARTMENT,
        amount=7,
        unit=Unit.DAYS,
        inputs=("served_on", "receiver", "note"),
        required=("served_on", "receiver"),
    ),
    Stage.RECTIFICATION: StepSpec(
        label=gettext_lazy("Rectification"),  # 限期整改
        roles=frozenset(),
        amount=3,
        unit=Unit.DAYS,
        is_taken=False,
    ),
    Stage.REINSPECTION: StepSpec(
        label=gettext_lazy("Record the re-inspection"),  # 复查
        roles=DEPARTMENT,
        amount=5,
        unit=Unit.WORKING_DAYS,
        inputs=("result", "note"),
        required=("result",),
    ),
    Stage.PUBLICATION: StepSpec(
        label=gettext_lazy("Record the publication"),  # 公示
        roles=DEPARTMENT,
        amount=7,
        unit=Unit.WORKING_DAYS,
        inputs=("place", "note"),
        required=("place",),
    ),
    Stage.CLOSE: StepSpec(
        label=gettext_lazy("Close the enforcement case"),  # 结案
        roles=HEAD,
        amount=5,
        unit=Unit.WORKING_DAYS,
        inputs=("note",),
    ),
}
ORDER: tuple[Stage, ...] = tuple(STEPS)


def step_after(step: Stage) -> Stage | None:
    """The step that follows `step` (None after closing)."""
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def step_due(*, started_at: datetime, step: Stage) -> Due:
    """When `step`, its clock started at `started_at`, is due, and why (the calendar's words)."""
    spec = STEPS[step]
    return compute_due(
        started_at=started_at, amount=spec.amount, unit=spec.unit, calendar=calendar_get()
    )


# --- who may ---------------------------------------------------------------------------


def enforcement_why_not(enforcement: EnforcementCase, user: User, step: str) -> str | None:
    """Why `user` may not take `step` on `enforcement` now, or None if they may."""
    if step not in STEPS or not STEPS[Stage(step)].is_taken:
        return _("Unknown step.")
    held = enforcement_roles_on(user, enforcement.case)
    if not held:
        return _("Only the handlers and the head of the complaint's department work on it.")
    if not held & STEPS[Stage(step)].roles:
        return _("Only the department head takes this step.")
    if not enforcement.is_open:
        return _("The enforcement case is closed.")
    if enforcement.step != step:
        return _("Steps are taken in order: the next step is “%(next)s”.") % {
            "next": Stage(enforcement.step).label
        }
    return None


def enforcement_allowed_steps(enforcement: EnforcementCase, user: User) -> list[str]:
    """The steps `user` may take now (at most one: the next); pages and the API show these."""
    return [
        str(step)
        for step in ORDER
        if STEPS[step].is_taken and enforcement_why_not(enforcement, user, step) is None
    ]


# --- opening ---------------------------------------------------------------------------


def _text(name: str, value: str, *, required: bool, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    longest = SHORT_MAX.get(name, TEXT_MAX)
    if required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > longest:
        errors[name] = [
            _("At most %(most)s characters, now %(count)s.")
            % {"most": longest, "count": len(value)}
        ]
    return value


@transaction.atomic
def enforcement_open(*, case: Case, actor: User, respondent: str, findings: str) -> EnforcementCase:
    """Open an enforcement case (转立案查处) from a complaint in progress.

    1. check the actor is a handler or head of the complaint's lead department;
    2. check the complaint is in progress and has no open enforcement case;
    3. check the inputs;
    4. create it with its number, and its first step (the filing approval) with its due time;
    5. write `enforcement_opened` on the complaint's timeline (with its audit entry).
    """
    if not enforcement_roles_on(actor, case):
        raise PermissionDenied(
            _("Only the handlers and the head of the complaint's department open one.")
        )
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.state != State.IN_PROGRESS:
        raise TransitionNotAllowed(
            _("An enforcement case is opened from a complaint that is being handled.")
        )
    already = current.enforcement_cases.filter(state=EnforcementState.OPEN).first()
    if already is not None:
        raise TransitionNotAllowed(
            _("This complaint already has an open enforcement case: %(number)s.")
            % {"number": already.number}
        )
    errors: dict[str, list[str]] = {}
    respondent = _text("respondent", respondent, required=True, errors=errors)
    findings = _text("findings", findings, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    first = ORDER[0]
    due = step_due(started_at=now, step=first)
    assert due.due_at is not None  # noqa: S101 - a clock without pauses always ends
    enforcement = EnforcementCase(
        number=enforcement_number_take(timezone.localdate(now, LOCAL_TZ)),
        case=current,
        respondent=respondent,
        findings=findings,
        step=first,
        next_due_at=due.due_at,
        opened_by=actor,
        opened_at=now,
    )
    enforcement.full_clean()
    enforcement.save()
    _step_start(enforcement=enforcement, step=first, started_at=now, due=due)
    event_record(
        case=current,
        act=Act.ENFORCEMENT_OPENED,
        actor=actor,
        actor_role=_role_name(actor, current),
        note=f"{enforcement.number} · {respondent}",
        data={"enforcement": enforcement.pk, "number": enforcement.number},
        now=now,
    )
    return enforcement


def _role_name(actor: User, case: Case) -> str:
    held = enforcement_roles_on(actor, case)
    return str(sorted(held)[0]) if held else ""


def _step_start(
    *, enforcement: EnforcementCase, step: Stage, started_at: datetime, due: Due
) -> EnforcementStep:
    assert due.due_at is not None  # noqa: S101 - a clock without pauses always ends
    row = EnforcementStep(
        enforcement=enforcement,
        step=step,
        started_at=started_at,
        amount=STEPS[step].amount,
        unit=STEPS[step].unit,
        due_at=due.due_at,
    )
    row.full_clean()
    row.save()
    return row


# --- taking a step ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepInputs:
    """A step's inputs once checked (only those of the step are set)."""

    document: str = ""
    note: str = ""
    data: dict[str, Any] | None = None


def _inputs_check(
    *, spec: StepSpec, given: dict[str, Any], rows: dict[Stage, EnforcementStep], now: datetime
) -> StepInputs:
    """The step's inputs, checked; a ValidationError names every field refused."""
    errors: dict[str, list[str]] = {}
    for name, value in given.items():
        if name not in spec.inputs and value not in (None, ""):
            errors[name] = [_("This step does not take this field.")]
    values = {
        name: _text(name, given.get(name) or "", required=name in spec.required, errors=errors)
        for name in ("document", "note", "receiver", "place")
        if name in spec.inputs
    }
    data: dict[str, Any] = {}
    if "mode" in spec.inputs:
        mode = given.get("mode") or ""
        if mode not in HearingMode.values:
            errors["mode"] = [_("Choose how the respondent was heard.")]
        data["mode"] = mode
    if "result" in spec.inputs:
        result = given.get("result") or ""
        if result not in Reinspection.values:
            errors["result"] = [_("Choose what the re-inspection found.")]
        data["result"] = result
    if "served_on" in spec.inputs:
        served_on = given.get("served_on")
        decided = rows[Stage.DECISION].done_at if Stage.DECISION in rows else None
        if not isinstance(served_on, date):
            errors["served_on"] = [_("Give the date of service (YYYY-MM-DD).")]
        elif served_on > timezone.localdate(now, LOCAL_TZ):
            errors["served_on"] = [_("The date of service cannot be in the future.")]
        elif decided is not None and served_on < timezone.localdate(decided, LOCAL_TZ):
            errors["served_on"] = [_("The date of service cannot be before the decision.")]
        else:
            data["served_on"] = served_on.isoformat()
        data["receiver"] = values.pop("receiver", "")
    if "place" in spec.inputs:
        data["place"] = values.pop("place", "")
    if errors:
        raise ValidationError(errors)
    return StepInputs(document=values.get("document", ""), note=values.get("note", ""), data=data)


@transaction.atomic
def enforcement_step_take(
    *,
    enforcement: EnforcementCase,
    step: str,
    actor: User,
    document: str = "",
    note: str = "",
    mode: str = "",
    served_on: date | None = None,
    receiver: str = "",
    result: str = "",
    place: str = "",
) -> EnforcementCase:
    """Take the next step of an enforcement case. The only writer of its steps.

    1. check who may (the department's handlers and head; the head for the filing approval,
       the decision and closing) and that `step` is the next one;
    2. check the step's inputs (a ValidationError names each field);
    3. compare and set on the version read, so two people cannot both take it;
    4. mark the step done with its document, notes and values, and start the next one's
       clock: after service the rectification period (3 days from the date of service) and
       the re-inspection (5 working days after its end); after re-inspection the
       rectification period ends too; closing closes the case;
    5. its audit entry.
    """
    current = EnforcementCase.objects.select_related("case").get(pk=enforcement.pk)
    if step not in STEPS or not STEPS[Stage(step)].is_taken:
        raise ValidationError({"step": [_("Unknown step.")]})
    stage = Stage(step)
    if not enforcement_roles_on(actor, current.case) & STEPS[stage].roles:
        raise PermissionDenied(enforcement_why_not(current, actor, step))
    refused = enforcement_why_not(current, actor, step)
    if refused is not None:
        raise TransitionNotAllowed(refused)
    now = timezone.now()
    rows = {Stage(row.step): row for row in current.steps.all()}
    given = {
        "document": document,
        "note": note,
        "mode": mode,
        "served_on": served_on,
        "receiver": receiver,
        "result": result,
        "place": place,
    }
    checked = _inputs_check(spec=STEPS[stage], given=given, rows=rows, now=now)
    following = _starts_after(stage=stage, checked=checked, now=now)
    nxt = following[-1] if following else None
    changed = EnforcementCase.objects.filter(
        pk=current.pk, version=current.version, step=stage
    ).update(
        step=nxt[0] if nxt else "",
        next_due_at=nxt[2].due_at if nxt else None,
        state=EnforcementState.OPEN if nxt else EnforcementState.CLOSED,
        closed_at=None if nxt else now,
        version=F("version") + 1,
    )
    if changed != 1:
        raise TransitionNotAllowed(_("Someone else took this step first; reload the page."))
    row = rows[stage]
    row.done_at, row.done_by = now, actor
    row.document, row.note, row.data = checked.document, checked.note, checked.data or {}
    row.save(update_fields=["done_at", "done_by", "document", "note", "data"])
    if stage == Stage.REINSPECTION and Stage.RECTIFICATION in rows:
        period = rows[Stage.RECTIFICATION]
        period.done_at, period.data = now, {"result": (checked.data or {}).get("result", "")}
        period.save(update_fields=["done_at", "data"])
    for next_stage, started_at, due in following:
        _step_start(enforcement=current, step=next_stage, started_at=started_at, due=due)
    entry_append(
        kind=AuditKind.CASE_EVENT,
        actor=actor,
        object_type="enforcement.enforcementcase",
        object_id=current.number,
        payload={
            "case": current.case.number,
            "step": str(stage),
            "at": now,
            # What was written may name people: the record keeps its digest (as for events).
            "content_sha256": hashlib.sha256(
                canonical_json(
                    {"document": row.document, "note": row.note, "data": row.data}
                ).encode()
            ).hexdigest(),
        },
    )
    current.refresh_from_db()
    return current


def _starts_after(
    *, stage: Stage, checked: StepInputs, now: datetime
) -> list[tuple[Stage, datetime, Due]]:
    """The steps whose clocks start when `stage` is done, each with its start and due time,
    the one the case then waits for last (none after closing)."""
    nxt = step_after(stage)
    if nxt is None:
        return []
    if nxt == Stage.RECTIFICATION:
        # The respondent's period runs from the date on the proof of service (natural days),
        # and the re-inspection is due a number of working days after it ends.
        served_on = date.fromisoformat((checked.data or {})["served_on"])
        served_at = datetime.combine(served_on, time(0), tzinfo=LOCAL_TZ)
        period = step_due(started_at=served_at, step=Stage.RECTIFICATION)
        assert period.due_at is not None  # noqa: S101 - a clock without pauses always ends
        inspection = step_due(started_at=period.due_at, step=Stage.REINSPECTION)
        return [
            (Stage.RECTIFICATION, served_at, period),
            (Stage.REINSPECTION, period.due_at, inspection),
        ]
    return [(nxt, now, step_due(started_at=now, step=nxt))]
