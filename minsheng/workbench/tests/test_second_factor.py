"""The TOTP second factor: enrolling an authenticator app, the code step after the
password, and the setting that makes it required for administrators and supervisors."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from minsheng.cases.tests.factories import PASSWORD

LOGIN = "/work/login/"
CODE = "/work/login/code/"
ENROL = "/work/account/second-factor/"


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _password_login(client, username="handler"):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_staff_member_enrols_and_then_logs_in_with_a_code(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _password_login(client)  # no device yet, not required: straight in
        assert client.get("/work/").status_code == 200

        page = client.get(ENROL)
        assert page.status_code == 200
        html = page.content.decode()
        assert "<svg" in html  # the QR code, inline
        device = TOTPDevice.objects.get(user=cast.handler, confirmed=False)

        refused = client.post(ENROL, {"token": _wrong(_code(device))})
        assert refused.status_code == 200
        assert not TOTPDevice.objects.filter(user=cast.handler, confirmed=True).exists()

        confirmed = client.post(ENROL, {"token": _code(device), "next": "/work/cases/"})
        assert confirmed.status_code == 302
        assert confirmed["Location"] == "/work/cases/"
        device.refresh_from_db()
        assert device.confirmed

        client.post("/work/logout/")
        clock.shift(timedelta(seconds=60))  # a code is accepted once; wait for the next one
        response = _password_login(client)
        # The password alone opens nothing: every staff page sends to the code step.
        for url in ["/work/", "/work/cases/", "/admin/"]:
            answer = client.get(url)
            assert answer.status_code == 302
            assert answer["Location"].startswith(CODE)
        # Nor can a new device be enrolled with the password alone.
        assert client.get(ENROL)["Location"].startswith(CODE)
        assert client.get(response["Location"])["Location"].startswith(CODE)

        wrong = client.post(CODE, {"token": _wrong(_code(device)), "next": "/work/"})
        assert wrong.status_code == 200
        assert client.get("/work/").status_code == 302
        clock.shift(timedelta(seconds=2))  # django-otp slows down a second try after a failure

        right = client.post(CODE, {"token": _code(device), "next": "/work/"})
        assert right.status_code == 302
        assert right["Location"] == "/work/"
        assert client.get("/work/").status_code == 200


def test_session_api_calls_wait_for_the_code(client, cast):
    TOTPDevice.objects.create(user=cast.dispatcher, name="totp", confirmed=True)
    _password_login(client, "dispatcher")
    assert client.get("/api/v1/cases").status_code in (401, 403)


def test_supervisor_must_enrol_when_the_setting_requires_it(client, cast, settings):
    settings.MINSHENG_OTP_REQUIRED_ROLES = ["admin", "supervisor"]
    _password_login(client, "supervisor")
    answer = client.get("/work/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(ENROL)
    assert client.get("/work/stats/")["Location"].startswith(ENROL)
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=cast.supervisor, confirmed=False)
    assert client.post(ENROL, {"token": _code(device)}).status_code == 302
    assert client.get("/work/").status_code == 200

    # A handler is not in those roles: the password is enough.
    client.post("/work/logout/")
    _password_login(client, "handler")
    assert client.get("/work/").status_code == 200


def test_the_demo_default_requires_no_code(settings):
    # The laptop and `make run` defaults run with DEBUG on: no role must enrol.
    assert settings.MINSHENG_OTP_REQUIRED_ROLES == []


def test_api_token_needs_the_code_from_staff_with_a_second_factor(client, cast):
    device = TOTPDevice.objects.create(user=cast.supervisor, name="totp", confirmed=True)
    url = "/api/v1/auth/token"
    answer = client.post(url, {"username": "supervisor", "password": PASSWORD}, "application/json")
    assert answer.status_code == 400
    assert "otp" in answer.json()["errors"]
    answer = client.post(
        url,
        {"username": "supervisor", "password": PASSWORD, "otp": _code(device)},
        "application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["token"]
    # Without a device and not required: the password is enough, as before.
    answer = client.post(url, {"username": "handler", "password": PASSWORD}, "application/json")
    assert answer.status_code == 200
