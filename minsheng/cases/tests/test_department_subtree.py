"""Head office and branches (the insurer): with `Office.departments_see_subtree`, a
department's staff see and act on the cases of every department under it; a branch never
sees a sibling's or its parent's. Through the case list, the case page, the API and
`allowed_actions`; with the setting off, each department sees only its own."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.accounts.models import Department, Role, User
from minsheng.accounts.services import user_create
from minsheng.cases.models import Case, Office
from minsheng.cases.office import office_changed
from minsheng.cases.services import PersonInput
from minsheng.cases.tests.factories import PASSWORD, Cast
from minsheng.cases.workflow import allowed_actions, perform

NAME = "欧阳明远"


class Insurer:
    """A head office with two branches, and a sub-branch under branch A."""

    def __init__(self, cast: Cast) -> None:
        self.head_office = Department.objects.create(name="总公司客服部", code="hq")
        self.branch_a = Department.objects.create(
            name="江苏分公司", code="branch-a", parent=self.head_office
        )
        self.branch_b = Department.objects.create(
            name="浙江分公司", code="branch-b", parent=self.head_office
        )
        self.sub_a = Department.objects.create(
            name="南京中心支公司", code="sub-a", parent=self.branch_a
        )
        self.hq_handler = self._user("hq_handler", Role.HANDLER, self.head_office)
        self.a_handler = self._user("a_handler", Role.HANDLER, self.branch_a)
        self.a_head = self._user("a_head", Role.HEAD, self.branch_a)
        self.b_handler = self._user("b_handler", Role.HANDLER, self.branch_b)
        self.cases = {
            key: self._case(cast, department)
            for key, department in (
                ("hq", self.head_office),
                ("a", self.branch_a),
                ("sub_a", self.sub_a),
                ("b", self.branch_b),
            )
        }

    @staticmethod
    def _user(username: str, role: Role, department: Department) -> User:
        return user_create(username=username, password=PASSWORD, roles=[(role, department)])

    @staticmethod
    def _case(cast: Cast, department: Department) -> Case:
        case = cast.submit(people=[PersonInput(name=NAME, phone="13987654321")]).case
        perform(case=case, action="accept", actor=cast.intake)
        perform(case=case, action="assign", actor=cast.dispatcher, department=department)
        return case


def _subtrees(on: bool) -> None:
    Office.objects.update_or_create(pk=1, defaults={"departments_see_subtree": on})
    office_changed()


def _page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api_client(user: User) -> APIClient:
    client = APIClient()
    token = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _listed(user: User) -> set[str]:
    """The case numbers on the workbench case list and in `GET /api/v1/cases`, which must
    agree."""
    page = _page_client(user).get("/work/cases/")
    assert page.status_code == 200
    api = _api_client(user).get("/api/v1/cases")
    assert api.status_code == 200
    numbers = {row["number"] for row in api.json()["results"]}
    on_page = {n for n in numbers if n in page.content.decode()}
    assert on_page == numbers
    return numbers


def _opens(user: User, case: Case) -> bool:
    """Whether the case page and the API detail open (they must agree: 200 or 404)."""
    page = _page_client(user).get(f"/work/cases/{case.number}/").status_code
    api = _api_client(user).get(f"/api/v1/cases/{case.number}").status_code
    assert page == api
    assert page in (200, 404)
    return page == 200


@pytest.mark.django_db
def test_head_office_sees_and_acts_on_branch_cases_branches_only_their_own(cast):
    insurer = Insurer(cast)
    numbers = {key: case.number for key, case in insurer.cases.items()}
    _subtrees(True)

    # The head office: its own cases and those of every branch and sub-branch.
    assert _listed(insurer.hq_handler) == set(numbers.values())
    for case in insurer.cases.values():
        assert _opens(insurer.hq_handler, case)
        assert "sign" in allowed_actions(case, User.objects.get(pk=insurer.hq_handler.pk))
    detail = _api_client(insurer.hq_handler).get(f"/api/v1/cases/{numbers['b']}").json()
    assert "sign" in detail["allowed_actions"]
    # ... and takes the action on a branch's case through the API.
    signed = _api_client(insurer.hq_handler).post(
        f"/api/v1/cases/{numbers['sub_a']}/actions/sign", {}, format="json"
    )
    assert signed.status_code == 200, signed.content
    assert signed.json()["case"]["state"] == "in_progress"

    # Branch A: its own and its sub-branch's, never its sibling's or its parent's.
    assert _listed(insurer.a_handler) == {numbers["a"], numbers["sub_a"]}
    assert _opens(insurer.a_handler, insurer.cases["a"])
    assert not _opens(insurer.a_handler, insurer.cases["b"])
    assert not _opens(insurer.a_handler, insurer.cases["hq"])
    a_head = User.objects.get(pk=insurer.a_head.pk)
    assert "sign" in allowed_actions(insurer.cases["a"], a_head)
    assert allowed_actions(insurer.cases["b"], a_head) == []
    refused = _api_client(insurer.a_handler).post(
        f"/api/v1/cases/{numbers['b']}/actions/sign", {}, format="json"
    )
    assert refused.status_code == 404

    # Branch B: only its own.
    assert _listed(insurer.b_handler) == {numbers["b"]}
    assert not _opens(insurer.b_handler, insurer.cases["a"])

    # The department's own My work counts the branch cases it may sign.
    my_work = _page_client(insurer.hq_handler).get("/work/?tab=sign")
    for key in ("hq", "a", "b"):
        assert numbers[key] in my_work.content.decode()


@pytest.mark.django_db
def test_without_the_setting_each_department_sees_only_its_own(cast):
    insurer = Insurer(cast)
    _subtrees(False)
    assert _listed(insurer.hq_handler) == {insurer.cases["hq"].number}
    assert not _opens(insurer.hq_handler, insurer.cases["a"])
    hq_handler = User.objects.get(pk=insurer.hq_handler.pk)
    assert allowed_actions(insurer.cases["a"], hq_handler) == []
    assert _listed(insurer.a_handler) == {insurer.cases["a"].number}
    assert not _opens(insurer.a_handler, insurer.cases["sub_a"])


@pytest.mark.django_db
def test_head_office_complained_about_never_sees_who_complained_in_a_branch_case(cast):
    insurer = Insurer(cast)
    _subtrees(True)
    case = cast.submit(
        people=[PersonInput(name=NAME, phone="13987654321")],
        respondent_department=insurer.head_office,
    ).case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=insurer.branch_a)

    page = _page_client(insurer.hq_handler).get(f"/work/cases/{case.number}/")
    assert page.status_code == 200  # the branch's case, seen from the head office ...
    assert NAME not in page.content.decode()  # ... but it is the unit complained about
    detail = _api_client(insurer.hq_handler).get(f"/api/v1/cases/{case.number}").json()
    assert detail["complainants"][0]["is_masked"] is True
    # The branch handling it sees who complained.
    assert (
        NAME in _page_client(insurer.a_handler).get(f"/work/cases/{case.number}/").content.decode()
    )
