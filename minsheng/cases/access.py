"""Who may see a case, see its complainants' personal data, and act on it.

Every page, endpoint and job asks here. "No such case" and "not yours" look the same
(Http404), so a case number cannot be probed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from minsheng.accounts.models import Role, User
from minsheng.accounts.selectors import RoleFacts, role_facts_for
from minsheng.audit.models import Kind as AuditKind
from minsheng.audit.services import entry_append
from minsheng.cases.models import Case, Complainant, PersonalDataAccess, ReporterGrant, State
from minsheng.cases.office import office_get
from minsheng.deadlines.models import Kind
from minsheng.lib.hashing import keyed_hash_matches
from minsheng.lib.phones import phone_mask
from minsheng.lib.pii import pii_mask

QUERY_CODE_PURPOSE = "minsheng.case.query_code"
# A tracking link sent to the complainant's own address opens the case like the query code.
TRACKING_LINK_PURPOSE = "minsheng.case.tracking_link"
TRACKING_TOKEN_MAX_AGE = timedelta(days=365)

# Roles that see every case (the hotline centre and oversight).
CENTRE_ROLES = frozenset(
    {Role.INTAKE, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN, Role.AUDITOR}
)
# Roles that need to reach the complainant, and so may see their personal data.
PERSONAL_DATA_ROLES = frozenset(
    {Role.INTAKE, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.HANDLER, Role.HEAD}
)


@dataclass(frozen=True)
class Citizen:
    """The complainant of one case, proven by its query code. Holds no account."""

    case_id: int

    @property
    def is_authenticated(self) -> bool:
        return False


@dataclass(frozen=True)
class System:
    """Minsheng itself, acting on a case by a policy (archiving closed cases). Holds no
    account; its only role is `Role.SYSTEM`, which the lifecycle table grants sparingly."""

    @property
    def is_authenticated(self) -> bool:
        return False


Actor = User | Citizen | System


def citizen_for(case: Case, query_code: str) -> Citizen | None:
    """The complainant of `case` if `query_code` is the case's code."""
    code = query_code.strip().upper()
    if code and keyed_hash_matches(code, case.query_code_hash, purpose=QUERY_CODE_PURPOSE):
        return Citizen(case_id=case.pk)
    return None


def acting_facts(user: User) -> RoleFacts:
    """The user's roles as they act on cases: department roles on their own department's
    cases, and, when the office says departments see their branches
    (`Office.departments_see_subtree`: an insurer's head office), on the cases of every
    department under it too. A branch never reaches a sibling or its parent. Read once per
    user object (`accounts.selectors.role_facts_for`)."""
    return role_facts_for(user, subtrees=office_get().departments_see_subtree)


def roles_on_case(actor: Actor, case: Case, *, co_department: bool = False) -> frozenset[Role]:
    """The roles `actor` holds with respect to this case.

    Centre roles apply to every case. Department roles apply to the lead department's
    cases, or with `co_department=True` to the cases their department co-handles (each
    with the departments under them, where the office says so: `acting_facts`).
    """
    if isinstance(actor, Citizen):
        return frozenset({Role.PUBLIC}) if actor.case_id == case.pk else frozenset()
    if isinstance(actor, System):
        return frozenset({Role.SYSTEM})
    facts = acting_facts(actor)
    if co_department:
        department_ids = {d.pk for d in case.co_departments.all()}
    else:
        department_ids = {case.department_id} if case.department_id else set()
    return facts.global_roles | facts.roles_for_departments(department_ids)


def can_view(actor: Actor, case: Case) -> bool:
    """Whether `actor` may open the case at all."""
    if isinstance(actor, Citizen):
        return actor.case_id == case.pk
    if isinstance(actor, System):
        return False
    facts = acting_facts(actor)
    if facts.global_roles & CENTRE_ROLES:
        return True
    involved = {case.department_id} | {d.pk for d in case.co_departments.all()}
    return bool(facts.roles_for_departments({d for d in involved if d}))


CO_HANDLED_INLINE = 2000  # see cases_visible_to


