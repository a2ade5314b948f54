"""Security headers on every page, the idle session timeout, and the production settings
that DEBUG off turns on (secure cookies, HSTS, https redirect, the second factor)."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from minsheng.cases.tests.factories import PASSWORD


def test_pages_carry_a_strict_content_security_policy_and_security_headers(client, db):
    for path in ["/", "/work/login/", "/submit/", "/admin/login/"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_a_session_ends_after_thirty_idle_minutes_and_lasts_while_used(client, cast):
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert (
            client.post("/work/login/", {"username": "handler", "password": PASSWORD}).status_code
            == 302
        )
        # Used every 20 minutes for an hour: still logged in.
        for _n in range(3):
            clock.shift(timedelta(minutes=20))
            assert client.get("/work/").status_code == 200
        # Then 31 minutes without a request: logged out.
        clock.shift(timedelta(minutes=31))
        answer = client.get("/work/")
        assert answer.status_code == 302
        assert answer["Location"].startswith("/work/login/")


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "hsts": s.SECURE_HSTS_SECONDS, "redirect": s.SECURE_SSL_REDIRECT,
    "proxy": list(getattr(s, "SECURE_PROXY_SSL_HEADER", None) or []),
    "otp": s.MINSHENG_OTP_REQUIRED_ROLES, "cache": s.CACHES["default"]["BACKEND"],
    "hashers": s.PASSWORD_HASHERS[0], "min_length": s.AUTH_PASSWORD_VALIDATORS[0]["OPTIONS"],
}))
"""


def _settings_with(env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECURE_"))}
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": "minsheng.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict = json.loads(result.stdout)
    return found


def test_production_turns_on_secure_cookies_hsts_https_and_the_second_factor():
    production = _settings_with(
        {
            "DEBUG": "false",
            "SECRET_KEY": "a-production-secret-key-for-this-test-only",
            "HASH_KEY": "a-production-hash-key-for-this-test-only",
            "FIELD_ENCRYPTION_KEYS": "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY=",
            "SECURE_PROXY_SSL_HEADER": "true",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        }
    )
    assert production["session_secure"]
    assert production["csrf_secure"]
    assert production["hsts"] >= 31536000
    assert production["redirect"] is True
    assert production["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert set(production["otp"]) == {"admin", "supervisor"}
    assert production["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert production["hashers"].endswith("Argon2PasswordHasher")
    assert production["min_length"] == {"min_length": 12}

    laptop = _settings_with({"DEBUG": "true"})
    assert not laptop["session_secure"]
    assert not laptop["redirect"]
    assert laptop["hsts"] == 0
    assert laptop["otp"] == []
    assert laptop["cache"] == "django.core.cache.backends.locmem.LocMemCache"
