"""Grants to see the reporter (举报人) of a report: a supervisor gives a department, or one
user, sight of who reported, with a reason, and can take it back.

The rule that reads a grant is `cases.access.can_see_personal_data`; this module only
writes and lists grants. Every grant and every revocation is logged as a look at personal
data (`PersonalDataAccess`), like the looks it makes possible.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department, User
from minsheng.cases import access
from minsheng.cases.models import Case, PersonalDataAccess, ReporterGrant
from minsheng.deadlines.models import Kind

PURPOSE_GRANT = "reporter grant"
PURPOSE_REVOKE = "reporter grant revoked"


def has_hidden_reporter(case: Case) -> bool:
    """Whether `case` is a report (举报), whose reporter is hidden and may be granted."""
    return case.kind == Kind.REPORT


def reporter_grants_of(case: Case) -> QuerySet[ReporterGrant]:
    """The grants on `case`, newest first, with who gave them and to whom joined in."""
    return case.reporter_grants.select_related("department", "user", "granted_by", "revoked_by")


def _log(*, case: Case, actor: User, purpose: str, grant: ReporterGrant) -> None:
    to = f"department {grant.department_id}" if grant.department_id else f"user {grant.user_id}"
    PersonalDataAccess.objects.create(
        case=case, user=actor, purpose=f"{purpose}: {to}"[:100], at=timezone.now()
    )


@transaction.atomic
def reporter_grant_create(
    *,
    case: Case,
    actor: User,
    department: Department | None = None,
    user: User | None = None,
    reason: str,
    expires_at: datetime | None = None,
) -> ReporterGrant:
    """Let `department` (or `user`) see who reported `case`, for `reason`, until `expires_at`.

    1. only supervisors grant, and only on a report;
    2. exactly one of department and user, a reason, an expiry in the future, and never to
       the unit the report is about;
    3. save the grant and log it as a look at personal data.
    """
    if not access.can_grant_reporter_access(actor):
        raise PermissionDenied(_("Only supervisors may grant sight of a reporter."))
    if not has_hidden_reporter(case):
        raise ValidationError({"case": [_("Only the reporter of a report is hidden.")]})
    if (department is None) == (user is None):
        raise ValidationError({"department": [_("Choose a department or a user, not both.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the grant.")]})
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": [_("The expiry must lie in the future.")]})
    if department is not None and department.pk == case.respondent_department_id:
        raise ValidationError(
            {"department": [_("The unit the report is about never learns who reported.")]}
        )
    grant = ReporterGrant(
        case=case,
        department=department,
        user=user,
        reason=reason.strip(),
        granted_by=actor,
        granted_at=now,
        expires_at=expires_at,
    )
    grant.full_clean()
    grant.save()
    _log(case=case, actor=actor, purpose=PURPOSE_GRANT, grant=grant)
    return grant


@transaction.atomic
def reporter_grant_revoke(*, grant: ReporterGrant, actor: User) -> ReporterGrant:
    """Take a grant back (it stays on record with who revoked it and when); log it."""
    if not access.can_grant_reporter_access(actor):
        raise PermissionDenied(_("Only supervisors may grant sight of a reporter."))
    if grant.revoked_at is not None:
        raise ValidationError({"grant": [_("This grant was already revoked.")]})
    grant.revoked_by = actor
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_by", "revoked_at"])
    _log(case=grant.case, actor=actor, purpose=PURPOSE_REVOKE, grant=grant)
    return grant
