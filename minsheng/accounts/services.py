"""Writes about users and departments."""

from django.db import transaction

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
