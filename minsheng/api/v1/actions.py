"""The request body of every lifecycle action, generated from the lifecycle table.

Each action's inputs (`cases.workflow.ACTIONS[act].inputs`) become one closed input
serializer, named after the action (`LinkActionInputSerializer`, in the OpenAPI document
`LinkActionInputRequest`): its fields, whether each is required, its choices as an enum,
its limits (read off the action's form, `cases.forms.action_form_class`, which parses
what this serializer lets through), and its label as the help text. `supplement` takes
files: its multipart body adds `attachments`.
"""

from functools import cache
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from minsheng.accounts.models import Department
from minsheng.api.v1.inputs import FilesField, StrictInput
from minsheng.cases.forms import action_form_class
from minsheng.cases.models import Case
from minsheng.cases.workflow import ACTIONS, Act, Input, InputKind

# The actions that take files with them, in multipart `attachments`.
FILE_ACTIONS = frozenset({Act.SUPPLEMENT})

_CODE_LENGTH = Department._meta.get_field("code").max_length
_NUMBER_LENGTH = Case._meta.get_field("number").max_length


class ActionInput(StrictInput):
    """The body of one action: only its own inputs, each in its documented type."""

    refuses_unknown_fields = True
    act: Act

    def unknown_field_message(self, name: str) -> str:
        if name == "attachments" and self.act not in FILE_ACTIONS:
            return _("Only supplement takes files; staff upload them separately.")
        return super().unknown_field_message(name)


def _field(spec: Input, form_field: forms.Field) -> serializers.Field:
    """The serializer field of one input, with the limits of its form field."""
    common: dict[str, Any] = {"required": spec.required, "help_text": form_field.label}
    kind = spec.kind
    if kind == InputKind.TEXT:
        assert isinstance(form_field, forms.CharField)  # noqa: S101 - action_form_class
        common["max_length"] = form_field.max_length
        return serializers.CharField(allow_blank=not spec.required, **common)
    if kind == InputKind.INT:
        assert isinstance(form_field, forms.IntegerField)  # noqa: S101 - action_form_class
        common.update(min_value=form_field.min_value, max_value=form_field.max_value)
        return serializers.IntegerField(**common)
    if kind == InputKind.BOOL:
        # A required yes/no input is a confirmation: it must be yes (as Django's required
        # BooleanField means). The form leaves it optional so the action's check can say why.
        return ConfirmationField(**common) if spec.required else serializers.BooleanField(**common)
    if kind == InputKind.CHOICE:
        assert spec.choices is not None  # noqa: S101 - every choice input names its choices
        return serializers.ChoiceField(choices=spec.choices.choices, **common)
    code: dict[str, Any] = {"max_length": _CODE_LENGTH}
    if kind == InputKind.DEPARTMENT:
        common["help_text"] = format_lazy("{} (department code)", form_field.label)
        return serializers.SlugField(**code, **common)
    if kind == InputKind.DEPARTMENTS:
        common["help_text"] = format_lazy("{} (department codes)", form_field.label)
        return serializers.ListField(child=serializers.SlugField(**code), **common)
    if kind == InputKind.CATEGORY:
        common["help_text"] = format_lazy("{} (category id)", form_field.label)
        return serializers.IntegerField(**common)
    # An optional choice from the office's configuration: blank means none chosen (the
    # action's check says when one is needed).
    if kind == InputKind.CASE_CLASS:
        common["help_text"] = format_lazy("{} (class code)", form_field.label)
        return serializers.SlugField(allow_blank=not spec.required, **code, **common)
    if kind == InputKind.REJECTION_REASON:
        common["help_text"] = format_lazy("{} (reason code)", form_field.label)
        return serializers.SlugField(allow_blank=not spec.required, max_length=40, **common)
    common.update(
        max_length=_NUMBER_LENGTH, help_text=format_lazy("{} (case number)", form_field.label)
    )
    return serializers.CharField(**common)


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConfirmationField(serializers.BooleanField):
    """A yes/no input that must be yes (`true`)."""

    def to_internal_value(self, data: Any) -> bool:
        value = super().to_internal_value(data)
        if value is not True:
            self.fail("required")
        return value


@cache
def _input_class(act: Act, *, with_files: bool) -> type[ActionInput]:
    form = action_form_class(act)
    fields: dict[str, Any] = {
        spec.name: _field(spec, form.base_fields[spec.name]) for spec in ACTIONS[act].inputs
    }
    if with_files:
        fields["attachments"] = FilesField(help_text="Files supplied with the material.")
    camel = act.value.title().replace("_", "")  # as `api.schema.act_camel` (which imports us)
    name = f"{camel}Action{'Form' if with_files else ''}InputSerializer"
    doc = f"The body of `{act.value}`."
    return type(
        name, (ActionInput,), {**fields, "act": act, "__doc__": doc, "__module__": __name__}
    )


def action_input_classes(act: Act) -> tuple[type[ActionInput], type[ActionInput]]:
    """`act`'s input serializers for JSON and for multipart form data: the same class,
    but for an action that takes files (`FILE_ACTIONS`), whose form data adds them."""
    json_class = _input_class(act, with_files=False)
    return json_class, _input_class(act, with_files=True) if act in FILE_ACTIONS else json_class
