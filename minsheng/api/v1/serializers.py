"""Input and output shapes of the REST API v1, one pair per endpoint.

Input serializers only parse and check field types and sizes; the rules live in the case
services and the workflow. Output serializers describe what the views hand them (models,
the access layer's `ComplainantView`s, and small dicts built from selectors).
"""

import inspect
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from minsheng.accounts.models import Department
from minsheng.accounts.selectors import second_factor_required
from minsheng.accounts.services import totp_verify
from minsheng.api.v1.inputs import BLANK, NOT_BLANK, FilesField, StrictInput
from minsheng.cases import office
from minsheng.cases.models import Area, Category, Channel, Complainant, ExtraField, State
from minsheng.cases.services import PersonInput, Submission
from minsheng.cases.workflow import event_label
from minsheng.deadlines.models import CaseClass, Kind, Severity, Step, Unit

TEXT_MAX = 20000
MAX_PEOPLE = 100
STAFF_CHANNELS = (
    Channel.PHONE,
    Channel.LETTER,
    Channel.WALK_IN,
    Channel.EMAIL,
    Channel.WECHAT,
    Channel.WEIBO,
    Channel.REGULATOR,
)
STAFF_CHANNEL_CHOICES = [(c.value, c.label) for c in STAFF_CHANNELS]


# --- auth ------------------------------------------------------------------------------


class TokenInputSerializer(StrictInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=8,
        required=False,
        default="",
        help_text="The current code of the authenticator app, for staff with a second factor.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context.get("request")
        user = authenticate(
            # Django's request, not DRF's wrapper: django-axes marks a locked-out login on
            # it, and its middleware answers such a request with the lockout (429).
            request=getattr(request, "_request", request),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to log in with these credentials."), code="authorization"
            )
        # The same second factor as the workbench login (accounts.selectors).
        # An absent code is not a failed try (django-otp would slow the next one down).
        if second_factor_required(user) and (
            not attrs["otp"] or totp_verify(user=user, token=attrs["otp"]) is None
        ):
            raise serializers.ValidationError(
                {"otp": [_("This account needs the current code of its authenticator app.")]}
            )
        attrs["user"] = user
        return attrs


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- registering a case ----------------------------------------------------------------

# Who must be named on a submission (`cases.services.case_create` checks it), for the
# OpenAPI document: an anonymous matter names nobody; any other names at least one person,
# each with a name and a phone number, e-mail or address.
PERSON_FIELDS = ("name", "phone", "email", "id_number", "address")


def _given(*names: str) -> dict[str, Any]:
    """A schema: these fields are sent and hold more than whitespace."""
    return {"required": list(names), "properties": dict.fromkeys(names, NOT_BLANK)}


CONTACT_GIVEN = {"anyOf": [_given("phone"), _given("email"), _given("address")]}
ANONYMOUS: dict[str, Any] = {
    "required": ["is_anonymous"],
    "properties": {"is_anonymous": {"type": "boolean", "enum": [True]}},
}
NAMED: dict[str, Any] = {"properties": {"is_anonymous": {"type": "boolean", "enum": [False]}}}


class PersonInputSerializer(StrictInput):
    """One complainant: a name, and a phone number, e-mail or address."""

    openapi_rules = CONTACT_GIVEN

    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=30, default="", allow_blank=True)
    email = serializers.EmailField(max_length=254, default="", allow_blank=True)
    id_number = serializers.CharField(max_length=30, default="", allow_blank=True)
    address = serializers.CharField(max_length=200, default="", allow_blank=True)
    is_representative = serializers.BooleanField(default=False)
    contact_by = serializers.ChoiceField(
        choices=Complainant.Contact.choices, default=Complainant.Contact.SMS
    )


