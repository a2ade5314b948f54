"""Writes about cases other than state changes (those are `cases.workflow.perform`)."""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department, User
from minsheng.cases import access, clocks, office, search, workflow
from minsheng.cases.models import (
    Area,
    Attachment,
    Case,
    CaseClock,
    CaseEvent,
    CaseResult,
    Category,
    Channel,
    Complainant,
    MediationAgreement,
    State,
)
from minsheng.cases.numbering import case_numbers_take
from minsheng.cases.workflow import Act
from minsheng.deadlines.calendar import Due
from minsheng.deadlines.models import CaseClass, Kind, Severity, Step
from minsheng.lib import uploads
from minsheng.lib.bulk import insert_many
from minsheng.lib.hashing import keyed_hash, random_code
from minsheng.lib.phones import phone_normalise

# Five or more people, same unit, same matter: a collective complaint (集体投诉).
COLLECTIVE_MIN_PEOPLE = 5
PHONE_PURPOSE = "minsheng.complainant.phone"
# The same normalisation is frozen in migration cases/0007 (it fills these hashes).
NAME_PURPOSE = "minsheng.complainant.name"
EMAIL_PURPOSE = "minsheng.complainant.email"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PersonInput:
    """A complainant as given at submission."""

    name: str
    phone: str = ""
    email: str = ""
    id_number: str = ""
    address: str = ""
    is_representative: bool = False
    contact_by: str = Complainant.Contact.SMS


@dataclass(frozen=True)
class Submission:
    """A matter as it comes in, from any channel."""

    kind: str
    subject: str
    body: str
    channel: str = Channel.WEB
    severity: str = Severity.GENERAL
    desired_outcome: str = ""
    occurred_at: datetime | None = None
    location: str = ""
    respondent: str = ""
    respondent_department: Department | None = None
    area: Area | None = None
    latitude: Any = None
    longitude: Any = None
    category: Category | None = None
    is_anonymous: bool = False
    people: list[PersonInput] = field(default_factory=list)
    # The office's configuration (`cases.office`): its class of the case (its handling
    # becomes the severity), the extra fields of the category by code (checked and typed
    # at registration), and a regulator's reference for a regulator transfer.
    case_class: CaseClass | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    regulator_reference: str = ""


@dataclass(frozen=True)
class Registered:
    """A new case, the query code given to the complainant (never stored in clear), and the
    clocks it started with their due times (for the answer, without reading them again)."""

    case: Case
    query_code: str
    clocks: tuple[tuple[CaseClock, Due], ...] = ()


# What registering does to the clocks: the initial review starts (受理审核), and where the
# office uses them, the first feedback's (初步反馈) and a transferring regulator's answer's.
REGISTER_CLOCKS = (
    clocks.start(Step.REVIEW),
    clocks.start(Step.FEEDBACK, when=office.using(office.OptionalStep.FEEDBACK)),
    clocks.start(Step.REGULATOR, when=office.is_regulator_transfer),
)


def phone_hash(phone: str) -> str:
    """Keyed hash of a phone number, to spot repeated filing without reading the number."""
    digits = phone_normalise(phone)
    return keyed_hash(digits, purpose=PHONE_PURPOSE) if digits else ""


def name_hash(name: str) -> str:
    """Keyed hash of a complainant's name (without spaces, width and case folded): names are
    encrypted, so a search by name is an exact match on this hash, never a partial one."""
    clean = _SPACE.sub("", unicodedata.normalize("NFKC", name)).casefold()
    return keyed_hash(clean, purpose=NAME_PURPOSE) if clean else ""


def email_hash(email: str) -> str:
    """Keyed hash of an e-mail address (lower case): how a reply mail finds its case."""
    clean = email.strip().lower()
    return keyed_hash(clean, purpose=EMAIL_PURPOSE) if clean else ""


def _check_people(submission: Submission) -> None:
    if submission.is_anonymous and submission.people:
        raise ValidationError(
            {"people": [_("An anonymous matter carries no complainant details.")]}
        )
    if not submission.is_anonymous and not submission.people:
        raise ValidationError(
            {"people": [_("Give at least one complainant, or choose to stay anonymous.")]}
        )
    for index, person in enumerate(submission.people):
        if not person.name.strip():
            raise ValidationError({f"people[{index}].name": [_("This field is required.")]})
        if not (person.phone or person.email or person.address):
            raise ValidationError(
                {f"people[{index}].phone": [_("Give a phone number, e-mail or address.")]}
            )


