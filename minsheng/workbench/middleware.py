"""Staff sessions: the inactivity timeout, and the second login step.

A session ends SESSION_COOKIE_AGE seconds after its last request. Rather than save the
session on every request (a database write per staff page), `SessionIdleMiddleware`
re-saves it at most once a minute, so the timeout is exact to within that minute.

The second login step: a staff member who must prove a TOTP code (accounts.selectors.
second_factor_required) reaches no staff page, admin page or session-authenticated API call
until they have, and one who must but has no device yet is sent to enrol one.

Whether the step is pending is decided once, at the password login (any login view: the
workbench's, the admin's), and kept in the session, so staff pages pay no extra query.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from minsheng.accounts.models import User
from minsheng.accounts.selectors import second_factor_required, totp_device_for

PENDING_KEY = "minsheng_second_factor_pending"
REFRESHED_KEY = "minsheng_refreshed_at"  # when the session's expiry was last pushed back
REFRESH_EVERY_SECONDS = 60
# Pages an unverified user may still open: the steps themselves, logging out, public pages.
OPEN_URL_NAMES = {"login", "logout", "second-factor", "second-factor-enrol"}
OPEN_PREFIXES = ("/static/", "/media/")


def login_mark(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """user_logged_in receiver: start the idle clock, and remember whether this session
    still owes a TOTP code."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_KEY] = int(timezone.now().timestamp())
        if second_factor_required(user):
            request.session[PENDING_KEY] = True
        else:
            request.session.pop(PENDING_KEY, None)


def second_factor_done(request: HttpRequest) -> None:
    """The code was proven (verify or enrolment): the session may open staff pages."""
    request.session.pop(PENDING_KEY, None)


class SessionIdleMiddleware:
    """Push a logged-in session's expiry back, at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refreshed = request.session.get(REFRESHED_KEY)
        if refreshed is not None:
            now = int(timezone.now().timestamp())
            if now - refreshed >= REFRESH_EVERY_SECONDS:
                request.session[REFRESHED_KEY] = now  # modified: saved with a new expiry
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(PENDING_KEY) and not self._open(request):
            user = request.user
            if isinstance(user, User) and not user.is_verified():  # type: ignore[attr-defined]
                if request.path.startswith("/api/"):
                    # The API answers as for no session: 401/403 problem JSON.
                    request.user = AnonymousUser()
                else:
                    step = "second-factor" if totp_device_for(user) else "second-factor-enrol"
                    target = reverse(f"workbench:{step}")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path.startswith(OPEN_PREFIXES):
            return True
        match = request.resolver_match
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return True
        if match.namespace == "workbench" and match.url_name in OPEN_URL_NAMES:
            return True
        return match.namespace == "portal"
