"""THE life of a supervision notice (督办单), the same shape as `cases.workflow`: the states,
the actions, who may take each in which state, what each needs, and the timeline line each
writes on every case the notice names. A notice never changes a case's state.

    issued ─acknowledge→ acknowledged ─answer→ answered ─close→ closed
                                  ▲                  │
                                  └────send_back─────┘
    issued / acknowledged ─escalate→ escalated (and a new notice one level up)

`notice_issue` creates a notice (by hand or by a policy); `notice_perform` is the only
writer of a notice's state.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.accounts.models import Department, Role, User
from minsheng.accounts.selectors import role_facts_for
from minsheng.cases.clocks import due_in
from minsheng.cases.models import Case
from minsheng.cases.workflow import OPEN_STATES, Act, TransitionNotAllowed, event_record
from minsheng.lib import uploads
from minsheng.supervision.models import (
    LEVEL_ORDER,
    NoticeFile,
    NoticeLevel,
    NoticePolicy,
    NoticeState,
    SupervisionNotice,
)

S = NoticeState
# The supervision office issues, closes, sends back and escalates; leaders too.
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
# The department a notice goes to acknowledges and answers it.
ANSWERING_ROLES = frozenset({Role.HANDLER, Role.HEAD})
MAX_CASES = 200
MAX_DUE_DAYS = 30
TEXT_MAX = 5000


class NoticeTransitionNotAllowed(TransitionNotAllowed):
    """The notice action cannot be taken in the notice's state (or someone got there first);
    the same kind of refusal as a case action's (pages show it, the API answers 409)."""


@dataclass
class NoticeContext:
    """What an action's effect gets."""

    notice: SupervisionNotice
    user: User | None
    inputs: dict[str, Any]
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)  # added to the timeline lines


@dataclass(frozen=True)
class NoticeAction:
    """One thing a person does to a notice."""

    label: Any  # lazy translated string
    sources: frozenset[NoticeState]
    target: NoticeState
    # Who may: the supervising roles, or the notice's department (and its addressee).
    by_department: bool
    event: Act
    note_label: Any = gettext_lazy("Note")
    note_required: bool = False
    takes_files: bool = False
    effect: Callable[[NoticeContext], None] | None = None


def _acknowledge(ctx: NoticeContext) -> None:
    ctx.notice.acknowledged_at = ctx.now
    ctx.notice.save(update_fields=["acknowledged_at"])


def _answer(ctx: NoticeContext) -> None:
    ctx.notice.answer = ctx.inputs["note"]
    ctx.notice.answered_at = ctx.now
    ctx.notice.save(update_fields=["answer", "answered_at"])
    for upload in ctx.inputs.get("files") or []:
        _file_add(notice=ctx.notice, upload=upload, now=ctx.now)
    ctx.data["files"] = [
        uploads.safe_name(upload.name or "") for upload in ctx.inputs.get("files") or []
    ]


def _close(ctx: NoticeContext) -> None:
    ctx.notice.closed_at = ctx.now
    ctx.notice.save(update_fields=["closed_at"])


def _escalate(ctx: NoticeContext) -> None:
    """The next level takes over: a new notice with the same cases, department and demand."""
    notice = ctx.notice
    level = next_level(NoticeLevel(notice.level))
    if level is None:
        raise ValidationError({"level": [_("This notice is at the highest level.")]})
    higher = notice_issue(
        cases=list(notice.cases.all()),
        department=notice.department,
        recipient=notice.recipient,
        level=level,
        reason=ctx.inputs.get("note") or notice.reason,
        demand=notice.demand,
        due_days=notice.due_days,
        actor=ctx.user,
        policy=ctx.inputs.get("policy"),
        escalated_from=notice,
    )
    ctx.data["escalated_to"] = higher.pk


NOTICE_ACTIONS: dict[str, NoticeAction] = {
    "acknowledge": NoticeAction(
        label=gettext_lazy("Acknowledge"),  # 签收
        sources=frozenset({S.ISSUED}),
        target=S.ACKNOWLEDGED,
        by_department=True,
        event=Act.NOTICE_ACKNOWLEDGED,
        effect=_acknowledge,
    ),
    "answer": NoticeAction(
        label=gettext_lazy("Answer"),  # 回复
        sources=frozenset({S.ACKNOWLEDGED}),
        target=S.ANSWERED,
        by_department=True,
        event=Act.NOTICE_ANSWERED,
        note_label=gettext_lazy("Your answer"),
        note_required=True,
        takes_files=True,
        effect=_answer,
    ),
    "close": NoticeAction(
        label=gettext_lazy("Close"),  # 办结
        sources=frozenset({S.ANSWERED}),
        target=S.CLOSED,
        by_department=False,
        event=Act.NOTICE_CLOSED,
        effect=_close,
    ),
    "send_back": NoticeAction(
        label=gettext_lazy("Send the answer back"),  # 退回
        sources=frozenset({S.ANSWERED}),
        target=S.ACKNOWLEDGED,
        by_department=False,
        event=Act.NOTICE_SENT_BACK,
        note_label=gettext_lazy("What is missing"),
        note_required=True,
    ),
    "escalate": NoticeAction(
        label=gettext_lazy("Escalate"),  # 升级
        sources=frozenset({S.ISSUED, S.ACKNOWLEDGED}),
        target=S.ESCALATED,
        by_department=False,
        event=Act.NOTICE_ESCALATED,
        effect=_escalate,
    ),
}


