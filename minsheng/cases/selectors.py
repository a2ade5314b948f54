"""Reads about cases, and the two read models of one case: what a staff member sees
(`case_view_for_staff`) and what the complainant sees (`case_view_for_complainant`). The
pages and the API both render these; neither assembles a case on its own."""

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db.models import F, Max, QuerySet
from django.utils import timezone

from minsheng.accounts.models import Department, User
from minsheng.cases import access, workflow
from minsheng.cases.clocks import clock_due
from minsheng.cases.models import (
    Attachment,
    Case,
    CaseClock,
    CaseEvent,
    CaseResult,
    ExtensionRequest,
    LinkKind,
    MediationAgreement,
    State,
)
from minsheng.cases.workflow import Act
from minsheng.deadlines.calendar import Due
from minsheng.deadlines.models import Step, Unit
from minsheng.deadlines.selectors import calendar_get
from minsheng.lib.pagination import Section
from minsheng.lib.pii import pii_contains


def timeline_for(case: Case, *, public: bool) -> QuerySet[CaseEvent]:
    """A case's events, oldest first; only those meant for the complainant if `public`."""
    events = case.events.select_related("actor").prefetch_related("attachments")
    return events.filter(is_public=True) if public else events


def open_clocks_for(case: Case) -> list[tuple[CaseClock, Due]]:
    """The case's running clocks with their due times and explanations, soonest first."""
    calendar = calendar_get()
    running = case.clocks.filter(stopped_at__isnull=True).order_by("due_at")
    return [(clock, clock_due(clock, calendar)) for clock in running]


def case_list_for_user(user: User) -> QuerySet[Case]:
    """Cases `user` may see, newest first, with what lists show joined in."""
    return access.cases_visible_to(user).select_related("department", "category", "area")


# The sort keys of case lists paged by cursor (`lib.pagination`): each is served by an index
# (case_created, case_department_created; by due time case_open_next_due, then
# case_due_created for the cases without one), the id last to make it unique.
NEWEST_FIRST = ("-created_at", "-pk")
OLDEST_FIRST = ("created_at", "pk")


def case_sections_by_due(cases: QuerySet[Case], *, latest_first: bool = False) -> list[Section]:
    """`cases` by due time as lists page through them: those with a due time, soonest
    (or latest) first, then those without one, newest first; the same on every database
    (NULLs sort first on one and last on the other)."""
    due = ("-next_due_at", "-pk") if latest_first else ("next_due_at", "pk")
    return [
        Section(cases.filter(next_due_at__isnull=False), due),
        Section(cases.filter(next_due_at__isnull=True), NEWEST_FIRST),
    ]


def clocks_due_before(*, before: datetime) -> QuerySet[CaseClock]:
    """Running (not paused) clocks due at or before `before`, soonest first, with the case,
    its department and handler joined in (for due-soon and overdue reminders)."""
    return (
        CaseClock.objects.filter(stopped_at__isnull=True, due_at__isnull=False, due_at__lte=before)
        .select_related("case", "case__department", "case__handler")
        .order_by("due_at", "id")
    )


def event_get(event_id: int) -> CaseEvent:
    """One timeline event with its case (and the case's department) joined in."""
    return CaseEvent.objects.select_related("case", "case__department", "case__category").get(
        pk=event_id
    )


def event_last_id() -> int:
    """The id of the newest timeline event (0 when there is none)."""
    return CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0


def events_after(*, after_id: int, limit: int) -> QuerySet[CaseEvent]:
    """Timeline events with an id above `after_id`, oldest first (for catch-up readers)."""
    return CaseEvent.objects.filter(pk__gt=after_id).order_by("id")[:limit]


@dataclass(frozen=True)
class PublicAnswer:
    """The answer the complainant has received: given at intake, or a department's result."""

    text: str
    result: CaseResult | None


def public_answer_for(case: Case) -> PublicAnswer | None:
    """The answer that reached the complainant, or None while there is none.

    A department's result reaches them when the case is replied (`replied_at` is set); a
    review that orders the case redone clears `replied_at`, so a redone case shows nothing
    until the new result is approved.
    """
    if case.replied_at is None:
        return None
    if case.answer:
        return PublicAnswer(text=case.answer, result=None)
    result = case.results.first()
    return PublicAnswer(text="", result=result) if result is not None else None


def public_note(event: CaseEvent) -> str:
    """The part of an event's note the complainant may read: the note of a public event
    whose note the lifecycle table addresses to (or has written by) the complainant, else
    "" (an assignment's or an approval's note may be an internal instruction)."""
    if event.is_public and workflow.is_note_for_complainant(event.action):
        return event.note
    return ""


@dataclass(frozen=True)
class PublicEvent:
    """One line of the complainant's timeline."""

    action: str
    label: str
    state: str
    state_label: str
    note: str
    created_at: datetime
    files: list[Attachment]


def _public_event(event: CaseEvent) -> PublicEvent:
    return PublicEvent(
        action=event.action,
        label=workflow.public_event_label(event.action),
        state=event.to_state,
        state_label=str(State(event.to_state).label) if event.to_state else "",
        note=public_note(event),
        created_at=event.created_at,
        files=[file for file in event.attachments.all() if file.is_public],
    )


