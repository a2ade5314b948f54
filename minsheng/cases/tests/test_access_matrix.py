"""Every page and endpoint × every role × the case's own department, another department's
case and a case that does not exist: each answer is what the table below says.

The routes come from the URL configuration (`get_resolver()`, walked recursively) and the
operations from the OpenAPI document; a route or operation without an entry in `TABLE`
fails `test_every_route_and_operation_has_an_entry`. Each request runs in a transaction that
is rolled back, so one role's successful action does not change what the next one sees.

Checked for every answer: never a server error; a refusal is 401/403/404 or the login page
and names none of the complainant's personal data; a refusal on a case is the same 404
whether the case exists or not; an allowed answer shows personal data only to roles that
may see it (`cases.access.can_see_personal_data`); auditors change nothing.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from minsheng.accounts.models import Department, Role, User
from minsheng.accounts.services import user_create
from minsheng.cases.grants import reporter_grant_create
from minsheng.cases.models import Case, MediationAgreement
from minsheng.cases.services import PersonInput, attachment_add
from minsheng.cases.tests.factories import PASSWORD, Cast
from minsheng.cases.workflow import ACTIONS, Act, perform
from minsheng.deadlines.models import Kind
from minsheng.supervision.models import NoticeLevel
from minsheng.supervision.notices import notice_issue

# --- the people -------------------------------------------------------------------------

CENTRE = frozenset({"intake", "dispatcher", "supervisor", "leader", "admin", "auditor"})
LEAD = frozenset({"handler", "head"})  # the own case's lead department (housing)
OTHER = frozenset({"other_handler", "other_head"})  # the other case's lead (transport)
STAFF = CENTRE | LEAD | OTHER | {"co_handler", "respondent"}
ROLES = (*sorted(STAFF), "citizen", "anonymous")
# Who opens each case: the centre, the lead department, the co-handling department.
SEES = {
    "own": CENTRE | LEAD | {"co_handler"},
    "other": CENTRE | OTHER,
    "missing": frozenset(),
}
# Who may read the complainant's personal data on each case. The own case is a report
# (举报): its reporter is hidden from its lead department too (no grant to them).
PERSONAL = {
    "own": frozenset({"intake", "dispatcher", "supervisor", "leader"}),
    "other": frozenset({"intake", "dispatcher", "supervisor", "leader"}) | OTHER,
    "missing": frozenset(),
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")

NAME, PHONE, EMAIL = "欧阳明远", "13987654321", "oymy@example.cn"
ID_NUMBER, ADDRESS = "110101199003071233", "幸福小区7栋2单元901室"
PERSONAL_DATA = (NAME, PHONE, EMAIL, ID_NUMBER, ADDRESS)
MISSING_NUMBER = "MS-20000101-000001"

# --- the table --------------------------------------------------------------------------
# Kinds of rule:
#   "public"        anyone, with or without login
#   "staff"         any staff member; the public is refused
#   "roles"         only `allowed` (a set of role names)
#   "case"          a case page or endpoint: those who see the case (SEES), narrowed by
#                   `allowed`; a lifecycle action: those the lifecycle table gives the
#                   action's role on this case (whether the state allows it now is answered
#                   409/400, not as a refusal)
#   "citizen_case"  the complainant with the query code, on their own case only
#   "nobody"        no such object for anyone (ids that name nothing)


@dataclass(frozen=True)
class Rule:
    kind: str
    methods: tuple[str, ...] = ("GET",)
    allowed: frozenset[str] = frozenset()
    # Who may POST, when fewer than those who may GET (None: the same).
    writers: frozenset[str] | None = None
    # A POST that only reads (a search form, an export): auditors may use it.
    post_reads: bool = False
    kwargs: dict[str, str] = field(default_factory=dict)
    # The lifecycle action behind the route: its roles come from `cases.workflow.ACTIONS`.
    act: str = ""
    # The route names an object of the own case (a grant, the reporter of a report): on the
    # other case (not a report) it is missing.
    only_own: bool = False
    # A refusal answers with a redirect back (to the tracking form, to the notice's page
    # with a message), the same whether or not the object exists.
    refuses_by_redirect: bool = False


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


SUPERVISION = roles("supervisor", "leader")
# A notice on the own case, addressed to its lead department: the centre and that department.
NOTICE_READERS = SUPERVISION | roles("admin", "auditor") | LEAD
# Who adds files to a case (`cases.access.can_add_files`): the working centre roles and the
# lead department (narrowed to those who see the case).
FILE_WRITERS = LEAD | OTHER | roles("intake", "dispatcher", "supervisor")
PUBLIC_GET = Rule("public")
# Auto-dispatch (minsheng.dispatch): who sets it, and who also reads its figures.
DISPATCH_SETTERS = roles("admin", "supervisor")
DISPATCH_READERS = DISPATCH_SETTERS | roles("dispatcher", "leader")
# Enforcement cases: who may ever open or work one (a department's handlers and heads).
ENFORCEMENT_WORKERS = LEAD | OTHER | roles("co_handler", "respondent")

# Records some offices keep (`cases.access`): who records a mediation agreement's signatures
# and follow-up, and the customer's signature on the result (narrowed to the lead department).
MEDIATION_WRITERS = LEAD | OTHER | roles("supervisor")
RESULT_SIGNERS = LEAD | OTHER | roles("intake")
AGREEMENT = {"agreement_id": "{agreement}"}

TABLE: dict[str, Rule] = {
    # REST API (token)
    "api-v1:openapi": PUBLIC_GET,
    "api-v1:office": PUBLIC_GET,
    "api-v1:auth-token": Rule("public", methods=("POST",)),
    "api-v1:public-case-create": Rule("public", methods=("POST",)),
    "api-v1:public-case-detail": Rule("citizen_case"),
    "api-v1:public-case-action-supplement": Rule("citizen_case", methods=("POST",)),
    "api-v1:public-case-action-evidence_supply": Rule("citizen_case", methods=("POST",)),
    "api-v1:public-case-action-rate": Rule("citizen_case", methods=("POST",)),
    "api-v1:public-case-action-appeal": Rule("citizen_case", methods=("POST",)),
    "api-v1:public-case-action": Rule("nobody", methods=("POST",), kwargs={"action": "x"}),
    "api-v1:case-list": Rule("staff", methods=("GET", "POST"), writers=roles("intake")),
    "api-v1:case-detail": Rule("case"),
    "api-v1:case-action": Rule("nobody", methods=("POST",), kwargs={"action": "frobnicate"}),
    "api-v1:case-attachments": Rule("case", methods=("POST",), writers=FILE_WRITERS),
    "api-v1:case-attachment": Rule("case", kwargs={"attachment_id": "{attachment}"}),
    "api-v1:case-file": Rule("case"),
    "api-v1:reporter-grants": Rule(
        "case", methods=("GET", "POST"), allowed=roles("supervisor"), only_own=True
    ),
    "api-v1:reporter-grant-revoke": Rule(
        "case",
        methods=("POST",),
        allowed=roles("supervisor"),
        kwargs={"grant_id": "{grant}"},
        only_own=True,
    ),
    "api-v1:mediation-agreements": Rule("case"),
    "api-v1:mediation-signatures": Rule(
        "case", methods=("POST",), writers=MEDIATION_WRITERS, kwargs=AGREEMENT
    ),
    "api-v1:mediation-fulfilment": Rule(
        "case", methods=("POST",), writers=MEDIATION_WRITERS, kwargs=AGREEMENT
    ),
    "api-v1:result-signature": Rule("case", methods=("POST",), writers=RESULT_SIGNERS),
    "api-v1:stats": Rule("roles", allowed=SUPERVISION),
    "api-v1:stats-evaluation": Rule("roles", allowed=SUPERVISION),
    "api-v1:public-stats": PUBLIC_GET,
    "api-v1:notice-list": Rule("staff", methods=("GET", "POST"), writers=SUPERVISION),
    "api-v1:notice-detail": Rule("roles", allowed=NOTICE_READERS, kwargs={"notice_id": "{notice}"}),
    "api-v1:notice-action": Rule(
        "roles",
        methods=("POST",),
        allowed=LEAD,
        kwargs={"notice_id": "{notice}", "action": "acknowledge"},
    ),
    "api-v1:dispatch-policies": Rule(
        "roles", methods=("GET", "POST"), allowed=DISPATCH_READERS, writers=DISPATCH_SETTERS
    ),
    "api-v1:dispatch-policy": Rule(
        "nobody", methods=("GET", "PATCH"), kwargs={"policy_id": "999999"}
    ),
    "api-v1:dispatch-switch": Rule(
        "roles", methods=("GET", "PUT"), allowed=DISPATCH_READERS, writers=DISPATCH_SETTERS
    ),
    "api-v1:dispatch-corrections": Rule("roles", allowed=DISPATCH_READERS),
    # Enforcement cases (minsheng.enforcement): any staff member lists those of the cases
    # they see; department handlers and heads open them (the case's own department: 400/403
    # by the body); no enforcement case exists in this world.
    "api-v1:enforcement-list": Rule("staff", methods=("GET", "POST"), writers=ENFORCEMENT_WORKERS),
    "api-v1:enforcement-detail": Rule("nobody", kwargs={"enforcement_id": "999999"}),
    "api-v1:enforcement-steps": Rule(
        "nobody", methods=("POST",), kwargs={"enforcement_id": "999999"}
    ),
    "api-v1:not-found": Rule("nobody"),
    # Open311 GeoReport v2 (public)
    "open311:discovery": Rule("public", kwargs={"fmt": "json"}),
    "open311:services": Rule("public", kwargs={"fmt": "json"}),
    "open311:service": Rule("nobody", kwargs={"code": "nothing", "fmt": "json"}),
    "open311:requests": Rule("public", methods=("GET", "POST"), kwargs={"fmt": "json"}),
    "open311:request": Rule("public", kwargs={"number": "{number}", "fmt": "json"}),
    "open311:token": Rule("nobody", kwargs={"token": "nothing", "fmt": "json"}),
    "open311:not-found": Rule("nobody", kwargs={"path": "nothing"}),
    # Staff pages
    "intake:import-list": Rule("roles", methods=("GET", "POST"), allowed=roles("intake", "admin")),
    "intake:import-detail": Rule("nobody", kwargs={"pk": "999999"}),
    "intake:import-progress": Rule("nobody", kwargs={"pk": "999999"}),
    "supervision:notice-list": Rule("staff"),
    "supervision:notice-issue": Rule("roles", methods=("GET", "POST"), allowed=SUPERVISION),
    "supervision:notice-detail": Rule("roles", allowed=NOTICE_READERS, kwargs={"pk": "{notice}"}),
    "supervision:notice-action": Rule(
        "roles",
        methods=("POST",),
        allowed=LEAD,
        kwargs={"pk": "{notice}", "action": "acknowledge"},
        refuses_by_redirect=True,
    ),
    "supervision:notice-file": Rule("nobody", kwargs={"pk": "{notice}", "file_pk": "999999"}),
    "supervision:visit-list": Rule("roles", allowed=roles("intake")),
    "supervision:visit-call": Rule("nobody", methods=("GET", "POST"), kwargs={"pk": "999999"}),
    "dispatch:policy-list": Rule("roles", methods=("GET", "POST"), allowed=DISPATCH_SETTERS),
    "dispatch:switch": Rule("roles", methods=("POST",), allowed=DISPATCH_SETTERS),
    "dispatch:policy-edit": Rule("nobody", methods=("GET", "POST"), kwargs={"pk": "999999"}),
    "dispatch:report": Rule("roles", allowed=DISPATCH_READERS),
    "enforcement:list": Rule("staff"),
    "enforcement:detail": Rule("nobody", methods=("GET", "POST"), kwargs={"pk": "999999"}),
    # Opening one from a complaint: the handlers and head of its lead department.
    "enforcement:open": Rule("case", methods=("GET", "POST"), allowed=LEAD | OTHER),
    "reports:dashboard": Rule("roles", allowed=SUPERVISION),
    "reports:dashboard-export": Rule("roles", allowed=SUPERVISION),
    "reports:evaluation": Rule("roles", allowed=SUPERVISION),
    "reports:evaluation-export": Rule("roles", allowed=SUPERVISION),
    "reports:case-export": Rule("staff", methods=("GET", "POST"), post_reads=True),
    "reports:export-detail": Rule("nobody", kwargs={"pk": "999999"}),
    "reports:export-progress": Rule("nobody", kwargs={"pk": "999999"}),
    "reports:export-download": Rule("nobody", kwargs={"pk": "999999"}),
    "reports:case-file": Rule("case"),
    "reports:reply-letter": Rule("nobody"),  # no answer yet on any case: 404 for all
    "workbench:login": PUBLIC_GET,
    "workbench:logout": Rule("public", methods=("POST",)),
    "workbench:my-work": Rule("staff"),
    "workbench:case-list": Rule("staff"),
    "workbench:bulk-assign": Rule("roles", methods=("POST",), allowed=roles("dispatcher")),
    "workbench:register": Rule("roles", methods=("GET", "POST"), allowed=roles("intake")),
    "workbench:register-similar": Rule("roles", methods=("POST",), allowed=roles("intake")),
    "workbench:register-category": Rule("roles", methods=("POST",), allowed=roles("intake")),
    "workbench:register-extra": Rule("roles", methods=("POST",), allowed=roles("intake")),
    "workbench:hot-topics": Rule("roles", allowed=SUPERVISION),
    "workbench:monthly-report": Rule("roles", methods=("POST",), allowed=SUPERVISION),
    "reports:monthly-report": Rule("roles", methods=("POST",), allowed=SUPERVISION),
    "workbench:second-factor": PUBLIC_GET,  # the second step of logging in
    "workbench:second-factor-enrol": Rule("staff"),
    "workbench:knowledge": Rule("staff"),
    "workbench:case-detail": Rule("case"),
    "workbench:attachment": Rule("case", kwargs={"pk": "{attachment}"}),
    "workbench:case-files-add": Rule("case", methods=("POST",), writers=FILE_WRITERS),
    "workbench:case-action": Rule(
        "case", methods=("GET", "POST"), kwargs={"action": "note"}, act="note"
    ),
    "workbench:mediation-list": Rule("roles", allowed=roles("supervisor")),
    "workbench:mediation-signatures": Rule(
        "case", methods=("POST",), writers=MEDIATION_WRITERS, kwargs={"pk": "{agreement}"}
    ),
    "workbench:mediation-fulfilment": Rule(
        "case", methods=("POST",), writers=MEDIATION_WRITERS, kwargs={"pk": "{agreement}"}
    ),
    "workbench:result-signature": Rule("case", methods=("POST",), writers=RESULT_SIGNERS),
    "workbench:reporter-grants": Rule(
        "case", methods=("GET", "POST"), allowed=roles("supervisor"), only_own=True
    ),
    "workbench:reporter-grant-revoke": Rule(
        "case",
        methods=("POST",),
        allowed=roles("supervisor"),
        kwargs={"pk": "{grant}"},
        only_own=True,
    ),
    # Public pages
    "portal:home": PUBLIC_GET,
    "portal:submit": Rule("public", methods=("GET", "POST")),
    "portal:emergency-check": Rule("public", methods=("POST",)),
    "portal:receipt": PUBLIC_GET,
    "portal:track": Rule("public", methods=("GET", "POST")),
    "portal:track-case": Rule("citizen_case", refuses_by_redirect=True),
    "portal:track-attachment": Rule("citizen_case", kwargs={"pk": "{attachment}"}),
    "portal:track-action": Rule("citizen_case", methods=("POST",), kwargs={"action": "supplement"}),
    "portal:guide": PUBLIC_GET,
    "portal:open": PUBLIC_GET,
    "portal:set-language": Rule("public", methods=("POST",)),
    "favicon.ico": PUBLIC_GET,
    # Django's admin: one entry for the whole site (its own permission system).
    "admin": Rule("roles", allowed=roles("admin")),
}
# One route per lifecycle action: the case rule, with the action's roles from the table.
ACTION_ROUTE = re.compile(r"^api-v1:case-action-(\w+)$")

# --- walking the routes -----------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            if inner == "admin":
                found.append(("admin", prefix + str(pattern.pattern)))
                continue
            found += _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(n for n in (namespace, pattern.name or "") if n)
            found.append((name or str(pattern.pattern), prefix + str(pattern.pattern)))
    return found


def routes() -> list[tuple[str, str]]:
    """(name, pattern) of every route; Django's admin as one entry."""
    return _walk(get_resolver())


