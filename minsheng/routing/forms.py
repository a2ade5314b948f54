"""HTTP input for the routing pages: the hot-topic view's period and area."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Area


class HotTopicsForm(forms.Form):
    """The hot-topic view's period (days up to now) and area (with the areas under it)."""

    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=366, initial=30)
    area = forms.ModelChoiceField(
        Area.objects.order_by("code"),
        label=_("Area"),
        to_field_name="code",
        required=False,
        empty_label=_("All areas"),
    )
