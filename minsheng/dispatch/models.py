"""What dispatch keeps: the office's switch and auto-dispatch policies, the decision taken
for each accepted case (the suggestion that was made), and the corrections of it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, CaseEvent, Category
from minsheng.deadlines.models import Kind


class DispatchSwitch(models.Model):
    """The office's one switch over automatic dispatch (a single row, pk 1). Off stops every
    policy at once; the policies keep their settings."""

    is_on = models.BooleanField(_("automatic dispatch on"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("automatic dispatch switch")
        verbose_name_plural = _("automatic dispatch switch")

    def __str__(self) -> str:
        return "on" if self.is_on else "off"


class DispatchPolicy(models.Model):
    """Whether accepted cases of one kind (and optionally one level-1 category) are assigned
    automatically, and the precision to hold. A category's policy comes before its kind's."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
        help_text=_("Empty: every category of the kind without a policy of its own."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=False)
    precision = models.DecimalField(
        _("precision to hold"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.980"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("0.999"))],
        help_text=_("Share of automatic assignments that must be right, e.g. 0.98."),
    )
    includes_major = models.BooleanField(_("major cases too"), default=False)
    includes_urgent = models.BooleanField(_("urgent cases too"), default=False)
    includes_collective = models.BooleanField(_("collective complaints too"), default=False)
    includes_anonymous_report = models.BooleanField(_("anonymous reports too"), default=False)
    drift_window_days = models.PositiveSmallIntegerField(
        _("drift window (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Measured precision is read over the automatic assignments of these days."),
    )
    drift_min_cases = models.PositiveSmallIntegerField(
        _("drift minimum cases"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text=_("Fewer automatic assignments than this in the window prove nothing yet."),
    )
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_precision = models.FloatField(
        _("measured precision at the pause"), null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("auto-dispatch policy")
        verbose_name_plural = _("auto-dispatch policies")
        ordering = ["kind", "category__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category"],
                condition=Q(category__isnull=False),
                name="dispatchpolicy_one_per_kind_category",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(category__isnull=True),
                name="dispatchpolicy_one_per_kind",
            ),
        ]

    def __str__(self) -> str:
        kind = Kind(self.kind).label
        return f"{kind} · {self.category}" if self.category_id else str(kind)

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class Outcome(models.TextChoices):
    """What became of an accepted case's suggestion."""

    DISPATCHED = "dispatched", _("Assigned automatically")
    BELOW_THRESHOLD = "below", _("Confidence below the threshold")
    INELIGIBLE = "ineligible", _("Kept with a person by the policy")
    NO_POLICY = "no_policy", _("No policy for this kind")
    POLICY_OFF = "policy_off", _("Policy not enabled")
    PAUSED = "paused", _("Policy paused")
    SWITCH_OFF = "switch_off", _("Automatic dispatch switched off")
    CATEGORY_DIFFERS = "category", _("Intake chose another category")
    NO_DEPARTMENT = "no_department", _("The category names no department")
    TAKEN = "taken", _("A person assigned it first")


class DispatchDecision(models.Model):
    """The routing suggestion made for one case when it was accepted, and whether it was
    assigned automatically by it. Corrections are recorded against it."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="dispatch_decision"
    )
    policy = models.ForeignKey(
        DispatchPolicy,
        verbose_name=_("policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    model_version = models.CharField(_("model version"), max_length=100)
    suggested_label = models.CharField(_("suggested category"), max_length=100)
    confidence = models.FloatField(_("confidence"))
    suggested_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suggested_department = models.ForeignKey(
        Department,
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    is_returned = models.BooleanField(_("returned by a department"), default=False)
    is_corrected = models.BooleanField(_("corrected"), default=False)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("dispatch decision")
        verbose_name_plural = _("dispatch decisions")
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["decided_at"], name="dispatchdecision_time"),
            models.Index(
                fields=["policy", "decided_at"],
                name="dispatchdecision_auto",
                condition=Q(outcome="dispatched"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome} {self.confidence:.3f}"

    @property
    def is_auto(self) -> bool:
        return self.outcome == Outcome.DISPATCHED


class CorrectionKind(models.TextChoices):
    """How a person corrected a suggestion."""

    REASSIGNED = "reassigned", _("Re-assigned by a dispatcher")
    RETURNED = "returned", _("Returned, then assigned elsewhere")
    OVERRIDDEN = "overridden", _("Assigned elsewhere than suggested")
    CATEGORY = "category", _("Category changed")


class DispatchCorrection(models.Model):
    """One person's correction of the suggestion of `decision`: the case went to another
    department, or its category was changed. Fed to the routing model's training."""

    decision = models.ForeignKey(
        DispatchDecision, on_delete=models.PROTECT, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CorrectionKind.choices)
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="+")
    from_department = models.ForeignKey(
        Department,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_department = models.ForeignKey(
        Department,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_category = models.ForeignKey(
        Category,
        verbose_name=_("chosen category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_fed_to_training = models.BooleanField(_("fed to training"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("dispatch correction")
        verbose_name_plural = _("dispatch corrections")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="dispatchcorrection_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="dispatchcorrection_time")]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.kind}"
