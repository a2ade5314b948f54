"""Forms for the spreadsheet import pages: the upload, and the column mapping."""

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from minsheng.cases import office
from minsheng.cases.models import Channel
from minsheng.deadlines.models import Kind
from minsheng.intake.channels.spreadsheet import FIELDS, SUFFIXES

MAX_UPLOAD_MB = 20
FIELD_LABELS = {
    "external_id": _("External id (the old system's record number)"),
    "subject": _("Subject"),
    "body": _("Text of the matter"),
    "name": _("Name"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "address": _("Address"),
    "location": _("Where it happened"),
    "respondent": _("Who it is about"),
    "time": _("Time"),
    "kind": _("Kind"),
    "channel": _("Channel"),
}


class DefaultsForm(forms.Form):
    """What a row without a kind or channel column gets."""

    default_channel = forms.ChoiceField(
        label=_("Channel for rows that name none"), choices=Channel.choices, initial=Channel.PHONE
    )
    default_kind = forms.ChoiceField(
        label=_("Kind for rows that name none"), choices=Kind.choices, initial=Kind.COMPLAINT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the office takes (`cases.office`); a row naming another is refused.
        for name, choices, used in (
            ("default_channel", Channel.choices, office.channels_used()),
            ("default_kind", Kind.choices, office.kinds_used()),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = [(code, label) for code, label in choices if code in used]
            if field.initial not in used:
                field.initial = used[0]


class UploadForm(DefaultsForm):
    """A spreadsheet of hotline records to check."""

    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        # format_lazy: the text is made when the page is shown, in that page's language.
        help_text=format_lazy(
            _("One header row, then one record per row. Up to {size} MB."), size=MAX_UPLOAD_MB
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    field_order = ["file"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(SUFFIXES):
            raise forms.ValidationError(_("Upload a .xlsx or .csv file."))
        if (upload.size or 0) > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_MB}
            )
        return upload


class MappingForm(DefaultsForm):
    """Which column holds which field; one choice per field from the sheet's headers."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in this sheet)")), *((h, h) for h in headers)]
        for name in FIELDS:
            self.fields[f"map_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=choices, required=False
            )
        self.order_fields([f"map_{name}" for name in FIELDS])

    @classmethod
    def initial_for(cls, mapping: dict[str, str], channel: str, kind: str) -> dict[str, str]:
        return {
            "default_channel": channel,
            "default_kind": kind,
            **{f"map_{name}": column for name, column in mapping.items()},
        }

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data[f"map_{name}"] for name in FIELDS if data.get(f"map_{name}")}