def rule_for(name: str) -> Rule | None:
    action = ACTION_ROUTE.match(name)
    if action:
        return Rule("case", methods=("POST",), act=action.group(1))
    return TABLE.get(name)


# --- the world --------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    cases: dict[str, Case]
    query_code: str
    ids: dict[str, dict[str, int]]  # per case key: attachment, grant, notice


def _build_world(cast: Cast) -> World:
    transport = Department.objects.create(name="市交通运输局", code="transport")
    market = Department.objects.create(name="市市场监督管理局", code="market")

    def make(username: str, role: Role, department: Department) -> User:
        return user_create(username=username, password=PASSWORD, roles=[(role, department)])

    users: dict[str, User | None] = {
        "intake": cast.intake,
        "dispatcher": cast.dispatcher,
        "handler": cast.handler,
        "head": cast.head,
        "co_handler": cast.handler2,
        "other_handler": make("other_handler", Role.HANDLER, transport),
        "other_head": make("other_head", Role.HEAD, transport),
        "respondent": make("respondent", Role.HANDLER, market),
        "supervisor": cast.supervisor,
        "leader": cast.leader,
        "admin": cast.admin,
        "auditor": cast.auditor,
        "citizen": None,
        "anonymous": None,
    }
    person = PersonInput(name=NAME, phone=PHONE, email=EMAIL, id_number=ID_NUMBER, address=ADDRESS)
    registered = cast.submit(people=[person], respondent_department=market, kind=Kind.REPORT)
    own = registered.case
    perform(case=own, action="accept", actor=cast.intake)
    perform(
        case=own,
        action="assign",
        actor=cast.dispatcher,
        department=cast.housing,
        co_departments=[cast.environment],
    )
    other = cast.submit(people=[person]).case
    perform(case=other, action="accept", actor=cast.intake)
    perform(case=other, action="assign", actor=cast.dispatcher, department=transport)
    ids: dict[str, dict[str, int]] = {
        "missing": {"attachment": 1, "grant": 1, "notice": 1, "agreement": 1}
    }
    for key, case in (("own", own), ("other", other)):
        upload = SimpleUploadedFile("note.txt", b"plain evidence\n", content_type="text/plain")
        attachment = attachment_add(case=case, upload=upload)
        # A mediation agreement naming the complainant among its parties.
        agreement = MediationAgreement.objects.create(
            case=case,
            parties=f"{NAME}；某施工单位",
            terms="停止夜间施工",
            created_at=case.created_at,
        )
        ids[key] = {"attachment": attachment.pk, "agreement": agreement.pk}
    # A grant that changes nothing (the leader sees the reporter anyway), to revoke.
    ids["own"]["grant"] = reporter_grant_create(
        case=own, actor=cast.supervisor, user=cast.leader, reason="核实"
    ).pk
    ids["other"]["grant"] = ids["own"]["grant"]  # a grant of another case: 404 there
    notice = notice_issue(
        cases=[own],
        department=cast.housing,
        level=NoticeLevel.REMINDER,
        reason="超期未办",
        demand="请尽快办理",
        due_days=2,
        actor=cast.supervisor,
    )
    for key in ids:
        ids[key]["notice"] = notice.pk
    return World(
        users=users, cases={"own": own, "other": other}, query_code=registered.query_code, ids=ids
    )


