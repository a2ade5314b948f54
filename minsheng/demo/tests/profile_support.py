"""What the office-profile tests share: loading a profile into the empty test database,
API clients of its demo staff, and reading a case's clocks."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.accounts.models import User
from minsheng.cases.models import Case, CaseClock
from minsheng.deadlines.selectors import deadlines_cache_clear
from minsheng.demo.profiles import ProfileLoaded, profile_get, profile_load


def load(name: str, *, demo: bool = True) -> ProfileLoaded:
    """Load the profile as `manage.py load_profile` does (its command output is checked
    once, in test_profiles)."""
    deadlines_cache_clear()
    return profile_load(profile_get(name), demo=demo)


def api_as(username: str) -> APIClient:
    client = APIClient()
    user = User.objects.get(username=username)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def act(username: str, number: str, action: str, **body: object) -> dict:
    """Take an action through the API as a demo user; the answer must be a success."""
    answer = api_as(username).post(f"/api/v1/cases/{number}/actions/{action}", body, format="json")
    assert answer.status_code == 200, (action, answer.status_code, answer.content[:500])
    return answer.json()


def running(case: Case, step: str) -> CaseClock:
    """The case's running clock of `step`."""
    return case.clocks.get(step=step, stopped_at__isnull=True)
