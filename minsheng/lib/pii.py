"""Personal data written into free text: find it and mask it.

Citizens put their phone number, ID number, e-mail or home address into the text itself
("联系电话13912345678", "身份证号110101199003071234", "住在XX区XX路12号3单元401"). `pii_find`
recognises them; `pii_mask` replaces each with a mask. Knows nothing about cases.

The patterns stay clear of what is not personal data: case numbers (MS-20261122-000123),
dates (20240307, 2024-03-07), money (13800000000.00元, ¥12,345) and hotline numbers
(12345, 110) are left alone. An ID number must carry a valid birth date and check digit.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from minsheng.lib.phones import phone_mask


class PiiKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    ID_NUMBER = "id_number"
    EMAIL = "email"
    ADDRESS = "address"


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data in a text: what kind, where, and the text itself."""

    kind: PiiKind
    start: int
    end: int
    text: str


# Not glued to other letters, digits, a hyphen (case numbers) or a decimal point (money).
# Chinese characters are fine neighbours: "电话13912345678" is a phone number.
_BEFORE = r"(?<![0-9A-Za-z\-.¥￥$])"
_AFTER = r"(?![0-9A-Za-z]|[.,]\d|\s*[元万亿块角])"

_MOBILE = re.compile(
    _BEFORE + r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + _AFTER,
)
# A landline needs its area code set off (010-12345678, (0755)1234567, 021 6123 4567): a bare
# run of digits starting with 0 is as likely a serial number.
_LANDLINE = re.compile(
    _BEFORE
    + r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[\s-])\s?[2-9]\d{2,3}[\s-]?\d{4}"
    + r"(?:[-转]\d{1,5})?"
    + _AFTER,
)
_ID_NUMBER = re.compile(_BEFORE + r"[1-9]\d{16}[\dXx]" + _AFTER)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

# An address: a place name ending in a road, lane, estate or building word, then at least
# one numbered part (12号, 3栋, 2单元, 401室), optionally a bare room number at the end.
# The place name may not run back over the words that introduce it (住在, 地址是).
_PLACE_CHAR = r"(?:(?![住在于是的了和与到从址为我他她家])[\u4e00-\u9fa5A-Za-z0-9])"
_PLACE_END = r"(?:大道|胡同|小区|花园|家园|公寓|大厦|新村|路|街|巷|弄|里|苑|村)"
_NUMBER = r"[0-9一二三四五六七八九十]+"
_PART = rf"{_NUMBER}(?:号院|号楼|号|栋|幢|座|单元|楼|层|室|户)"
_ADDRESS = re.compile(
    rf"{_PLACE_CHAR}{{1,14}}?{_PLACE_END}\s?(?:{_PART}[\s-]?)+(?:\d{{3,4}}(?![0-9]))?"
)

# Right after these words an 18-digit number is an ID number even with a mistyped check digit.
_ID_WORDS = re.compile(r"(?:身份证|证件)(?:号码|号)?\s*[：:是为]?\s*$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _has_birth_date(value: str) -> bool:
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


def id_number_is_valid(value: str) -> bool:
    """An 18-digit mainland ID number (居民身份证号码) with a real birth date and the
    right check digit (GB 11643)."""
    if len(value) != 18 or not value[:17].isdigit() or not _has_birth_date(value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def _is_id_number(text: str, match: re.Match[str]) -> bool:
    """A valid ID number, or one with a birth date right after "身份证号" (a citizen may
    mistype the check digit; the number is still theirs)."""
    value = match.group()
    if id_number_is_valid(value):
        return True
    announced = _ID_WORDS.search(text, max(0, match.start() - 12), match.start())
    return announced is not None and _has_birth_date(value)


def pii_find(text: str) -> list[PiiMatch]:
    """The personal data in `text`, in order, without overlaps (an ID number is not also
    read as a phone number; the longer match wins)."""
    found: list[PiiMatch] = []
    for kind, pattern in (
        (PiiKind.EMAIL, _EMAIL),
        (PiiKind.ID_NUMBER, _ID_NUMBER),
        (PiiKind.MOBILE, _MOBILE),
        (PiiKind.LANDLINE, _LANDLINE),
        (PiiKind.ADDRESS, _ADDRESS),
    ):
        for match in pattern.finditer(text):
            if kind == PiiKind.ID_NUMBER and not _is_id_number(text, match):
                continue
            start, end = match.span()
            if any(start < other.end and other.start < end for other in found):
                continue
            found.append(PiiMatch(kind=kind, start=start, end=end, text=match.group()))
    return sorted(found, key=lambda m: m.start)


def _mask_one(match: PiiMatch) -> str:
    if match.kind == PiiKind.MOBILE:
        return phone_mask(match.text)
    if match.kind == PiiKind.EMAIL:
        return match.text[:1] + "***@***"
    return "***"


def pii_mask(text: str) -> str:
    """`text` with every piece of personal data masked: 139****5678 for a mobile number,
    *** for the rest."""
    if not text:
        return text
    parts: list[str] = []
    position = 0
    for match in pii_find(text):
        parts.append(text[position : match.start])
        parts.append(_mask_one(match))
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def pii_contains(text: str) -> bool:
    """Whether `text` holds any personal data `pii_find` recognises."""
    return bool(text) and bool(pii_find(text))
