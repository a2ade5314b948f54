"""Enforcement cases (立案查处): a complaint about a building's quality turned into the
housing bureau's own enforcement record, with its own number and its own deadlines.

One `EnforcementCase` per enforcement; one `EnforcementStep` row per step once it is due
(its due time, and when it was done, by whom, with which document and notes). The order of
the steps, who takes each and how long each may take are the table in `services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case
from minsheng.deadlines.models import Unit


class Stage(models.TextChoices):
    """A step of an enforcement case, in the order they happen."""

    FILING_APPROVAL = "filing_approval", _("Filing approval")  # 立案审批
    NOTICE = "notice", _("Notice of rectification issued")  # 责令改正通知书
    STATEMENT = "statement", _("Statement or hearing")  # 陈述申辩/听证
    DECISION = "decision", _("Decision")  # 处理决定
    SERVICE = "service", _("Proof of service")  # 送达回证
    RECTIFICATION = "rectification", _("Rectification period")  # 限期整改
    REINSPECTION = "reinspection", _("Re-inspection")  # 复查
    PUBLICATION = "publication", _("Publication")  # 公示
    CLOSE = "close", _("Closing")  # 结案


class EnforcementState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class HearingMode(models.TextChoices):
    """How the respondent was heard before the decision."""

    STATEMENT = "statement", _("Statement and defence")  # 陈述申辩
    HEARING = "hearing", _("Hearing")  # 听证
    WAIVED = "waived", _("Waived")  # 放弃


class Reinspection(models.TextChoices):
    """What the re-inspection found."""

    RECTIFIED = "rectified", _("Rectified")  # 已整改
    NOT_RECTIFIED = "not_rectified", _("Not rectified")  # 未整改


class EnforcementCase(models.Model):
    """One enforcement case (立案查处) opened from a complaint: whom it is against, what was
    found, the step it waits for and when that step is due."""

    number = models.CharField(_("enforcement number"), max_length=24, unique=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
        verbose_name=_("complaint"),
    )
    respondent = models.CharField(_("respondent"), max_length=200)  # 当事人
    findings = models.TextField(_("what was found"))  # 违法事实
    state = models.CharField(
        _("state"), max_length=10, choices=EnforcementState.choices, default=EnforcementState.OPEN
    )
    # The step it waits for (blank once closed) and when that step is due.
    step = models.CharField(_("next step"), max_length=20, choices=Stage.choices, blank=True)
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Moved on by every step (compare and set): of two people taking a step at once, one wins.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_due_at"],
                name="enforcement_open_due",
                condition=Q(state="open"),
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state == EnforcementState.OPEN


class EnforcementStep(models.Model):
    """One step of an enforcement case: when its clock started and runs out (in `unit`),
    and once done, when, by whom, with which document (its number) and notes. Step-specific
    values (the hearing mode, the date and receiver of service, the re-inspection's result,
    where it was published) are in `data`."""

    enforcement = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("step"), max_length=20, choices=Stage.choices)
    started_at = models.DateTimeField(_("counted from"))
    amount = models.PositiveIntegerField(_("time allowed"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.CharField(_("document number"), max_length=100, blank=True)  # 文书编号
    note = models.TextField(_("notes"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("enforcement step")
        verbose_name_plural = _("enforcement steps")
        ordering = ["enforcement_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enforcement", "step"], name="enforcement_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.enforcement_id} {self.step}"


class EnforcementNumberCounter(models.Model):
    """The last enforcement number given out on one day (ZF-20261206-0001)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("enforcement number counter")
        verbose_name_plural = _("enforcement number counters")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"