def public_event_for(event: CaseEvent) -> PublicEvent:
    """One event as the complainant sees it (the answer to a complainant's action)."""
    return _public_event(event)


def material_request_for(case: Case) -> CaseEvent | None:
    """The latest request for missing material (what the complainant is asked to supply)."""
    return case.events.filter(action=Act.REQUEST_INFO).order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class CaseForComplainant:
    """Everything the complainant may see of their case; the portal's tracking page and
    `GET /api/v1/public/cases/{number}` both show exactly this."""

    case: Case
    clocks: list[tuple[CaseClock, Due]]
    timeline: list[PublicEvent]
    answer: PublicAnswer | None
    # What material is asked for, while the complainant may supply it.
    material_request: str
    # The actions the complainant may take now (supplement, rate, appeal).
    allowed_actions: list[str]


def case_view_for_complainant(case: Case, citizen: access.Citizen) -> CaseForComplainant:
    """The complainant's view of `case` (the caller has proven the query code)."""
    allowed = workflow.allowed_actions(case, citizen)
    request = material_request_for(case) if Act.SUPPLEMENT in allowed else None
    return CaseForComplainant(
        case=case,
        clocks=open_clocks_for(case),
        timeline=[_public_event(event) for event in timeline_for(case, public=True)],
        answer=public_answer_for(case),
        material_request=public_note(request) if request is not None else "",
        allowed_actions=allowed,
    )


@dataclass(frozen=True)
class LinkView:
    """Another case linked to this one, from this case's side."""

    number: str
    kind: str
    kind_label: str
    direction: str  # "out": this case links to it; "in": it links to this case


