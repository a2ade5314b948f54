"""What a newcomer sees, measured in a real browser at 390 px and 1366 px, in Chinese and
English: case tables that keep their words whole (cards on a phone), the sort menu in
words, styled error pages, the error summary's links, a counter instead of a silent cut,
and the category tree grouped with the routing model's suggestion preselected."""

import re

import pytest

from minsheng.cases.models import Category, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Severity
from minsheng.routing.services import suggestion_for
from minsheng.workbench.tests.test_choosing import HOUSING, TOPICS
from tests.browser.steps import expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
WIDTHS = {"390": PHONE, "1366": DESKTOP}
LANGUAGES = ["zh-hans", "en"]

# Two neighbouring characters of one text on two lines: a word broken by wrapping. Chinese
# has no spaces, so any break between two characters of a cell's text counts.
BROKEN_WORDS = """(cells) => {
  const broken = [];
  for (const cell of document.querySelectorAll(cells)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      let top = null;
      for (let i = 0; i < text.length; i += 1) {
        if (/\\s/.test(text[i])) { top = null; continue; }
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (!box) continue;
        if (top !== null && Math.abs(box.top - top) > 2) {
          broken.push(text.trim());
          break;
        }
        top = box.top;
      }
    }
  }
  return broken;
}"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def in_language(page, site, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])


LONG_SUBJECT = (
    "小区南门外道路长期积水、路灯损坏、井盖缺失，居民夜间出行存在严重安全隐患，"
    "多次向街道和物业反映均无人处理，请有关部门尽快组织维修并答复居民"
)


def long_list(cast):
    """Cases whose columns tempt a table to wrap: long subjects, badges, long department
    names, overdue dates."""
    cast.environment.name = "市人力资源和社会保障局城乡居民服务中心"
    cast.environment.save(update_fields=["name"])
    for severity in (Severity.URGENT, Severity.MAJOR, Severity.GENERAL):
        case = cast.submit(
            severity=severity,
            subject=LONG_SUBJECT,
        ).case
        perform(case=case, action="accept", actor=cast.intake)
    drive_to(cast, State.NEEDS_INFO)  # the longest state name in English
    perform(
        case=drive_to(cast, State.ACCEPTED),
        action="assign",
        actor=cast.dispatcher,
        department=cast.environment,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_tables_keep_words_whole_on_a_desktop_and_are_cards_on_a_phone(
    site, cast, staff, shot, language
):
    long_list(cast)
    for width, viewport in WIDTHS.items():
        page = staff("dispatcher", viewport=viewport)
        in_language(page, site, language)
        for path in ("/work/cases/", "/work/?tab=dispatch"):
            page.goto(f"{site}{path}")
            expect(page.locator("table.cases tbody tr").first).to_be_visible()
            assert page.evaluate(OVERFLOW) <= 0, (width, path)
            if width == "1366":
                assert page.evaluate(BROKEN_WORDS, "table.cases th, table.cases td") == [], path
                subject = page.locator("table.cases .subject-text[title*='请有关部门']").first
                cut = subject.evaluate("e => e.scrollWidth > e.clientWidth")
                assert cut, "the long subject is cut with an ellipsis"
                assert subject.get_attribute("title") == LONG_SUBJECT
                assert (
                    page.locator("table.cases tbody tr").first.evaluate(
                        "e => e.getBoundingClientRect().height"
                    )
                    < 60
                ), "one line per case"
            else:
                row = page.locator("table.cases tbody tr").first
                assert row.evaluate("e => getComputedStyle(e).display") == "grid"
                box = row.bounding_box()
                assert box is not None
                assert box["x"] >= 0
                assert box["x"] + box["width"] <= PHONE["width"]
                department = page.locator("table.cases td.col-department").first
                expect(department).to_be_visible()  # every column on the card
                # On a card the subject may take two lines; numbers, states and dates never.
                whole = (
                    "table.cases td.col-number, table.cases td.col-state, table.cases td.col-due"
                )
                assert page.evaluate(BROKEN_WORDS, whole) == [], path
            shot(page, f"{path.strip('/').replace('/', '-').replace('?tab=', '-')}-{width}")


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
def test_the_sort_menu_offers_orders_in_words(site, cast, staff, shot, language, labels):
    for width, viewport in WIDTHS.items():
        page = staff("dispatcher", viewport=viewport)
        in_language(page, site, language)
        page.goto(f"{site}/work/cases/")
        page.click(".filter-box summary")
        options = page.locator("#id_ordering option").all_inner_texts()
        assert [o.strip() for o in options] == labels
        overdue = page.locator("#id_overdue option").all_inner_texts()
        assert overdue[0].strip() in ("不限", "Any")
        page.select_option("#id_ordering", "due")
        page.click(".filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"ordering=due"))
        shot(page, f"filters-{width}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_are_styled_in_the_site_language(site, db, new_page, shot, settings, language):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000  # Django's guard, lowered to stay quick
    titles = {
        "zh-hans": ("找不到该页面", "提交的内容太长"),
        "en": ("We cannot find this page", "What you sent is too long"),
    }[language]
    for width, viewport in WIDTHS.items():
        page = new_page(viewport=viewport)
        in_language(page, site, language)
        page.goto(f"{site}/guide/")
        response = page.goto(f"{site}/no-such-page/")
        assert response is not None
        assert response.status == 404
        expect(page.locator("h1")).to_have_text(titles[0])
        expect(page.locator("header.site .brand")).to_be_visible()  # the site's own look
        expect(page.locator(".error-page a[href='tel:120']")).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        shot(page, f"404-{width}")

        page.goto(f"{site}/submit/")
        page.select_option("#id_kind", "complaint")
        page.fill("#id_subject", "太长的描述")
        page.fill("#id_body", "长" * 40_000)  # 120,000 bytes: more than the guard takes
        page.fill("#id_name", "张伟")
        page.fill("#id_phone", "13812345678")
        page.check("#id_consent")
        expect(page.locator("#id_body_counter")).to_have_class(re.compile(r"\bover\b"))
        with page.expect_response(re.compile(r"/submit/$")) as sent:
            page.click("#submission-form button[type=submit]")
        assert sent.value.status == 400
        expect(page.locator("h1")).to_have_text(titles[1])
        expect(page.locator(".error-page a[href='tel:110']")).to_be_visible()
        shot(page, f"400-{width}")
        page.click("[data-history-back]")  # back to the form, the text still there
        expect(page.locator("#id_subject")).to_have_value("太长的描述")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_form_lists_its_problems_with_links_and_a_long_text_is_counted(
    site, db, new_page, shot, language
):
    for width, viewport in WIDTHS.items():
        page = new_page(viewport=viewport)
        in_language(page, site, language)
        page.goto(f"{site}/submit/")
        counter = page.locator("#id_body_counter")
        page.fill("#id_body", "路灯坏了")
        expect(counter).to_have_text(re.compile(r"4"))
        page.fill("#id_body", "长" * 4600)
        expect(counter).to_have_class(re.compile(r"\bnear\b"))
        expect(counter).to_have_text(re.compile(r"400"))
        page.fill("#id_body", "")

        page.evaluate("document.getElementById('submission-form').noValidate = true")
        page.click("#submission-form button[type=submit]")
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        links = summary.locator("a")
        targets = [link.get_attribute("href") for link in links.all()]
        assert targets[:3] == ["#id_kind", "#id_subject", "#id_body"]
        first = links.nth(1).inner_text()
        assert first == ("请填写“标题”。" if language == "zh-hans" else "Fill in “Subject”.")
        shot(page, f"summary-{width}")
        links.nth(1).click()
        expect(page.locator("#id_subject")).to_be_focused()


@pytest.fixture
def tree(cast) -> dict[str, Category]:
    made = {name: Category.objects.create(name=name, level=1) for name in TOPICS}
    made["物业管理"] = Category.objects.create(name="物业管理", level=2, parent=made["城乡建设"])
    made["电梯"] = Category.objects.create(name="电梯", level=3, parent=made["物业管理"])
    return made


@pytest.mark.parametrize("language", LANGUAGES)
def test_intake_confirms_the_suggested_category_from_a_grouped_searchable_list(
    site, cast, tree, staff, shot, language
):
    top = suggestion_for(**HOUSING).top
    for width, viewport in WIDTHS.items():
        page = staff("intake", viewport=viewport)
        in_language(page, site, language)
        page.goto(f"{site}/work/register/")
        assert page.locator("#id_category optgroup").count() == len(TOPICS)
        page.fill("#id_subject", HOUSING["subject"])
        page.fill("#id_body", HOUSING["body"])
        category = page.locator("#id_category")
        expect(category).to_have_value(str(top.category.pk))  # preselected as typed
        hint = page.locator("#id_category_helptext")
        expect(hint).to_contain_text(f"{round(top.confidence * 100)}%")
        expect(hint).to_contain_text("城乡建设")
        shot(page, f"suggested-{width}")

        search = page.locator("#id_category_search")
        search.fill("电梯")
        visible = category.locator("option[value]:not([value='']):not([hidden])").all_inner_texts()
        assert visible == ["物业管理 › 电梯"]
        search.press("Enter")
        expect(category).to_have_value(str(tree["电梯"].pk))
        shot(page, f"searched-{width}")
