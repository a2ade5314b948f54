"""The authentication backends' first link: django-axes' lockout check."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginAttemptsBackend(AxesStandaloneBackend):
    """django-axes' check of failed logins per user name and per address, for every login
    over HTTP (workbench, admin, API token). A call without a request comes from our own
    code (the test client's `login`, a shell), not from the network, and is not counted."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Authenticates nobody: raises (which Django takes as a refusal) when the user name
        or the address is locked out, and otherwise lets the next backend decide."""
        if request is not None:
            super().authenticate(request, username, password, **kwargs)
