"""An intake agent sees an open case like the one being typed while registering (htmx);
the dispatcher merges the new case into it from the case page in one click."""

import re

import pytest

from minsheng.cases.models import Case, State
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.deadlines.models import Kind
from minsheng.routing import selectors
from tests.browser.conftest import DESKTOP
from tests.browser.steps import expect

SUBJECT = "小区楼下烧烤店油烟扰民"
BODY = "小区楼下的烧烤店每天晚上油烟很大，噪音也大，严重影响居民休息，请相关部门处理。"


@pytest.fixture(autouse=True)
def _fresh_index():
    selectors.duplicate_index_reset()
    yield
    selectors.duplicate_index_reset()


def _file(subject: str, phone: str) -> Case:
    submission = Submission(
        kind="complaint", subject=subject, body=BODY, people=[PersonInput("市民", phone=phone)]
    )
    return case_create(submission=submission, actor=None).case


def test_similar_case_shown_while_registering_and_merged_in_one_click(site, cast, staff, shot):
    original = _file(SUBJECT, "13800001111")
    intake = staff("intake", viewport=DESKTOP)
    intake.goto(f"{site}/work/register/")
    intake.fill("#id_subject", SUBJECT)
    intake.fill("#id_body", BODY)
    expect(intake.locator(f'#similar-cases [data-number="{original.number}"]')).to_be_visible()
    shot(intake, "registering")

    repost = _file("再次反映" + SUBJECT, "13900002222")
    dispatcher = staff("dispatcher", viewport=DESKTOP)
    dispatcher.goto(f"{site}/work/cases/{repost.number}/")
    shot(dispatcher, "case-page")
    dispatcher.click(f'[data-merge-into="{original.number}"]')
    expect(dispatcher.locator(f"#case-state.state-{State.MERGED}")).to_be_visible()
    repost.refresh_from_db()
    assert repost.merged_into == original


def test_enter_in_a_field_registers_the_matter(site, cast, staff):
    intake = staff("intake", viewport=DESKTOP)
    intake.goto(f"{site}/work/register/")
    intake.select_option("#id_kind", Kind.COMPLAINT)
    intake.fill("#id_subject", SUBJECT)
    intake.fill("#id_body", BODY)
    intake.fill("#id_name", "张伟")
    intake.fill("#id_phone", "13812345678")
    intake.check("#id_consent")
    intake.press("#id_subject", "Enter")

    intake.wait_for_url(re.compile(r"/work/cases/MS-\d{8}-\d{6}/$"))
    assert Case.objects.filter(subject=SUBJECT).count() == 1
