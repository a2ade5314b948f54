"""The login steps beyond the password: the TOTP code (second factor), enrolling an
authenticator app, and the page a locked-out login gets (django-axes calls `locked_out`).

The password step itself is Django's LoginView (workbench/urls.py); the rule "who must
give a code" is `accounts.selectors.second_factor_required`, applied by
`workbench.middleware.SecondFactorMiddleware`.
"""

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from minsheng.accounts.models import User
from minsheng.accounts.selectors import totp_device_for
from minsheng.accounts.services import totp_enrolment_confirm, totp_enrolment_start, totp_verify
from minsheng.workbench.forms import SecondFactorForm
from minsheng.workbench.middleware import second_factor_done


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/work/"


def _step(url_name: str, next_url: str) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the user's authenticator app."""
    user = _user(request)
    if totp_device_for(user) is None:
        return _step("workbench:second-factor-enrol", _next(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            second_factor_done(request)
            return redirect(_next(request))
        form.add_error("token", _("This code is not right. Enter the current code."))
    return render(request, "workbench/second_factor.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), confirm a code.
    Someone who already has a device proves it first, so a password alone cannot replace it.
    """
    user = _user(request)
    if totp_device_for(user) is not None and not user.is_verified():  # type: ignore[attr-defined]
        return _step("workbench:second-factor", _next(request))
    device = totp_enrolment_start(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = totp_enrolment_confirm(user=user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            otp_login(request, confirmed)
            second_factor_done(request)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next(request))
    context: dict[str, Any] = {
        "form": form,
        "next": _next(request),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111"),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return render(request, "workbench/second_factor_enrol.html", context)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a login from a locked-out user name or address: the login page
    with the reason (429), or for the API a problem JSON."""
    message = _(
        "Too many failed log-ins for this account or from this address. Try again in "
        "%(minutes)d minutes, or ask an administrator to unlock it."
    ) % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": "Too Many Requests", "status": 429}
        return JsonResponse(
            {**body, "detail": message}, status=429, content_type="application/problem+json"
        )
    form = AuthenticationForm(request)
    return render(
        request, "workbench/login.html", {"form": form, "locked_message": message}, status=429
    )
