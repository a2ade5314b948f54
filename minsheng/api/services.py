"""Writes the API needs beyond the case services: tokens, Open311 keys and requests.

Case writes themselves go through `cases.services` and `cases.workflow`; these functions
only add the API's own rows around them, in the same transaction.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from minsheng.accounts.models import User
from minsheng.api.models import Open311Key, Open311Request
from minsheng.api.selectors import open311_key_hash
from minsheng.cases.services import Registered, Submission
from minsheng.intake.services import submission_register


def token_issue(*, user: User) -> Token:
    """The user's API token, created on first use (DRF authtoken: one token per user)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def open311_key_create(*, name: str, key: str, actor: User | None = None) -> Open311Key:
    """Register an Open311 api_key under `name`. The same key again returns the existing row,
    so the demo loader can call this on every run."""
    existing = Open311Key.objects.filter(key_hash=open311_key_hash(key)).first()
    if existing is not None:
        return existing
    row = Open311Key(
        name=name, key_hash=open311_key_hash(key), created_by=actor, created_at=timezone.now()
    )
    row.full_clean()
    row.save()
    return row


@dataclass(frozen=True)
class Open311Extras:
    """What a GeoReport client sends that a case has no field for."""

    service_code: str
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""


@transaction.atomic
def open311_request_create(
    *, key: Open311Key, submission: Submission, extras: Open311Extras
) -> tuple[Registered, Open311Request]:
    """File a GeoReport service request: register the case and remember it came in through
    Open311, in one transaction."""
    registered = submission_register(submission=submission, actor=None)
    request = Open311Request(
        case=registered.case,
        key=key,
        service_code=extras.service_code,
        device_id=extras.device_id,
        account_id=extras.account_id,
        media_url=extras.media_url,
        created_at=registered.case.created_at,
    )
    request.full_clean()
    request.save()
    return registered, request
