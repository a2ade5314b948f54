"""What intake keeps about how matters came in: every raw e-mail received, and every
spreadsheet import with the rows it turned into cases."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case, Channel
from minsheng.deadlines.models import Kind
from minsheng.lib.crypto import EncryptedBinaryField, EncryptedTextField


class InboundMail(models.Model):
    """One e-mail delivered to the complaint address, kept raw and never deleted, with what
    became of it. The Message-ID is unique: the same mail delivered twice is one row."""

    class Status(models.TextChoices):
        CASE_CREATED = "case_created", _("Case created")
        ADDED_TO_CASE = "added_to_case", _("Added to a case")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    # The message and its sender are personal data: encrypted at rest (lib.crypto).
    raw = EncryptedBinaryField(_("raw message"))
    envelope_from = EncryptedTextField(_("envelope sender"), max_length=998, blank=True)
    envelope_to = models.CharField(_("envelope recipients"), max_length=2000, blank=True)
    sender = EncryptedTextField(_("From"), max_length=998, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_mails",
        verbose_name=_("case"),
    )
    deliveries = models.PositiveIntegerField(_("times delivered"), default=1)
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="inboundmail_status_time")]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class ImportJob(models.Model):
    """One uploaded spreadsheet of hotline records (xlsx or csv), its column mapping, its
    dry-run report and the progress of the import that turns its rows into cases."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKED = "checked", _("Checked (dry run)")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    default_channel = models.CharField(
        _("default channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE
    )
    default_kind = models.CharField(
        _("default kind"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("cases created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("already imported"), default=0)
    error_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("uploaded by"),
        help_text=_("Empty for imports run with the import_cases command."),
    )
    created_at = models.DateTimeField(_("uploaded"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ImportedRow(models.Model):
    """A spreadsheet row that became a case. Its key (the external id if the sheet has one,
    else a hash of the row's cells) is unique, so importing the same file again adds nothing."""

    key = models.CharField(_("row key"), max_length=200)
    job = models.ForeignKey(
        ImportJob, on_delete=models.PROTECT, related_name="rows", verbose_name=_("import")
    )
    row_number = models.PositiveIntegerField(_("row"))
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    created_at = models.DateTimeField(_("imported"))

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [models.UniqueConstraint(fields=["key"], name="importedrow_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.case_id}"
