"""The working-day calendar and the deadline policies, both data an administrator edits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What sort of matter a case is; policies are keyed by it."""

    INQUIRY = "inquiry", _("Inquiry")  # 咨询
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    HELP = "help", _("Help request")  # 求助
    OTHER = "other", _("Other")  # 其他


class Severity(models.TextChoices):
    """How grave a case is; policies are keyed by it."""

    GENERAL = "general", _("General")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    COMPLEX = "complex", _("Complex")  # 复杂
    MAJOR = "major", _("Major")  # 重大


class Step(models.TextChoices):
    """A step of a case that runs against a clock."""

    REVIEW = "review", _("Initial review")  # 受理审核
    DISPATCH = "dispatch", _("Dispatch")  # 分拨
    PLAN = "plan", _("Sign and handling plan")  # 签收与办理方案
    RESULT = "result", _("Result")  # 办结答复


class Unit(models.TextChoices):
    """How a policy counts time."""

    WORKING_DAYS = "working_days", _("working days")
    HOURS = "hours", _("hours")


class CalendarDay(models.Model):
    """A date that breaks the Monday-to-Friday rule: a public holiday on a weekday, or a
    make-up working day (调休) on a weekend. Any other date follows the weekday rule.

    A year is "known" when it has at least one row; for other years only weekends count,
    and a warning is logged.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DeadlinePolicy(models.Model):
    """Time allowed for each step of a case of one kind and severity.

    A blank kind or severity matches any; the most specific row wins (kind and severity,
    then severity, then kind, then the row with both blank).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, blank=True)
    unit = models.CharField(
        _("unit"), max_length=20, choices=Unit.choices, default=Unit.WORKING_DAYS
    )
    review = models.PositiveIntegerField(_("initial review"))
    dispatch = models.PositiveIntegerField(_("dispatch"))
    plan = models.PositiveIntegerField(_("sign and plan"))
    result = models.PositiveIntegerField(_("result"))
    appeal_days = models.PositiveIntegerField(
        _("appeal window (working days)"),
        default=15,
        help_text=_("How long after the reply a dissatisfied complainant may appeal."),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(fields=["kind", "severity"], name="deadlinepolicy_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or '*'} / {self.get_severity_display() or '*'}"


class DeadlinesVersion(models.Model):
    """The one row that says which version of the calendar and the deadline policies is
    current. Every write to either (`deadlines.services`, the admin pages) moves it on in the
    same transaction, so each process's cached copy (`deadlines.selectors`) notices the
    change within a second instead of reading both tables on every registration."""

    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("deadlines version")
        verbose_name_plural = _("deadlines versions")

    def __str__(self) -> str:
        return str(self.version)
