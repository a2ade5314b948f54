"""The working-day calendar and the deadline policies, both data an administrator edits."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Role


class Kind(models.TextChoices):
    """What sort of matter a case is; policies are keyed by it."""

    INQUIRY = "inquiry", _("Inquiry")  # 咨询
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    HELP = "help", _("Help request")  # 求助
    OTHER = "other", _("Other")  # 其他


class Channel(models.TextChoices):
    """How the matter reached us; policies may be keyed by it."""

    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("In person")
    APP = "app", _("App")
    API = "api", _("API")
    WECHAT = "wechat", _("WeChat")  # 微信
    WEIBO = "weibo", _("Weibo")  # 微博
    # Transferred by a regulator (监管转办), who is owed an answer by its own deadline.
    REGULATOR = "regulator", _("Regulator transfer")


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
    # The steps an office may add (`cases.models.Office`): acceptance approval (立案审批),
    # a first feedback to the complainant (初步反馈), each approval level before the reply,
    # and the answer owed to a regulator that transferred the complaint (监管转办).
    ACCEPTANCE = "acceptance", _("Acceptance approval")  # 立案审批
    FEEDBACK = "feedback", _("First feedback")  # 初步反馈
    APPROVAL = "approval", _("Approval")  # 审核审批
    REGULATOR = "regulator", _("Answer to the regulator")  # 监管回复


class Unit(models.TextChoices):
    """How a policy counts time."""

    WORKING_DAYS = "working_days", _("working days")
    HOURS = "hours", _("hours")
    # Natural days (自然日): "feedback within 3 days, a decision within a week".
    DAYS = "days", _("days")


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


class CaseClass(models.Model):
    """A class of case as an office names it (一般/紧急/复杂, 一般/重大, the insurer's A/B/C/T),
    mapped onto the severity the lifecycle knows (`handling`: hours for urgent, a leader's
    approval for major, unless the class's own approval levels say otherwise).

    An office without classes uses the four severities as they are."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    label = models.CharField(_("name"), max_length=60)
    handling = models.CharField(
        _("handled as"), max_length=20, choices=Severity.choices, default=Severity.GENERAL
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("case class")
        verbose_name_plural = _("case classes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class ApprovalLevel(models.Model):
    """One sign-off before a case of this class is answered (医务科 → 分管院长 → 院长): its
    order, its name, the role that gives it, and the time it may take (its own clock, in the
    deadline policy's unit; blank for none). Levels run 1, 2, 3 without a gap."""

    MAX_LEVELS = 3

    case_class = models.ForeignKey(
        CaseClass, on_delete=models.CASCADE, related_name="approval_levels"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    label = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    amount = models.PositiveIntegerField(_("time allowed"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval level")
        verbose_name_plural = _("approval levels")
        ordering = ["case_class", "level"]
        constraints = [
            models.UniqueConstraint(fields=["case_class", "level"], name="approvallevel_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="approvallevel_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.label}"


class DeadlinePolicy(models.Model):
    """Time allowed for each step of a case.

    A policy is keyed by any of class, kind, category, channel and severity; a blank key
    matches any case. The most specific matching row wins: a matching class counts most,
    then severity, category, channel and kind, in that order (`selectors.policy_for`).
    """

    case_class = models.ForeignKey(
        CaseClass,
        verbose_name=_("case class"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policies",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, blank=True)
    # A level-1 category or below: the policy applies to the category and everything under it.
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_policies",
    )
    # E.g. regulator transfers get their own times.
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    unit = models.CharField(
        _("unit"), max_length=20, choices=Unit.choices, default=Unit.WORKING_DAYS
    )
    review = models.PositiveIntegerField(_("initial review"))
    dispatch = models.PositiveIntegerField(_("dispatch"))
    plan = models.PositiveIntegerField(_("sign and plan"))
    result = models.PositiveIntegerField(_("result"))
    acceptance = models.PositiveIntegerField(_("acceptance approval"), default=1)
    feedback = models.PositiveIntegerField(_("first feedback"), default=1)
    regulator = models.PositiveIntegerField(_("answer to the regulator"), default=10)
    appeal_days = models.PositiveIntegerField(
        _("appeal window (working days)"),
        default=15,
        help_text=_("How long after the reply a dissatisfied complainant may appeal."),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")

    def __str__(self) -> str:
        parts = [
            str(self.case_class) if self.case_class_id else "",
            self.get_kind_display(),
            self.get_severity_display(),
            str(self.category) if self.category_id else "",
            self.channel,
        ]
        return " / ".join(p for p in parts if p) or str(_("general"))

    def validate_unique(self, exclude: object = None) -> None:
        """One policy per combination of keys (blank keys included, which a database
        constraint would count as distinct)."""
        super().validate_unique(exclude=exclude)  # type: ignore[arg-type]
        if self.case_class is not None and self.case_class.pk is None:
            return  # a policy of a class being created: the class has none yet
        same = DeadlinePolicy.objects.filter(
            case_class=self.case_class_id,
            kind=self.kind,
            severity=self.severity,
            category=self.category_id,
            channel=self.channel,
        ).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(_("A deadline policy with these keys already exists."))


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
