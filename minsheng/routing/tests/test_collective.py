"""Collective complaints (集体投诉): five or more distinct people about the same unit and
matter within the window are flagged, at registration (a task after commit) and by the
sweep command; four people, or one person five times, are not."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from minsheng.cases.models import Case, CaseEvent
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.cases.tests.factories import PASSWORD
from minsheng.intake.services import submission_register
from minsheng.routing import selectors, services

SCHOOL = "市第十八中学"
COMPLAINTS = [
    (
        "十八中食堂饭菜变质",
        "市第十八中学食堂最近多次出现饭菜变质发馊的情况，孩子吃了拉肚子，请相关部门检查食堂卫生。",
    ),
    (
        "十八中食堂卫生太差",
        "我孩子在市第十八中学读书，学校食堂饭菜经常变"
        "质有异味，多名学生腹泻，希望尽快整改食堂卫生。",
    ),
    (
        "反映十八中食堂饭菜问题",
        "市第十八中学食堂饭菜变质，孩子回家说吃了以后肚子疼，请教育局和市场监管部门检查食堂。",
    ),
    (
        "十八中学生食堂饭菜发馊",
        "市第十八中学的学生食堂饭菜发馊变质，已经有学生拉肚子，家长们都很担心，请求检查食堂卫生。",
    ),
    (
        "十八中食堂食品安全问题",
        "投诉市第十八中学食堂食品安全问题，饭菜变质，学生吃后腹泻，希望相关部门尽快检查整改。",
    ),
]


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    """Run queued tasks inline, and start each test with no duplicate index in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    selectors.duplicate_index_reset()
    yield
    selectors.duplicate_index_reset()


def _register(subject: str, body: str, phone: str, *, respondent: str = SCHOOL) -> Case:
    submission = Submission(
        kind="complaint",
        subject=subject,
        body=body,
        respondent=respondent,
        people=[PersonInput(name="家长", phone=phone)],
    )
    return submission_register(submission=submission, actor=None).case


def _flags(cases: list[Case]) -> list[bool]:
    return [Case.objects.get(pk=c.pk).is_collective for c in cases]


def test_five_parents_about_one_school_are_flagged_at_registration(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unrelated = _register(
            "十八中门口道路积水", "市第十八中学门口道路下雨积水严重，请修排水。", "13900000009"
        )
        first_four = [_register(s, b, f"1390000000{i}") for i, (s, b) in enumerate(COMPLAINTS[:4])]
    assert _flags([*first_four, unrelated]) == [False] * 5  # four people are not a group

    with django_capture_on_commit_callbacks(execute=True):
        fifth = _register(*COMPLAINTS[4], "13900000004")
    group = [*first_four, fifth]
    assert _flags(group) == [True] * 5
    assert _flags([unrelated]) == [False]  # same school, another matter
    event = CaseEvent.objects.get(case=first_four[0], action="collective_flagged")
    assert event.data["people"] == 5
    assert sorted(event.data["cases"]) == sorted(c.number for c in group)

    with django_capture_on_commit_callbacks(execute=True):  # the check is safe to repeat
        _register("再次反映十八中食堂", COMPLAINTS[0][1], "13900000000")
    assert CaseEvent.objects.filter(case=first_four[0], action="collective_flagged").count() == 1


def test_one_person_five_times_or_another_unit_is_not_collective(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        same_person = [_register(s, b, "13900000001") for s, b in COMPLAINTS]
        elsewhere = [
            _register(s, b, f"1370000000{i}", respondent=f"市第{i + 1}中学")
            for i, (s, b) in enumerate(COMPLAINTS)
        ]
    assert not any(_flags(same_person + elsewhere))


def test_sweep_flags_what_registration_did_not_check(cast):
    # Registered without the intake entry point (so no check was queued).
    cases = [
        case_create(
            submission=Submission(
                kind="complaint",
                subject=s,
                body=b,
                respondent_department=cast.environment,
                people=[PersonInput(name="居民", phone=f"1360000000{i}")],
            ),
            actor=None,
        ).case
        for i, (s, b) in enumerate(COMPLAINTS)
    ]
    assert not any(_flags(cases))
    out = StringIO()
    call_command("collective_sweep", stdout=out)
    assert _flags(cases) == [True] * 5
    assert "5 cases flagged as collective." in out.getvalue()
    out = StringIO()
    call_command("collective_sweep", stdout=out)  # idempotent
    assert "0 cases flagged as collective." in out.getvalue()


def test_flag_shows_on_the_case_page_and_in_the_list(cast, client):
    for i, (s, b) in enumerate(COMPLAINTS):
        case_create(
            submission=Submission(
                kind="complaint",
                subject=s,
                body=b,
                respondent=SCHOOL,
                people=[PersonInput(name="家长", phone=f"1350000000{i}")],
            ),
            actor=None,
        )
    call_command("collective_sweep", stdout=StringIO())
    client.login(username="supervisor", password=PASSWORD)
    listing = client.get(reverse("workbench:case-list")).content.decode()
    assert listing.count('class="badge collective"') == 5
    number = Case.objects.order_by("pk")[0].number
    page = client.get(reverse("workbench:case-detail", args=[number])).content.decode()
    assert 'id="collective-flag"' in page


def test_a_group_is_found_across_pages_and_a_later_case_joins_it_from_the_newest(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    # Read two neighbours at a time: the first detection pages through the whole window;
    # once the group is flagged, a new alike case stops after the page that shows it.
    monkeypatch.setattr(services, "COLLECTIVE_READ", 2)
    with django_capture_on_commit_callbacks(execute=True):
        group = []
        for i, (s, b) in enumerate(COMPLAINTS):
            group.append(_register(s, b, f"1340000000{i}"))
            _register("十八中门口道路积水", "十八中门口下雨积水，请修排水。", f"1330000000{i}")
    assert _flags(group) == [True] * 5

    with django_capture_on_commit_callbacks(execute=True):
        later = _register("十八中食堂饭菜又变质了", COMPLAINTS[2][1], "13400000009")
    assert _flags([later]) == [True]
    event = CaseEvent.objects.get(case=later, action="collective_flagged")
    assert event.data["people"] >= 5
    assert len(event.data["cases"]) < len(group) + 1  # read the newest pages only
