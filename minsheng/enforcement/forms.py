"""HTTP input of the enforcement pages: opening one from a complaint, and the form of each
step, built from the step table's inputs (`services.STEPS`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.enforcement.models import HearingMode, Reinspection, Stage
from minsheng.enforcement.services import SHORT_MAX, STEPS, TEXT_MAX
from minsheng.lib.plain_forms import PlainForm


class EnforcementOpenForm(PlainForm):
    """转立案查处: whom the enforcement is against and what was found."""

    respondent = forms.CharField(
        label=_("Respondent"),
        max_length=SHORT_MAX["respondent"],
        help_text=_("The company or person the enforcement is against."),
    )
    findings = forms.CharField(
        label=_("What was found"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# The empty first option of a choice: nothing is chosen for the person.
CHOOSE = ("", _("Choose one"))
# What each step calls its notes (the rest: "Notes").
NOTE_LABELS = {
    Stage.FILING_APPROVAL: _("Approval opinion"),
    Stage.STATEMENT: _("Record of the statement, hearing or waiver"),
    Stage.DECISION: _("The decision"),
    Stage.REINSPECTION: _("What was seen"),
}


def _field(name: str, step: Stage) -> forms.Field:
    """The form field of one input of the step table."""
    required = name in STEPS[step].required
    if name == "document":
        return forms.CharField(
            label=_("Document number"), max_length=SHORT_MAX["document"], required=required
        )
    if name == "note":
        return forms.CharField(
            label=NOTE_LABELS.get(step, _("Notes")),
            max_length=TEXT_MAX,
            required=required,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if name == "mode":
        return forms.ChoiceField(
            label=_("How the respondent was heard"), choices=[CHOOSE, *HearingMode.choices]
        )
    if name == "served_on":
        return forms.DateField(
            label=_("Date of service"), widget=forms.DateInput(attrs={"type": "date"})
        )
    if name == "receiver":
        return forms.CharField(label=_("Signed for by"), max_length=SHORT_MAX["receiver"])
    if name == "result":
        return forms.ChoiceField(
            label=_("What the re-inspection found"), choices=[CHOOSE, *Reinspection.choices]
        )
    return forms.CharField(label=_("Where it was published"), max_length=SHORT_MAX["place"])


def step_form_class(step: Stage) -> type[PlainForm]:
    """The form of one step: its inputs from the step table, in the table's order."""
    fields: dict[str, Any] = {name: _field(name, step) for name in STEPS[step].inputs}
    return type(f"{step.title().replace('_', '')}Form", (PlainForm,), fields)
