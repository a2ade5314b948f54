"""Staff forms: registering a phone, letter or walk-in matter, adding files to a case, and
the reply templates beside an action form's text boxes. Lifecycle action forms come from
`cases.forms.action_form_class`."""

from dataclasses import replace
from typing import Any

from django import forms
from django.forms import BoundField
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department, User
from minsheng.cases import office, workflow
from minsheng.cases.forms import CategoryChoiceField, EvidenceField
from minsheng.cases.models import Channel, MediationAgreement
from minsheng.cases.selectors import AgreementView
from minsheng.cases.services import (
    FULFILMENT_FINDINGS,
    NOTE_MAX,
    PERSON_NAME_MAX,
    SIGNED_BY_MAX,
    Submission,
)
from minsheng.deadlines.models import CaseClass
from minsheng.knowledge.models import PolicyEntry, ReplyTemplate
from minsheng.knowledge.selectors import reply_template_get, reply_templates_for
from minsheng.lib.plain_forms import PlainForm
from minsheng.portal.forms import SubmissionForm
from minsheng.routing.selectors import Matter
from minsheng.routing.services import Choice, Suggestion

STAFF_CHANNELS = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.LETTER, Channel.LETTER.label),
    (Channel.WALK_IN, Channel.WALK_IN.label),
    (Channel.EMAIL, Channel.EMAIL.label),
    (Channel.WECHAT, Channel.WECHAT.label),
    (Channel.WEIBO, Channel.WEIBO.label),
    (Channel.REGULATOR, Channel.REGULATOR.label),
]


class StaffRegistrationForm(SubmissionForm):
    """The public submission form with its validation, plus the channel the matter came
    through (those the office takes), its topic category (the routing model's suggestion
    preselected) with the category's extra fields, the office's class of the case when it
    has classes, and a regulator's reference; a letter needs its scan attached."""

    channel = forms.ChoiceField(label=_("Received by"), choices=STAFF_CHANNELS)
    category = CategoryChoiceField(label=_("Category"), required=False)
    case_class = forms.ModelChoiceField(
        CaseClass.objects.all(),
        label=_("Class"),
        to_field_name="code",
        empty_label=_("Choose the class"),
        help_text=_("The office's class of the case; it sets the time limits."),
    )
    regulator_reference = forms.CharField(
        label=_("Regulator's reference"),
        max_length=60,
        required=False,
        help_text=_("For a complaint a regulator transferred: its reference number."),
    )
    evidence = EvidenceField(label=_("Scanned letter and evidence"))
    consent = forms.BooleanField(
        label=_("The person was told how their details are used and agreed."),
        error_messages={"required": _("Register the matter only with the person's consent.")},
    )

    field_order = ["channel"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)  # noqa: S101 - declared above
        used = office.channels_used()
        channel.choices = [(code, label) for code, label in STAFF_CHANNELS if code in used]
        if not office.case_classes():
            del self.fields["case_class"]  # the office has none: severities as they are

    def chosen_category_id(self) -> int | None:
        data = self.data if self.is_bound else self.initial
        chosen = str(data.get("category") or "")
        return int(chosen) if chosen.isdigit() else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("channel") == Channel.LETTER and not data.get("evidence"):
            self.add_error("evidence", _("Attach the scanned letter."))
        return data

    def submission(self) -> Submission:
        return replace(
            super().submission(),
            category=self.cleaned_data.get("category"),
            case_class=self.cleaned_data.get("case_class"),
            regulator_reference=self.cleaned_data.get("regulator_reference", ""),
        )


# Further choices below this confidence say nothing an agent can use.
NEXT_CHOICE_FROM = 0.01


def _percent(choice: Choice) -> str:
    return f"{round(choice.confidence * 100)}%"


def suggestion_text(choices: list[Choice]) -> str:
    """The routing model's suggestion in words: the first choice and how sure the model is
    of it, then the others."""
    first, *rest = choices
    others = [c for c in rest if c.confidence >= NEXT_CHOICE_FROM]
    text = gettext("Suggested by the routing model: %(topic)s (%(confidence)s sure).") % {
        "topic": first.label,
        "confidence": _percent(first),
    }
    if others:
        text += " " + gettext("Next: %(others)s.") % {
            "others": gettext(", ").join(f"{c.label} {_percent(c)}" for c in others)
        }
    return text


def category_suggest(
    form: forms.Form, suggestion: Suggestion | None, *, previous: str = ""
) -> int | None:
    """Show the routing model's suggestion beside the form's category, and preselect it
    unless the person has chosen another category (`previous`: the one suggested before,
    which they have not changed). A submitted form keeps what was submitted. Returns the
    suggested category's id."""
    field = form.fields.get("category")
    choices = [c for c in suggestion.choices if c.category is not None] if suggestion else []
    if field is None or not choices or choices[0].category is None:
        return None
    suggested = choices[0].category.pk
    field.help_text = suggestion_text(choices)
    chosen = str(form.initial.get("category") or "")
    if not form.is_bound and (not chosen or chosen == previous):
        form.initial["category"] = suggested
    return suggested


class CaseFilesForm(PlainForm):
    """Files a staff member adds to an existing case; same types and sizes as the portal."""

    evidence = EvidenceField(label=_("Files"), required=True)
    is_public = forms.BooleanField(label=_("The complainant may see these files"), required=False)
    note = forms.CharField(label=_("What the files are"), max_length=2000, required=False)


