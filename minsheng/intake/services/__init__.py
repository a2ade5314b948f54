"""Writes for intake: the single entry point every channel ends in.

Web form, staff registration, REST API, Open311, e-mail and the spreadsheet import all
register a matter through `submission_register`, so what applies to every new matter
(emergency words make it urgent, ...) is written once, here. The channels' own writes are
in `services.mail` (e-mail in) and `services.imports` (spreadsheet import).
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minsheng.accounts.models import User
from minsheng.cases.services import (
    CaseDraft,
    Registered,
    Submission,
    case_prepare,
    case_write,
    cases_write_many,
)
from minsheng.deadlines.models import Severity
from minsheng.intake.emergency import emergency_numbers
from minsheng.routing.services import Suggestion, feedback_record


def submission_prepare(submission: Submission) -> Submission:
    """The submission as intake registers it: a matter whose words point to an emergency
    (110/119/120) is urgent, whatever the channel said."""
    texts = (submission.subject, submission.body, submission.desired_outcome, submission.location)
    if emergency_numbers(*texts) and submission.severity != Severity.URGENT:
        return replace(submission, severity=Severity.URGENT)
    return submission


def submission_register(
    *,
    submission: Submission,
    actor: User | None,
    files: list[UploadedFile] | None = None,
    suggestion: Suggestion | None = None,
) -> Registered:
    """Register a matter that came in through any channel as a new case.

    1. apply the rules common to every channel (`submission_prepare`), and work the case
       out without writing (`cases.services.case_prepare`: checks, clocks, files), before
       any transaction: on SQLite a write transaction holds the one write lock;
    2. in one short transaction: write the case (`case_write`: number, case, complainants,
       event, clocks); when staff chose its category with the routing model's `suggestion`
       in front of them, keep what they chose against it (routing feedback, to retrain
       from). The `register` event queues what follows with the transaction (the receipt,
       the collective-complaint check: `settings.EVENT_CONSUMERS`).
    The caller tells the complainant the number only after this returns (committed).
    """
    draft = case_prepare(submission=submission_prepare(submission), files=files)
    with transaction.atomic(savepoint=False):
        registered = case_write(draft=draft, actor=actor)
        if suggestion is not None and submission.category is not None:
            feedback_record(
                case=registered.case,
                suggestion=suggestion,
                chosen_category=submission.category,
                actor=actor,
            )
    return registered


def submission_draft(*, submission: Submission, registered_at: datetime | None = None) -> CaseDraft:
    """A matter of a bulk load (an archive, a large sheet) worked out as `submission_register`
    works one out, without writing: ValidationError names the field that is wrong."""
    return case_prepare(submission=submission_prepare(submission), registered_at=registered_at)


@transaction.atomic(savepoint=False)
def drafts_register(*, drafts: Sequence[CaseDraft], actor: User | None) -> list[Registered]:
    """Register many matters (`submission_draft`) in one transaction: one statement per
    kind of row for the lot (`cases.services.cases_write_many`). Their collective-complaint
    check is routing's sweep (`collective_sweep`), not one queued task per case, and their
    acknowledgements come from notify's catch-up sweep."""
    return cases_write_many(drafts=drafts, actor=actor)
