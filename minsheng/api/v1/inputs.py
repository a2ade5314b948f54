"""What every input serializer of the REST API v1 shares: values read only in the type the
OpenAPI document gives them, bodies that refuse fields they do not know, and uploaded files.

DRF reads leniently: `1` or `"yes"` as a boolean, `"5"` as a number, `5` as text. A client
written from the OpenAPI document never sends those, and a server that accepts them says
less than its document. `StrictInput` refuses them: in JSON a value must have the
document's type; in multipart form data, where every value is text, a boolean is `true` or
`false` and a number is written as in JSON.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import relations, serializers
from rest_framework.fields import empty

from minsheng.lib import uploads

# Python's str.isspace(), which CharField's trimming and str.strip() use, as a regex class:
# `\s` means slightly different things in ECMA, Rust and Python regexes.
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The document's schemas for text (see `minsheng.api.schema`): no text holds a NUL
# character (PostgreSQL can neither store nor compare them), and text that may not be
# blank holds more than whitespace. Said with `not` (no NUL anywhere, not only
# whitespace) rather than one pattern of what is allowed: schemathesis draws values for
# `^[^\x00]*$` twenty times slower.
BLANK = rf"^[{WHITESPACE}]*$"
HAS_NUL = r"\x00"
NO_NUL: dict[str, Any] = {"not": {"pattern": HAS_NUL}}
NON_BLANK: dict[str, Any] = {"not": {"anyOf": [{"pattern": HAS_NUL}, {"pattern": BLANK}]}}
NOT_BLANK: dict[str, Any] = {"not": {"pattern": BLANK}}

# Form text read as JSON reads it (what the document's types mean on the wire).
FORM_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
FORM_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# `str(True)`: what Python's HTTP clients (requests, Django's test client) send for True.
FORM_BOOLEANS = frozenset({"true", "false", "True", "False"})

UNKNOWN_FIELD = gettext_lazy("This action takes no field of this name.")
NUL_REFUSED = gettext_lazy("Null characters are not allowed.")


def check_files(files: list[UploadedFile]) -> list[UploadedFile]:
    """The count, sizes and content types `minsheng.lib.uploads` accepts; its refusals
    become this field's errors."""
    try:
        return uploads.uploads_check(files)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class FilesField(serializers.ListField):
    """Zero or more uploaded files under one multipart field name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.FileField(max_length=200))
        kwargs.setdefault("max_length", settings.UPLOAD_MAX_FILES)
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[UploadedFile]:
        return check_files(super().to_internal_value(data))


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _type_problem(field: serializers.Field, value: Any, *, form: bool) -> str | None:
    """Why `value` does not have `field`'s type in the document, if it does not."""
    if value is None or value is empty:
        return None  # missing or null: the field's own checks answer
    if not form and value == "" and isinstance(field, relations.RelatedField):
        # DRF reads "" as null for a related field; in JSON null is null, and the document
        # says a code is not empty (in form data "" stays null: `_nulls_read`).
        return _("This field may not be blank.")
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        problems = (_type_problem(field.child, item, form=form) for item in value)
        return next((problem for problem in problems if problem), None)
    if isinstance(field, serializers.BooleanField):
        ok = value in FORM_BOOLEANS if form else isinstance(value, bool)
        return None if ok else _("Enter yes or no.")
    if isinstance(field, serializers.IntegerField | relations.PrimaryKeyRelatedField):
        if form:
            ok = isinstance(value, str) and FORM_INTEGER.fullmatch(value) is not None
        else:
            ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _("Enter a whole number.")
    if isinstance(field, serializers.DecimalField | serializers.FloatField):
        if form:
            ok = isinstance(value, str) and FORM_NUMBER.fullmatch(value) is not None
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _("Enter a number.")
    textual = (
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateTimeField,
        serializers.DateField,
        relations.SlugRelatedField,
    )
    if isinstance(field, textual) and not isinstance(value, str):
        return _("Enter text.")
    return None


class StrictInput(serializers.Serializer):
    """An input serializer that reads each value only in the type the document gives it
    (see the module's docstring), refuses text holding a NUL character, and, if
    `refuses_unknown_fields`, refuses fields it does not declare, naming each.
    `minsheng.api.schema.ApiSchema` documents all three."""

    refuses_unknown_fields = False

    def unknown_field_message(self, name: str) -> str:
        return str(UNKNOWN_FIELD)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        root_data = getattr(self.root, "initial_data", data)
        form = isinstance(root_data, QueryDict)
        if form and isinstance(data, QueryDict):
            data = self._nulls_read(data)
        errors: dict[str, list[str]] = {}
        if self.refuses_unknown_fields:
            for name in sorted(set(data) - set(self.fields)):
                errors[name] = [self.unknown_field_message(name)]
        for field in self._writable_fields:
            if form and field.field_name not in data:
                continue  # DRF reads an absent form field as its empty value, not as sent
            if isinstance(field, serializers.BaseSerializer):
                continue  # a nested serializer checks its own fields
            value = field.get_value(data)
            # PostgreSQL can neither store nor compare text holding NUL characters.
            problem = (
                str(NUL_REFUSED) if _holds_nul(value) else _type_problem(field, value, form=form)
            )
            if problem:
                errors[str(field.field_name)] = [problem]
        if any(errors.get(name) == [str(NUL_REFUSED)] for name in errors):
            # Not one step further: a related field would look the value up, and PostgreSQL
            # refuses a query that holds a NUL (a server error, not the field's 400).
            raise serializers.ValidationError(errors)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, Mapping) else {}
            raise serializers.ValidationError({**detail, **errors}) from error
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def _nulls_read(self, data: QueryDict) -> QueryDict:
        """Form data with `null` in a field that may be null read as null (as JSON reads
        it; DRF reads an empty value of such a field as null)."""
        nullable = {field.field_name for field in self._writable_fields if field.allow_null}
        read = QueryDict(mutable=True)
        for name, values in data.lists():
            read.setlist(name, ["" if name in nullable and v == "null" else v for v in values])
        return read
