"""Who is making the request, for audit entries written far from the view (a model saved
by the admin or a service): `current_actor()`."""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from minsheng.accounts.models import User

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class AuditActorMiddleware:
    """Keeps the request in a context variable while it is answered (after authentication,
    so that `request.user` is set; DRF's token users are set on the same request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_actor() -> User | None:
    """The signed-in user of the request being answered, or None (a command, a job)."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None
