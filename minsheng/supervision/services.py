"""Writes for supervision beyond a notice's own life (`supervision.notices`): the deadline
watch that issues and escalates notices by policy and warns about notices due soon and
overdue, and return visits (回访).

The watch is idempotent: every policy acts once per clock or notice (a unique `PolicyHit`),
every warning once per notice and kind (a unique `NoticeWarning`), every case gets one
return visit; running it twice, or in two workers at once, does nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import Role, User
from minsheng.cases import office
from minsheng.cases.access import System, can_call_back
from minsheng.cases.models import Case, CaseClock, Complainant, Rating, State
from minsheng.cases.services import complainants_anonymise
from minsheng.cases.workflow import ACTIONS, Act, TransitionNotAllowed, event_record, perform
from minsheng.deadlines.selectors import calendar_get
from minsheng.supervision import selectors
from minsheng.supervision.models import (
    NoticeLevel,
    NoticePolicy,
    NoticeWarning,
    PolicyHit,
    RetentionPolicy,
    ReturnVisit,
    SupervisionNotice,
    VisitAttempt,
)
from minsheng.supervision.notices import (
    NoticeTransitionNotAllowed,
    notice_addressees,
    notice_issue,
    notice_perform,
)

logger = logging.getLogger(__name__)

BATCH = 500
# A clock whose transaction committed this long after it fell due is still read.
WATCH_SETTLE = timedelta(minutes=10)
NOTICE_DUE_SOON = timedelta(hours=24)
# After this many calls nobody answered, the visit ends as unreachable.
MAX_UNREACHABLE = 3
# Complainants who are not told by message get a call back.
CALLED_BACK = (Complainant.Contact.PHONE, Complainant.Contact.NONE)


@dataclass
class WatchResult:
    """What one run of the watch did."""

    issued: int = 0
    escalated: int = 0
    warned: int = 0
    visits: int = 0
    archived: int = 0
    anonymised: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def _threshold(policy: NoticePolicy, now: datetime) -> datetime:
    """Due before this moment means overdue by at least the policy's working days."""
    if policy.overdue_days <= 0:
        return now
    today = timezone.localdate(now)
    day = selectors.working_days_back(today, policy.overdue_days, calendar_get())
    return min(now, selectors.local_start(day))


def _recipient_for(policy: NoticePolicy, clock: CaseClock) -> User | None:
    if policy.recipient == NoticePolicy.Recipient.HANDLER and clock.case.handler_id:
        return clock.case.handler
    return None  # the department's heads


def _clock_notice_issue(policy: NoticePolicy, clock: CaseClock) -> SupervisionNotice | None:
    """The policy's notice about one overdue clock of an assigned case; None when it cannot
    be issued (e.g. the case closed meanwhile)."""
    case = clock.case
    assert case.department is not None  # noqa: S101 - callers pass assigned cases only
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d") if clock.due_at else ""
    try:
        with transaction.atomic():
            return notice_issue(
                cases=[case],
                department=case.department,
                recipient=_recipient_for(policy, clock),
                level=NoticeLevel(policy.level),
                reason=_("The %(step)s step of this case was due on %(due)s and is overdue.")
                % {"step": clock.get_step_display(), "due": due},
                demand=_("Finish the step and answer this notice with the reason for the delay."),
                due_days=policy.due_days,
                actor=None,
                policy=policy,
            )
    except ValidationError as refused:
        logger.info("supervision: policy %s skips clock %s: %s", policy.pk, clock.pk, refused)
        return None


def _policy_for_clock(policy: NoticePolicy, clock: CaseClock, now: datetime) -> bool:
    """Issue the policy's notice about one overdue clock, once (a clock it cannot be issued
    for, e.g. its case closed meanwhile, is marked done too, so no run tries it again). A
    case without a department waits for one (`is_waiting`)."""
    waiting = clock.case.department_id is None
    try:
        with transaction.atomic():
            hit = PolicyHit.objects.create(
                policy=policy, clock=clock, is_waiting=waiting, created_at=now
            )
            if waiting:
                return False
            hit.notice = _clock_notice_issue(policy, clock)
            hit.save(update_fields=["notice"])
    except IntegrityError:  # another run acted on this clock a moment ago
        return False
    return hit.notice is not None


@transaction.atomic
def _policy_for_waiting(policy: NoticePolicy, hit: PolicyHit) -> bool:
    """Issue the notice a clock waited for now that its case has a department, once."""
    if not PolicyHit.objects.filter(pk=hit.pk, is_waiting=True).update(is_waiting=False):
        return False  # another run took it a moment ago
    assert hit.clock is not None  # noqa: S101 - a waiting hit is a clock's
    hit.notice = _clock_notice_issue(policy, hit.clock)
    hit.save(update_fields=["notice"])
    return hit.notice is not None


