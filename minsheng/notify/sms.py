"""Sending SMS through a pluggable backend, chosen by the `SMS_BACKEND` setting (a dotted
path to a class with `send(*, to, text, ref)`).

- `ConsoleBackend` (default) logs the message: a laptop needs no gateway.
- `HttpGatewayBackend` posts `{"to", "text", "ref"}` as JSON with `Authorization: Bearer
  <SMS_GATEWAY_TOKEN>` to `SMS_GATEWAY_URL`; any 2xx answer means the gateway accepted the
  message. `ref` is our notification key, the same on every retry, so a gateway can drop
  repeats. README.md, "Notifications", documents the contract for gateway vendors.

A backend raises `SmsError` when the message was not accepted; the caller retries.
"""

import json
import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from minsheng.lib import outbound

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message was not accepted (network error, timeout, or a non-2xx answer)."""


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, ref: str) -> None: ...


class ConsoleBackend:
    """Logs each message instead of sending it (development)."""

    def send(self, *, to: str, text: str, ref: str) -> None:
        logger.info("SMS to %s (ref %s): %s", to, ref, text)


def http_post_json(
    *, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, str]:
    """POST `body` to `url`; return the status code and the start of the answer.

    Raises OSError when no answer came, and when the target is refused as a private or
    local address (`minsheng.lib.outbound`: checked, then connected to that address;
    redirects are not followed). Shared by the SMS gateway and webhooks.
    """
    return outbound.post_json(url=url, body=body, headers=headers, timeout=timeout)


class HttpGatewayBackend:
    """Posts each message to an HTTP SMS gateway (see the module docstring)."""

    def __init__(self) -> None:
        self.url: str = settings.SMS_GATEWAY_URL
        self.token: str = settings.SMS_GATEWAY_TOKEN
        self.timeout: float = settings.SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")

    def send(self, *, to: str, text: str, ref: str) -> None:
        body = json.dumps({"to": to, "text": text, "ref": ref}, ensure_ascii=False).encode()
        try:
            status, answer = http_post_json(
                url=self.url,
                body=body,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except OSError as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status}: {answer[:200]}")


@cache
def _backend_class(path: str) -> type[SmsBackend]:
    return import_string(path)  # type: ignore[no-any-return]


def sms_send(*, to: str, text: str, ref: str) -> None:
    """Send one SMS through the configured backend; raises SmsError if not accepted."""
    _backend_class(settings.SMS_BACKEND)().send(to=to, text=text, ref=ref)
