"""The statistics through the API: the same figures as the pages, the same drill-down
filters as GET /api/v1/cases, and the wrong role refused."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.reports.services import facts_refresh
from minsheng.reports.tests.fixtures import NOW, at, month_build
from minsheng.reports.tests.test_public import october  # noqa: F401 - a fixture


def _client(user=None):
    client = APIClient()
    if user is not None:
        token = Token.objects.get_or_create(user=user)[0].key
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def month(cast):
    built = month_build(cast)
    facts_refresh()
    return built


def test_stats_endpoint_refuses_every_role_but_supervisors_and_leaders(cast):
    url = reverse("api-v1:stats")
    assert _client().get(url).status_code == 401
    for user in (cast.handler, cast.head, cast.intake, cast.dispatcher, cast.admin):
        assert _client(user).get(url).status_code == 403, user.username
    for user in (cast.supervisor, cast.leader):
        assert _client(user).get(url).status_code == 200, user.username
    bad = _client(cast.supervisor).get(url, {"month": "November"})
    assert bad.status_code == 400
    assert "month" in bad.json()["errors"]


def test_api_figures_equal_the_page_and_list_their_cases(month, cast):
    supervisor = _client(cast.supervisor)
    with at(NOW):
        data = supervisor.get(reverse("api-v1:stats"), {"month": "2026-11"}).json()
        rates = {r["key"]: r for r in data["rates"]}
        assert data["volume"]["current"]["count"] == 8
        assert rates["response"]["current"]["percent"] == 40.0
        assert rates["response"]["current"]["numerator"]["count"] == 2
        # The count's query lists its cases through GET /api/v1/cases.
        query = rates["response"]["current"]["numerator"]["query"]
        listed = supervisor.get(f"{reverse('api-v1:case-list')}?{query}").json()
        assert {c["number"] for c in listed["results"]} == month.numbers("A", "F")
        counts = {c["key"]: c for c in data["counts"]}
        assert counts["notice_circulation"]["current"]["count"] == 1
        assert data["handling"]["current"]["p90"] == 5
        # The page shows the same numbers.
        web = APIClient()
        web.force_login(cast.supervisor)
        page = web.get(reverse("reports:dashboard"), {"month": "2026-11"}).content.decode()
        assert f">{data['volume']['current']['count']}</a>" in page
        assert f"{rates['satisfaction']['current']['percent']}%" in page


def test_evaluation_endpoint_ranks_departments_as_the_page_does(month, cast):
    url = reverse("api-v1:stats-evaluation")
    assert _client().get(url).status_code == 401
    for user in (cast.handler, cast.head, cast.intake, cast.dispatcher, cast.admin):
        assert _client(user).get(url).status_code == 403, user.username
    bad = _client(cast.leader).get(url, {"month": "November"})
    assert bad.status_code == 400
    assert "month" in bad.json()["errors"]
    supervisor = _client(cast.supervisor)
    with at(NOW):
        data = supervisor.get(url, {"month": "2026-11"}).json()
        ranked = [(d["department"], d["rank"], d["score"]) for d in data["departments"]]
        # The hand count of test_dashboard_figures: housing 40 rate points − 6.7 deducted.
        assert ranked == [("housing", 1, pytest.approx(33.3)), ("environment", None, None)]
        housing = {p["part"]: p for p in data["departments"][0]["parts"]}
        assert housing["timeliness"]["ratio"]["numerator"]["count"] == 1
        assert housing["returns"]["tally"]["count"] == 1
        assert housing["circulations"]["points"] == -5.0
        # A part's query lists its cases through GET /api/v1/cases.
        query = housing["returns"]["tally"]["query"]
        listed = supervisor.get(f"{reverse('api-v1:case-list')}?{query}").json()
        assert {c["number"] for c in listed["results"]} == month.numbers("E")
        assert data["weights"]["circulations"] == 5.0
        web = APIClient()
        web.force_login(cast.supervisor)
        page = web.get(reverse("reports:evaluation"), {"month": "2026-11"}).content.decode()
    assert "33.3" in page


def test_public_stats_need_no_token_and_equal_the_open_page(october, client):  # noqa: F811
    cache.clear()
    with at("2026-11-15 10:00 +08:00"):
        data = _client().get(reverse("api-v1:public-stats"), {"month": "2026-10"}).json()
        page = client.get(reverse("portal:open"), {"month": "2026-10"}).content.decode()
    assert data["total"]["count"] == 12
    parks = next(c for c in data["by_category"] if c["label"] == "园林绿化")
    assert parks["count"] is None
    assert parks["display"] == "<5"
    assert f'id="open-total">{data["total"]["display"]}<' in page
    for cell in data["by_category"]:
        assert f"{cell['label']}</th><td>{cell['display'].replace('<', '&lt;')}<" in page
    assert "王小" not in str(data)
    assert "李四" not in str(data)
    assert data["topics"]
    assert _client().get(reverse("api-v1:public-stats"), {"month": "next"}).status_code == 400