class CoordinateField(serializers.DecimalField):
    """A decimal rounded to its places before its digits are counted (DRF counts them
    first, refusing 7.4332959 although it would round it)."""

    def validate_precision(self, value: Decimal) -> Decimal:
        assert self.max_digits is not None  # noqa: S101 - set by _coordinate
        assert self.decimal_places is not None  # noqa: S101 - set by _coordinate
        whole = self.max_digits - self.decimal_places
        if abs(value) >= 10**whole:
            self.fail("max_whole_digits", max_whole_digits=whole)
        return super().validate_precision(self.quantize(value))


def _coordinate(limit: int) -> serializers.DecimalField:
    return CoordinateField(
        max_digits=9,
        decimal_places=6,
        min_value=-limit,
        max_value=limit,
        rounding=ROUND_HALF_UP,
        default=None,
        allow_null=True,
        coerce_to_string=False,
    )


def extra_field_schema(extra: ExtraField) -> dict[str, Any]:
    """One extra field's value in the OpenAPI document (`cases.office.extra_clean` reads it)."""
    described = f"{extra.label}" + (" (required for its category)" if extra.is_required else "")
    if extra.type == ExtraField.Type.NUMBER:
        return {
            "anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[0-9]{1,15}$"}],
            "description": described,
        }
    if extra.type == ExtraField.Type.DATE:
        return {"type": "string", "format": "date", "description": described}
    if extra.type == ExtraField.Type.CHOICE:
        return {
            "type": "string",
            "enum": office.extra_choice_codes(extra),
            "description": described,
        }
    if extra.pattern:
        described += f"; matching the regular expression {extra.pattern}"
    return {"type": "string", "maxLength": office.EXTRA_TEXT_MAX_CHARS, "description": described}