def next_level(level: NoticeLevel) -> NoticeLevel | None:
    """The level an overdue notice of `level` escalates to (None at the top)."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


# --- who may ---------------------------------------------------------------------------


def is_supervising(user: User) -> bool:
    """Whether `user` issues and closes notices (the supervision office, leaders)."""
    return bool(role_facts_for(user).global_roles & SUPERVISING_ROLES)


def is_addressed_to(user: User, notice: SupervisionNotice) -> bool:
    """Whether `user` answers for the notice: its addressee, or a handler or head of its
    department."""
    if notice.recipient_id == user.pk:
        return True
    roles = role_facts_for(user).roles_for_departments({notice.department_id})
    return bool(roles & ANSWERING_ROLES)


def _may(user: User, notice: SupervisionNotice, spec: NoticeAction) -> bool:
    return is_addressed_to(user, notice) if spec.by_department else is_supervising(user)


def notice_why_not(notice: SupervisionNotice, user: User, action: str) -> str | None:
    """Why `user` may not take `action` on `notice` now, or None if they may."""
    spec = NOTICE_ACTIONS.get(action)
    if spec is None:
        return _("Unknown action.")
    if not _may(user, notice, spec):
        return _("You may not take this action on this notice.")
    if notice.state not in spec.sources:
        return _("Not possible while the notice is %(state)s.") % {
            "state": NoticeState(notice.state).label
        }
    if action == "escalate" and next_level(NoticeLevel(notice.level)) is None:
        return _("This notice is at the highest level.")
    return None


def notice_allowed_actions(notice: SupervisionNotice, user: User) -> list[str]:
    """The actions `user` may take on `notice` now; pages and the API show these."""
    return [name for name in NOTICE_ACTIONS if notice_why_not(notice, user, name) is None]


# --- doing -----------------------------------------------------------------------------


def _file_add(*, notice: SupervisionNotice, upload: UploadedFile, now: datetime) -> NoticeFile:
    """Store one answer file as `minsheng.lib.uploads` prepares it (clean name, type by
    content, images without metadata); a refused file is a ValidationError on `files`."""
    prepared = uploads.upload_prepare(upload)
    row = NoticeFile(
        notice=notice,
        original_name=prepared.name,
        content_type=prepared.content_type,
        size=prepared.size,
        created_at=now,
    )
    row.file.save(prepared.name, prepared.content, save=False)
    row.save()
    return row


def _note_for_timeline(notice: SupervisionNotice, text: str) -> str:
    head = f"{notice.number} · {NoticeLevel(notice.level).label}"
    return f"{head}: {text}" if text else head


def _record(
    *,
    notice: SupervisionNotice,
    act: Act,
    actor: User | None,
    note: str,
    now: datetime,
    data: dict[str, Any],
    notify: list[int],
) -> None:
    """One line on the timeline of each case the notice names. Whom to tell goes with the
    first line only, so that a notice about several cases is one message each."""
    base = {
        "notice": notice.pk,
        "number": notice.number,
        "level": notice.level,
        "department": notice.department_id,
        **data,
    }
    role = _role_of(actor, notice)
    for index, case in enumerate(notice.cases.order_by("pk")):
        event_record(
            case=case,
            act=act,
            actor=actor,
            actor_role=role,
            note=note,
            data={**base, "notify": notify if index == 0 else []},
            now=now,
        )


def _role_of(actor: User | None, notice: SupervisionNotice) -> str:
    if actor is None:
        return ""
    facts = role_facts_for(actor)
    held = (facts.global_roles & SUPERVISING_ROLES) or (
        facts.roles_for_departments({notice.department_id}) & ANSWERING_ROLES
    )
    return str(sorted(held)[0]) if held else ""


def notice_addressees(notice: SupervisionNotice) -> list[int]:
    """Who is told of a new or returned notice: its addressee, else the department's heads;
    leaders also hear of a leader's supervision."""
    ids: list[int] = []
    if notice.recipient_id is not None:
        ids.append(notice.recipient_id)
    else:
        ids += list(
            User.objects.filter(
                is_active=True,
                memberships__department_id=notice.department_id,
                memberships__role=Role.HEAD,
            )
            .distinct()
            .values_list("pk", flat=True)
        )
    if notice.level in (NoticeLevel.LEADER, NoticeLevel.CIRCULATION):
        ids += list(
            User.objects.filter(is_active=True, memberships__role=Role.LEADER)
            .distinct()
            .values_list("pk", flat=True)
        )
    return sorted(set(ids))


