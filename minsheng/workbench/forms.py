"""Staff forms: registering a phone, letter or walk-in matter. Lifecycle action forms come
from `cases.forms.action_form_class`."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Channel
from minsheng.portal.forms import EvidenceField, SubmissionForm

STAFF_CHANNELS = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.LETTER, Channel.LETTER.label),
    (Channel.WALK_IN, Channel.WALK_IN.label),
    (Channel.EMAIL, Channel.EMAIL.label),
]


class StaffRegistrationForm(SubmissionForm):
    """The public submission form with its validation, plus the channel the matter came
    through; a letter needs its scan attached."""

    channel = forms.ChoiceField(label=_("Received by"), choices=STAFF_CHANNELS)
    evidence = EvidenceField(label=_("Scanned letter and evidence"))
    consent = forms.BooleanField(
        label=_("The person was told how their details are used and agreed."),
        error_messages={"required": _("Register the matter only with the person's consent.")},
    )

    field_order = ["channel"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("channel") == Channel.LETTER and not data.get("evidence"):
            self.add_error("evidence", _("Attach the scanned letter."))
        return data
