"""Reply templates and the policy knowledge base, as administrators, agents and the public
use them."""

import pytest

from minsheng.accounts.models import User
from minsheng.cases.models import Case, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Kind
from minsheng.knowledge.models import PolicyEntry, ReplyTemplate, TemplateField
from minsheng.knowledge.selectors import policy_entries_search


@pytest.fixture
def entries(db):
    PolicyEntry.objects.all().delete()  # the answers the migrations seed
    return {
        "heating": PolicyEntry.objects.create(
            question="供暖费补贴怎么申请？",
            answer="持身份证到社区服务中心填写申请表，每年10月受理。",
            basis="《城市供热管理办法》第十二条",
            tags="暖气 取暖",
            is_public=True,
        ),
        "internal": PolicyEntry.objects.create(
            question="低保复核的内部流程",
            answer="街道初审后报民政局复核，十五个工作日内办结。",
            tags="低保 民政",
            is_public=False,
        ),
    }


def test_search_matches_every_word_in_any_field_and_keeps_private_entries_inside(entries):
    def found(query, *, public_only):
        return {e.question for e in policy_entries_search(query=query, public_only=public_only)}

    heating, internal = entries["heating"].question, entries["internal"].question
    assert found("暖气", public_only=True) == {heating}  # a tag
    assert found("供热 第十二条", public_only=True) == {heating}  # both words, in the source
    assert found("供暖 低保", public_only=False) == set()  # every word must match
    assert found("低保", public_only=True) == set()
    assert found("低保", public_only=False) == {internal}
    assert found("", public_only=True) == {heating}


def test_public_reads_and_searches_the_public_answers_on_the_guide_page(client, entries):
    page = client.get("/guide/")
    assert "供暖费补贴怎么申请？" in page.text
    assert "低保复核的内部流程" not in page.text
    assert "持身份证到社区服务中心" in client.get("/guide/", {"q": "取暖"}).text
    nothing = client.get("/guide/", {"q": "<script>alert(1)</script>"})
    assert "供暖费补贴怎么申请？" not in nothing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in nothing.text
    assert "<script>alert(1)" not in nothing.text


def test_admin_maintains_templates_and_entries(admin_client, db):
    added = admin_client.post(
        "/admin/knowledge/replytemplate/add/",
        {"title": "已转办", "text": "已转相关部门办理。", "field": "note", "is_active": "on"},
    )
    assert added.status_code == 302
    assert ReplyTemplate.objects.get(title="已转办").field == TemplateField.NOTE
    added = admin_client.post(
        "/admin/knowledge/policyentry/add/",
        {"question": "公积金怎么提取？", "answer": "带身份证到公积金中心。", "is_public": "on"},
    )
    assert added.status_code == 302
    assert PolicyEntry.objects.get(question="公积金怎么提取？").is_public
    listing = admin_client.get("/admin/knowledge/policyentry/", {"q": "公积金"})
    assert "公积金怎么提取？" in listing.text


def test_agent_searches_the_knowledge_base_from_the_case_page_and_starts_the_answer(
    client, cast, entries
):
    inquiry = cast.submit(kind=Kind.INQUIRY, subject="供暖补贴", body="怎么申请供暖补贴？").case
    client.force_login(cast.intake)
    page = client.get(f"/work/cases/{inquiry.number}/")
    assert 'id="knowledge-q"' in page.text

    panel = client.get(
        "/work/knowledge/", {"q": "暖气", "case": inquiry.number}, headers={"HX-Request": "true"}
    )
    assert "<html" not in panel.text  # the partial only
    assert "供暖费补贴怎么申请？" in panel.text
    assert "低保复核" not in panel.text
    start = f"/work/cases/{inquiry.number}/actions/answer/?entry={entries['heating'].pk}"
    assert start.replace("&", "&amp;") in panel.text or start in panel.text

    form = client.get(start)
    assert form.context["form"].initial["note"].startswith("持身份证到社区服务中心")
    client.post(f"/work/cases/{inquiry.number}/actions/answer/", {"note": "持身份证申请。"})
    assert Case.objects.get(pk=inquiry.pk).state == State.REPLIED

    # Staff see internal entries on the full page too; the public and non-staff do not.
    assert "低保复核的内部流程" in client.get("/work/knowledge/", {"q": "低保"}).text
    client.logout()
    assert client.get("/work/knowledge/", {"q": "低保"}).status_code == 302
    client.force_login(User.objects.create_user(username="visitor", password="x-Secret-9"))
    assert client.get("/work/knowledge/", {"q": "低保"}).status_code == 403
    case = drive_to(cast, State.IN_PROGRESS)
    case.co_departments.clear()
    client.force_login(cast.handler2)  # another department's case: not there for them
    assert client.get("/work/knowledge/", {"q": "低保", "case": case.number}).status_code == 404


def test_reply_templates_sit_beside_the_text_boxes_and_insert_without_javascript(client, cast):
    ReplyTemplate.objects.all().delete()  # the templates the migrations seed
    ReplyTemplate.objects.create(title="Thanks", text="感谢您的来电。", field=TemplateField.NOTE)
    ReplyTemplate.objects.create(
        title="Remedy", text="可在15个工作日内申请复查。", field=TemplateField.REMEDY
    )
    ReplyTemplate.objects.create(title="Old", text="旧模板", is_active=False)
    case = drive_to(cast, State.IN_PROGRESS)
    perform(case=case, action="plan", actor=cast.handler, note="三日内核查")
    client.force_login(cast.handler)

    progress = client.get(f"/work/cases/{case.number}/actions/progress/")
    assert 'name="template_note"' in progress.text
    assert "感谢您的来电。" in progress.text
    assert "可在15个工作日内申请复查。" not in progress.text  # only templates for this box
    assert "旧模板" not in progress.text
    result = client.get(f"/work/cases/{case.number}/actions/submit_result/")
    assert 'name="template_remedy"' in result.text
    assert 'name="template_remedy_days"' not in result.text

    thanks = ReplyTemplate.objects.get(title="Thanks")
    url = f"/work/cases/{case.number}/actions/progress/"
    shown = client.post(
        url, {"note": "已约谈。", "template_note": thanks.pk, "insert_template": "note"}
    )
    assert shown.status_code == 200
    assert shown.context["form"].initial["note"] == "已约谈。\n感谢您的来电。"
    assert not shown.context["form"].is_bound  # no errors shown, nothing done yet
    assert not case.events.filter(action="progress").exists()
    client.post(url, {"note": "已约谈。\n感谢您的来电。", "template_note": thanks.pk})
    assert case.events.get(action="progress").note == "已约谈。\n感谢您的来电。"


def test_a_new_installation_has_public_answers_about_the_service(client, db):
    assert "查询码丢失了怎么办？" in client.get("/guide/", {"q": "查询码"}).text
    assert ReplyTemplate.objects.filter(field=TemplateField.REMEDY).exists()
