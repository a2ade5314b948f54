"""An intake agent answers an inquiry on the spot with the policy knowledge base and a reply
template; the citizen reads the answer; the public finds the public answers themselves."""

import pytest

from minsheng.cases.models import Case, State
from minsheng.cases.tests.factories import drive_to
from minsheng.deadlines.models import Kind
from minsheng.knowledge.models import PolicyEntry, ReplyTemplate, TemplateField
from tests.browser.conftest import DESKTOP
from tests.browser.steps import expect, knowledge_clear, take_action, track

ANSWER = "持身份证和户口本到社区服务中心申请，每年10月至11月受理。"


@pytest.fixture
def knowledge(db):
    knowledge_clear()
    PolicyEntry.objects.create(
        question="供暖费补贴怎么申请？",
        answer=ANSWER,
        basis="《城市供热管理办法》第十二条",
        tags="暖气 取暖",
        is_public=True,
    )
    PolicyEntry.objects.create(question="低保复核内部流程", answer="街道初审。", tags="低保")
    ReplyTemplate.objects.create(
        title="结束语", text="如有疑问请再拨打12345。", field=TemplateField.NOTE
    )


def test_an_inquiry_is_answered_on_the_spot_from_the_knowledge_base(
    site, cast, knowledge, new_page, staff, shot
):
    registered = cast.submit(kind=Kind.INQUIRY, subject="暖气补贴", body="暖气补贴怎么申请？")
    number = registered.case.number
    intake = staff("intake", viewport=DESKTOP)
    intake.goto(f"{site}/work/cases/{number}/")
    intake.click("[data-action=answer]")
    note = intake.locator("#action-answer textarea[name=note]")
    expect(note).to_be_focused()
    intake.fill("#knowledge-q", "暖气")  # searched while typing (htmx)
    entry = intake.locator("#knowledge-results .entry")
    expect(entry).to_have_count(1)
    shot(intake, "knowledge-found")
    entry.get_by_role("link").click()  # into the open answer, at the cursor
    expect(note).to_have_value(f"{ANSWER}\n《城市供热管理办法》第十二条")
    intake.select_option("#template-note", label="结束语")
    expect(note).to_have_value(f"{ANSWER}\n《城市供热管理办法》第十二条\n如有疑问请再拨打12345。")
    expect(intake.locator("#action-answer [name=insert_template]")).to_be_hidden()
    shot(intake, "answer-written")
    intake.locator("#action-answer button.primary").click()
    expect(intake.locator(f"#case-state.state-{State.REPLIED}")).to_be_visible()
    assert Case.objects.get(number=number).answer.startswith(ANSWER)

    citizen = new_page()
    track(citizen, site, number, registered.query_code)
    answer = citizen.locator("section[aria-labelledby=answer-title]")
    expect(answer).to_contain_text(f"{ANSWER}《城市供热管理办法》第十二条如有疑问请再拨打12345。")
    shot(citizen, "answer-read")


def test_an_entry_opens_the_answer_form_when_none_is_open(site, cast, knowledge, staff):
    number = cast.submit(kind=Kind.INQUIRY, subject="暖气", body="暖气补贴？").case.number
    intake = staff("intake")
    intake.goto(f"{site}/work/cases/{number}/")
    intake.fill("#knowledge-q", "取暖")
    intake.locator("#knowledge-results .entry").get_by_role("link").click()
    expect(intake.locator("#action-answer textarea[name=note]")).to_have_value(
        f"{ANSWER}\n《城市供热管理办法》第十二条"
    )
    take_action(intake, "answer", state=State.REPLIED, open_form=False)


def test_the_public_searches_the_public_answers(site, knowledge, new_page, shot):
    citizen = new_page()
    citizen.goto(f"{site}/guide/")
    expect(citizen.locator("#faq-results details")).to_have_count(1)
    citizen.fill("#faq-q", "低保")  # an internal entry: not for the public
    expect(citizen.locator("#faq-results")).not_to_contain_text("街道初审")
    expect(citizen.locator("#faq-results details")).to_have_count(0)
    citizen.fill("#faq-q", "暖气")
    expect(citizen.locator("#faq-results")).to_contain_text(ANSWER)
    shot(citizen, "faq")


def test_without_javascript_a_template_is_inserted_by_the_server(site, cast, knowledge, staff):
    case = drive_to(cast, State.IN_PROGRESS)
    handler = staff("handler", java_script_enabled=False)
    handler.goto(f"{site}/work/cases/{case.number}/")
    handler.click("[data-action=progress]")  # a plain link to the form's own page
    handler.fill("#id_note", "已约谈施工单位。")
    handler.select_option("#template-note", label="结束语")
    handler.click("#action-progress [name=insert_template]")
    expect(handler.locator("#id_note")).to_have_value("已约谈施工单位。\n如有疑问请再拨打12345。")
    handler.click("#action-progress button.primary")
    handler.wait_for_url(f"{site}/work/cases/{case.number}/")
    expect(handler.locator(".timeline")).to_contain_text("如有疑问请再拨打12345。")
