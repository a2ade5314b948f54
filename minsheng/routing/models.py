"""What routing keeps: administrators' keyword rules, intake agents' confirmations and
corrections of suggestions, and the versions of the trained model."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case, Category


class RoutingRule(models.Model):
    """An administrator's keyword rule: a case whose subject or body contains one of the
    keywords is suggested `category`, ahead of the model (e.g. "噪音" → 环境保护)."""

    keywords = models.TextField(
        _("keywords"),
        help_text=_("One keyword or phrase per line (commas also separate). Any one matches."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "id"]
        indexes = [
            models.Index(
                fields=["priority", "id"],
                name="routingrule_active_priority",
                condition=Q(is_active=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.keyword_list()[:3]} → {self.category}"

    def keyword_list(self) -> list[str]:
        """The keywords, one per line or comma-separated, blanks dropped."""
        text = self.keywords.replace("，", "\n").replace(",", "\n")
        return [k.strip() for k in text.splitlines() if k.strip()]


class RoutingFeedback(models.Model):
    """One confirmation or correction of a suggestion by the person who filed the case:
    what was suggested, what they chose. Corrections feed the next training."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="routing_feedback"
    )
    suggested_label = models.CharField(_("suggested category"), max_length=100, blank=True)
    suggested_confidence = models.FloatField(_("suggested confidence"), null=True, blank=True)
    suggested_source = models.CharField(_("suggested by"), max_length=10, blank=True)
    chosen_category = models.ForeignKey(
        Category, verbose_name=_("chosen category"), on_delete=models.PROTECT, related_name="+"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_correction = models.BooleanField(_("correction"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("routing feedback")
        verbose_name_plural = _("routing feedback")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "created_at"], name="routingfeedback_case_time")]

    def __str__(self) -> str:
        verb = "corrected" if self.is_correction else "confirmed"
        return f"{self.case_id} {verb} {self.chosen_category_id}"


class RouterModel(models.Model):
    """One trained version of the routing model: where its artifact is, how it was made
    and how it scored. At most one is active; serving uses it (or the shipped default)."""

    path = models.CharField(_("artifact path"), max_length=500)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("router model")
        verbose_name_plural = _("router models")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="routermodel_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.dev_macro_f1}"

    @property
    def dev_macro_f1(self) -> float | None:
        """The dev-set macro-F1 recorded at training, if it was measured."""
        value = self.metadata.get("dev", {}).get("macro_f1")
        return float(value) if value is not None else None
