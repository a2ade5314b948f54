"""Who is calling: the client's network address, and whether it is on the allow-list.

The address is REMOTE_ADDR unless that is a trusted proxy (MINSHENG_TRUSTED_PROXIES), in
which case it is the nearest address in X-Forwarded-For that is not itself a trusted proxy.
A client cannot choose its own address by sending X-Forwarded-For to us directly.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _in(address: str, entries: list[str] | tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(entries)))


def client_address(request: HttpRequest) -> str:
    """The calling client's IP address as text ("" if the request names none)."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.MINSHENG_TRUSTED_PROXIES
    if not trusted or not _in(address, trusted):
        return address
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Read from the right: each proxy appends the address it received the request from.
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _in(hop, trusted):
            return hop if _valid(hop) else address
    return address


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def is_allow_listed(request: HttpRequest) -> bool:
    """Whether the client is exempt from rate limits (MINSHENG_RATELIMIT_ALLOW)."""
    allow = settings.MINSHENG_RATELIMIT_ALLOW
    return bool(allow) and _in(client_address(request), allow)