@dataclass(frozen=True)
class CaseForStaff:
    """Everything a staff member may see of one case, personal data masked as `access`
    decides; the workbench's case page and `GET /api/v1/cases/{number}` both show this.
    The free texts are `subject`, `body` and `desired_outcome` here (masked when the reader
    may not see personal data), never `case.subject` and friends; the timeline's notes are
    masked the same way."""

    case: Case
    subject: str
    body: str
    desired_outcome: str
    complainants: list[access.ComplainantView]
    attachments: list[Attachment]
    links: list[LinkView]
    merged_cases: list[Case]
    co_departments: list[Department]
    timeline: list[CaseEvent]
    clocks: list[tuple[CaseClock, Due]]
    result: CaseResult | None  # the newest result
    extension_requests: list[ExtensionRequest]
    actions: list[str]
    may_add_files: bool
    # Records some offices keep: mediation agreements, and the customer's signature on the
    # newest result (the name as this reader may read it; whether they may record it now).
    mediation_agreements: list["AgreementView"] = field(default_factory=list)
    result_signed_name: str = ""
    may_record_result_signature: bool = False

    @property
    def pending_extensions(self) -> list[ExtensionRequest]:
        return [r for r in self.extension_requests if r.status == ExtensionRequest.Status.PENDING]

    @property
    def extension_unit(self) -> str:
        """What an extension is counted in: the result clock's unit (hours for urgent cases)."""
        units = [clock.unit for clock, _due in self.clocks if clock.step == Step.RESULT]
        return str(Unit(units[0]).label if units else Unit.WORKING_DAYS.label)

    @property
    def appeal_until(self) -> datetime | None:
        """Until when the complainant may still appeal: while the answer stands, unrated or
        rated neutral or poor (the case stays replied); None once rated satisfied (closed),
        appealed, or closed after the window."""
        return self.case.appeal_until if self.case.state == State.REPLIED else None

    def as_context(self) -> dict[str, Any]:
        """The fields as a template context."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "pending_extensions": self.pending_extensions,
            "extension_unit": self.extension_unit,
            "appeal_until": self.appeal_until,
        }


def _links_of(case: Case) -> list[LinkView]:
    labels = dict(LinkKind.choices)
    return [
        LinkView(link.to_case.number, link.kind, str(labels.get(link.kind, link.kind)), "out")
        for link in case.links_out.select_related("to_case")
    ] + [
        LinkView(link.from_case.number, link.kind, str(labels.get(link.kind, link.kind)), "in")
        for link in case.links_in.select_related("from_case")
    ]


def timeline_for_staff(case: Case, user: User) -> list[CaseEvent]:
    """A case's whole timeline for a staff member, the notes masked as
    `access.text_masker_for` decides (a complainant's supplement may hold a phone number).
    The events are fresh rows read for this reader; they are never saved (events are
    append-only), so masking their notes in place changes nothing stored."""
    shown = access.text_masker_for(user, case)
    events = list(timeline_for(case, public=False))
    for event in events:
        event.note = shown(event.note)
    return events


def case_view_for_staff(case: Case, user: User, *, purpose: str) -> CaseForStaff:
    """A staff member's view of `case` (reached through `access.access_case`).

    1. the complainants through `access.complainant_for` (masked, or logged with `purpose`);
    2. the free texts and the timeline's notes through `access.text_masker_for`;
    3. a clear look at personal data written into the text of a case without complainants
       (anonymous) is logged like a look at the complainant block.
    """
    complainants = access.complainant_for(user, case, purpose=purpose)
    shown = access.text_masker_for(user, case)
    texts = (case.subject, case.body, case.desired_outcome)
    timeline = timeline_for_staff(case, user)
    if (
        not complainants
        and any(pii_contains(text) for text in texts)
        and access.can_see_personal_data(user, case)
    ):
        access.personal_data_look_log(user, case, purpose=purpose)
    result = case.results.select_related("submitted_by").first()
    return CaseForStaff(
        case=case,
        subject=shown(case.subject),
        body=shown(case.body),
        desired_outcome=shown(case.desired_outcome),
        complainants=complainants,
        attachments=list(case.attachments.select_related("event")),
        links=_links_of(case),
        merged_cases=list(case.merged_cases.only("number", "subject")),
        co_departments=list(case.co_departments.all()),
        timeline=timeline,
        clocks=open_clocks_for(case),
        result=result,
        extension_requests=list(case.extension_requests.select_related("requested_by")),
        actions=workflow.allowed_actions(case, user),
        may_add_files=access.can_add_files(user, case),
        mediation_agreements=mediation_agreements_for(user, case),
        result_signed_name=access.person_name_for(
            user, case, result.customer_signed_name if result else ""
        ),
        may_record_result_signature=result_signature_open(case, result)
        and access.can_record_result_signature(user, case),
    )


def result_signature_open(case: Case, result: CaseResult | None) -> bool:
    """Whether the customer's signature on `result`, the newest of `case`, may be recorded
    now: the case is replied with it and it is not signed yet (`services.
    result_signature_record` checks the same, and who may)."""
    return (
        result is not None
        and case.replied_at is not None
        and result.customer_signed_at is None
        and case.state not in access.RECORDS_CLOSED_STATES
    )


def attachment_get(case: Case, pk: int, *, public: bool) -> Attachment | None:
    """One file of the case (only one the complainant may see if `public`), or None."""
    files = case.attachments.filter(pk=pk)
    return (files.filter(is_public=True) if public else files).first()


# --- Records some offices keep: mediation agreements (调解协议书) ------------------------


@dataclass(frozen=True)
class AgreementView:
    """One mediation agreement as a staff member may read it: the parties and who signed
    as `access.person_name_for` shows them, the terms and the follow-up note through
    `access.text_masker_for`, and whether they may record its signatures or fulfilment."""

    agreement: MediationAgreement
    parties: str
    terms: str
    signed_by: str
    fulfilment_note: str
    is_overdue: bool
    may_sign: bool
    may_follow_up: bool


def mediation_agreements_for(
    user: User, case: Case, *, now: datetime | None = None
) -> list[AgreementView]:
    """The mediation agreements of `case` (reached through `access.access_case`), newest
    first, as `user` may read them. Unmasked names are a look at personal data: the case
    page logs its look once (`case_view_for_staff`), other callers log theirs."""
    agreements = list(MediationAgreement.objects.filter(case=case))
    if not agreements:
        return []
    now = now or timezone.now()
    shown = access.text_masker_for(user, case)
    may_record = (
        access.can_record_mediation(user, case) and case.state not in access.RECORDS_CLOSED_STATES
    )
    fulfilled = MediationAgreement.Fulfilment.FULFILLED
    return [
        AgreementView(
            agreement=a,
            parties=access.person_name_for(user, case, a.parties),
            terms=shown(a.terms),
            signed_by=access.person_name_for(user, case, a.signed_by),
            fulfilment_note=shown(a.fulfilment_note),
            is_overdue=mediation_follow_up_is_overdue(a, now),
            may_sign=may_record and a.signed_at is None,
            may_follow_up=may_record and a.signed_at is not None and a.fulfilment != fulfilled,
        )
        for a in agreements
    ]


def mediation_follow_up_is_overdue(agreement: MediationAgreement, now: datetime) -> bool:
    """Whether a signed agreement's fulfilment should have been followed up by now."""
    return (
        agreement.signed_at is not None
        and agreement.fulfilment == MediationAgreement.Fulfilment.PENDING
        and agreement.follow_up_by is not None
        and agreement.follow_up_by < now
    )


def mediation_follow_ups_for(
    user: User, *, due_before: datetime | None = None
) -> QuerySet[MediationAgreement]:
    """Signed agreements whose fulfilment is not yet followed up, on cases `user` may see,
    the soonest follow-up first (those without a date last); with `due_before`, only those
    due by then (due or overdue). The case and its lead department are joined in."""
    agreements = MediationAgreement.objects.filter(
        signed_at__isnull=False,
        fulfilment=MediationAgreement.Fulfilment.PENDING,
        case__in=access.cases_visible_to(user),
    )
    if due_before is not None:
        agreements = agreements.filter(follow_up_by__lte=due_before)
    return agreements.select_related("case", "case__department").order_by(
        F("follow_up_by").asc(nulls_last=True), "id"
    )


def mediation_agreement_get(case: Case, pk: int) -> MediationAgreement | None:
    """One mediation agreement of `case` (reached through `access.access_case`), or None."""
    return MediationAgreement.objects.filter(case=case, pk=pk).first()