def _visible_conditions(user: User) -> tuple[Q, QuerySet[Any]] | bool:
    """What `user` may see as the cases of their departments and the ids of the cases those
    departments co-handle (a subquery); True for every case, False for none."""
    facts = acting_facts(user)
    if facts.global_roles & CENTRE_ROLES:
        return True
    department_ids = sorted(facts.reached_department_ids)
    if not department_ids:
        return False
    co_handled = Case.co_departments.through.objects.filter(
        department_id__in=department_ids
    ).values_list("case_id", flat=True)
    return Q(department_id__in=department_ids), co_handled


def cases_visible_to(user: User) -> QuerySet[Case]:
    """All cases `user` may open, as a queryset to filter further. A head office's
    subtree is a short list of department ids, read once with the user's role facts."""
    conditions = _visible_conditions(user)
    if isinstance(conditions, bool):
        return Case.objects.all() if conditions else Case.objects.none()
    own, co_handled = conditions
    # No join + DISTINCT: DISTINCT over every column of a large list is a sort of the whole
    # result. The co-handled case ids are read first when there are not too many, so both
    # halves of the OR are index lookups (PostgreSQL cannot combine a subquery that way).
    co_ids = list(co_handled[: CO_HANDLED_INLINE + 1])
    co = Q(pk__in=co_ids) if len(co_ids) <= CO_HANDLED_INLINE else Q(pk__in=co_handled)
    return Case.objects.filter(own | co)


def cases_visible_parts(user: User) -> list[QuerySet[Case]]:
    """`cases_visible_to` as disjoint parts whose union it is, for counting: the cases of
    the user's departments, then those they co-handle that are another's. A count of the
    union reads every row it counts (no index holds "this department or one of these
    ids"); each part's count is read from its index alone (at a million cases, a handler's
    count to 10,001 took 280 ms; its parts 1 and 7 ms)."""
    conditions = _visible_conditions(user)
    if isinstance(conditions, bool):
        return [Case.objects.all()] if conditions else []
    own, co_handled = conditions
    return [Case.objects.filter(own), Case.objects.filter(pk__in=co_handled).exclude(own)]


def access_case(user: User, number: str) -> Case:
    """The case with this number if `user` may see it; Http404 otherwise."""
    case = (
        Case.objects.select_related("department", "category", "area", "handler")
        .filter(number=number)
        .first()
    )
    if case is None or not can_view(user, case):
        raise Http404("No such case.")
    return case


def access_case_public(
    number: str, query_code: str = "", *, token: str = ""
) -> tuple[Case, Citizen]:
    """The case and its complainant for the public tracking page, proven by the query code
    or by a tracking link's token; Http404 on a wrong or expired one. A wrong number and a
    wrong code raise the same Http404 after the same work (the code is compared as a keyed
    hash in constant time either way); the public views rate-limit the look-ups
    (`lib.ratelimits.lookup_refused`)."""
    number = number.strip().upper()
    case = Case.objects.filter(number=number).first()
    if case is None:
        # Hash the code anyway, so a wrong number takes as long as a wrong code.
        keyed_hash_matches(query_code.strip().upper(), "", purpose=QUERY_CODE_PURPOSE)
        raise Http404("No such case.")
    citizen = citizen_for(case, query_code) if query_code else None
    if citizen is None and token and _token_number(token) == number:
        citizen = Citizen(case_id=case.pk)
    if citizen is None:
        raise Http404("No such case.")
    return case, citizen


def tracking_token_for(case: Case) -> str:
    """A signed token for the complainant's tracking link. The query code is never stored,
    so messages to the complainant's own address (e-mail intake has no receipt page) carry
    this instead; it expires after TRACKING_TOKEN_MAX_AGE."""
    return signing.dumps(case.number, salt=TRACKING_LINK_PURPOSE)


