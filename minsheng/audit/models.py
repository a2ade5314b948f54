"""The tamper-evident record: an append-only chain of entries, each holding the SHA-256 of
the one before it (see `services.entry_append` and `services.chain_verify`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The hash the first entry chains to.
GENESIS_HASH = "0" * 64


class Kind(models.TextChoices):
    CASE_EVENT = "case_event", _("case event")
    PERSONAL_DATA = "personal_data", _("personal data look")
    ADMIN_CHANGE = "admin_change", _("admin change")
    PERMISSION_CHANGE = "permission_change", _("permission change")
    CONFIG_CHANGE = "config_change", _("configuration change")


class AuditEntry(models.Model):
    """One audited fact, in the order it was recorded. The database refuses UPDATE and
    DELETE on this table (triggers in migration 0002); `hash` covers `prev_hash` and every
    other column, so an entry altered, removed or moved breaks the chain."""

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The actor by id and name, not a foreign key: a record outlives the accounts it names.
    actor_id = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object"), max_length=100, blank=True)
    # Canonical JSON text (sorted keys, no spaces), kept byte for byte as it was hashed.
    payload = models.TextField(_("payload"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["at"], name="auditentry_at")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's head: the last entry's number and hash, in one row (id 1). Appending
    locks this row, so concurrent writers queue up and each chains to the one before."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
