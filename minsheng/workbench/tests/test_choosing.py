"""Choosing on the staff pages: the sort menu and the filters in words, the category tree
grouped with the routing model's suggestion preselected for the intake agent."""

import re

import pytest

from minsheng.cases.models import Case, Category, State
from minsheng.cases.tests.factories import drive_to
from minsheng.routing.models import RoutingFeedback
from minsheng.routing.services import suggestion_for
from minsheng.workbench.tests.test_pages import REGISTRATION

# The level-1 topics the routing model knows, as the demo's category tree names them.
TOPICS = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
HOUSING = {
    "subject": "小区物业乱收费，楼顶漏水多年无人维修",
    "body": "楼顶防水层破损，下雨天家里漏水严重，多次向物业和开发商反映都没有人来维修。",
}


@pytest.fixture
def tree(cast) -> dict[str, Category]:
    """The level-1 topics, with 物业管理 › 电梯 under 城乡建设."""
    made = {name: Category.objects.create(name=name, level=1) for name in TOPICS}
    made["物业管理"] = Category.objects.create(name="物业管理", level=2, parent=made["城乡建设"])
    made["电梯"] = Category.objects.create(name="电梯", level=3, parent=made["物业管理"])
    return made


def options(html: str, select_id: str) -> str:
    return html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "zh-hans",
            [
                "默认（最新提交在前）",
                "截止时间 近→远",
                "截止时间 远→近",
                "提交时间 新→旧",
                "提交时间 旧→新",
            ],
        ),
        (
            "en",
            [
                "Newest first (default)",
                "Due time, soonest first",
                "Due time, latest first",
                "Submitted, newest first",
                "Submitted, oldest first",
            ],
        ),
    ],
)
def test_the_sort_menu_names_each_order_in_the_page_language(client, cast, language, labels):
    client.post("/language/", {"language": language, "next": "/"})
    client.force_login(cast.dispatcher)
    page = client.get("/work/cases/").text
    assert re.findall(r"<option[^>]*>([^<]*)</option>", options(page, "id_ordering")) == labels
    assert "descending" not in page


def test_the_sort_orders_do_what_they_say(client, cast):
    first, second = cast.submit().case, cast.submit().case
    client.force_login(cast.dispatcher)
    for order, expected in [("-submitted", [second, first]), ("submitted", [first, second])]:
        listed = client.get(f"/work/cases/?ordering={order}").context["page"].object_list
        assert [c.number for c in listed] == [c.number for c in expected]


def test_filters_offer_words_never_a_bare_dash_or_unknown(client, cast, tree):
    client.force_login(cast.dispatcher)
    page = client.get("/work/cases/").text
    overdue = re.findall(r"<option[^>]*>([^<]*)</option>", options(page, "id_overdue"))
    assert overdue == ["不限", "仅已超期", "未超期"]
    assert "---------" not in page
    assert "未知" not in page
    category = re.search(r'<select name="category"[^>]*>', page)
    assert category is not None
    assert "data-searchable" in category.group(0)  # minsheng.js adds a search box


def test_categories_are_grouped_by_the_tree(client, cast, tree):
    case = cast.submit().case
    client.force_login(cast.intake)
    form = client.get(f"/work/cases/{case.number}/actions/accept/").text
    choices = options(form, "id_category")
    assert '<optgroup label="城乡建设">' in choices
    group = choices.split('<optgroup label="城乡建设">', 1)[1].split("</optgroup>", 1)[0]
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", group)
    assert labels == ["城乡建设（整个大类）", "物业管理", "物业管理 › 电梯"]
    assert choices.count("<optgroup") == len(TOPICS)


def test_intake_registers_with_the_suggested_category_preselected_and_its_confidence(
    client, cast, tree
):
    suggestion = suggestion_for(**HOUSING)
    top = suggestion.top
    assert top.category == tree["城乡建设"]  # the shipped model, on a housing complaint
    client.force_login(cast.intake)

    client.force_login(cast.handler)  # registers nothing, so asks for no suggestion
    assert client.post("/work/register/category/", HOUSING).status_code == 403
    client.force_login(cast.intake)

    # As the agent types (htmx), the choice comes back with the suggestion selected.
    typed = client.post("/work/register/category/", {**HOUSING, "category": ""}).text
    assert f'<option value="{top.category.pk}" selected>' in typed
    assert f"智能分类建议：城乡建设（置信度 {round(top.confidence * 100)}%）" in typed
    assert f'name="category_suggested" value="{top.category.pk}"' in typed

    # A category the agent chose is kept while they go on typing.
    own = tree["电梯"].pk
    kept = client.post(
        "/work/register/category/",
        {**HOUSING, "category": own, "category_suggested": top.category.pk},
    ).text
    assert f'<option value="{own}" selected>' in kept

    # Registering keeps the choice and what was suggested (to retrain the model from).
    response = client.post(
        "/work/register/", {**REGISTRATION, **HOUSING, "category": top.category.pk}
    )
    assert response.status_code == 302
    case = Case.objects.get(subject=HOUSING["subject"])
    assert case.category == tree["城乡建设"]
    feedback = RoutingFeedback.objects.get(case=case)
    assert (feedback.suggested_label, feedback.is_correction) == ("城乡建设", False)


def test_the_accept_form_preselects_the_suggestion_for_a_case_without_a_category(
    client, cast, tree
):
    case = cast.submit(**HOUSING).case
    client.force_login(cast.intake)
    form = client.get(f"/work/cases/{case.number}/actions/accept/").text
    assert f'<option value="{tree["城乡建设"].pk}" selected>' in form
    assert "智能分类建议" in form


def test_a_case_list_in_english_speaks_english(client, cast):
    drive_to(cast, State.IN_PROGRESS)
    client.post("/language/", {"language": "en", "next": "/"})
    client.force_login(cast.dispatcher)
    page = client.get("/work/cases/?overdue=false").text
    assert "Overdue only" in page
    assert "All departments" in page