def _policy_for_clocks(policy: NoticePolicy, now: datetime) -> int:
    """One case-step policy's round: the clocks that waited for a department and have one
    now, then the clocks that fell overdue by the policy's working days since its mark
    (WATCH_SETTLE before it, for a clock committed late); the mark moves to the threshold,
    or to the last clock read when the batch was full."""
    issued = 0
    for hit in selectors.hits_waiting(policy=policy, limit=BATCH):
        issued += _policy_for_waiting(policy, hit)
    PolicyHit.objects.filter(
        policy=policy, is_waiting=True, clock__stopped_at__isnull=False
    ).update(
        is_waiting=False  # the step ended before anyone was assigned: nothing to urge
    )
    before = _threshold(policy, now)
    since = None if policy.checked_through is None else policy.checked_through - WATCH_SETTLE
    clocks = selectors.clocks_for_policy(policy=policy, since=since, before=before, limit=BATCH)
    for clock in clocks:
        issued += _policy_for_clock(policy, clock, now)
    mark = clocks[-1].due_at if len(clocks) == BATCH else before
    NoticePolicy.objects.filter(pk=policy.pk).update(checked_through=mark)
    return issued


def _policy_for_notice(policy: NoticePolicy, notice: SupervisionNotice, now: datetime) -> bool:
    """Escalate one overdue notice by the policy, once."""
    try:
        with transaction.atomic():
            hit = PolicyHit.objects.create(policy=policy, source=notice, created_at=now)
            escalated = notice_perform(
                notice=notice,
                action="escalate",
                actor=None,
                note=_("Not answered in time; escalated by the policy “%(name)s”.")
                % {"name": policy.name},
                policy=policy,
            )
            hit.notice = getattr(escalated, "escalated_to", None)
            hit.save(update_fields=["notice"])
    except (IntegrityError, NoticeTransitionNotAllowed):
        return False
    except ValidationError as refused:  # the top level, or its cases all closed
        logger.info("supervision: policy %s skips notice %s: %s", policy.pk, notice.pk, refused)
        return False
    return True


def _warn(notice: SupervisionNotice, kind: str, now: datetime) -> bool:
    """Tell the addressees (and, when overdue, the issuer) once per notice and kind."""
    try:
        with transaction.atomic():
            NoticeWarning.objects.create(notice=notice, kind=kind, created_at=now)
            told = notice_addressees(notice)
            if kind == NoticeWarning.Kind.OVERDUE and notice.issued_by_id:
                told = sorted({*told, notice.issued_by_id})
            act = Act.NOTICE_OVERDUE if kind == NoticeWarning.Kind.OVERDUE else Act.NOTICE_DUE_SOON
            deadline = timezone.localtime(notice.due_at).strftime("%Y-%m-%d %H:%M")
            text = (
                _("%(number)s is overdue: the answer was due %(deadline)s.")
                if kind == NoticeWarning.Kind.OVERDUE
                else _("%(number)s is due soon: answer by %(deadline)s.")
            ) % {"number": notice.number, "deadline": deadline}
            for index, case in enumerate(notice.cases.order_by("pk")):
                event_record(
                    case=case,
                    act=act,
                    actor=None,
                    note=text,
                    data={
                        "notice": notice.pk,
                        "number": notice.number,
                        "level": notice.level,
                        "department": notice.department_id,
                        "notify": told if index == 0 else [],
                    },
                    now=now,
                )
    except IntegrityError:
        return False
    return True


def watch_run(*, now: datetime) -> WatchResult:
    """One run of the deadline watch (supervision's part of `manage.py watch`):

    1. each active case-step policy issues its notice about every clock of its step that
       is overdue by its working days (counted on the official calendar: a holiday adds
       nothing), once per clock, reading only the clocks due since its mark (a case with
       no department yet gets its notice once it is assigned);
    2. each active notice policy escalates every open notice of its level that is overdue,
       once per notice;
    3. open notices due within a day, and overdue ones, are warned about once each;
    4. answered cases whose complainants are called back get a return visit;
    5. the retention policy: closed cases archived after its days, the personal data of
       archived cases' complainants anonymised after its years.
    """
    result = WatchResult()
    policies = list(NoticePolicy.objects.filter(is_active=True))
    for policy in policies:
        if policy.trigger == NoticePolicy.Trigger.CASE_STEP:
            result.issued += _policy_for_clocks(policy, now)
    for policy in policies:
        if policy.trigger == NoticePolicy.Trigger.NOTICE:
            before = _threshold(policy, now)
            for notice in selectors.notices_for_policy(policy=policy, before=before, limit=BATCH):
                result.escalated += _policy_for_notice(policy, notice, now)
    overdue = selectors.notices_to_warn(
        kind=NoticeWarning.Kind.OVERDUE, before=now, after=None, limit=BATCH
    )
    soon = selectors.notices_to_warn(
        kind=NoticeWarning.Kind.DUE_SOON, before=now + NOTICE_DUE_SOON, after=now, limit=BATCH
    )
    for notice in overdue:
        result.warned += _warn(notice, NoticeWarning.Kind.OVERDUE, now)
    for notice in soon:
        result.warned += _warn(notice, NoticeWarning.Kind.DUE_SOON, now)
    result.visits = return_visits_open(now=now)
    result.archived, result.anonymised = retention_apply(now=now)
    return result


# --- archive and retention -------------------------------------------------------------