def _check_office(submission: Submission, *, now: datetime) -> dict[str, object]:
    """What the office's configuration asks of a new matter (`cases.office`), every problem
    at once: a kind and a channel it takes, a regulator's reference for a regulator
    transfer, a matter not too old to be taken up (the reason with its legal text), and
    the category's extra fields. Returns the extra fields as stored."""
    errors: dict[str, list[str]] = {}
    if submission.kind not in office.kinds_used():
        errors["kind"] = [_("This office does not take matters of this kind.")]
    if submission.channel not in office.channels_used():
        errors["channel"] = [_("This office does not take matters through this channel.")]
    if submission.channel == Channel.REGULATOR and not submission.regulator_reference.strip():
        errors["regulator_reference"] = [_("Give the regulator's reference of the transfer.")]
    reason = office.inadmissible_because(
        kind=submission.kind, occurred_at=submission.occurred_at, now=now
    )
    if reason is not None:
        errors["occurred_at"] = [office.reason_text(reason)]
    extra: dict[str, object] = {}
    try:
        category_id = submission.category.pk if submission.category is not None else None
        extra = office.extra_clean(category_id, submission.extra)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return extra


@dataclass(frozen=True)
class CaseDraft:
    """A submission worked out as far as it can be without writing: the case row (no number
    yet), its complainants and clocks, the query code, the files ready to store.
    `case_prepare` makes it outside any transaction; `case_write` writes it inside one."""

    case: Case
    complainants: list[Complainant]
    clocks: list[tuple[CaseClock, Due]]
    query_code: str
    files: list[uploads.Prepared]


def case_prepare(
    *,
    submission: Submission,
    files: list[UploadedFile] | None = None,
    registered_at: datetime | None = None,
) -> CaseDraft:
    """Everything about registering `submission` that writes nothing (登记, part one).

    1. check the submission and its people, and what the office's configuration asks
       (`_check_office`: kind, channel, admissibility, extra fields; ValidationError names
       the field);
    2. make the query code and the case row, checked as `full_clean` checks it;
    3. make the complainants (the first one speaks for a group that named nobody);
    4. start the review clock: its due time from the policy and the calendar (the process's
       cached copy), hence the case's next due step;
    5. check and prepare the files (names, types, images re-encoded).
    On SQLite every write transaction holds the database's one write lock, so all of this
    runs before it is taken, not while other submitters wait. `registered_at` is for a
    bulk load of records registered earlier (an archive): the case and its clocks start then.
    """
    now = registered_at or timezone.now()
    errors: dict[str, list[str]] = {}
    extra: dict[str, object] = {}
    try:
        _check_people(submission)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        extra = _check_office(submission, now=now)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:  # every problem at once (a spreadsheet's row lists them all)
        raise ValidationError(errors)
    kind = submission.kind
    if submission.is_anonymous and kind == Kind.COMPLAINT:
        # 匿名投诉视为举报: with nobody to answer, an anonymous complaint is handled as a report.
        kind = Kind.REPORT
    query_code = random_code()
    case = Case(
        number="",
        query_code_hash=keyed_hash(query_code, purpose=access.QUERY_CODE_PURPOSE),
        kind=kind,
        severity=(
            submission.case_class.handling
            if submission.case_class is not None
            else submission.severity
        ),
        case_class=submission.case_class,
        extra=extra,
        regulator_reference=submission.regulator_reference.strip(),
        channel=submission.channel,
        subject=submission.subject.strip(),
        body=submission.body.strip(),
        desired_outcome=submission.desired_outcome.strip(),
        occurred_at=submission.occurred_at,
        location=submission.location.strip(),
        respondent=submission.respondent.strip(),
        respondent_department=submission.respondent_department,
        area=submission.area,
        latitude=submission.latitude,
        longitude=submission.longitude,
        category=submission.category,
        is_anonymous=submission.is_anonymous,
        is_collective=len(submission.people) >= COLLECTIVE_MIN_PEOPLE,
        state=State.SUBMITTED,
        created_at=now,
        updated_at=now,
    )
    # The number comes from the counter inside the transaction; its uniqueness is the
    # counter's and the unique index's, not a SELECT's.
    case.full_clean(exclude=["number"], validate_unique=False)
    people = list(submission.people)
    if case.is_collective and not any(p.is_representative for p in people):
        # A group speaks through representatives; without a choice, the first one is.
        people[0] = PersonInput(**{**people[0].__dict__, "is_representative": True})
    complainants = [
        Complainant(
            case=case,
            name=person.name.strip(),
            name_hash=name_hash(person.name),
            phone=person.phone.strip(),
            phone_hash=phone_hash(person.phone),
            email=person.email.strip(),
            email_hash=email_hash(person.email),
            id_number=person.id_number.strip(),
            address=person.address.strip(),
            is_representative=person.is_representative,
            contact_by=person.contact_by,
        )
        for person in people
    ]
    for complainant in complainants:
        complainant.full_clean(exclude=["case"])
    return CaseDraft(
        case=case,
        complainants=complainants,
        clocks=clocks.clocks_for_new_case(case=case, effects=REGISTER_CLOCKS, now=now),
        query_code=query_code,
        files=[uploads.upload_prepare(upload) for upload in files or []],
    )


