"""Logins: Argon2 hashes, and lockout after repeated failures per user name and per address
(the workbench login, the admin login and the API token all count)."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from minsheng.cases.tests.factories import PASSWORD

LOGIN = "/work/login/"


def _login(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _locked_text() -> str:
    with translation.override("zh-hans"):
        return _("Too many failed log-ins for this account or from this address.")[:12]


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def test_a_user_name_is_locked_out_after_repeated_failures_from_any_address(client, cast, limit):
    for n in range(limit - 1):
        response = _login(client, "handler", "wrong-password", address=f"10.0.0.{n + 1}")
        assert response.status_code == 200  # the form again, with its error
    # The failure that reaches the limit is answered with the lockout already.
    assert _login(client, "handler", "wrong-password", address="10.0.0.9").status_code == 429
    # The right password, from a fresh address: still refused, with the reason on the page.
    response = _login(client, "handler", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    page = response.content.decode()
    assert _locked_text() in page
    assert 'name="password"' in page
    assert "_auth_user_id" not in client.session
    # Another user from that address is not affected.
    assert _login(client, "intake", PASSWORD, address="10.9.9.9").status_code == 302


def test_an_address_is_locked_out_after_failures_on_different_user_names(client, cast, limit):
    for name in ["intake", "dispatcher", "nobody"][:limit]:
        _login(client, name, "wrong-password", address="192.0.2.7")
    response = _login(client, "supervisor", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429
    assert _locked_text() in response.content.decode()
    # The same user from another address logs in.
    assert _login(client, "supervisor", PASSWORD, address="192.0.2.8").status_code == 302


def test_a_good_login_clears_the_failures(client, cast, limit):
    for _n in range(limit - 1):
        _login(client, "handler", "wrong-password")
    assert _login(client, "handler", PASSWORD).status_code == 302
    client.logout()
    for _n in range(limit - 1):
        _login(client, "handler", "wrong-password")
    assert _login(client, "handler", PASSWORD).status_code == 302


def test_admin_login_and_api_token_are_locked_out_too(client, cast, limit):
    admin_login = reverse("admin:login")
    for _n in range(limit):
        client.post(admin_login, {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(
        admin_login, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.1.1.2"
    )
    assert response.status_code == 429
    assert _locked_text() in response.content.decode()

    url = "/api/v1/auth/token"
    for _n in range(limit - 1):
        answer = client.post(
            url,
            {"username": "leader", "password": "wrong"},
            "application/json",
            REMOTE_ADDR="10.2.2.2",
        )
        assert answer.status_code == 400
    client.post(
        url, {"username": "leader", "password": "wrong"}, "application/json", REMOTE_ADDR="10.2.2.2"
    )
    answer = client.post(
        url,
        {"username": "leader", "password": PASSWORD},
        "application/json",
        REMOTE_ADDR="10.2.2.3",
    )
    assert answer.status_code == 429
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 429
    assert "token" not in answer.json()


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgrade_on_login(client, cast, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",  # what the test cast was made with
    ]
    user = cast.handler
    assert identify_hasher(user.password).algorithm == "md5"
    assert _login(client, "handler", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)
