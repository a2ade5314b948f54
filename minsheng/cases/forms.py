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
from minsheng.cases.models import Case, Category, LinkKind, Rating
from minsheng.cases.workflow import ACTIONS, Input, InputKind
from minsheng.deadlines.models import Kind, Severity

LABELS: dict[str, Any] = {
    "note": _("Note"),
    "kind": _("Kind"),
    "severity": _("Severity"),
    "category": _("Category"),
    "body": _("Competent body"),
    "consent": _("The complainant agrees to the transfer"),
    "department": _("Lead department"),
    "co_departments": _("Co-handling departments"),
    "amount": _("Extra time (in the deadline's unit)"),
    "outcome": _("Outcome"),
    "facts": _("Facts found"),
    "basis": _("Legal or policy basis"),
    "measures": _("Measures taken"),
    "remedy": _("Remedy path"),
    "remedy_days": _("Days to seek a remedy"),
    "rating": _("Rating"),
    "into": _("Merge into case number"),
    "other": _("Other case number"),
}

# What the note means for each action that requires one.
NOTE_LABELS: dict[str, Any] = {
    "request_info": _("What material is missing"),
    "supplement": _("The material supplied"),
    "reject": _("Reason for rejection"),
    "answer": _("Answer"),
    "return": _("Why this is not your department's case"),
    "plan": _("Handling plan"),
    "progress": _("Progress message to the complainant"),
    "co_report": _("Your department's part"),
    "extension_request": _("Reason for the extension"),
    "extension_refuse": _("Reason for refusing"),
    "mediate": _("Terms agreed, or why mediation failed"),
    "send_back": _("What must change"),
    "leader_send_back": _("What must change"),
    "appeal": _("Why you are not satisfied"),
    "review_redo": _("Decision and what must be redone"),
    "review_uphold": _("Reasons for upholding the answer"),
}

CHOICES: dict[str, Any] = {
    "kind": Kind.choices,
    "severity": Severity.choices,
    "rating": Rating.choices,
    "outcome": [("agreement", _("Agreement reached")), ("failed", _("Mediation failed"))],
}


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


def _field(action: str, spec: Input) -> forms.Field:
    label = NOTE_LABELS.get(action, LABELS["note"]) if spec.name == "note" else LABELS[spec.name]
    common: dict[str, Any] = {"label": label, "required": spec.required}
    if spec.kind == InputKind.TEXT:
        long_text = spec.name in {"note", "facts", "basis", "measures", "outcome", "remedy"}
        widget = forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput
        return forms.CharField(widget=widget, max_length=20000, **common)
    if spec.kind == InputKind.INT:
        return forms.IntegerField(min_value=1, max_value=365, **common)
    if spec.kind == InputKind.BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if spec.kind == InputKind.CHOICE:
        choices = CHOICES.get(spec.name) or [(c, c) for c in spec.choices]
        if spec.name == "kind" and action == "link":
            choices = LinkKind.choices
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
    fields = {spec.name: _field(action, spec) for spec in ACTIONS[action].inputs}
    return type(f"{action.title().replace('_', '')}Form", (forms.Form,), fields)


def action_inputs(form: forms.Form) -> dict[str, Any]:
    """The cleaned inputs of a valid action form, leaving out what was not given."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
