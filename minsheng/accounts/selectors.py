"""Reads about users: which roles they hold and for which departments."""

from dataclasses import dataclass

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from minsheng.accounts.models import DEPARTMENT_ROLES, Membership, Role, User


@dataclass(frozen=True)
class RoleFacts:
    """What a user is: roles held everywhere, and department roles per department id."""

    global_roles: frozenset[Role]
    department_roles: dict[int, frozenset[Role]]

    def roles_for_departments(self, department_ids: set[int]) -> frozenset[Role]:
        """The user's department roles that apply to any of these departments."""
        found: set[Role] = set()
        for department_id in department_ids:
            found |= self.department_roles.get(department_id, frozenset())
        return frozenset(found)

    @property
    def department_ids(self) -> frozenset[int]:
        return frozenset(self.department_roles)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.global_roles or self.department_roles)


NO_ROLES = RoleFacts(global_roles=frozenset(), department_roles={})


def role_facts_for(user: User) -> RoleFacts:
    """The roles a user holds, read once per user object and cached on it."""
    cached: RoleFacts | None = getattr(user, "_minsheng_role_facts", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        return NO_ROLES
    global_roles: set[Role] = set()
    per_department: dict[int, set[Role]] = {}
    for role, department_id in Membership.objects.filter(user=user).values_list(
        "role", "department_id"
    ):
        if role in DEPARTMENT_ROLES and department_id is not None:
            per_department.setdefault(department_id, set()).add(Role(role))
        else:
            global_roles.add(Role(role))
    facts = RoleFacts(
        global_roles=frozenset(global_roles),
        department_roles={d: frozenset(r) for d, r in per_department.items()},
    )
    user._minsheng_role_facts = facts  # type: ignore[attr-defined]
    return facts


def second_factor_required(user: User) -> bool:
    """Whether `user` must prove a TOTP code at login: they hold a role named in
    MINSHENG_OTP_REQUIRED_ROLES (a superuser counts as "admin"), or they enrolled a device."""
    required = set(settings.MINSHENG_OTP_REQUIRED_ROLES)
    if user.is_superuser and "admin" in required:
        return True
    if {role.value for role in role_facts_for(user).global_roles} & required:
        return True
    return totp_device_for(user) is not None


def totp_device_for(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    """The user's TOTP device (the confirmed one, or with confirmed=False the one being
    enrolled), or None."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()
        if user.is_authenticated
        else None
    )
