"""Writes for auto-dispatch (自动分拨): the switch and the policies; the decision taken when
a case is accepted (assigning it through the lifecycle's own `assign`, as the system, when
its policy allows); the corrections people make afterwards, fed to the routing model's
training; and the drift watch that pauses a policy whose measured precision fell.

Everything here runs in the task worker after the case event that caused it has
committed (`jobs.events_consume`), never inside a person's request.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department, User
from minsheng.cases.access import System
from minsheng.cases.models import Case, CaseEvent, Category, State
from minsheng.cases.workflow import Act, TransitionNotAllowed, perform
from minsheng.deadlines.models import Kind, Severity
from minsheng.dispatch import selectors
from minsheng.dispatch.models import (
    CorrectionKind,
    DispatchCorrection,
    DispatchDecision,
    DispatchPolicy,
    DispatchSwitch,
    Outcome,
)
from minsheng.lib.tasks import enqueue_on_commit
from minsheng.routing.selectors import category_level1
from minsheng.routing.services import (
    Choice,
    Source,
    Suggestion,
    department_of,
    feedback_record,
    suggestion_for,
)

logger = logging.getLogger(__name__)

ASSIGNMENTS = (Act.ASSIGN, Act.REASSIGN)
# The case events the review looks at (`jobs.events_consume`).
REVIEWED_ACTIONS = frozenset({Act.ACCEPT, Act.ASSIGN, Act.REASSIGN, Act.RETURN})


# --- the switch and the policies -----------------------------------------------------------


@transaction.atomic
def switch_set(*, is_on: bool, actor: User) -> DispatchSwitch:
    """Turn automatic dispatch on or off for every policy at once."""
    switch = selectors.switch_get()
    switch.is_on = is_on
    switch.changed_by = actor
    switch.changed_at = timezone.now()
    switch.save(update_fields=["is_on", "changed_by", "changed_at"])
    return switch


POLICY_FIELDS = (
    "kind",
    "category",
    "is_enabled",
    "precision",
    "includes_major",
    "includes_urgent",
    "includes_collective",
    "includes_anonymous_report",
    "drift_window_days",
    "drift_min_cases",
)


@transaction.atomic
def policy_save(
    *, policy: DispatchPolicy | None, actor: User, resume: bool = False, **fields: Any
) -> DispatchPolicy:
    """Create a policy (`policy` None) or change one; `resume` lifts a pause on drift.
    Unknown field names are a programming error; values are checked by `full_clean`."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"not policy fields: {sorted(unknown)}")
    policy = policy or DispatchPolicy()
    for name, value in fields.items():
        setattr(policy, name, value)
    if resume:
        policy.paused_at = None
        policy.paused_precision = None
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy.full_clean()
    policy.save()
    return policy


# --- the decision at acceptance --------------------------------------------------------


