"""HTTP input for lifecycle actions: one form per action, built from the action's inputs in
`cases.workflow.ACTIONS`. The workbench renders these forms and the API validates request
bodies with them, so both parse an action's fields the same way.
"""

from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category
from minsheng.cases.workflow import ACTIONS, Act, Action, Input, InputKind
from minsheng.cases.workflow.engine import TEXT_MAX


class CaseNumberField(forms.Field):
    """A case given by its number."""

    def to_python(self, value: Any) -> Case | None:
        number = str(value or "").strip().upper()
        if not number:
            return None
        case = Case.objects.filter(number=number).first()
        if case is None:
            raise ValidationError(_("No case has this number."), code="invalid")
        return case


def _field(action: Action, spec: Input) -> forms.Field:
    label = action.note_label if spec.name == "note" and action.note_label else spec.label
    common: dict[str, Any] = {"label": label, "required": spec.required}
    if spec.kind == InputKind.TEXT:
        widget = forms.Textarea(attrs={"rows": 3}) if spec.is_long_text else forms.TextInput
        return forms.CharField(widget=widget, max_length=TEXT_MAX, **common)
    if spec.kind == InputKind.INT:
        return forms.IntegerField(min_value=1, max_value=365, **common)
    if spec.kind == InputKind.BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if spec.kind == InputKind.CHOICE:
        assert spec.choices is not None  # noqa: S101 - every choice input names its choices
        choices: list[tuple[str, Any]] = list(spec.choices.choices)
        if not spec.required:
            choices = [("", "---------"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if spec.kind == InputKind.DEPARTMENT:
        departments = Department.objects.filter(is_active=True)
        return forms.ModelChoiceField(departments, to_field_name="code", **common)
    if spec.kind == InputKind.DEPARTMENTS:
        departments = Department.objects.filter(is_active=True)
        return forms.ModelMultipleChoiceField(departments, to_field_name="code", **common)
    if spec.kind == InputKind.CATEGORY:
        return forms.ModelChoiceField(Category.objects.all(), **common)
    return CaseNumberField(**common)


@cache
def action_form_class(action: str) -> type[forms.Form]:
    """The form for `action`'s inputs; its cleaned_data goes straight to `perform`."""
    spec = ACTIONS[Act(action)]
    fields = {each.name: _field(spec, each) for each in spec.inputs}
    return type(f"{action.title().replace('_', '')}Form", (forms.Form,), fields)


def action_inputs(form: forms.Form) -> dict[str, Any]:
    """The cleaned inputs of a valid action form, leaving out what was not given."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