def _rows_write(drafts: Sequence[CaseDraft]) -> None:
    """Number and insert prepared cases with their search documents, complainants and clocks:
    one statement per kind of row (the numbers of every day in one), nothing read back."""
    by_day: dict[date, list[Case]] = defaultdict(list)
    for draft in drafts:
        by_day[timezone.localdate(draft.case.created_at)].append(draft.case)
    numbers = case_numbers_take({day: len(cases) for day, cases in by_day.items()})
    for day, cases in by_day.items():
        for case, number in zip(cases, numbers[day], strict=True):
            case.number = number
    # With their search documents: found at once.
    insert_many([search.search_documents_set(draft.case) for draft in drafts])
    search.search_index_add([draft.case for draft in drafts])
    insert_many([person for draft in drafts for person in draft.complainants])
    clocks.clocks_insert([started for draft in drafts for started in draft.clocks])


def _register_event(case: Case, actor: User | None) -> CaseEvent:
    return workflow.event_build(
        case=case,
        act=Act.REGISTER,
        actor=actor,
        from_state="",
        to_state=State.SUBMITTED,
        data={"channel": case.channel, "kind": case.kind},
        now=case.created_at,
    )


@transaction.atomic(savepoint=False)
def case_write(*, draft: CaseDraft, actor: User | None) -> Registered:
    """Write a prepared case (登记, part two), in one short transaction with one statement
    per kind of row and nothing read back:

    1. take the next case number (one upsert);
    2. insert the case, with its next due step already on it, and its search row;
    3. insert its complainants (one statement) and its clocks (one statement);
    4. write the `register` event (and its audit entry) and store its files.
    The caller tells the complainant the number only after this transaction commits; what
    may follow the answer (notifications, the collective check) is queued on commit by
    whoever asks for it.
    """
    _rows_write([draft])
    event = workflow.event_save(_register_event(draft.case, actor))
    for prepared in draft.files:
        _attachment_store(case=draft.case, prepared=prepared, event=event)
    return Registered(case=draft.case, query_code=draft.query_code, clocks=tuple(draft.clocks))


@transaction.atomic(savepoint=False)
def cases_write_many(*, drafts: Sequence[CaseDraft], actor: User | None) -> list[Registered]:
    """Write many prepared cases without files (a bulk load: an archive, the benchmark's
    million) in one transaction, as `case_write` writes one, with one statement per kind of
    row for the lot. The `register` events are written together, without `post_save`:
    notify's catch-up sweep announces the recent ones (an event older than a week is
    history and announced to nobody)."""
    if any(draft.files for draft in drafts):
        raise ValueError("cases_write_many takes no files; register those cases one by one")
    _rows_write(drafts)
    workflow.events_record_many([_register_event(draft.case, actor) for draft in drafts])
    return [
        Registered(case=draft.case, query_code=draft.query_code, clocks=tuple(draft.clocks))
        for draft in drafts
    ]


def case_create(
    *, submission: Submission, actor: User | None, files: list[UploadedFile] | None = None
) -> Registered:
    """Register a matter from any channel as a new case (登记), and start its review clock:
    `case_prepare`, then `case_write`. Channels go through `intake.services.
    submission_register`, which does the same with intake's own rules around it."""
    return case_write(draft=case_prepare(submission=submission, files=files), actor=actor)


def attachment_add(
    *, case: Case, upload: UploadedFile, event: CaseEvent | None = None, is_public: bool = True
) -> Attachment:
    """Store a file with the case, as `minsheng.lib.uploads` prepares it: a clean name, the
    type its content shows, images without metadata. Every channel's files pass here, so
    a file no form checked (e-mail) is refused here too: ValidationError on `files`."""
    prepared = uploads.upload_prepare(upload)
    return _attachment_store(case=case, prepared=prepared, event=event, is_public=is_public)