# --- asking -----------------------------------------------------------------------------


def _url(pattern: str, rule: Rule, number: str, ids: dict[str, int]) -> str:
    values = {
        "number": number,
        **{k: v.format(**ids, number=number) for k, v in rule.kwargs.items()},
    }
    url = "/" + pattern
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], url)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], url)
    return url.replace("^", "").replace("$", "").replace("\\.", ".")


CSRF_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")


@dataclass
class Answer:
    status: int
    body: str
    to_login: bool


def _ask(client: Client, method: str, url: str, headers: dict[str, Any]) -> Answer:
    for cache in caches.all():
        cache.clear()  # rate limits count in the cache: each request here is a first one
    with transaction.atomic():
        response = client.generic(method, url, data=b"", content_type="application/json", **headers)
        transaction.set_rollback(True)
    body = b"" if response.streaming else CSRF_TOKEN.sub(b"TOKEN", response.content)
    location = response.get("Location", "")
    body += f"\nLocation: {location}".encode()
    return Answer(
        status=response.status_code,
        body=body.decode(errors="replace"),
        to_login=location.startswith(("/work/login/", "/admin/login/")),
    )


def _clients(world: World) -> dict[str, tuple[Client, dict[str, Any]]]:
    made = {}
    for role, user in world.users.items():
        client = Client()
        headers: dict[str, Any] = {}
        if user is not None:
            client.force_login(user)
            token = Token.objects.get_or_create(user=user)[0].key
            headers["HTTP_AUTHORIZATION"] = f"Token {token}"
        if role == "citizen":
            headers["HTTP_X_QUERY_CODE"] = world.query_code
            # The portal remembers a proven number and code in the session.
            number = world.cases["own"].number
            client.post("/track/", {"number": number, "code": world.query_code})
        made[role] = (client, headers)
    return made


