"""What the API itself keeps: Open311 api_keys and the service requests filed through them.

Cases are `cases.models.Case`; an `Open311Request` only says that a case came in through
GeoReport v2, with which key, and what the client sent that a case has no field for.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case
from minsheng.lib.crypto import EncryptedTextField


class Open311Key(models.Model):
    """One api_key a GeoReport v2 client uses to file service requests.

    The key itself is never stored, only its keyed hash (like query codes).
    """

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 api key")
        verbose_name_plural = _("Open311 api keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Open311Request(models.Model):
    """A case filed through Open311 GeoReport v2: the key that filed it and the client's own
    identifiers. Only these cases are shown by GET requests (see `api.selectors`)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311_request")
    key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, related_name="requests")
    service_code = models.CharField(max_length=20)
    # The client app's identifiers of the person's device and account: encrypted at rest.
    device_id = EncryptedTextField(max_length=200, blank=True)
    account_id = EncryptedTextField(max_length=200, blank=True)
    media_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="open311request_created")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.service_code}"
