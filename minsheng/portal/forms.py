"""The submission form (public portal; the workbench's staff registration extends it).
Lifecycle action forms and the evidence upload field come from `cases.forms`.
"""

import hashlib
import secrets
from typing import Any

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minsheng.cases import office
from minsheng.cases.forms import EvidenceField
from minsheng.cases.models import Channel, Complainant, ExtraField
from minsheng.cases.services import PersonInput, Submission
from minsheng.deadlines.models import Kind
from minsheng.intake.emergency import emergency_numbers
from minsheng.lib.phones import phone_normalise
from minsheng.lib.plain_forms import PlainForm

ANONYMOUS = "anonymous"
BODY_MAX_CHARS = 5000  # the description of a matter; the error page for too long a text says it
NAMED = "named"
# The form field of the office's extra field <code> (`cases.office.extra_fields_for`).
EXTRA_PREFIX = "extra__"


def extra_form_field(extra: ExtraField) -> forms.Field:
    """The form field for one of the office's extra fields; `cases.office.extra_clean`
    checks the value again (its pattern too) when the matter is registered."""
    common: dict[str, Any] = {"label": extra.label, "required": extra.is_required}
    if extra.type == ExtraField.Type.NUMBER:
        return forms.IntegerField(**common)
    if extra.type == ExtraField.Type.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if extra.type == ExtraField.Type.CHOICE:
        choices = [("", _("Choose")), *office.extra_choice_pairs(extra)]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=office.EXTRA_TEXT_MAX_CHARS, **common)


