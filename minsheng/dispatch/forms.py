"""HTTP input for the auto-dispatch pages: a policy, the switch, the report's period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Category
from minsheng.dispatch.models import DispatchPolicy
from minsheng.dispatch.services import POLICY_FIELDS


class PolicyForm(forms.ModelForm):
    """One policy as an administrator sets it."""

    category = forms.ModelChoiceField(
        Category.objects.filter(level=1).order_by("name"),
        label=_("Category"),
        required=False,
        empty_label=_("Every category of the kind"),
        help_text=_("Empty: every category of the kind without a policy of its own."),
    )

    class Meta:
        model = DispatchPolicy
        fields = list(POLICY_FIELDS)  # what the service writes
        widgets = {"precision": forms.NumberInput(attrs={"step": "0.001"})}


class SwitchForm(forms.Form):
    """Automatic dispatch on or off, for every policy at once."""

    is_on = forms.TypedChoiceField(
        choices=[("1", _("On")), ("0", _("Off"))], coerce=lambda value: value == "1"
    )


class ReportForm(forms.Form):
    """The report's period (days up to now) and, optionally, one suggested category."""

    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=366, initial=30)
    category = forms.CharField(label=_("Suggested category"), max_length=100, required=False)
