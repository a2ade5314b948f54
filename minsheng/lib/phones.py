"""Phone numbers: normalise for matching, mask for display."""

import re

_NON_DIGITS = re.compile(r"[^\d]")


def phone_normalise(raw: str) -> str:
    """Digits only, without a leading +86/0086 country code."""
    digits = _NON_DIGITS.sub("", raw)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def phone_mask(raw: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    digits = phone_normalise(raw)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