class SubmissionForm(PlainForm):
    """A matter from a member of the public: what happened, who they are (or that they stay
    anonymous), their consent, and evidence."""

    kind = forms.ChoiceField(
        label=_("What kind of matter is it?"),
        choices=[("", _("Choose the kind")), *Kind.choices],
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("What happened"),
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe the matter: what, who, and what you have already tried."),
    )
    desired_outcome = forms.CharField(
        label=_("What would you like to happen?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Where did it happen?"), required=False, max_length=200)
    respondent = forms.CharField(
        label=_("Who is it about?"),
        required=False,
        max_length=200,
        help_text=_("The company, office or unit the matter concerns, if any."),
    )
    identity = forms.ChoiceField(
        label=_("Named or anonymous"),
        choices=[
            (NAMED, _("I give my name and how to reach me")),
            (ANONYMOUS, _("I stay anonymous")),
        ],
        initial=NAMED,
        widget=forms.RadioSelect,
        help_text=_(
            "Anonymous: you still get a case number and a query code to follow the case here, "
            "but nobody can call you back or ask you for details, you receive no messages, "
            "and an anonymous complaint is handled as a report."
        ),
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Postal address"), required=False, max_length=200)
    contact_by = forms.ChoiceField(
        label=_("How should we tell you about progress?"),
        choices=Complainant.Contact.choices,
        initial=Complainant.Contact.SMS,
        required=False,
    )
    evidence = EvidenceField(label=_("Evidence (photos, documents, recordings)"))
    consent = forms.BooleanField(
        label=_(
            "I agree that my details are used only to handle this matter and are shown only "
            "to the staff who handle it, never to the unit I complain about."
        ),
        error_messages={"required": _("We can only take the matter with your consent.")},
    )
    # Set by the emergency notice once it has been shown; see `emergency_numbers`.
    emergency_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    default_channel = Channel.WEB

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101 - declared above
        used = office.kinds_used()
        kind.choices = [("", _("Choose the kind")), *((c, n) for c, n in Kind.choices if c in used)]
        for extra in office.extra_fields_for(self.chosen_category_id()):
            self.fields[EXTRA_PREFIX + extra.code] = extra_form_field(extra)

    def chosen_category_id(self) -> int | None:
        """The category whose extra fields the form asks for (the public form: none, so
        only the fields for every case)."""
        return None

    def extra_fields(self) -> list[forms.BoundField]:
        """The office's extra fields of the chosen category, in their order."""
        return [self[name] for name in self.fields if name.startswith(EXTRA_PREFIX)]

    def extra_kept(self) -> dict[str, str]:
        """What was typed into extra fields the chosen category does not have (another
        category was chosen meanwhile): kept in the page, in case it is chosen again."""
        data = self.data if self.is_bound else self.initial
        return {
            name: str(data.get(name, ""))
            for name in data
            if name.startswith(EXTRA_PREFIX) and name not in self.fields and data.get(name)
        }

    def extra_values(self) -> dict[str, Any]:
        """The extra fields given, by code, for `Submission.extra`."""
        return {
            name.removeprefix(EXTRA_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(EXTRA_PREFIX) and value not in (None, "")
        }

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("identity") == ANONYMOUS:
            for name in ("name", "phone", "email", "address"):
                data[name] = ""
        elif data.get("identity") == NAMED:
            self._check_contact(data)
        if self.emergency() and not data.get("emergency_seen"):
            raise ValidationError(
                _(
                    "This sounds like an emergency. If someone is in danger now, call the "
                    "number shown. To send the matter here as well, submit the form again."
                ),
                code="emergency",
            )
        return data

    def _check_contact(self, data: dict[str, Any]) -> None:
        if not data.get("name", "").strip() and "name" not in self.errors:
            self.add_error("name", _("Give your name, or choose to stay anonymous."))
        phone = data.get("phone", "")
        if phone and not 7 <= len(phone_normalise(phone)) <= 12:
            self.add_error("phone", _("Enter a phone number of 7 to 12 digits."))
        elif not (phone or data.get("email") or data.get("address")) and "email" not in self.errors:
            self.add_error("phone", _("Give a phone number, an e-mail or an address."))

    def emergency(self) -> list[str]:
        """The emergency numbers the typed text points to (empty for an unbound form)."""
        if not self.is_bound:
            return []
        fields = ("subject", "body", "desired_outcome", "location")
        return emergency_numbers(*(str(self.data.get(name, "")) for name in fields))

    def submission(self) -> Submission:
        """The valid form as a `Submission` for `intake.services.submission_register` (which
        also makes an emergency-sounding matter urgent)."""
        data = self.cleaned_data
        anonymous = data["identity"] == ANONYMOUS
        people = [
            PersonInput(
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
                contact_by=data["contact_by"] or Complainant.Contact.SMS,
            )
        ]
        return Submission(
            kind=data["kind"],
            subject=data["subject"],
            body=data["body"],
            channel=data.get("channel") or self.default_channel,
            desired_outcome=data["desired_outcome"],
            occurred_at=data["occurred_at"],
            location=data["location"],
            respondent=data["respondent"],
            is_anonymous=anonymous,
            people=[] if anonymous else people,
            extra=self.extra_values(),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError beside the field it names."""
        fields = {"people[0].name": "name", "people[0].phone": "phone"}
        for key, messages in getattr(error, "message_dict", {None: error.messages}).items():
            field = fields.get(str(key), key)
            if str(key).startswith("extra."):
                field = EXTRA_PREFIX + str(key).removeprefix("extra.")
            self.add_error(field if field in self.fields else None, messages)


CHALLENGE_SALT = "minsheng.portal.challenge"
CHALLENGE_MAX_AGE_SECONDS = 3600


class ChallengeForm(PlainForm):
    """A sum of two small numbers, asked before a submission only when many came from the
    same address (`lib.ratelimits.submission_check`): a person answers it in a second, a
    flood has to stop and parse each page. The numbers travel signed in `token`; a token
    is accepted once (remembered in the cache), so one solved answer cannot be replayed."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    answer = forms.IntegerField(min_value=0, max_value=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        puzzle = (
            self._puzzle(self.data.get(self.add_prefix("token"), "")) if self.is_bound else None
        )
        if puzzle is None:  # unbound, or a tampered/expired token: a fresh question
            left, right = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
            token = signing.dumps([left, right, secrets.token_hex(8)], salt=CHALLENGE_SALT)
            puzzle = (left, right, token)
            if self.is_bound:
                self.data = {**self.data, self.add_prefix("token"): token}
        self.initial["token"] = puzzle[2]
        self.fields["answer"].label = _("To show you are a person: what is %(a)d plus %(b)d?") % {
            "a": puzzle[0],
            "b": puzzle[1],
        }
        self._sum = puzzle[0] + puzzle[1]

    @staticmethod
    def _puzzle(token: str) -> tuple[int, int, str] | None:
        try:
            left, right, _nonce = signing.loads(
                token, salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE_SECONDS
            )
        except (signing.BadSignature, ValueError, TypeError):
            return None
        return int(left), int(right), token

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("answer") != self._sum:
            raise ValidationError({"answer": [_("That is not the right answer. Try again.")]})
        used_key = "minsheng:challenge:" + hashlib.sha256(data["token"].encode()).hexdigest()
        if not cache.add(used_key, 1, timeout=CHALLENGE_MAX_AGE_SECONDS):
            raise ValidationError({"answer": [_("This question was already answered.")]})
        return data
