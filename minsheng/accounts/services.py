"""Writes about users and departments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from minsheng.accounts.models import DEPARTMENT_ROLES, Department, Membership, Role, User


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    roles: list[tuple[Role, Department | None]],
) -> User:
    """Create a staff user holding the given roles (department roles name a department)."""
    user = User(username=username, first_name=full_name, email=email, is_staff=False)
    user.set_password(password)
    if any(role == Role.ADMIN for role, _ in roles):
        # Administrators manage configuration through the Django admin.
        user.is_staff = True
        user.is_superuser = True
    user.full_clean()
    user.save()
    for role, department in roles:
        membership = Membership(
            user=user, role=role, department=department if role in DEPARTMENT_ROLES else None
        )
        membership.full_clean()
        membership.save()
    return user


ENROLMENT_DEVICE_NAME = "totp"


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device the user is enrolling (a new secret the first time).
    A confirmed device is kept until the new one is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=ENROLMENT_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, token: str) -> TOTPDevice:
    """Confirm the device being enrolled with a code from the authenticator app; it
    replaces any earlier device. ValidationError on "token" for a wrong code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not device.verify_token(token.strip()):
        raise ValidationError({"token": [_("This code is not right. Enter the current code.")]})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device if `token` is its current code, else None. django-otp
    records the code as used (no replay) and slows down repeated failures."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None or not device.verify_token(token.strip()):
        return None
    return device
