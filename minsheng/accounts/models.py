"""Who a user is: departments, roles and memberships.

`accounts` knows facts about people; what a person may do with a given case is decided
in `cases/access.py`.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A job a user does in Minsheng. Department roles act only for their department."""

    INTAKE = "intake", _("Intake agent")  # 受理员
    DISPATCHER = "dispatcher", _("Dispatcher")  # 分拨员
    HANDLER = "handler", _("Department handler")  # 承办人
    HEAD = "head", _("Department head")  # 部门负责人
    SUPERVISOR = "supervisor", _("Supervisor")  # 督办员
    LEADER = "leader", _("Leader")  # 领导
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    # Not held by any user account: the complainant, proven by the case's query code.
    PUBLIC = "public", _("Complainant")
    # Not held by any user account: Minsheng itself, acting by a policy (archiving).
    SYSTEM = "system", _("The system")


DEPARTMENT_ROLES = frozenset({Role.HANDLER, Role.HEAD})


class Department(models.Model):
    """A body that can be responsible for cases: a bureau, an office, a street office.

    Departments form a tree (a bureau and its divisions).
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member who logs in. Citizens never have accounts."""

    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """One role a user holds; department roles name the department they act for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"], name="membership_unique_role_department"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["handler", "head"], department__isnull=False)
                    | (
                        ~models.Q(role__in=["handler", "head", "public"])
                        & models.Q(department__isnull=True)
                    )
                ),
                name="membership_department_iff_department_role",
            ),
        ]

    def __str__(self) -> str:
        if self.department_id:
            return f"{self.user} · {self.get_role_display()} · {self.department}"
        return f"{self.user} · {self.get_role_display()}"
