"""Reads for intake."""

from django.db.models import QuerySet

from minsheng.cases.models import Case, Complainant
from minsheng.cases.services import email_hash
from minsheng.intake.models import ImportJob


def case_for_reply(*, number: str, sender: str) -> Case | None:
    """The case a reply belongs to: only if `sender` (an e-mail address) is one of the case's
    complainants, since anyone can write a case number into a mail."""
    case = Case.objects.filter(number=number.strip().upper()).first()
    if case is None or not sender.strip():
        return None
    # E-mail addresses are encrypted: the match is on their keyed hash.
    is_complainant = Complainant.objects.filter(case=case, email_hash=email_hash(sender)).exists()
    return case if is_complainant else None


def import_jobs_recent(*, limit: int = 20) -> QuerySet[ImportJob]:
    """The latest spreadsheet imports, newest first, with who uploaded them."""
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]


def import_job_get(*, pk: int) -> ImportJob | None:
    """One spreadsheet import, or None."""
    return ImportJob.objects.select_related("created_by").filter(pk=pk).first()
