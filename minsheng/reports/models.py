"""What the statistics keep of their own: the weights of the department evaluation (考核),
and the Excel exports that run in the background. Every figure itself is read live from the
cases (`reports.selectors`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScorePart(models.TextChoices):
    """One part of a department's evaluation score. The first three are rates (weighted
    into 0-100 points), the others are counts of cases that each deduct points."""

    TIMELINESS = "timeliness", _("Timeliness (answered within the deadline)")  # 及时率
    RESOLUTION = "resolution", _("Resolution (as the complainant confirms)")  # 解决率
    SATISFACTION = "satisfaction", _("Satisfaction")  # 满意率
    RETURNS = "returns", _("Cases returned as not ours")  # 退单
    EXTENSIONS = "extensions", _("Cases extended")  # 延期
    NOTICES = "notices", _("Cases urged or supervised")  # 催办/督办
    CIRCULATIONS = "circulations", _("Cases publicly circulated")  # 通报


RATE_PARTS = (ScorePart.TIMELINESS, ScorePart.RESOLUTION, ScorePart.SATISFACTION)
COUNT_PARTS = (ScorePart.RETURNS, ScorePart.EXTENSIONS, ScorePart.NOTICES, ScorePart.CIRCULATIONS)


class EvaluationWeight(models.Model):
    """The weight of one part of the department evaluation score (考核权重).

    Rate parts: their weights share out 100 points (a department's rate points are the
    weighted mean of its rates × 100). Count parts: the points deducted for each case.
    """

    part = models.CharField(_("part"), max_length=20, choices=ScorePart.choices, unique=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        help_text=_(
            "Rates: the share of the 100 points (weights are relative). Counts: the points "
            "deducted for each case."
        ),
    )

    class Meta:
        verbose_name = _("evaluation weight")
        verbose_name_plural = _("evaluation weights")
        ordering = ["part"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="evaluationweight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_part_display()}: {self.weight}"


class ExportJob(models.Model):
    """One document made in the background: an Excel export of a case list (over a few
    hundred rows) or a monthly report PDF. Whose, which filters (or month), whether it
    holds personal data, how far it got (rows, or the report's steps), the file."""

    class Kind(models.TextChoices):
        CASE_LIST = "case_list", _("Excel export")
        MONTHLY_REPORT = "monthly_report", _("Monthly report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CASE_LIST)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    include_personal_data = models.BooleanField(_("with personal data"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background document")
        verbose_name_plural = _("background documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class CaseFact(models.Model):
    """What the statistics count of one case, kept up to date from its timeline by
    `services.facts_refresh` (every change of a case writes an event): the answer, the
    rating, and the moments from which its steps count as late, so that a month's figures at
    a million cases are one scan of this table. `cases.filters.outcome_q` reads the same
    conditions straight from the clocks and events for the case list; tests hold the two
    equal."""

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()  # copied from the case: the cohort's range
    state = models.CharField(max_length=30)
    is_merged = models.BooleanField(default=False)
    is_answered = models.BooleanField(default=False)  # replied_at is set
    replied_at = models.DateTimeField(null=True, blank=True)
    # Working days from submission to the answer (`services.facts_rebuild`).
    handling_days = models.PositiveIntegerField(null=True, blank=True)
    # The dimensions the figures are broken down by, copied from the case (ids, no joins).
    kind = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=20, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    department_id = models.BigIntegerField(null=True, blank=True)
    area_id = models.BigIntegerField(null=True, blank=True)
    # Who it concerned, for the department evaluation: the departments that returned it
    # (" 3 7 ") and the notices it received as "level:department" (" reminder:3 leader:3 ").
    returned_by = models.CharField(max_length=200, blank=True)
    notices = models.CharField(max_length=500, blank=True)
    rating = models.CharField(max_length=20, blank=True)
    is_returned = models.BooleanField(default=False)
    is_extended = models.BooleanField(default=False)
    # The earliest due time of a clock that ran (or is running) past it; late from then on.
    result_late_from = models.DateTimeField(null=True, blank=True)
    late_from = models.DateTimeField(null=True, blank=True)
    has_reminder = models.BooleanField(default=False)  # notice levels received
    has_supervision = models.BooleanField(default=False)
    has_leader = models.BooleanField(default=False)
    has_circulation = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("case figures")
        verbose_name_plural = _("case figures")
        indexes = [
            models.Index(fields=["created_at"], name="casefact_created"),
            # A month's rows read from the index alone on PostgreSQL (ignored elsewhere).
            models.Index(
                fields=["created_at"],
                include=[
                    "state", "is_merged", "is_answered", "rating", "is_returned", "is_extended",
                    "result_late_from", "late_from", "has_reminder", "has_supervision",
                    "has_leader", "has_circulation", "handling_days", "kind", "channel",
                    "category_id", "department_id", "area_id",
                ],
                name="casefact_month",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.case_id)


class FactCursor(models.Model):
    """How far `services.facts_refresh` has read the timeline: the last event id (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("figures cursor")
        verbose_name_plural = _("figures cursor")

    def __str__(self) -> str:
        return str(self.last_event_id)