def _attachment_store(
    *, case: Case, prepared: uploads.Prepared, event: CaseEvent | None, is_public: bool = True
) -> Attachment:
    attachment = Attachment(
        case=case,
        event=event,
        original_name=prepared.name,
        content_type=prepared.content_type,
        size=prepared.size,
        is_public=is_public,
        created_at=timezone.now(),
    )
    attachment.file.save(prepared.name, prepared.content, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def material_supply(
    *,
    case: Case,
    actor: access.Actor,
    note: str,
    files: list[UploadedFile] | None = None,
) -> CaseEvent:
    """The complainant (or an intake agent for them) supplies the material asked for."""
    event = workflow.perform(case=case, action=Act.SUPPLEMENT, actor=actor, note=note)
    for upload in files or []:
        attachment_add(case=case, upload=upload, event=event)
    return event


@transaction.atomic
def notification_record(
    *, case: Case, is_delivered: bool, kind: str, channel: str, recipient: str, detail: str = ""
) -> CaseEvent:
    """Note on the case's timeline that a message (to the complainant or to staff) was
    delivered, or finally failed. Staff see it; the complainant does not. Not a state change."""
    return workflow.event_record(
        case=case,
        act=Act.NOTIFIED if is_delivered else Act.NOTIFY_FAILED,
        actor=None,
        note=detail[:2000],
        data={"kind": kind, "channel": channel, "recipient": recipient},
        now=timezone.now(),
    )


@transaction.atomic
def case_files_add(
    *, case: Case, actor: User, files: list[UploadedFile], is_public: bool, note: str = ""
) -> CaseEvent:
    """A staff member adds files to an existing case (a scanned letter, a site photo).

    Steps: check `access.can_add_files`; record one timeline event (public if the files
    are); store each file with it. Not a state change.
    """
    if not access.can_add_files(actor, case):
        if case.state in access.FILES_CLOSED_STATES:
            raise workflow.TransitionNotAllowed(_("Files can no longer be added to this case."))
        raise PermissionDenied(_("You may not add files to this case."))
    if not files:
        raise ValidationError({"files": [_("Choose at least one file.")]})
    event = workflow.event_record(
        case=case,
        act=Act.FILES_ADDED,
        actor=actor,
        note=note[:2000],
        # How many, not their names: a file's name may name its owner, and the names are
        # kept encrypted on the attachments (`Attachment.original_name`).
        data={"files": len(files)},
        is_public=is_public,
        now=timezone.now(),
    )
    for upload in files:
        attachment_add(case=case, upload=upload, event=event, is_public=is_public)
    return event


@transaction.atomic
def complainant_message_add(
    *,
    case: Case,
    actor: access.Actor,
    note: str,
    channel: str,
    files: list[UploadedFile] | None = None,
) -> CaseEvent:
    """The complainant writes again about their case (a reply to a case e-mail) while no
    material is awaited: one public timeline event with the text, and the files with it.
    Not a state change; when material is awaited, `material_supply` is the one to call."""
    if not note.strip() and not files:
        raise ValidationError({"note": [_("The message is empty.")]})
    event = workflow.event_record(
        case=case,
        act=Act.COMPLAINANT_MESSAGE,
        actor=actor if isinstance(actor, User) else None,
        note=note.strip()[:20000],
        data={"channel": channel},
        now=timezone.now(),
    )
    for upload in files or []:
        attachment_add(case=case, upload=upload, event=event)
    return event


@transaction.atomic
def case_flag_collective(
    *, case: Case, actor: User | None, cases: list[str], people: int
) -> CaseEvent | None:
    """Mark a case as part of a collective complaint (集体投诉: five or more people, same
    unit, same matter) and record why on its timeline. A flag, not a state. Idempotent:
    returns None, and writes nothing, when the case is already flagged."""
    if not Case.objects.filter(pk=case.pk, is_collective=False).update(is_collective=True):
        return None
    case.is_collective = True
    return workflow.event_record(
        case=case,
        act=Act.COLLECTIVE_FLAGGED,
        actor=actor,
        data={"cases": cases, "people": people},
        now=timezone.now(),
    )


ANONYMISED_NAME = "（已匿名）"  # what stays of a complainant's name after the retention period


@transaction.atomic
def complainants_anonymise(*, closed_before: datetime, limit: int) -> int:
    """Remove the personal data of the complainants of archived cases closed before
    `closed_before` (the retention policy): name, phone (and its hash), e-mail, ID number and
    address. The case and its figures stay as they were. Returns how many were anonymised."""
    people = Complainant.objects.filter(
        anonymised_at__isnull=True, case__state=State.ARCHIVED, case__closed_at__lt=closed_before
    ).values_list("pk", flat=True)[:limit]
    return Complainant.objects.filter(pk__in=list(people)).update(
        name=ANONYMISED_NAME,
        name_hash="",
        phone="",
        phone_hash="",
        email="",
        email_hash="",
        id_number="",
        address="",
        contact_by=Complainant.Contact.NONE,
        anonymised_at=timezone.now(),
    )


# --- Records some offices keep: a mediation agreement's follow-up, the customer's signature -
# The lifecycle's `mediate` action (outcome "agreement") writes the `MediationAgreement`;
# what follows it is recorded here, beside the lifecycle: not state changes, but timeline
# lines (`workflow.event_record`, each with its audit entry). Names of the parties stay on
# the agreement and the result, never in an event's data (staff who may not see who
# complained read the timeline).

PERSON_NAME_MAX = 100
SIGNED_BY_MAX = 2000  # every party who signed
NOTE_MAX = 20000


def _check_moment(
    field_name: str, moment: datetime, *, now: datetime, not_before: datetime
) -> None:
    """A moment a person says something happened: not in the future, not before
    `not_before` (to the minute: forms give moments to the minute)."""
    if moment > now:
        raise ValidationError({field_name: [_("This moment is in the future.")]})
    if moment < not_before.replace(second=0, microsecond=0):
        raise ValidationError({field_name: [_("This moment is before the matter was received.")]})


def _record_refusal(case: Case) -> None:
    if case.state in access.RECORDS_CLOSED_STATES:
        raise workflow.TransitionNotAllowed(
            _("Not possible while the case is %(state)s.") % {"state": State(case.state).label}
        )


@transaction.atomic
def mediation_signatures_record(
    *,
    agreement: MediationAgreement,
    signed_by: str,
    signed_at: datetime,
    copies_issued_at: datetime,
    actor: User,
) -> MediationAgreement:
    """Record that a mediation agreement (调解协议书) was signed, by whom, and when its copies
    were issued to the parties (the agriculture bureau's triplicate).

    1. the actor must be a handler or head of the lead department, or a supervisor
       (`access.can_record_mediation`), else PermissionDenied;
    2. the case must not be merged or archived, and the agreement not signed yet
       (TransitionNotAllowed);
    3. the names and moments are checked (ValidationError names the field);
    4. the agreement is updated only if still unsigned (of two signings at once, one wins);
    5. a `mediation_signed` line goes on the timeline (the complainant sees it).
    """
    case = Case.objects.get(pk=agreement.case_id)
    if not access.can_record_mediation(actor, case):
        raise PermissionDenied(_("You may not record this agreement."))
    _record_refusal(case)
    if agreement.signed_at is not None:
        raise workflow.TransitionNotAllowed(_("The agreement is already signed."))
    now = timezone.now()
    signed_by = signed_by.strip()
    if not signed_by:
        raise ValidationError({"signed_by": [_("This field is required.")]})
    if len(signed_by) > SIGNED_BY_MAX:
        raise ValidationError({"signed_by": [_("This text is too long.")]})
    _check_moment("signed_at", signed_at, now=now, not_before=case.created_at)
    if copies_issued_at < signed_at:
        raise ValidationError(
            {"copies_issued_at": [_("Copies are issued once the agreement is signed.")]}
        )
    _check_moment("copies_issued_at", copies_issued_at, now=now, not_before=case.created_at)
    changed = MediationAgreement.objects.filter(pk=agreement.pk, signed_at__isnull=True).update(
        signed_by=signed_by, signed_at=signed_at, copies_issued_at=copies_issued_at
    )
    if changed != 1:
        raise workflow.TransitionNotAllowed(_("The agreement is already signed."))
    agreement.refresh_from_db()
    workflow.event_record(
        case=case,
        act=Act.MEDIATION_SIGNED,
        actor=actor,
        data={
            "agreement": agreement.pk,
            "copies": agreement.copies,
            "signed_at": signed_at.isoformat(),
            "copies_issued_at": copies_issued_at.isoformat(),
        },
        now=now,
    )
    return agreement


# What a follow-up may find; "pending" is what it ends.
FULFILMENT_FINDINGS = frozenset(
    {MediationAgreement.Fulfilment.FULFILLED, MediationAgreement.Fulfilment.NOT_FULFILLED}
)


@transaction.atomic
def mediation_fulfilment_record(
    *, agreement: MediationAgreement, fulfilment: str, note: str, actor: User
) -> MediationAgreement:
    """Record the follow-up of a signed agreement: fulfilled, or not (with what happened).
    An agreement found not fulfilled may be followed up again; a fulfilled one is done.

    1. access as for the signatures (PermissionDenied);
    2. the case must not be merged or archived, the agreement signed and not yet found
       fulfilled (TransitionNotAllowed);
    3. the finding is one of fulfilled / not fulfilled, a note says why it is not
       (ValidationError names the field);
    4. the agreement is updated only if its fulfilment is still the one read;
    5. a `mediation_followed_up` line goes on the timeline (internal), the note with it.
    """
    case = Case.objects.get(pk=agreement.case_id)
    if not access.can_record_mediation(actor, case):
        raise PermissionDenied(_("You may not record this agreement."))
    _record_refusal(case)
    if agreement.signed_at is None:
        raise workflow.TransitionNotAllowed(
            _("Record the signatures before following up the fulfilment.")
        )
    if agreement.fulfilment == MediationAgreement.Fulfilment.FULFILLED:
        raise workflow.TransitionNotAllowed(_("The agreement is already fulfilled."))
    if fulfilment not in FULFILMENT_FINDINGS:
        raise ValidationError({"fulfilment": [_("Choose fulfilled or not fulfilled.")]})
    note = note.strip()
    if fulfilment == MediationAgreement.Fulfilment.NOT_FULFILLED and not note:
        raise ValidationError({"note": [_("Say what was not fulfilled.")]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("This text is too long.")]})
    now = timezone.now()
    changed = MediationAgreement.objects.filter(
        pk=agreement.pk, fulfilment=agreement.fulfilment
    ).update(fulfilment=fulfilment, fulfilment_note=note, fulfilment_checked_at=now)
    if changed != 1:
        raise workflow.TransitionNotAllowed(
            _("Someone else changed this agreement first; reload it.")
        )
    agreement.refresh_from_db()
    workflow.event_record(
        case=case,
        act=Act.MEDIATION_FOLLOWED_UP,
        actor=actor,
        note=note,
        data={"agreement": agreement.pk, "fulfilment": fulfilment},
        now=now,
    )
    return agreement