def _check_issue(
    *, cases: list[Case], department: Department, reason: str, demand: str, due_days: int
) -> None:
    errors: dict[str, list[str]] = {}
    if not cases:
        errors["cases"] = [_("Name at least one case.")]
    elif len(cases) > MAX_CASES:
        errors["cases"] = [_("Name at most %(count)s cases.") % {"count": MAX_CASES}]
    elif any(case.state not in OPEN_STATES for case in cases):
        closed = ", ".join(case.number for case in cases if case.state not in OPEN_STATES)
        errors["cases"] = [_("Only open cases are supervised: %(numbers)s.") % {"numbers": closed}]
    if not department.is_active:
        errors["department"] = [_("This department is not active.")]
    if not reason.strip():
        errors["reason"] = [_("This field is required.")]
    if not demand.strip():
        errors["demand"] = [_("This field is required.")]
    if not 1 <= due_days <= MAX_DUE_DAYS:
        errors["due_days"] = [
            _("Give between 1 and %(most)s working days.") % {"most": MAX_DUE_DAYS}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def notice_issue(
    *,
    cases: list[Case],
    department: Department,
    level: NoticeLevel,
    reason: str,
    demand: str,
    due_days: int,
    actor: User | None,
    recipient: User | None = None,
    policy: NoticePolicy | None = None,
    escalated_from: SupervisionNotice | None = None,
) -> SupervisionNotice:
    """Issue a notice (by a supervisor, or by a policy when `actor` is None).

    1. check the supervising role (a person) and the inputs;
    2. create the notice, its deadline counted in working days on the official calendar;
    3. write `notice_issued` on the timeline of each case, telling the addressees.
    """
    if actor is not None and not is_supervising(actor):
        raise PermissionDenied(_("Only the supervision office and leaders issue notices."))
    _check_issue(
        cases=cases, department=department, reason=reason, demand=demand, due_days=due_days
    )
    now = timezone.now()
    due_at = due_in(started_at=now, amount=due_days)
    assert due_at is not None  # noqa: S101 - a working-day period that is not paused ends
    notice = SupervisionNotice(
        level=level,
        department=department,
        recipient=recipient,
        reason=reason.strip()[:TEXT_MAX],
        demand=demand.strip()[:TEXT_MAX],
        due_days=due_days,
        issued_at=now,
        due_at=due_at,
        issued_by=actor,
        policy=policy,
        escalated_from=escalated_from,
    )
    notice.full_clean()
    notice.save()
    notice.cases.set(cases)
    deadline = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
    note = _note_for_timeline(
        notice,
        _("%(reason)s Demanded: %(demand)s Answer by %(deadline)s.")
        % {"reason": notice.reason, "demand": notice.demand, "deadline": deadline},
    )
    _record(
        notice=notice,
        act=Act.NOTICE_ISSUED,
        actor=actor,
        note=note,
        now=now,
        data={
            "due_at": due_at.isoformat(),
            "policy": policy.pk if policy else None,
            "escalated_from": escalated_from.pk if escalated_from else None,
        },
        notify=notice_addressees(notice),
    )
    return notice


@transaction.atomic
def notice_perform(
    *,
    notice: SupervisionNotice,
    action: str,
    actor: User | None,
    note: str = "",
    files: list[UploadedFile] | None = None,
    policy: NoticePolicy | None = None,
) -> SupervisionNotice:
    """Take `action` on `notice` as `actor` (None: a policy escalating). The only writer of
    a notice's state.

    1. check who may and the state (a policy may only escalate);
    2. check the note where the action needs one;
    3. compare and set on the version read, so two people cannot both win;
    4. the action's own writes;
    5. its line on the timeline of each case the notice names.
    """
    spec = NOTICE_ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": [_("Unknown action.")]})
    current = SupervisionNotice.objects.select_related("department").get(pk=notice.pk)
    if actor is None:
        if action != "escalate":
            raise PermissionDenied(_("Only escalation happens by policy."))
        if current.state not in spec.sources:
            raise NoticeTransitionNotAllowed(_("The notice is no longer open."))
    elif not _may(actor, current, spec):
        raise PermissionDenied(_("You may not take this action on this notice."))
    else:
        reason = notice_why_not(current, actor, action)
        if reason is not None:
            raise NoticeTransitionNotAllowed(reason)
    note = (note or "").strip()
    if spec.note_required and not note:
        raise ValidationError({"note": [_("This field is required.")]})
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": [_("This text is too long.")]})
    now = timezone.now()
    changed = SupervisionNotice.objects.filter(pk=current.pk, version=current.version).update(
        state=spec.target, version=F("version") + 1
    )
    if changed != 1:
        raise NoticeTransitionNotAllowed(_("Someone else changed this notice first; reload it."))
    current.refresh_from_db()
    ctx = NoticeContext(
        notice=current,
        user=actor,
        inputs={"note": note, "files": files or [], "policy": policy},
        now=now,
    )
    if spec.effect is not None:
        spec.effect(ctx)
    told = notice_addressees(current) if action == "send_back" else []
    _record(
        notice=current,
        act=spec.event,
        actor=actor,
        note=_note_for_timeline(current, note),
        now=now,
        data=ctx.data,
        notify=told,
    )
    notice.refresh_from_db()
    return current