def _ineligible(case: Case, policy: DispatchPolicy) -> bool:
    """Whether the policy keeps this case with a person: major, urgent, collective and
    anonymous-report cases, unless it says otherwise."""
    return (
        (case.severity == Severity.MAJOR and not policy.includes_major)
        or (case.severity == Severity.URGENT and not policy.includes_urgent)
        or (case.is_collective and not policy.includes_collective)
        or (case.kind == Kind.REPORT and case.is_anonymous and not policy.includes_anonymous_report)
    )


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _dispatch_note(decision: DispatchDecision, policy: DispatchPolicy) -> str:
    """The timeline note of an automatic assignment, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Assigned automatically by the policy “%(policy)s” (precision %(precision)s): "
            "the routing model (version %(version)s) suggests %(label)s with confidence "
            "%(confidence)s, at or above the threshold %(threshold)s."
        ) % {
            "policy": str(policy),
            "precision": _percent(float(policy.precision)),
            "version": decision.model_version,
            "label": decision.suggested_label,
            "confidence": _percent(decision.confidence),
            "threshold": _percent(decision.threshold or 0.0),
        }


def _outcome(
    case: Case, policy: DispatchPolicy | None, top: Choice, threshold: float | None
) -> Outcome:
    """What the policy makes of the suggestion, before anything is written."""
    if policy is None:
        return Outcome.NO_POLICY
    if not policy.is_enabled:
        return Outcome.POLICY_OFF
    if policy.is_paused:
        return Outcome.PAUSED
    if not selectors.is_switched_on():
        return Outcome.SWITCH_OFF
    if _ineligible(case, policy):
        return Outcome.INELIGIBLE
    if top.department is None or not top.department.is_active:
        return Outcome.NO_DEPARTMENT
    if threshold is None or top.confidence < threshold:
        return Outcome.BELOW_THRESHOLD
    return Outcome.DISPATCHED


@transaction.atomic
def case_accepted(*, event: CaseEvent) -> DispatchDecision | None:
    """Decide what to do with a case just accepted; safe to repeat (one decision a case).

    1. ask routing for its suggestion, and find the policy of the case's kind and the
       suggested level-1 category;
    2. if intake chose, at acceptance, a category under another topic, record that as a
       correction, and leave the case to a dispatcher;
    3. else, if the switch is on and the policy is enabled, not paused, and lets this case
       in, and the confidence reaches the policy's threshold: assign it to the suggested
       department through the lifecycle's `assign`, as the system, with a note naming the
       confidence and the policy;
    4. keep the decision (the suggestion made, the outcome) for later corrections.
    """
    case = Case.objects.select_related("category").get(pk=event.case_id)
    if DispatchDecision.objects.filter(case=case).exists():
        return None
    suggestion = suggestion_for(subject=case.subject, body=case.body)
    top = suggestion.top
    level1 = category_level1(top.category) if top.category is not None else None
    policy = selectors.policy_for(kind=case.kind, category=level1)
    threshold = None
    if policy is not None and policy.is_enabled:
        point = selectors.operating_point_of(policy, version=suggestion.model_version)
        threshold = point.threshold
    chosen = _category_chosen_at(event)
    differs = chosen is not None and category_level1(chosen).name != top.label
    outcome = Outcome.CATEGORY_DIFFERS if differs else _outcome(case, policy, top, threshold)
    if case.state != State.ACCEPTED and outcome == Outcome.DISPATCHED:
        outcome = Outcome.TAKEN
    decision = DispatchDecision(
        case=case,
        policy=policy,
        model_version=suggestion.model_version,
        suggested_label=top.label,
        confidence=top.confidence,
        suggested_category=top.category,
        suggested_department=top.department,
        threshold=threshold,
        outcome=outcome,
        decided_at=timezone.now(),
    )
    decision.full_clean()
    decision.save()
    if differs and chosen is not None:
        _correction_add(
            decision=decision,
            kind=CorrectionKind.CATEGORY,
            event=event,
            to_category=chosen,
            suggestion=suggestion,
        )
    if outcome == Outcome.DISPATCHED and policy is not None and top.department is not None:
        _assign(decision, policy, top.department)
    return decision


def _category_chosen_at(event: CaseEvent) -> Category | None:
    """The category intake set when accepting, if it set one."""
    pk = event.data.get("category")
    return Category.objects.filter(pk=pk).first() if pk else None


def _assign(decision: DispatchDecision, policy: DispatchPolicy, department: Department) -> None:
    """Assign through the lifecycle as the system; a dispatcher who got there first wins."""
    try:
        with transaction.atomic():
            perform(
                case=decision.case,
                action=Act.ASSIGN,
                actor=System(),
                department=department,
                note=_dispatch_note(decision, policy),
            )
    except (TransitionNotAllowed, PermissionDenied) as refused:
        logger.info("dispatch: %s not assigned automatically: %s", decision.case.number, refused)
        decision.outcome = Outcome.TAKEN
        decision.save(update_fields=["outcome"])


# --- corrections -----------------------------------------------------------------------


def _category_for(case: Case, department_id: int) -> Category | None:
    """The category a case assigned to this department belongs to, for training: the
    case's own if it leads there, else the one level-1 category that names it."""
    own = department_of(case.category) if case.category_id else None
    if case.category is not None and own is not None and own.pk == department_id:
        return case.category
    found = list(Category.objects.filter(level=1, department_id=department_id)[:2])
    return found[0] if len(found) == 1 else None


def _suggestion_of(decision: DispatchDecision) -> Suggestion:
    """The suggestion made at acceptance, as routing's feedback takes it."""
    return Suggestion(
        source=Source.MODEL,
        choices=[
            Choice(
                label=decision.suggested_label,
                confidence=decision.confidence,
                category=decision.suggested_category,
                department=decision.suggested_department,
            )
        ],
        model_version=decision.model_version,
    )


def _correction_add(
    *,
    decision: DispatchDecision,
    kind: CorrectionKind,
    event: CaseEvent,
    from_department_id: int | None = None,
    to_department_id: int | None = None,
    to_category: Category | None = None,
    suggestion: Suggestion | None = None,
) -> DispatchCorrection | None:
    """Record one correction (once per event and kind) and feed it to training."""
    if DispatchCorrection.objects.filter(event=event, kind=kind).exists():
        return None
    case = decision.case
    if to_category is None and to_department_id is not None:
        to_category = _category_for(case, to_department_id)
    correction = DispatchCorrection(
        decision=decision,
        kind=kind,
        event=event,
        from_department_id=from_department_id,
        to_department_id=to_department_id,
        to_category=to_category,
        actor=event.actor,
        is_fed_to_training=to_category is not None,
        created_at=timezone.now(),
    )
    correction.full_clean()
    correction.save()
    DispatchDecision.objects.filter(pk=decision.pk).update(is_corrected=True)
    if to_category is not None:
        feedback_record(
            case=case,
            suggestion=suggestion or _suggestion_of(decision),
            chosen_category=to_category,
            actor=event.actor,
        )
    return correction