class ExtraInputField(serializers.DictField):
    """The office's extra fields of the case's category, by code (`GET /api/v1/office` lists
    them per category); in multipart form data, one field `extra.<code>` each. The document
    lists every code the office has (`openapi_schema`); which of them a case takes, and
    which it needs, depends on its category."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("help_text", inspect.cleandoc(self.__doc__ or ""))
        super().__init__(**kwargs)

    def openapi_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                extra.code: extra_field_schema(extra) for extra in office.extra_fields_all()
            },
            "additionalProperties": False,
            "description": str(self.help_text),
        }


class SubmissionInputSerializer(StrictInput):
    """What the public may say about a matter (JSON: complainants in `people`). An
    anonymous matter names nobody (`people` empty); any other names at least one."""

    openapi_rules: dict[str, Any] = {
        "anyOf": [
            {**ANONYMOUS, "properties": {**ANONYMOUS["properties"], "people": {"maxItems": 0}}},
            {
                "required": ["people"],
                "properties": {**NAMED["properties"], "people": {"minItems": 1}},
            },
        ]
    }

    kind = serializers.ChoiceField(choices=Kind.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=TEXT_MAX)
    desired_outcome = serializers.CharField(max_length=5000, default="", allow_blank=True)
    occurred_at = serializers.DateTimeField(default=None, allow_null=True)
    location = serializers.CharField(max_length=200, default="", allow_blank=True)
    respondent = serializers.CharField(max_length=200, default="", allow_blank=True)
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    is_anonymous = serializers.BooleanField(default=False)
    # max_length goes to the ListSerializer (the stubs do not know it).
    people = PersonInputSerializer(many=True, default=list, max_length=MAX_PEOPLE)  # type: ignore[call-arg]
    # The office's extra fields of the category (`GET /api/v1/office`).
    extra = ExtraInputField()

    def people_of(self, data: dict[str, Any]) -> list[PersonInput]:
        return [PersonInput(**person) for person in data.get("people", [])]

    def submission(self, *, channel: str) -> Submission:
        """The validated data as a `Submission` for `case_create`."""
        data = self.validated_data
        return Submission(
            kind=data["kind"],
            subject=data["subject"],
            body=data["body"],
            channel=channel,
            severity=data.get("severity", Severity.GENERAL),
            desired_outcome=data["desired_outcome"],
            occurred_at=data["occurred_at"],
            location=data["location"],
            respondent=data["respondent"],
            respondent_department=data.get("respondent_department"),
            area=data.get("area"),
            latitude=data["latitude"],
            longitude=data["longitude"],
            category=data.get("category"),
            is_anonymous=data["is_anonymous"],
            people=self.people_of(data),
            case_class=data.get("case_class"),
            extra=dict(data.get("extra") or {}),
            regulator_reference=data.get("regulator_reference", ""),
        )


class SubmissionFormInputSerializer(SubmissionInputSerializer):
    """The same as multipart form data: one complainant in flat fields, files in
    `attachments`. Errors about that complainant are named `people[0].<field>`. An
    anonymous matter leaves the complainant's fields blank; any other gives a name, and a
    phone number, e-mail or address."""

    openapi_rules = {
        "anyOf": [
            {
                **ANONYMOUS,
                "properties": {
                    **ANONYMOUS["properties"],
                    **{name: {"pattern": BLANK} for name in PERSON_FIELDS},
                },
            },
            {"allOf": [NAMED, _given("name"), CONTACT_GIVEN]},
        ]
    }

    people = None  # type: ignore[assignment]
    name = serializers.CharField(max_length=100, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30, default="", allow_blank=True)
    email = serializers.EmailField(max_length=254, default="", allow_blank=True)
    id_number = serializers.CharField(max_length=30, default="", allow_blank=True)
    address = serializers.CharField(max_length=200, default="", allow_blank=True)
    contact_by = serializers.ChoiceField(
        choices=Complainant.Contact.choices, default=Complainant.Contact.SMS
    )
    attachments = FilesField()

    def people_of(self, data: dict[str, Any]) -> list[PersonInput]:
        if not any(data[f] for f in PERSON_FIELDS):
            return []
        return [
            PersonInput(**{f: data[f] for f in PERSON_FIELDS}, contact_by=data["contact_by"]),
        ]


class StaffFields(StrictInput):
    """What an intake agent adds when registering a phone call, letter or visit."""

    channel = serializers.ChoiceField(choices=STAFF_CHANNEL_CHOICES, default=Channel.PHONE)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.GENERAL)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), default=None, allow_null=True
    )
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), default=None, allow_null=True
    )
    respondent_department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), default=None, allow_null=True
    )
    # The office's class of the case is staff's call, as the severity is (a complainant
    # choosing an urgent class would jump the queue); a regulator's reference comes with
    # channel `regulator`, which only staff register.
    case_class = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CaseClass.objects.all(),
        default=None,
        allow_null=True,
        help_text="The office's class of the case (its code); it decides the severity.",
    )
    regulator_reference = serializers.CharField(
        max_length=60,
        default="",
        allow_blank=True,
        help_text="The regulator's reference of a transfer (监管转办).",
    )


# A regulator's transfer (channel `regulator`) comes with the regulator's reference
# (`cases.services`, the office's checks): any other channel, or the reference given.
REGULATOR_REFERENCE_GIVEN = {
    "anyOf": [
        {"properties": {"channel": {"not": {"enum": [Channel.REGULATOR.value]}}}},
        _given("channel", "regulator_reference"),
    ]
}


class StaffSubmissionInputSerializer(StaffFields, SubmissionInputSerializer):
    openapi_rules = {"allOf": [SubmissionInputSerializer.openapi_rules, REGULATOR_REFERENCE_GIVEN]}


class StaffSubmissionFormInputSerializer(StaffFields, SubmissionFormInputSerializer):
    openapi_rules = {
        "allOf": [SubmissionFormInputSerializer.openapi_rules, REGULATOR_REFERENCE_GIVEN]
    }


class DueSerializer(serializers.Serializer):
    """One running clock: what is awaited, until when, and why then."""

    step = serializers.ChoiceField(choices=Step.choices)
    step_label = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Null while paused.")
    is_paused = serializers.BooleanField()
    is_overdue = serializers.BooleanField()
    explanation = serializers.ListField(child=serializers.CharField())


class RegisteredSerializer(serializers.Serializer):
    number = serializers.CharField()
    query_code = serializers.CharField(help_text="Shown once; keep it to follow the case.")
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    due = DueSerializer(allow_null=True, help_text="When the initial review is due.")


# --- actions ---------------------------------------------------------------------------


class EventSerializer(serializers.Serializer):
    """One line of a case's timeline, as staff see it."""

    id = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor.username", allow_null=True)
    actor_role = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()
    # The metaclass moves declared fields off the class, so `.data` still works.
    data = serializers.DictField()  # type: ignore[assignment]
    is_public = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_action_label(self, event: Any) -> str:
        return event_label(event.action)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_attachments(self, event: Any) -> list[int]:
        return [a.pk for a in event.attachments.all()]


