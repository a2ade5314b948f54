"""What the case page says, as a newcomer reads it: people by name, time with its unit, only
what still applies, and reply templates only where they fit."""

from minsheng.cases.models import Rating, State
from minsheng.cases.tests.factories import RESULT, drive_to
from minsheng.cases.workflow import perform
from minsheng.knowledge.models import ReplyTemplate, TemplateField


def test_the_result_names_who_submitted_it_and_the_days_to_seek_a_remedy(client, cast):
    cast.handler.first_name = "张明"
    cast.handler.save(update_fields=["first_name"])
    case = drive_to(cast, State.PENDING_APPROVAL)
    client.force_login(cast.head)
    page = client.get(f"/work/cases/{case.number}/").text
    assert "张明 · " in page
    assert f"（{RESULT['remedy_days']} 日内）" in page
    assert f"({RESULT['remedy_days']})" not in page

    client.post("/language/", {"language": "en", "next": "/"})
    page = client.get(f"/work/cases/{case.number}/").text
    assert f"(within {RESULT['remedy_days']} days)" in page


def test_a_pending_extension_says_its_unit(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    perform(case=case, action="extension_request", actor=cast.head, amount=4, note="需要检测")
    client.force_login(cast.handler)
    assert "已申请延期 4 个工作日，等待审批。" in client.get(f"/work/cases/{case.number}/").text


def test_the_appeal_date_shows_only_while_an_appeal_is_possible(client, cast):
    client.force_login(cast.intake)
    replied = drive_to(cast, State.REPLIED)
    assert "可申请复查至" in client.get(f"/work/cases/{replied.number}/").text

    perform(case=replied, action="rate", actor=cast.intake, rating=Rating.SATISFIED)
    replied.refresh_from_db()
    assert replied.state == State.CLOSED
    assert "可申请复查至" not in client.get(f"/work/cases/{replied.number}/").text

    neutral = drive_to(cast, State.REPLIED)
    perform(case=neutral, action="rate", actor=cast.intake, rating=Rating.NEUTRAL)
    assert "可申请复查至" in client.get(f"/work/cases/{neutral.number}/").text


def test_reply_templates_are_offered_only_where_the_text_reaches_the_complainant(client, cast):
    ReplyTemplate.objects.all().delete()
    ReplyTemplate.objects.create(title="受理告知", field=TemplateField.NOTE, text="已受理。")
    ReplyTemplate.objects.create(title="结束语", field=TemplateField.ANY, text="感谢支持。")
    accepted = drive_to(cast, State.ACCEPTED)
    client.force_login(cast.dispatcher)
    assign = client.get(f"/work/cases/{accepted.number}/actions/assign/").text
    assert "受理告知" not in assign
    assert "结束语" not in assign

    in_progress = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.handler)
    plan = client.get(f"/work/cases/{in_progress.number}/actions/plan/").text
    assert "受理告知" not in plan
    progress = client.get(f"/work/cases/{in_progress.number}/actions/progress/").text
    assert "受理告知" in progress
    assert "结束语" in progress


def test_labels_end_without_a_colon_and_the_selects_say_what_empty_means(client, cast):
    accepted = drive_to(cast, State.ACCEPTED)
    client.force_login(cast.dispatcher)
    assign = client.get(f"/work/cases/{accepted.number}/actions/assign/").text
    assert "请选择部门" in assign
    assert "---------" not in assign
    assert ":</label>" not in assign
    assert "状态：" in assign  # "State:" with the Chinese colon
