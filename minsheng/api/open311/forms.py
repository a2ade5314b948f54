"""Parsing GeoReport v2 request arguments (form-encoded POST and query strings)."""

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from minsheng.deadlines.models import Kind

DESCRIPTION_MAX = 4000  # the spec's limit
ATTRIBUTE_KEY = re.compile(r"^attribute\[([A-Za-z0-9_]+)\](\[\])?$")


class ServiceRequestForm(forms.Form):
    """The arguments of POST requests.(json|xml)."""

    jurisdiction_id = forms.CharField(required=False, max_length=200)
    service_code = forms.CharField(max_length=20)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=200)
    address_id = forms.CharField(required=False, max_length=200)
    email = forms.EmailField(required=False, max_length=254)
    device_id = forms.CharField(required=False, max_length=200)
    account_id = forms.CharField(required=False, max_length=200)
    first_name = forms.CharField(required=False, max_length=50)
    last_name = forms.CharField(required=False, max_length=50)
    phone = forms.CharField(required=False, max_length=30)
    description = forms.CharField(max_length=DESCRIPTION_MAX)
    media_url = forms.URLField(required=False, max_length=1000, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        has_point = data.get("lat") is not None and data.get("long") is not None
        if not (has_point or data.get("address_string") or data.get("address_id")):
            raise forms.ValidationError(
                _("Give a location: lat and long, address_string or address_id.")
            )
        return data

    def coordinate(self, name: str) -> Decimal | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# The service definition's attributes: code -> (datatype, description, max length).
ATTRIBUTES: dict[str, tuple[str, str, int]] = {
    "kind": ("singlevaluelist", "What sort of matter this is (default: complaint).", 20),
    "subject": ("string", "A short title (default: the start of the description).", 200),
    "desired_outcome": ("text", "What you would like to happen.", 4000),
    "respondent": ("string", "The unit or business the matter is about.", 200),
}


def attributes_parse(data: QueryDict) -> tuple[dict[str, str], list[str]]:
    """The `attribute[code]=value` arguments, and a message for each one we cannot take."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            continue
        code = match.group(1)
        value = data.get(key, "").strip()
        if code not in ATTRIBUTES:
            problems.append(_("Unknown attribute: %(code)s.") % {"code": code})
        elif "\x00" in value:
            problems.append(_("Attribute %(code)s holds a null character.") % {"code": code})
        elif len(value) > ATTRIBUTES[code][2]:
            problems.append(_("Attribute %(code)s is too long.") % {"code": code})
        elif code == "kind" and value and value not in Kind.values:
            problems.append(
                _("attribute[kind] must be one of: %(keys)s.") % {"keys": ", ".join(Kind.values)}
            )
        elif value:
            values[code] = value
    return values, problems


def w3_datetime(raw: str) -> datetime | None:
    """A W3C date-time with its time zone, or None if it is not one."""
    try:
        moment = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        return None
    if moment is None or moment.utcoffset() is None:
        return None
    return moment


def comma_list(raw: str) -> list[str]:
    """The items of a comma-delimited argument (without NUL characters, which no id has)."""
    return [item.strip() for item in raw.replace("\x00", "").split(",") if item.strip()]
