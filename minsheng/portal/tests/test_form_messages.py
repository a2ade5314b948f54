"""The submission form as a member of the public reads it: required fields marked, labels
without a stray colon, the consent box with its text, and, sent empty, a summary of every
problem in plain words, each linked to its field."""

import re

from minsheng.cases.models import Case


def summary_links(html: str) -> dict[str, str]:
    summary = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    return dict(re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary))


def test_an_empty_form_lists_each_problem_with_a_link_to_its_field(client, db):
    page = client.post("/submit/", {"identity": "named"}).text
    links = summary_links(page)
    assert links == {
        "id_kind": "请选择“诉求类型”。",
        "id_subject": "请填写“标题”。",
        "id_body": "请填写“诉求内容”。",
        "id_name": "请填写姓名，或选择匿名反映。",
        "id_phone": "请至少填写电话、电子邮箱或通信地址中的一项。",
        "id_consent": "须经您同意后方可受理。",
    }
    for field_id in links:
        assert f'id="{field_id}"' in page  # every link leads to a field on the page
    assert not Case.objects.exists()


def test_the_summary_speaks_english_in_english(client, db):
    client.post("/language/", {"language": "en", "next": "/"})
    links = summary_links(client.post("/submit/", {"identity": "named"}).text)
    assert links["id_subject"] == "Fill in “Subject”."
    assert links["id_kind"] == "Choose “What kind of matter is it?”."


def test_required_fields_are_marked_and_labels_carry_no_ascii_colon(client, db):
    page = client.get("/submit/").text
    assert "标有 * 的为必填项。" in page
    for label in ("诉求类型", "标题", "诉求内容"):
        assert re.search(label + r'<span class="required-mark" aria-hidden="true">\*</span>', page)
    assert ":</label>" not in page
    assert "。:" not in page
    assert "<legend>实名或匿名" in page  # the named/anonymous choice says what it is


def test_the_consent_box_sits_in_front_of_its_own_text(client, db):
    page = client.get("/submit/").text
    check = page.split('<div class="check">', 1)[1].split("</div>", 1)[0]
    assert check.startswith('<input type="checkbox" name="consent"')
    assert '<label for="id_consent">我同意' in check


def test_a_long_text_shows_its_counter_and_is_not_cut_by_the_browser(client, db):
    page = client.get("/submit/").text
    body = re.search(r"<textarea[^>]*id=\"id_body\"[^>]*>", page)
    assert body is not None
    assert 'data-maxlength="5000"' in body.group(0)
    assert " maxlength=" not in body.group(0)
    assert 'data-counter-for="id_body"' in page
    assert "最多 5000 字。" in page
