"""Reads for intake."""

from django.db.models import QuerySet

from minsheng.cases.models import Case, Complainant
from minsheng.intake.models import ImportJob


def case_for_reply(*, number: str, sender: str | None) -> Case | None:
    """The case a reply belongs to. With `sender`, only if that e-mail address is one of the
    case's complainants (used when the number came from a subject, which anyone can type)."""
    case = Case.objects.filter(number=number.strip().upper()).first()
    if case is None or sender is None:
        return case
    is_complainant = Complainant.objects.filter(case=case, email__iexact=sender.strip()).exists()
    return case if is_complainant else None


def import_jobs_recent(*, limit: int = 20) -> QuerySet[ImportJob]:
    """The latest spreadsheet imports, newest first, with who uploaded them."""
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]


def import_job_get(*, pk: int) -> ImportJob | None:
    """One spreadsheet import, or None."""
    return ImportJob.objects.select_related("created_by").filter(pk=pk).first()