# What each staff role is, and for which department.
HOLDS: dict[str, tuple[Role, str | None]] = {
    "intake": (Role.INTAKE, None),
    "dispatcher": (Role.DISPATCHER, None),
    "supervisor": (Role.SUPERVISOR, None),
    "leader": (Role.LEADER, None),
    "admin": (Role.ADMIN, None),
    "auditor": (Role.AUDITOR, None),
    "handler": (Role.HANDLER, "housing"),
    "head": (Role.HEAD, "housing"),
    "co_handler": (Role.HANDLER, "environment"),
    "other_handler": (Role.HANDLER, "transport"),
    "other_head": (Role.HEAD, "transport"),
    "respondent": (Role.HANDLER, "market"),
}
LEAD_OF = {"own": "housing", "other": "transport", "missing": ""}
CO_OF = {"own": "environment", "other": "", "missing": ""}


def _takes(act: str, role: str, case_key: str) -> bool:
    """Whether the lifecycle table gives `role` the action `act` on this case (any state)."""
    spec = ACTIONS[Act(act)]
    held, department = HOLDS[role]
    if held not in spec.roles:
        return False
    if department is None:
        return True
    lead, co = department == LEAD_OF[case_key], department == CO_OF[case_key]
    if spec.scope.co_department:
        return co
    return lead or co if spec.scope.either else lead