@transaction.atomic
def result_signature_record(
    *, case: Case, name: str, signed_at: datetime, actor: User
) -> CaseResult:
    """Record the customer's signature on the answer (the insurer's 客户签字确认): who signed
    the latest result, and when.

    1. the actor must be a handler or head of the lead department, or an intake agent
       (`access.can_record_result_signature`), else PermissionDenied;
    2. the case must be replied with a department's result (not merged or archived, not
       redone since), and that result not signed yet (TransitionNotAllowed);
    3. the name and the moment are checked (ValidationError names the field);
    4. the result is updated only if still unsigned;
    5. a `result_signed` line goes on the timeline (the complainant sees it).
    """
    current = Case.objects.get(pk=case.pk)
    if not access.can_record_result_signature(actor, current):
        raise PermissionDenied(_("You may not record the customer's signature on this case."))
    _record_refusal(current)
    result = current.results.first()
    if current.replied_at is None or result is None:
        raise workflow.TransitionNotAllowed(
            _("The customer signs the result once the case is replied.")
        )
    if result.customer_signed_at is not None:
        raise workflow.TransitionNotAllowed(_("The customer already signed this result."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    if len(name) > PERSON_NAME_MAX:
        raise ValidationError({"name": [_("This name is too long.")]})
    now = timezone.now()
    _check_moment("signed_at", signed_at, now=now, not_before=current.created_at)
    if signed_at < result.submitted_at.replace(second=0, microsecond=0):
        raise ValidationError({"signed_at": [_("This moment is before the result was written.")]})
    changed = CaseResult.objects.filter(pk=result.pk, customer_signed_at__isnull=True).update(
        customer_signed_at=signed_at, customer_signed_name=name
    )
    if changed != 1:
        raise workflow.TransitionNotAllowed(_("The customer already signed this result."))
    result.refresh_from_db()
    workflow.event_record(
        case=current,
        act=Act.RESULT_SIGNED,
        actor=actor,
        data={"result": result.pk, "signed_at": signed_at.isoformat()},
        now=now,
    )
    return result