def _token_number(token: str) -> str | None:
    try:
        number = signing.loads(token, salt=TRACKING_LINK_PURPOSE, max_age=TRACKING_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return number if isinstance(number, str) else None


def can_see_personal_data(actor: Actor, case: Case) -> bool:
    """Whether `actor` may see who complained. Never the unit complained about; the
    reporter (举报人) of a report only by the centre, or by a department or user a
    supervisor granted it to (`ReporterGrant`)."""
    if isinstance(actor, Citizen):
        return actor.case_id == case.pk
    if isinstance(actor, System):
        return False
    facts = role_facts_for(actor)
    if case.respondent_department_id and case.respondent_department_id in facts.department_ids:
        return False
    if not roles_on_case(actor, case) & PERSONAL_DATA_ROLES:
        return False
    if case.kind == Kind.REPORT and not facts.global_roles & PERSONAL_DATA_ROLES:
        return reporter_grant_holds(actor, case)
    return True


def reporter_grant_holds(user: User, case: Case) -> bool:
    """Whether a supervisor's grant to `user`, or to one of their departments, to see the
    reporter of `case` is in force now (not revoked, not expired)."""
    now = timezone.now()
    return (
        ReporterGrant.objects.filter(case=case, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(Q(user=user) | Q(department_id__in=list(role_facts_for(user).department_ids)))
        .exists()
    )


def can_grant_reporter_access(user: User) -> bool:
    """Whether `user` may grant and revoke a department's view of a reporter: supervisors."""
    return Role.SUPERVISOR in role_facts_for(user).global_roles


def _as_written(text: str) -> str:
    return text


def text_masker_for(actor: Actor, case: Case) -> Callable[[str], str]:
    """How `actor` may read the free texts of `case` (subject, text, desired outcome,
    timeline notes): as written if they may see personal data, else with phone and ID
    numbers, e-mails and addresses masked (`lib.pii.pii_mask`). Every text that leaves for a
    reader passes through what this returns."""
    return _as_written if can_see_personal_data(actor, case) else pii_mask


def cases_listed_for(user: User, cases: Iterable[Case]) -> list[Case]:
    """`cases` as a list shows them to `user` (a queue, the case list, `GET /api/v1/cases`):
    subjects as written for the centre's roles that see personal data on every case, else
    with the personal data written into them masked. A list decides once for its reader, not
    case by case; the case page shows the clear text to whoever may see it, logged. The
    instances are for display only and never saved."""
    cases = list(cases)
    if role_facts_for(user).global_roles & PERSONAL_DATA_ROLES:
        return cases
    for case in cases:
        case.subject = pii_mask(case.subject)
    return cases


def personal_data_look_log(actor: Actor, case: Case, *, purpose: str) -> None:
    """Log one unmasked look at the personal data of `case` (staff only; the complainant
    reading their own case is not logged)."""
    if not isinstance(actor, User):
        return
    with transaction.atomic():  # the look and its audit entry stand or fall together
        look = PersonalDataAccess.objects.create(
            case=case, user=actor, purpose=purpose[:100], at=timezone.now()
        )
        entry_append(
            kind=AuditKind.PERSONAL_DATA,
            actor=actor,
            object_type="cases.case",
            object_id=case.number,
            payload={"look": look.pk, "purpose": look.purpose, "at": look.at},
        )


@dataclass(frozen=True)
class ComplainantView:
    """What a reader is shown of one complainant: in full, or masked."""

    name: str
    phone: str
    email: str
    id_number: str
    address: str
    is_representative: bool
    contact_by: str
    is_masked: bool


def _masked(c: Complainant) -> ComplainantView:
    return ComplainantView(
        name=(c.name[:1] + "**") if c.name else "",
        phone=phone_mask(c.phone) if c.phone else "",
        email="***" if c.email else "",
        id_number="***" if c.id_number else "",
        address="***" if c.address else "",
        is_representative=c.is_representative,
        contact_by=c.contact_by,
        is_masked=True,
    )


def _full(c: Complainant) -> ComplainantView:
    return ComplainantView(
        name=c.name,
        phone=c.phone,
        email=c.email,
        id_number=c.id_number,
        address=c.address,
        is_representative=c.is_representative,
        contact_by=c.contact_by,
        is_masked=False,
    )


def complainants_of(case: Case) -> QuerySet[Complainant]:
    """Everyone the answer must reach: this case's complainants and those of cases merged
    into it."""
    return Complainant.objects.filter(Q(case=case) | Q(case__merged_into=case)).order_by("id")


def complainant_for(actor: Actor, case: Case, *, purpose: str) -> list[ComplainantView]:
    """The complainants of `case` as `actor` may see them; every unmasked look is logged."""
    people = list(complainants_of(case))
    if not people:
        return []
    if not can_see_personal_data(actor, case):
        return [_masked(c) for c in people]
    personal_data_look_log(actor, case, purpose=purpose)
    return [_full(c) for c in people]


# Staff roles that may add files to a case they work on (the complainant adds theirs by
# supplying material). Leaders and auditors only read.
FILE_ROLES = frozenset({Role.INTAKE, Role.DISPATCHER, Role.SUPERVISOR, Role.HANDLER, Role.HEAD})
FILES_CLOSED_STATES = frozenset({State.MERGED, State.ARCHIVED})


def can_register_matters(user: User) -> bool:
    """Whether `user` registers phone, letter and walk-in matters (intake agents, DESIGN §1)."""
    return Role.INTAKE in role_facts_for(user).global_roles


def can_assign_in_bulk(user: User) -> bool:
    """Whether `user` is offered assigning several cases at once (dispatchers). Each case is
    still checked by `workflow.perform`."""
    return Role.DISPATCHER in role_facts_for(user).global_roles


def can_add_files(actor: Actor, case: Case) -> bool:
    """Whether a staff member may add files to the case: the centre roles that work on
    cases, and the lead department's handlers and head, until the case is merged or
    archived."""
    return case.state not in FILES_CLOSED_STATES and holds_file_role(actor, case)


def holds_file_role(actor: Actor, case: Case) -> bool:
    """Whether `actor` holds a role that adds files to this case, whatever its state (an
    interface refuses anyone else before it reads the files)."""
    return not isinstance(actor, Citizen) and bool(roles_on_case(actor, case) & FILE_ROLES)


# Roles that watch where the same problem keeps coming back (DESIGN §1: supervisors).
HOT_TOPIC_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


def can_view_hot_topics(user: User) -> bool:
    """Whether `user` may see the hot-topic view: supervisors and leaders, who see every
    case anyway."""
    return bool(role_facts_for(user).global_roles & HOT_TOPIC_ROLES)


# Who reads the figures, the dashboard and the department evaluation (DESIGN §1: the
# supervision office and leaders).
STATISTICS_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


def can_view_statistics(user: User) -> bool:
    """Whether `user` may open the statistics dashboard and the department evaluation at
    /work/stats/ (and their API and Excel exports): supervisors and leaders."""
    return bool(role_facts_for(user).global_roles & STATISTICS_ROLES)


def can_export_case_lists(user: User) -> bool:
    """Whether `user` may export a case list to Excel: any staff member, and only the cases
    they may see. Personal data in it goes case by case through `complainant_for`."""
    return role_facts_for(user).is_staff_member


def may_export_personal_data(user: User) -> bool:
    """Whether an export may offer complainants' personal data to `user` at all: a role
    that may see it on some case. `complainant_for` still decides (and logs) each case."""
    facts = acting_facts(user)
    held = facts.global_roles | facts.roles_for_departments(set(facts.department_ids))
    return bool(held & PERSONAL_DATA_ROLES)


def can_search_by_complainant(user: User) -> bool:
    """Whether `user` may filter case lists by a complainant's name, phone or e-mail (an
    exact match on their keyed hashes): only the centre's roles that see personal data on
    every case, since a match alone tells who complained (a department might be the unit
    complained about, or hold a report whose reporter is hidden from it)."""
    return bool(role_facts_for(user).global_roles & PERSONAL_DATA_ROLES)


# Who brings old hotline records in from spreadsheets (intake.views): intake agents and admins.
IMPORT_ROLES = frozenset({Role.INTAKE, Role.ADMIN})


def can_call_back(user: User) -> bool:
    """Whether `user` makes return visits (回访): intake agents, who also rate for the caller."""
    return Role.INTAKE in role_facts_for(user).global_roles


def can_import_records(user: User) -> bool:
    """Whether `user` may upload spreadsheets of hotline records and import them as cases."""
    return bool(role_facts_for(user).global_roles & IMPORT_ROLES)


# Who sets the auto-dispatch policies and the switch (minsheng.dispatch): administrators and
# supervisors. Dispatchers and leaders also read its figures and corrections.
AUTO_DISPATCH_POLICY_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
AUTO_DISPATCH_REPORT_ROLES = AUTO_DISPATCH_POLICY_ROLES | {Role.DISPATCHER, Role.LEADER}


def can_set_auto_dispatch(user: User) -> bool:
    """Whether `user` may set the auto-dispatch policies and switch it off and on."""
    return bool(role_facts_for(user).global_roles & AUTO_DISPATCH_POLICY_ROLES)


def can_view_auto_dispatch(user: User) -> bool:
    """Whether `user` may read the auto-dispatch figures and corrections."""
    return bool(role_facts_for(user).global_roles & AUTO_DISPATCH_REPORT_ROLES)


# Enforcement cases (立案查处, minsheng.enforcement): the lead department's handlers and head
# open them from a complaint and take their steps (which step needs the head is the
# enforcement step table's); whoever may open the complaint reads them.
ENFORCEMENT_ROLES = frozenset({Role.HANDLER, Role.HEAD})


def enforcement_roles_on(actor: Actor, case: Case) -> frozenset[Role]:
    """The roles with which `actor` works the enforcement cases of `case`: handler or head
    of its lead department (none for anyone else, co-handling departments included)."""
    if not isinstance(actor, User):
        return frozenset()
    return roles_on_case(actor, case) & ENFORCEMENT_ROLES


def may_work_enforcement(user: User) -> bool:
    """Whether `user` may ever open or work an enforcement case (a handler or head of some
    department); interfaces refuse anyone else before they read the input."""
    department_roles = role_facts_for(user).department_roles.values()
    return any(roles & ENFORCEMENT_ROLES for roles in department_roles)


# --- Records some offices keep: mediation agreements (调解协议书), the customer's signature --

# Who records a mediation agreement's signatures and follows up its fulfilment: the lead
# department's handlers and head, and supervisors (who watch the follow-ups).
MEDIATION_ROLES = frozenset({Role.HANDLER, Role.HEAD, Role.SUPERVISOR})
# Who records the customer's signature on the result (the insurer's 客户签字确认): the lead
# department's handlers and head, and the intake agents who meet the customer.
RESULT_SIGNATURE_ROLES = frozenset({Role.HANDLER, Role.HEAD, Role.INTAKE})
# A merged or archived case is read-only: nothing more is recorded on it.
RECORDS_CLOSED_STATES = FILES_CLOSED_STATES


def can_record_mediation(actor: Actor, case: Case) -> bool:
    """Whether `actor` may record a mediation agreement's signatures and fulfilment on
    `case`: a handler or head of its lead department (or of a department above it, where
    the office says so), or a supervisor."""
    return not isinstance(actor, Citizen) and bool(roles_on_case(actor, case) & MEDIATION_ROLES)


def can_view_mediation_follow_ups(user: User) -> bool:
    """Whether `user` sees the list of mediation agreements awaiting follow-up: supervisors."""
    return Role.SUPERVISOR in role_facts_for(user).global_roles


def can_record_result_signature(actor: Actor, case: Case) -> bool:
    """Whether `actor` may record the customer's signature on the result of `case`."""
    return not isinstance(actor, Citizen) and bool(
        roles_on_case(actor, case) & RESULT_SIGNATURE_ROLES
    )


def person_name_for(actor: Actor, case: Case, name: str) -> str:
    """A person's name written on a record of `case` (the parties to a mediation agreement,
    who signed it, the customer who signed the result) as `actor` may read it: as written
    if they may see who complained, else only its first character (as `complainant_for`
    masks a complainant's name)."""
    if not name or can_see_personal_data(actor, case):
        return name
    return name[:1] + "**"