def _previous_assignment(event: CaseEvent) -> CaseEvent | None:
    return (
        CaseEvent.objects.filter(case_id=event.case_id, action__in=ASSIGNMENTS, pk__lt=event.pk)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def case_assigned(*, event: CaseEvent) -> DispatchCorrection | None:
    """A person assigned or re-assigned a case: record it as a correction of the
    suggestion when it went elsewhere. A dispatcher's re-assignment, an assignment to
    another department after a return, and a first assignment to another department
    than the suggested one are corrections; the system's own assignment is not."""
    if event.actor_id is None:
        return None
    decision = (
        DispatchDecision.objects.select_related(
            "case__category", "suggested_category", "suggested_department"
        )
        .filter(case_id=event.case_id)
        .first()
    )
    if decision is None:
        return None  # accepted before auto-dispatch existed
    to_id = event.data.get("department")
    previous = _previous_assignment(event)
    from_id = previous.data.get("department") if previous is not None else None
    if previous is None:
        if decision.suggested_department_id in (None, to_id):
            return None
        kind, from_id = CorrectionKind.OVERRIDDEN, decision.suggested_department_id
    elif from_id == to_id:
        return None
    elif event.action == Act.REASSIGN:
        kind = CorrectionKind.REASSIGNED
    else:
        kind = CorrectionKind.RETURNED
    return _correction_add(
        decision=decision,
        kind=kind,
        event=event,
        from_department_id=from_id,
        to_department_id=to_id,
    )


def case_returned(*, event: CaseEvent) -> int:
    """A department returned a case: an automatic assignment that is returned did not hold.
    Returns how many decisions it marked (0 or 1)."""
    return DispatchDecision.objects.filter(
        case_id=event.case_id, outcome=Outcome.DISPATCHED, is_returned=False
    ).update(is_returned=True)


def event_review(*, event_id: int) -> None:
    """What a committed case event means for auto-dispatch (the job's body)."""
    event = CaseEvent.objects.select_related("actor").get(pk=event_id)
    if event.action == Act.ACCEPT:
        case_accepted(event=event)
    elif event.action in ASSIGNMENTS:
        case_assigned(event=event)
    elif event.action == Act.RETURN:
        case_returned(event=event)


# --- drift -----------------------------------------------------------------------------


def drift_check(*, now: datetime) -> list[DispatchPolicy]:
    """Pause every enabled policy whose precision measured on its recent automatic
    assignments (its window, at least its minimum count) fell below what it holds, and
    tell the administrators once each. Safe to repeat and to run twice at once: the pause
    is a conditional update."""
    paused = []
    for policy in DispatchPolicy.objects.filter(is_enabled=True, paused_at__isnull=True):
        since = now - timedelta(days=policy.drift_window_days)  # a window of calendar days
        measured = selectors.measured_for(policy=policy, since=since)
        if measured.auto < policy.drift_min_cases or measured.precision is None:
            continue
        if measured.precision >= float(policy.precision):
            continue
        with transaction.atomic():
            changed = DispatchPolicy.objects.filter(pk=policy.pk, paused_at__isnull=True).update(
                paused_at=now, paused_precision=measured.precision
            )
            if changed:
                from minsheng.dispatch import jobs  # jobs imports this module

                enqueue_on_commit(jobs.pause_announce_job, policy_id=policy.pk)
                logger.warning(
                    "dispatch: policy %s paused, measured precision %.3f < %s over %s cases",
                    policy.pk,
                    measured.precision,
                    policy.precision,
                    measured.auto,
                )
                policy.refresh_from_db()
                paused.append(policy)
    return paused


def pause_announce(*, policy_id: int) -> int:
    """E-mail the administrators and supervisors that a policy paused itself (the page
    and My work show it too). Returns how many messages went out."""
    policy = DispatchPolicy.objects.select_related("category").get(pk=policy_id)
    if policy.paused_at is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Automatic dispatch paused: %(policy)s") % {"policy": str(policy)}
        body = _(
            "The precision measured on the recent automatic assignments of the policy "
            "“%(policy)s” is %(measured)s, below the %(precision)s it must hold. Automatic "
            "dispatch for it is paused; cases wait for a dispatcher. Look at the corrections "
            "and resume it on the auto-dispatch page when the model is fit again."
        ) % {
            "policy": str(policy),
            "measured": _percent(policy.paused_precision or 0.0),
            "precision": _percent(float(policy.precision)),
        }
    sent = 0
    for user in selectors.announce_recipients():
        if not user.email:
            continue
        sent += EmailMessage(subject=subject, body=body, to=[user.email]).send()
    return sent
