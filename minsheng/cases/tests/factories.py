"""The named cast the tests share, and ways to bring a case into any state by legal actions."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from minsheng.accounts.models import Department, Role, User
from minsheng.accounts.services import user_create
from minsheng.cases.access import Citizen
from minsheng.cases.models import Case, Channel, Office, Rating, State
from minsheng.cases.office import OptionalStep, office_changed
from minsheng.cases.services import PersonInput, Registered, Submission, case_create
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Kind, Severity

PASSWORD = "test-password-1"


@dataclass
class Cast:
    """Two departments and one user per role; handler/head work for `housing`."""

    housing: Department
    environment: Department
    intake: User
    dispatcher: User
    handler: User
    head: User
    handler2: User
    head2: User
    supervisor: User
    leader: User
    admin: User
    auditor: User

    def submit(
        self,
        *,
        kind: str = Kind.COMPLAINT,
        severity: str = Severity.GENERAL,
        subject: str = "工地夜间施工噪音扰民",
        body: str = "小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息。",
        anonymous: bool = False,
        people: list[PersonInput] | None = None,
        respondent_department: Department | None = None,
    ) -> Registered:
        if people is None and not anonymous:
            people = [PersonInput(name="张伟", phone="13812345678", email="zw@example.cn")]
        return case_create(
            submission=Submission(
                kind=kind,
                severity=severity,
                subject=subject,
                body=body,
                channel=Channel.WEB,
                is_anonymous=anonymous,
                people=people or [],
                respondent_department=respondent_department,
            ),
            actor=None,
        )


def make_cast() -> Cast:
    """Create the cast in the current database."""
    housing = Department.objects.create(name="市住房和城乡建设局", code="housing")
    environment = Department.objects.create(name="市生态环境局", code="environment")

    def make(username: str, role: Role, department: Department | None = None) -> User:
        return user_create(username=username, password=PASSWORD, roles=[(role, department)])

    return Cast(
        housing=housing,
        environment=environment,
        intake=make("intake", Role.INTAKE),
        dispatcher=make("dispatcher", Role.DISPATCHER),
        handler=make("handler", Role.HANDLER, housing),
        head=make("head", Role.HEAD, housing),
        handler2=make("handler2", Role.HANDLER, environment),
        head2=make("head2", Role.HEAD, environment),
        supervisor=make("supervisor", Role.SUPERVISOR),
        leader=make("leader", Role.LEADER),
        admin=make("admin", Role.ADMIN),
        auditor=make("auditor", Role.AUDITOR),
    )


RESULT = {
    "facts": "经现场核查，该工地确有夜间施工情况。",
    "basis": "依据《中华人民共和国噪声污染防治法》第四十三条。",
    "measures": "已责令施工单位停止夜间施工，并处以罚款。",
    "outcome": "夜间施工已停止。",
    "remedy": "如对答复不满意，可在收到答复之日起15个工作日内申请复查。",
    "remedy_days": 15,
}


@contextmanager
def office_using(*steps: OptionalStep, **settings: Any) -> Iterator[Office]:
    """The office uses `steps` (and has `settings`) inside the block, and is back to the
    default process after it."""
    row = Office.objects.create(**{step.value: True for step in steps}, **settings)
    office_changed()
    try:
        yield row
    finally:
        row.delete()
        office_changed()


def drive_to(cast: "Cast", state: State, *, kind: str = Kind.COMPLAINT) -> Case:
    """A new case brought to `state` through the lifecycle, with housing as lead department
    and environment co-handling once it is assigned."""
    severity = Severity.MAJOR if state == State.PENDING_LEADER_APPROVAL else Severity.GENERAL
    registered = cast.submit(kind=kind, severity=severity)
    case = registered.case
    citizen = Citizen(case_id=case.pk)
    if state == State.SUBMITTED:
        return case
    if state == State.NEEDS_INFO:
        perform(case=case, action="request_info", actor=cast.intake, note="请补充施工地点照片")
        return case
    if state == State.REJECTED:
        perform(case=case, action="reject", actor=cast.intake, note="不属于受理范围")
        return case
    if state == State.TRANSFERRED:
        perform(case=case, action="transfer", actor=cast.intake, body="市公安局", consent=True)
        return case
    if state == State.MERGED:
        other = cast.submit().case
        perform(case=case, action="merge", actor=cast.dispatcher, into=other)
        return case
    if state == State.PENDING_ACCEPTANCE:
        with office_using(OptionalStep.ACCEPTANCE_APPROVAL):
            perform(case=case, action="accept", actor=cast.intake)
        return case
    perform(case=case, action="accept", actor=cast.intake)
    if state == State.ACCEPTED:
        return case
    perform(
        case=case,
        action="assign",
        actor=cast.dispatcher,
        department=cast.housing,
        co_departments=[cast.environment],
    )
    if state == State.ASSIGNED:
        return case
    perform(case=case, action="sign", actor=cast.handler)
    if state == State.IN_PROGRESS:
        return case
    if state == State.AWAITING_EVIDENCE:
        with office_using(OptionalStep.EVIDENCE_REQUEST):
            perform(case=case, action="evidence_request", actor=cast.handler, note="请提供合同")
        return case
    perform(case=case, action="plan", actor=cast.handler, note="三日内现场核查并约谈施工单位")
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    if state == State.PENDING_APPROVAL:
        return case
    perform(case=case, action="approve", actor=cast.head)
    if state == State.PENDING_LEADER_APPROVAL:
        return case
    if state == State.REPLIED:
        return case
    if state == State.UNDER_REVIEW:
        perform(case=case, action="rate", actor=citizen, rating=Rating.NEUTRAL)
        perform(case=case, action="appeal", actor=citizen, note="问题没有解决")
        return case
    perform(case=case, action="rate", actor=citizen, rating=Rating.SATISFIED)
    if state == State.CLOSED:
        return case
    perform(case=case, action="archive", actor=cast.supervisor)
    assert state == State.ARCHIVED
    return case
