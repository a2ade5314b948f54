"""What supervision keeps: supervision notices (督办单) with their answers and files, the
policies that issue them automatically and the record of what each policy already did, and
return visits (回访) with their attempts.

A notice never changes a case's state: its own life is in `supervision.notices`, and each
of its steps is a line on the timeline of every case it names.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, CaseClock, Rating
from minsheng.deadlines.models import Step


class NoticeLevel(models.TextChoices):
    """How hard a notice presses, lowest first; an overdue notice escalates one level."""

    REMINDER = "reminder", _("Reminder")  # 催办
    SUPERVISION = "supervision", _("Supervision notice")  # 督办
    LEADER = "leader", _("Leader's supervision")  # 领导督办
    CIRCULATION = "circulation", _("Public circulation")  # 通报 (in the evaluation)


LEVEL_ORDER = tuple(NoticeLevel)


class NoticeState(models.TextChoices):
    """Where a notice is in its life; `supervision.notices` owns the moves."""

    ISSUED = "issued", _("Issued")  # 已下发
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # 已签收
    ANSWERED = "answered", _("Answered")  # 已回复
    CLOSED = "closed", _("Closed")  # 已办结
    ESCALATED = "escalated", _("Escalated")  # 已升级


class SupervisionNotice(models.Model):
    """One supervision notice (督办单): a demand from the supervision office to a department
    about one or several cases, with its own deadline in working days."""

    level = models.CharField(_("level"), max_length=20, choices=NoticeLevel.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=NoticeState.choices, default=NoticeState.ISSUED
    )
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), related_name="notices")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    demand = models.TextField(_("what is demanded"))
    due_days = models.PositiveSmallIntegerField(_("working days to answer"))
    issued_at = models.DateTimeField(_("issued at"))
    due_at = models.DateTimeField(_("answer due"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: issued by a policy."),
    )
    policy = models.ForeignKey(
        "NoticePolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_to"
    )
    answer = models.TextField(_("answer"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Raised by every notice action: compare and set, as for cases.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="notice_open_due",
                condition=Q(state__in=["issued", "acknowledged"]),
            ),
            models.Index(fields=["department", "state"], name="notice_department_state"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """A number people can say: DB-<issue date, local>-<id>."""
        return f"DB-{timezone.localtime(self.issued_at):%Y%m%d}-{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.state in (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED)


def notice_file_path(instance: "NoticeFile", filename: str) -> str:
    return f"notices/{instance.notice.issued_at:%Y/%m}/{instance.notice_id}/{filename}"


class NoticeFile(models.Model):
    """A file sent with a department's answer to a notice."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to=notice_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("notice file")
        verbose_name_plural = _("notice files")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class NoticePolicy(models.Model):
    """A rule that issues notices by itself: when a case's step is overdue by some working
    days (e.g. the result, by 1: a reminder to the handler; by 3: a supervision notice to the
    department head), or when a notice of one level is overdue (escalate to the next)."""

    class Trigger(models.TextChoices):
        CASE_STEP = "case_step", _("A case's step is overdue")
        NOTICE = "notice", _("A notice is overdue")

    class Recipient(models.TextChoices):
        HANDLER = "handler", _("The case's handler (else the department head)")
        HEAD = "head", _("The department head")

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    step = models.CharField(
        _("step"), max_length=20, choices=Step.choices, blank=True, help_text=_("For a case step.")
    )
    from_level = models.CharField(
        _("overdue notice level"),
        max_length=20,
        choices=NoticeLevel.choices,
        blank=True,
        help_text=_("For an overdue notice."),
    )
    overdue_days = models.PositiveSmallIntegerField(
        _("overdue by (working days)"),
        default=0,
        help_text=_("0: as soon as it is overdue; 1: from the first working day after."),
    )
    level = models.CharField(_("issues a"), max_length=20, choices=NoticeLevel.choices)
    recipient = models.CharField(
        _("addressed to"), max_length=20, choices=Recipient.choices, default=Recipient.HEAD
    )
    due_days = models.PositiveSmallIntegerField(_("working days to answer"), default=2)
    # The watch's mark (case-step policies): every clock of the step due before this moment
    # has been acted on (its notice issued or refused, or waiting for a department), so a
    # run reads only the clocks that fell due since. Cleared when the policy is edited.
    checked_through = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notice policy")
        verbose_name_plural = _("notice policies")
        ordering = ["trigger", "step", "overdue_days", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(trigger="case_step") & ~Q(step=""))
                | (Q(trigger="notice") & ~Q(from_level="")),
                name="noticepolicy_trigger_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PolicyHit(models.Model):
    """What a policy already did: it issued `notice` for this clock, or for this overdue
    notice; or, `is_waiting`, the clock was overdue while its case had no department, and
    the notice goes out once it has one. The unique constraints make the watch idempotent."""

    policy = models.ForeignKey(NoticePolicy, on_delete=models.PROTECT, related_name="+")
    clock = models.ForeignKey(
        CaseClock, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_waiting = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("policy hit")
        verbose_name_plural = _("policy hits")
        indexes = [
            models.Index(fields=["policy"], condition=Q(is_waiting=True), name="policyhit_waiting"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "clock"],
                condition=Q(clock__isnull=False),
                name="policyhit_once_per_clock",
            ),
            models.UniqueConstraint(
                fields=["policy", "source"],
                condition=Q(source__isnull=False),
                name="policyhit_once_per_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.clock_id or self.source_id}"


class NoticeWarning(models.Model):
    """A notice already warned about (due soon, overdue): each notice once per kind."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("notice warning")
        verbose_name_plural = _("notice warnings")
        constraints = [
            models.UniqueConstraint(fields=["notice", "kind"], name="noticewarning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind}"


class RetentionPolicy(models.Model):
    """How long closed cases stay in the working lists and how long complainants' personal
    data is kept (one row, edited in the admin; the deadline watch applies it)."""

    archive_after_days = models.PositiveSmallIntegerField(
        _("archive closed cases after (days)"), default=30
    )
    anonymise_after_years = models.PositiveSmallIntegerField(
        _("anonymise complainants after (years)"),
        default=5,
        help_text=_("Counted from the case's closing; only archived cases are anonymised."),
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class ReturnVisit(models.Model):
    """A call-back (回访) to a complainant who is not told by message, after the answer: its
    attempts, and once reached the satisfaction and whether the answer was explained."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To call")
        REACHED = "reached", _("Reached")
        UNREACHABLE = "unreachable", _("Unreachable")
        REFUSED = "refused", _("Refused")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="return_visit")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    is_explained = models.BooleanField(_("the answer was explained"), null=True, blank=True)
    is_timely = models.BooleanField(_("answered in time"), null=True, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="returnvisit_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class VisitAttempt(models.Model):
    """One call of a return visit."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        UNREACHABLE = "unreachable", _("Unreachable")
        REFUSED = "refused", _("Refused")

    visit = models.ForeignKey(ReturnVisit, on_delete=models.PROTECT, related_name="calls")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    called_at = models.DateTimeField()

    class Meta:
        verbose_name = _("return visit call")
        verbose_name_plural = _("return visit calls")
        ordering = ["called_at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.outcome}"
