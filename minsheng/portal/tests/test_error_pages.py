"""400, 403, 404 and 500: a page in the site's language with a way back and the emergency
numbers on the portal and the workbench, problem JSON under the API."""

import pytest
from django.test import Client, RequestFactory

from minsheng.portal.tests.test_pages import FORM
from minsheng.urls import handler500

EMERGENCY = ('href="tel:110"', 'href="tel:119"', 'href="tel:120"')


def english(client):
    client.post("/language/", {"language": "en", "next": "/"})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_missing_page_is_styled_in_the_site_language_with_a_way_back(client, db, language):
    client.post("/language/", {"language": language, "next": "/"})
    page = client.get("/no-such-page/", HTTP_REFERER="http://testserver/guide/")
    assert page.status_code == 404
    assert f'<html lang="{language}">' in page.text
    assert "minsheng.css" in page.text
    assert all(link in page.text for link in EMERGENCY)
    assert 'href="http://testserver/guide/"' in page.text  # back where they came from
    assert 'href="/"' in page.text
    expected = "找不到该页面" if language == "zh-hans" else "We cannot find this page"
    assert expected in page.text


def test_a_way_back_never_leads_to_another_site(client, db):
    page = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in page.text


def test_an_over_long_body_gets_a_styled_400_that_says_what_to_do(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # Django's guard, lowered to keep it quick
    page = client.post("/submit/", {**FORM, "body": "长" * 6000})
    assert page.status_code == 400
    assert "提交的内容太长" in page.text
    assert "5000" in page.text
    assert all(link in page.text for link in EMERGENCY)

    english(client)
    page = client.post("/submit/", {**FORM, "body": "x" * 20_000})
    assert (page.status_code, "What you sent is too long" in page.text) == (400, True)


def test_a_body_over_the_field_limit_is_refused_beside_the_field(client, db):
    page = client.post("/submit/", {**FORM, "body": "长" * 5001})
    assert page.status_code == 200
    assert "“诉求内容”最多 5000 字，现在是 5001 字，请删减。" in page.text


def test_a_page_the_role_may_not_open_is_a_styled_403_in_the_workbench(client, cast):
    client.force_login(cast.handler)
    page = client.get("/work/hot-topics/")
    assert page.status_code == 403
    assert "您无权打开此页面" in page.text
    assert 'href="/work/"' in page.text  # back to the workbench, not the portal
    assert "民声工作台" in page.text


def test_a_crash_is_a_styled_500_page_and_problem_json_under_the_api(db):
    page = handler500(RequestFactory().get("/track/"))
    assert page.status_code == 500
    text = page.content.decode()
    assert "系统出错了" in text
    assert all(link in text for link in EMERGENCY)

    problem = handler500(RequestFactory().get("/api/v1/cases"))
    assert (problem.status_code, problem["Content-Type"]) == (500, "application/problem+json")


def test_api_paths_answer_problem_json_never_a_page(client, db, settings):
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["status"] == 404
    # GeoReport v2 answers its own error format, JSON too.
    assert client.get("/open311/v2/nothing-here.json")["Content-Type"].startswith(
        "application/json"
    )

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    too_big = client.post("/api/v1/public/cases", {"subject": "x", "body": "x" * 20_000})
    assert too_big.status_code == 413
    assert too_big["Content-Type"] == "application/problem+json"


def test_every_page_links_the_icon_and_the_browsers_guess_finds_it(client, db):
    assert 'rel="icon"' in client.get("/").text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    assert icon["Location"].endswith("favicon.svg")


def test_a_form_sent_from_an_expired_page_gets_the_styled_403_saying_so(db):
    strict = Client(enforce_csrf_checks=True)
    page = strict.post("/track/", {"number": "MS-20260101-000001", "code": "X"})
    assert page.status_code == 403
    assert "此页面已过期" in page.content.decode()
    assert 'href="tel:110"' in page.content.decode()