def retention_apply(*, now: datetime) -> tuple[int, int]:
    """Archive the cases closed (rejected, transferred, merged) more than the policy's days
    ago, as the system through the lifecycle's `archive`; then anonymise the complainants
    of archived cases closed more than the policy's years ago. Returns both counts."""
    policy = RetentionPolicy.objects.filter(pk=1).first() or RetentionPolicy()
    cut = now - timedelta(days=policy.archive_after_days)
    due = (
        Case.objects.annotate(ended=Coalesce("closed_at", "updated_at"))
        .filter(state__in=ACTIONS[Act.ARCHIVE].sources, ended__lt=cut)
        .order_by("ended", "pk")[:BATCH]  # the index case_state_ended
    )
    archived = 0
    for case in due:
        try:
            perform(
                case=case,
                action=Act.ARCHIVE,
                actor=System(),
                note=_("Archived %(days)s days after closing (retention policy).")
                % {"days": policy.archive_after_days},
            )
        except TransitionNotAllowed:  # someone archived it a moment ago
            continue
        archived += 1
    local = timezone.localtime(now)
    try:
        closed_before = local.replace(year=local.year - policy.anonymise_after_years)
    except ValueError:  # 29 February
        closed_before = local.replace(year=local.year - policy.anonymise_after_years, day=28)
    anonymised = complainants_anonymise(closed_before=closed_before, limit=BATCH)
    return archived, anonymised


# --- return visits ---------------------------------------------------------------------


def return_visits_open(*, now: datetime) -> int:
    """Open a return visit for every answered case (not anonymous) with a complainant who
    asked to be called or told nothing, or that came by letter; once per case. None where
    the office does not use the return visit (`cases.office`)."""
    if not office.uses(office.OptionalStep.RETURN_VISIT):
        return 0
    called = Complainant.objects.filter(case=OuterRef("pk"), contact_by__in=CALLED_BACK)
    visited = ReturnVisit.objects.filter(case=OuterRef("pk"))
    cases = (
        Case.objects.filter(state=State.REPLIED, is_anonymous=False, rating="")
        .filter(Q(Exists(called)) | Q(channel="letter"))
        .filter(~Exists(visited))
        .order_by("created_at", "pk")[:BATCH]  # the index case_state_created: answered ones
    )
    opened = 0
    for case in cases:
        try:
            with transaction.atomic():
                ReturnVisit.objects.create(case=case, created_at=now)
        except IntegrityError:
            continue
        opened += 1
    return opened


@transaction.atomic
def return_visit_call(
    *,
    visit: ReturnVisit,
    actor: User,
    outcome: str,
    note: str = "",
    rating: str = "",
    is_explained: bool | None = None,
    is_timely: bool | None = None,
) -> ReturnVisit:
    """Record one call of a return visit.

    1. check the caller's role and that the visit is still to be made;
    2. keep the call; reached: the rating goes through the lifecycle's `rate` action (a
       neutral or poor one leaves the appeal open), with whether the answer was explained
       and given in time; refused ends the visit; the third unreachable call ends it;
    3. one `return_visit` line on the case's timeline.
    """
    if not can_call_back(actor):
        raise PermissionDenied(_("Only intake agents make return visits."))
    current = ReturnVisit.objects.select_for_update().get(pk=visit.pk)
    if current.status != ReturnVisit.Status.PENDING:
        raise ValidationError({"outcome": [_("This return visit is finished.")]})
    if outcome not in VisitAttempt.Outcome.values:
        raise ValidationError({"outcome": [_("Choose how the call went.")]})
    if outcome == VisitAttempt.Outcome.REACHED:
        errors = {}
        if rating not in Rating.values:
            errors["rating"] = [_("Record the person's rating.")]
        if is_explained is None:
            errors["is_explained"] = [_("Record whether the answer was explained.")]
        if is_timely is None:
            errors["is_timely"] = [_("Record whether the answer came in time.")]
        if errors:
            raise ValidationError(errors)
    now = timezone.now()
    VisitAttempt.objects.create(
        visit=current, outcome=outcome, note=note.strip()[:2000], called_by=actor, called_at=now
    )
    current.attempts += 1
    if outcome == VisitAttempt.Outcome.REACHED:
        perform(case=current.case, action=Act.RATE, actor=actor, rating=rating, note=note)
        current.status = ReturnVisit.Status.REACHED
        current.rating, current.is_explained, current.is_timely = rating, is_explained, is_timely
    elif outcome == VisitAttempt.Outcome.REFUSED:
        current.status = ReturnVisit.Status.REFUSED
    elif current.attempts >= MAX_UNREACHABLE:
        current.status = ReturnVisit.Status.UNREACHABLE
    if current.status != ReturnVisit.Status.PENDING:
        current.finished_at = now
    current.save()
    data = {"outcome": outcome, "attempt": current.attempts, "status": current.status}
    if outcome == VisitAttempt.Outcome.REACHED:
        data.update(rating=rating, is_explained=is_explained, is_timely=is_timely)
    event_record(
        case=current.case,
        act=Act.RETURN_VISIT,
        actor=actor,
        actor_role=Role.INTAKE,
        note=note.strip()[:2000],
        data=data,
        now=now,
    )
    return current
