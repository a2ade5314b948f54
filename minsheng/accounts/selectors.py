"""Reads about users: which roles they hold and for which departments."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from minsheng.accounts.models import DEPARTMENT_ROLES, Department, Membership, Role, User


@dataclass(frozen=True)
class RoleFacts:
    """What a user is: roles held everywhere, and department roles per department id.

    `department_roles` are the memberships themselves. `reach` is where those roles act:
    the same departments, or (an office whose departments see their branches, read with
    `subtrees=True`) each one and every department under it in the tree."""

    global_roles: frozenset[Role]
    department_roles: dict[int, frozenset[Role]]
    reach: dict[int, frozenset[Role]] | None = None  # None: the memberships themselves

    def roles_for_departments(self, department_ids: set[int]) -> frozenset[Role]:
        """The user's department roles that act on any of these departments."""
        acting = self.department_roles if self.reach is None else self.reach
        found: set[Role] = set()
        for department_id in department_ids:
            found |= acting.get(department_id, frozenset())
        return frozenset(found)

    @property
    def department_ids(self) -> frozenset[int]:
        """The departments the user is a member of (never their branches: the unit
        complained about, and grants to see a reporter, are decided by membership)."""
        return frozenset(self.department_roles)

    @property
    def reached_department_ids(self) -> frozenset[int]:
        """The departments whose cases the user's department roles act on."""
        return frozenset(self.department_roles if self.reach is None else self.reach)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.global_roles or self.department_roles)


NO_ROLES = RoleFacts(global_roles=frozenset(), department_roles={})


def role_facts_for(user: User, *, subtrees: bool = False) -> RoleFacts:
    """The roles a user holds, read once per user object and cached on it. With
    `subtrees`, each department role also reaches every department under its department
    (`Department.parent`): the tree is read once more, and cached beside."""
    if subtrees:
        reaching: RoleFacts | None = getattr(user, "_minsheng_role_facts_subtrees", None)
        if reaching is None:
            facts = role_facts_for(user)
            if not facts.department_roles:
                return facts
            reaching = RoleFacts(
                global_roles=facts.global_roles,
                department_roles=facts.department_roles,
                reach=_over_subtrees(facts.department_roles),
            )
            user._minsheng_role_facts_subtrees = reaching  # type: ignore[attr-defined]
        return reaching
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


def department_subtree_ids(department_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Each of these departments with every department under it (its subtree, itself
    included), from one read of the department tree."""
    wanted = set(department_ids)
    if not wanted:
        return {}
    children: dict[int, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    subtrees: dict[int, frozenset[int]] = {}
    for root in wanted:
        seen = {root}
        stack = [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:  # a tree, but a bad edit must not loop forever
                    seen.add(child)
                    stack.append(child)
        subtrees[root] = frozenset(seen)
    return subtrees


def _over_subtrees(department_roles: dict[int, frozenset[Role]]) -> dict[int, frozenset[Role]]:
    """Department roles carried down to every department under each one."""
    reach: dict[int, set[Role]] = {}
    for root, subtree in department_subtree_ids(department_roles).items():
        for department_id in subtree:
            reach.setdefault(department_id, set()).update(department_roles[root])
    return {d: frozenset(r) for d, r in reach.items()}


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


def role_is_held(role: str) -> bool:
    """Whether some active user holds `role` (a configured step's role must be)."""
    return Membership.objects.filter(role=role, user__is_active=True).exists()