def _expected_allowed(rule: Rule, role: str, case_key: str, method: str) -> bool:
    write = method in WRITES
    if rule.kind == "public":
        return True
    if rule.kind == "nobody":
        return False
    if write and role == "auditor" and not rule.post_reads:
        # Auditors read everything and change nothing, but for what the lifecycle table
        # gives them: an audit note (an append-only line on the timeline).
        return bool(rule.act) and role in SEES[case_key] and _takes(rule.act, role, case_key)
    if rule.kind == "citizen_case":
        return role == "citizen" and case_key == "own"
    if rule.kind == "staff":
        allowed = role in STAFF
    elif rule.kind == "roles":
        allowed = role in rule.allowed
    else:  # "case"
        allowed = role in SEES[case_key] and (not rule.allowed or role in rule.allowed)
        allowed = allowed and not (rule.only_own and case_key != "own")
        if rule.act and write:
            allowed = allowed and _takes(rule.act, role, case_key)
    if write and rule.writers is not None:
        allowed = allowed and role in rule.writers
    return allowed


def _is_refusal(answer: Answer, rule: Rule) -> bool:
    if rule.refuses_by_redirect and answer.status == 302:
        return True
    return answer.status in (401, 403, 404) or answer.to_login


@pytest.mark.django_db(transaction=False)
def test_every_answer_is_what_the_table_says(cast):
    world = _build_world(cast)
    clients = _clients(world)
    wrong: list[str] = []
    for name, pattern in routes():
        rule = rule_for(name)
        if rule is None:
            continue  # test_every_route_and_operation_has_an_entry names it
        if name == "admin":
            pattern = "admin/"
        case_keys = ("own", "other", "missing") if "<str:number>" in pattern else ("own",)
        for method in rule.methods:
            for case_key in case_keys:
                number = world.cases[case_key].number if case_key != "missing" else MISSING_NUMBER
                url = _url(pattern, rule, number, world.ids[case_key])
                for role in ROLES:
                    client, headers = clients[role]
                    answer = _ask(client, method, url, headers)
                    where = f"{method} {url} as {role}"
                    if answer.status >= 500:
                        wrong.append(f"{where}: server error {answer.status}")
                        continue
                    allowed = _expected_allowed(rule, role, case_key, method)
                    # A public page may send anyone elsewhere; a redirect may be a success.
                    redirected = rule.kind == "public" or (
                        rule.refuses_by_redirect and answer.status == 302
                    )
                    if allowed and _is_refusal(answer, rule) and not redirected:
                        wrong.append(f"{where}: refused ({answer.status}), table says allowed")
                    if not allowed and not _is_refusal(answer, rule):
                        wrong.append(f"{where}: answered {answer.status}, table says refused")
                    may_see = role in PERSONAL[case_key] or (
                        role == "citizen" and case_key == "own"
                    )
                    if not may_see:
                        leaked = [p for p in PERSONAL_DATA if p in answer.body]
                        if leaked:
                            wrong.append(f"{where}: shows {leaked}")
                    if (
                        "<str:number>" not in pattern
                        or case_key == "missing"
                        or role in SEES[case_key]
                        or not _is_refusal(answer, rule)
                    ):
                        continue
                    # A refusal on an existing case reads exactly like "no such case".
                    missing_url = _url(pattern, rule, MISSING_NUMBER, world.ids[case_key])
                    gone = _ask(client, method, missing_url, headers)
                    same_body = answer.body.replace(number, MISSING_NUMBER) == gone.body
                    if (answer.status, answer.to_login) != (gone.status, gone.to_login) or (
                        answer.status == 404 and not same_body
                    ):
                        wrong.append(
                            f"{where}: refused as {answer.status}, a missing case as {gone.status}"
                        )
        if name in ("workbench:logout", "portal:set-language"):
            clients = _clients(world)  # logged out (or another language): log in again
    assert not wrong, "\n".join(wrong)


def test_every_route_and_operation_has_an_entry(db, client):
    missing = [f"{name}  ({pattern})" for name, pattern in routes() if rule_for(name) is None]
    schema = client.get("/api/v1/openapi.json").json()
    resolved = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", p): n for n, p in routes()}
    for path, operations in schema["paths"].items():
        name = resolved.get(path)
        for method in operations:
            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                continue
            rule = rule_for(name) if name else None
            if rule is None or method.upper() not in rule.methods:
                missing.append(f"{method.upper()} {path} (OpenAPI operation)")
    assert not missing, (
        "These routes or operations have no entry in the access matrix. Add one to TABLE in "
        "minsheng/cases/tests/test_access_matrix.py saying who may use each (and with which "
        "methods):\n" + "\n".join(missing)
    )