class PublicEventSerializer(serializers.Serializer):
    """One line of the timeline as the complainant sees it (`cases.selectors.PublicEvent`)."""

    action = serializers.CharField()
    action_label = serializers.CharField(source="label")
    state = serializers.CharField()
    state_label = serializers.CharField()
    note = serializers.CharField(help_text="Only notes addressed to or written by you.")
    created_at = serializers.DateTimeField()
    attachments = serializers.SerializerMethodField(help_text="File names.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_attachments(self, event: Any) -> list[str]:
        return [file.original_name for file in event.files]


# --- reading cases ---------------------------------------------------------------------


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.IntegerField()


class CaseSummarySerializer(serializers.Serializer):
    """A case in a list."""

    number = serializers.CharField()
    subject = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    department = DepartmentRefSerializer(allow_null=True)
    category = CategoryRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    next_due_step = serializers.CharField(help_text="Empty when nothing is due.")
    next_due_at = serializers.DateTimeField(allow_null=True)


class CaseStateSerializer(serializers.Serializer):
    """A case after an action: its state and what the caller may do next."""

    number = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())


class ActionResultSerializer(serializers.Serializer):
    case = CaseStateSerializer()
    event = EventSerializer()


class PublicActionResultSerializer(serializers.Serializer):
    case = CaseStateSerializer()
    event = PublicEventSerializer()


class ComplainantSerializer(serializers.Serializer):
    """A complainant, masked for readers who may not see personal data."""

    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()
    is_representative = serializers.BooleanField()
    contact_by = serializers.CharField()
    is_masked = serializers.BooleanField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    is_public = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    event = serializers.IntegerField(source="event_id", allow_null=True)


class LinkSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    direction = serializers.ChoiceField(choices=[("out", "out"), ("in", "in")])


class ResultSerializer(serializers.Serializer):
    """The answer's five parts (答复五要素)."""

    facts = serializers.CharField()
    basis = serializers.CharField()
    measures = serializers.CharField()
    outcome = serializers.CharField()
    remedy = serializers.CharField()
    remedy_days = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    customer_signed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the customer signed the result, if they did."
    )
    customer_signed_name = serializers.CharField(
        help_text="Who signed it; masked for staff who may not see who complained."
    )


class AnswerWarningSerializer(serializers.Serializer):
    """One thing the answer check finds missing in a result (it warns, never blocks)."""

    part = serializers.CharField(
        help_text="facts, basis, measures, outcome, remedy, or overlap (ignores the subject)."
    )
    message = serializers.CharField()


class ExtensionRequestSerializer(serializers.Serializer):
    amount = serializers.IntegerField()
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class Rfc3339DateTimeField(serializers.DateTimeField):
    """A date-time as RFC 3339 writes it, whatever its year: before 1901 the time zone's
    offset is its local mean time (+08:05:43 in Shanghai), which RFC 3339 cannot write,
    so such a moment is given in UTC."""

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, datetime):
            offset = self.enforce_timezone(value).utcoffset()
            if offset is not None and offset.seconds % 60:
                return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return super().to_representation(value)


class CaseClassRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # moved off the class


class ExtraDetailSerializer(serializers.Serializer):
    """One further detail of a case: its code, its field's label, its value."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # moved off the class
    value = serializers.JSONField()


class CaseFactsSerializer(CaseSummarySerializer):
    """The facts of one case."""

    body = serializers.CharField()
    desired_outcome = serializers.CharField()
    occurred_at = Rfc3339DateTimeField(allow_null=True)
    location = serializers.CharField()
    respondent = serializers.CharField()
    respondent_department = DepartmentRefSerializer(allow_null=True)
    area = serializers.CharField(source="area.name", allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    is_anonymous = serializers.BooleanField()
    is_collective = serializers.BooleanField()
    co_departments = DepartmentRefSerializer(source="co_departments.all", many=True)
    handler = serializers.CharField(source="handler.username", allow_null=True)
    return_count = serializers.IntegerField()
    plan = serializers.CharField()
    answer = serializers.CharField()
    transferred_to = serializers.CharField()
    rejection_reason = serializers.CharField()
    rating = serializers.CharField()
    appeal_until = serializers.DateTimeField(allow_null=True)
    merged_into = serializers.CharField(source="merged_into.number", allow_null=True)
    updated_at = serializers.DateTimeField()
    replied_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    case_class = serializers.SerializerMethodField()
    extra = serializers.SerializerMethodField()
    extra_details = serializers.SerializerMethodField()
    regulator_reference = serializers.CharField()

    @extend_schema_field(CaseClassRefSerializer(allow_null=True))
    def get_case_class(self, case: Any) -> dict[str, str] | None:
        found = office.case_class_get(case.case_class_id)
        return {"code": found.code, "label": found.label} if found is not None else None

    def _shown_as(self, text: str) -> str:
        # How the reader may read a text (the view's `access.text_masker_for`).
        shown_as = self.context.get("shown_as")
        return shown_as(text) if shown_as is not None else text

    @extend_schema_field(
        {
            "type": "object",
            "description": "The further details by code, as sent (texts masked "
            "for readers who may not see personal data).",
        }
    )
    def get_extra(self, case: Any) -> dict[str, Any]:
        return {
            code: self._shown_as(value) if isinstance(value, str) else value
            for code, value in case.extra.items()
        }

    @extend_schema_field(ExtraDetailSerializer(many=True))
    def get_extra_details(self, case: Any) -> list[dict[str, Any]]:
        return [
            {"code": code, "label": label, "value": value}
            for code, label, value in office.extra_shown(case, shown_as=self._shown_as)
        ]


class SimilarCaseSerializer(serializers.Serializer):
    """An open case that is probably the same matter (routing.selectors.SimilarCase)."""

    number = serializers.CharField(source="case.number")
    subject = serializers.CharField(source="case.subject")
    state = serializers.CharField(source="case.state")
    score = serializers.FloatField(help_text="0..1: text, then unit, place and time.")
    text_similarity = serializers.FloatField(source="likeness.text")
    same_unit = serializers.BooleanField(source="likeness.same_unit")
    same_place = serializers.BooleanField(source="likeness.same_place")
    days_apart = serializers.IntegerField(source="likeness.days_apart")
    is_likely_duplicate = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why, for people to read.")


class CaseDetailSerializer(serializers.Serializer):
    """Everything the caller may see of one case."""

    case = CaseFactsSerializer()
    complainants = ComplainantSerializer(
        many=True, help_text="Masked (is_masked) for readers who may not see personal data."
    )
    clocks = DueSerializer(many=True, help_text="Running deadlines, soonest first.")
    timeline = EventSerializer(many=True, help_text="Every event, internal ones included.")
    attachments = AttachmentSerializer(many=True)
    links = LinkSerializer(many=True)
    merged_cases = serializers.ListField(
        child=serializers.CharField(), help_text="Cases merged into this one."
    )
    result = ResultSerializer(allow_null=True, help_text="The newest result, if any.")
    answer_check = AnswerWarningSerializer(
        many=True, help_text="The answer check's warnings on the newest result."
    )
    extension_requests = ExtensionRequestSerializer(many=True)
    allowed_actions = serializers.ListField(child=serializers.CharField())
    similar_cases = SimilarCaseSerializer(
        many=True, help_text="Open cases the caller may see that are probably the same matter."
    )

    def to_representation(self, instance: Any) -> Any:
        # The free texts as the read model shows them to this reader (masked personal data
        # for readers who may not see it), not as stored on the case.
        data = super().to_representation(instance)
        view = instance["view"]
        data["case"].update(
            subject=view.subject, body=view.body, desired_outcome=view.desired_outcome
        )
        if data["result"] is not None:
            data["result"]["customer_signed_name"] = view.result_signed_name
        return data


class PublicCaseSerializer(serializers.Serializer):
    """What the complainant may see of their case."""

    number = serializers.CharField()
    subject = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    next_due_step = serializers.CharField(help_text="Empty when nothing is due.")
    next_due_at = serializers.DateTimeField(allow_null=True)
    awaiting = DueSerializer(many=True, help_text="What is awaited and until when.")
    timeline = PublicEventSerializer(many=True)
    answer = serializers.CharField(
        help_text="An inquiry's answer given at intake, while it is the answer you have."
    )
    rejection_reason = serializers.CharField()
    transferred_to = serializers.CharField()
    result = ResultSerializer(allow_null=True, help_text="The answer, once replied.")
    rating = serializers.CharField()
    appeal_until = serializers.DateTimeField(allow_null=True)
    allowed_actions = serializers.ListField(child=serializers.CharField())


class AttachmentUploadInputSerializer(StrictInput):
    attachments = FilesField(min_length=1, default=serializers.empty)
    note = serializers.CharField(max_length=TEXT_MAX, default="", allow_blank=True)
    is_public = serializers.BooleanField(
        default=False, help_text="Whether the complainant may see the files."
    )


class AttachmentUploadResultSerializer(serializers.Serializer):
    attachments = AttachmentSerializer(many=True)
    event = EventSerializer()


# --- the office ------------------------------------------------------------------------


class ChoiceRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # moved off the class


class ReceptionSerializer(serializers.Serializer):
    """How to reach the office in person and by phone; empty texts where it has said none."""

    place = serializers.CharField()
    hours = serializers.CharField()
    phone = serializers.CharField()
    days = serializers.CharField(help_text="Days on which leaders receive the public (接待日).")


class CaseClassSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # moved off the class
    handling = serializers.ChoiceField(
        choices=Severity.choices, help_text="The severity the lifecycle handles the class as."
    )


class ExtraFieldSerializer(serializers.Serializer):
    """A further detail the office asks for on cases of a category and the categories under
    it (`category` null: on every case)."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # moved off the class
    type = serializers.ChoiceField(choices=ExtraField.Type.choices)
    is_required = serializers.BooleanField()
    choices = ChoiceRefSerializer(many=True, help_text="For type `choice`.")
    pattern = serializers.CharField(help_text="A regular expression a text must match.")
    category = CategoryRefSerializer(allow_null=True)


class OfficeSerializer(serializers.Serializer):
    """The office's configuration as a form needs it (no personal data)."""

    name = serializers.CharField()
    reception = ReceptionSerializer()
    kinds = ChoiceRefSerializer(many=True, help_text="The kinds of matter the office takes.")
    channels = ChoiceRefSerializer(many=True, help_text="The channels the office takes.")
    case_classes = CaseClassSerializer(
        many=True, help_text="Its classes of case; none: the severities are used."
    )
    extra_fields = ExtraFieldSerializer(many=True)
