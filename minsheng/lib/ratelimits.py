"""Rate limits for the public endpoints, counted in Django's cache (no database write).

A limit is a rate such as "30/10m": at most 30 hits per client (or per key) in each
ten-minute window. Counting is a fixed window: cheap (one cache add or incr per limit) and
good enough to slow a flood or a guessing run; it is not an exact sliding window.

Clients on MINSHENG_RATELIMIT_ALLOW (a load balancer's health check, the benchmark client)
are never counted. The rates themselves are settings (README "Accounts and public
endpoints"); the public views ask `lookup_refused` and `submission_check` and nothing else.
"""

import hashlib
import re
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone

from minsheng.lib.clients import client_address, is_allow_listed

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    """At most `count` hits in each window of `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """ "30/10m" -> Rate(30, 600); "5/h" -> Rate(5, 3600)."""
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"Not a rate (like 30/10m): {text!r}")
        count, multiple, unit = match.groups()
        return cls(int(count), int(multiple or 1) * _UNITS[unit])


class SubmissionNeed(Enum):
    """What a public submission from this client needs now."""

    FREE = "free"  # below the challenge threshold
    CHALLENGE = "challenge"  # past it: a person answers a simple question first
    REFUSED = "refused"  # past the hard limit: refused until the window ends


def hit(*, scope: str, key: str, rate: Rate) -> int:
    """Count one hit for `key` in `scope` and return the hits in the current window."""
    window = int(timezone.now().timestamp()) // rate.seconds
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no addresses or numbers in keys
    cache_key = f"minsheng:rl:{scope}:{rate.seconds}:{window}:{digest}"
    cache = caches[settings.MINSHENG_RATELIMIT_CACHE]
    if cache.add(cache_key, 1, timeout=rate.seconds + 1):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=rate.seconds + 1)
        return 1


def peek(*, scope: str, key: str, rate: Rate) -> int:
    """The hits for `key` in `scope` in the current window, without counting one."""
    window = int(timezone.now().timestamp()) // rate.seconds
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"minsheng:rl:{scope}:{rate.seconds}:{window}:{digest}"
    return int(caches[settings.MINSHENG_RATELIMIT_CACHE].get(cache_key, 0))


def retry_after(rate: Rate) -> int:
    """Seconds until the current window of `rate` ends."""
    return rate.seconds - int(timezone.now().timestamp()) % rate.seconds


def lookup_refused(request: HttpRequest, *, key: str | None) -> bool:
    """Count a public look-up of `key` (a case number; None for a search) and say whether it
    is over a limit: MINSHENG_RATELIMIT_TRACK_CLIENT per client address,
    MINSHENG_RATELIMIT_TRACK_CASE per key. Both count every look-up, right or wrong, so the
    refusal says nothing about whether the number or the code was right."""
    if is_allow_listed(request):
        return False
    per_client = Rate.parse(settings.MINSHENG_RATELIMIT_TRACK_CLIENT)
    client_hits = hit(scope="track-client", key=client_address(request), rate=per_client)
    refused = client_hits > per_client.count
    if key is not None:
        per_case = Rate.parse(settings.MINSHENG_RATELIMIT_TRACK_CASE)
        case_hits = hit(scope="track-case", key=key.strip().upper(), rate=per_case)
        refused = refused or case_hits > per_case.count
    return refused


def lookup_retry_after() -> int:
    """Seconds to tell a refused look-up to wait (the end of the longer window)."""
    rates = (settings.MINSHENG_RATELIMIT_TRACK_CLIENT, settings.MINSHENG_RATELIMIT_TRACK_CASE)
    return max(retry_after(Rate.parse(rate)) for rate in rates)


def submission_retry_after() -> int:
    """Seconds to tell a refused submission to wait."""
    return retry_after(Rate.parse(settings.MINSHENG_RATELIMIT_SUBMIT))


def submission_check(request: HttpRequest, *, count: bool = True) -> SubmissionNeed:
    """Count a public submission attempt from this client (unless `count` is False) and say
    what it needs: nothing below MINSHENG_RATELIMIT_SUBMIT_CHALLENGE, a challenge above it,
    a refusal above MINSHENG_RATELIMIT_SUBMIT."""
    if is_allow_listed(request):
        return SubmissionNeed.FREE
    address = client_address(request)
    hard = Rate.parse(settings.MINSHENG_RATELIMIT_SUBMIT)
    soft = Rate.parse(settings.MINSHENG_RATELIMIT_SUBMIT_CHALLENGE)
    if count:
        hard_hits = hit(scope="submit", key=address, rate=hard)
        soft_hits = hit(scope="submit-soft", key=address, rate=soft)
    else:  # what the next submission will need (the form shows the question beforehand)
        hard_hits = peek(scope="submit", key=address, rate=hard) + 1
        soft_hits = peek(scope="submit-soft", key=address, rate=soft) + 1
    if hard_hits > hard.count:
        return SubmissionNeed.REFUSED
    if soft_hits > soft.count:
        return SubmissionNeed.CHALLENGE
    return SubmissionNeed.FREE