class ReporterGrantForm(PlainForm):
    """A supervisor lets a department, or one user, see who reported a report."""

    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("No department"),
    )
    user = forms.ModelChoiceField(
        label=_("Or one user"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("No single user"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)
    expires_at = forms.DateTimeField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


# Text boxes of action forms that a reply template (答复模板) can fill.
TEMPLATE_FIELDS = frozenset({"note", "facts", "basis", "measures", "outcome", "remedy"})


def fields_with_templates(
    form: forms.Form, action: str
) -> list[tuple[BoundField, list[ReplyTemplate]]]:
    """Each field of an action form with the reply templates that fit it: none for fields
    that take no free text, nor for actions whose text is not for the complainant
    (`workflow.takes_reply_templates`)."""
    fits = workflow.takes_reply_templates(action)
    return [
        (
            bound,
            list(reply_templates_for(bound.name)) if fits and bound.name in TEMPLATE_FIELDS else [],
        )
        for bound in form
    ]


def _typed(form_class: type[forms.Form], data: QueryDict) -> dict[str, Any]:
    """What was typed into an action form, as initial values to show it again."""
    return {
        name: data.getlist(name)
        if getattr(field.widget, "allow_multiple_selected", False)
        else data.get(name)
        for name, field in form_class.base_fields.items()
        if name in data
    }


def form_with_template(form_class: type[forms.Form], data: QueryDict) -> forms.Form:
    """The action form shown again with the chosen reply template added to its field: the
    template picker without JavaScript (the "Insert" button posts the form)."""
    initial = _typed(form_class, data)
    name = data.get("insert_template", "")
    chosen = data.get(f"template_{name}", "")
    template = reply_template_get(int(chosen)) if chosen.isdigit() else None
    if template is not None and name in TEMPLATE_FIELDS and name in form_class.base_fields:
        initial[name] = "\n".join(t for t in (initial.get(name) or "", template.text) if t)
    return form_class(initial=initial)


def entry_initial(form_class: type[forms.Form], entry: PolicyEntry) -> dict[str, str]:
    """A knowledge base entry's answer (and its source) as the start of the action form's
    answer: its note, or the basis of a result."""
    text = "\n".join(t for t in (entry.answer, entry.basis) if t)
    for name in ("note", "basis"):
        if name in form_class.base_fields:
            return {name: text}
    return {}


class SimilarLookupForm(forms.Form):
    """What the registration page has typed so far, to look for similar open cases."""

    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(max_length=20000, required=False)
    respondent = forms.CharField(max_length=200, required=False)
    location = forms.CharField(max_length=200, required=False)

    def matter(self) -> Matter:
        data = self.cleaned_data
        return Matter(
            subject=data["subject"],
            body=data["body"],
            respondent=data["respondent"],
            location=data["location"],
        )


class SecondFactorForm(PlainForm):
    """The six-digit code from the staff member's authenticator app."""

    token = forms.CharField(
        label=_("Code from the authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


# --- Records some offices keep: a mediation agreement's follow-up, the customer's signature -

MOMENT_WIDGET = {"type": "datetime-local"}


class MediationSignaturesForm(PlainForm):
    """Who signed a mediation agreement (调解协议书), when, and when its copies were issued."""

    signed_by = forms.CharField(
        label=_("Signed by"),
        max_length=SIGNED_BY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Every party who signed, as on the agreement."),
    )
    signed_at = forms.DateTimeField(
        label=_("Signed at"), widget=forms.DateTimeInput(attrs=MOMENT_WIDGET)
    )
    copies_issued_at = forms.DateTimeField(
        label=_("Copies issued at"), widget=forms.DateTimeInput(attrs=MOMENT_WIDGET)
    )


class MediationFulfilmentForm(PlainForm):
    """What the follow-up of a signed agreement found."""

    fulfilment = forms.ChoiceField(
        label=_("Fulfilment"),
        choices=[
            (value, label)
            for value, label in MediationAgreement.Fulfilment.choices
            if value in FULFILMENT_FINDINGS
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What the follow-up found"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the agreement is not fulfilled."),
    )


class ResultSignatureForm(PlainForm):
    """The customer's signature on the result (客户签字确认): who signed, and when."""

    name = forms.CharField(label=_("Signed by the customer"), max_length=PERSON_NAME_MAX)
    signed_at = forms.DateTimeField(
        label=_("Signed at"), widget=forms.DateTimeInput(attrs=MOMENT_WIDGET)
    )


def mediation_forms(
    agreements: list[AgreementView],
    *,
    bound: tuple[int, forms.Form] | None = None,
) -> list[tuple[AgreementView, forms.Form | None, forms.Form | None]]:
    """Each agreement of the case page with the form its reader may fill now: the
    signatures while it is unsigned, the follow-up once it is signed (none when they may
    not); `bound` is a form just submitted for one agreement, shown with its errors."""
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    shown = []
    for view in agreements:
        prefix = f"agreement-{view.agreement.pk}"
        sign: forms.Form | None = None
        follow: forms.Form | None = None
        if view.may_sign:
            sign = MediationSignaturesForm(
                prefix=prefix, initial={"signed_at": now, "copies_issued_at": now}
            )
        if view.may_follow_up:
            follow = MediationFulfilmentForm(prefix=prefix)
        if bound is not None and bound[0] == view.agreement.pk:
            if isinstance(bound[1], MediationSignaturesForm):
                sign = bound[1]
            else:
                follow = bound[1]
        shown.append((view, sign, follow))
    return shown
