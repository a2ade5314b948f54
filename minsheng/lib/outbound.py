"""HTTP calls that leave the server (webhooks, the SMS gateway), safe from server-side
request forgery.

An administrator (or whoever controls a subscription's DNS) must not be able to make the
server post to itself, to the internal network or to a cloud metadata address. So:

1. `url_refusal(url)` resolves the host and refuses the URL if *any* of its addresses is
   not a public unicast address (private, loopback, link-local, shared, multicast,
   reserved, unspecified; IPv4 and IPv6, IPv4-mapped included), unless the setting
   `MINSHENG_OUTBOUND_ALLOW_PRIVATE` allows them. Forms call it when a target is saved.
2. `post_json` checks again at send time and then connects to the very address it
   checked (the Host header and TLS certificate still name the host), so a DNS answer
   that changes between the check and the connection (DNS rebinding) changes nothing.
   Redirects are not followed: a 3xx is an answer like any other non-2xx.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(OSError):
    """The target may not be called (not http(s), unresolvable, or not a public address).
    An OSError, so senders treat it like an unreachable target: a failed attempt."""


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _resolved(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(
            _("The host name %(host)s cannot be resolved.") % {"host": host}
        ) from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _target(url: str) -> tuple[str, str, int, str, IPAddress]:
    """(scheme, host, port, path with query, the checked address) or OutboundRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(_("Only http:// and https:// addresses can be called."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused(_("The port of this address is not valid.")) from exc
    addresses = _resolved(parts.hostname, port)
    if not addresses:
        raise OutboundRefused(
            _("The host name %(host)s cannot be resolved.") % {"host": parts.hostname}
        )
    if not settings.MINSHENG_OUTBOUND_ALLOW_PRIVATE:
        for address in addresses:
            if not _is_public(address):
                raise OutboundRefused(
                    _(
                        "%(host)s is a private, local or reserved address (%(address)s); "
                        "only public addresses can be called."
                    )
                    % {"host": parts.hostname, "address": address}
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path, addresses[0]


def url_refusal(url: str) -> str | None:
    """Why `url` may not be called, for a form's field error; None when it may."""
    try:
        _target(url)
    except OutboundRefused as exc:
        return str(exc)
    return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address; the certificate must name the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post_json(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST `body` to `url` after the checks above; the status code and the answer's start.

    Raises OSError when no answer came (OutboundRefused when the target is refused)."""
    scheme, host, port, path, address = _target(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=str(address), timeout=timeout)
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        return response.status, response.read(2000).decode("utf-8", "replace")
    except http.client.HTTPException as exc:  # a broken answer is no answer
        raise OSError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
