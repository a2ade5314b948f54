"""Records some offices keep beside the lifecycle, through the API (token): a case's
mediation agreements (调解协议书), recording their signatures and the follow-up of their
fulfilment, and the customer's signature on the result (客户签字确认).

The case is reached through `access_case` (404 whether missing or not the caller's); an
actor who may never record is refused (403) before the body is read; the writes are
`cases.services`' (400 naming the field, 409 in the wrong state)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.accounts.models import User
from minsheng.api.schema import COMMON_PROBLEMS, NUMBER, problems
from minsheng.api.v1.inputs import StrictInput
from minsheng.api.v1.views.base import ApiView, staff_user
from minsheng.cases import access
from minsheng.cases.models import Case, MediationAgreement
from minsheng.cases.selectors import (
    AgreementView,
    mediation_agreement_get,
    mediation_agreements_for,
)
from minsheng.cases.services import (
    FULFILMENT_FINDINGS,
    NOTE_MAX,
    PERSON_NAME_MAX,
    SIGNED_BY_MAX,
    mediation_fulfilment_record,
    mediation_signatures_record,
    result_signature_record,
)

AGREEMENT_ID = OpenApiParameter(
    "agreement_id", int, OpenApiParameter.PATH, description="Mediation agreement id."
)


class MediationAgreementSerializer(serializers.Serializer):
    """One mediation agreement as the caller may read it: names of the parties and of who
    signed masked (first character) for readers who may not see who complained."""

    id = serializers.IntegerField(source="agreement.pk")
    parties = serializers.CharField()
    terms = serializers.CharField()
    copies = serializers.IntegerField(source="agreement.copies")
    signed_by = serializers.CharField(help_text="Empty until the signatures are recorded.")
    signed_at = serializers.DateTimeField(source="agreement.signed_at", allow_null=True)
    copies_issued_at = serializers.DateTimeField(
        source="agreement.copies_issued_at", allow_null=True
    )
    follow_up_by = serializers.DateTimeField(source="agreement.follow_up_by", allow_null=True)
    is_overdue = serializers.BooleanField(
        help_text="Signed, not followed up, and its follow-up date has passed."
    )
    fulfilment = serializers.ChoiceField(
        source="agreement.fulfilment", choices=MediationAgreement.Fulfilment.choices
    )
    fulfilment_label = serializers.CharField(source="agreement.get_fulfilment_display")
    fulfilment_note = serializers.CharField()
    fulfilment_checked_at = serializers.DateTimeField(
        source="agreement.fulfilment_checked_at", allow_null=True
    )
    created_at = serializers.DateTimeField(source="agreement.created_at")
    may_sign = serializers.BooleanField(help_text="The caller may record its signatures now.")
    may_follow_up = serializers.BooleanField(
        help_text="The caller may record the follow-up of its fulfilment now."
    )


class MediationSignaturesInputSerializer(StrictInput):
    """Who signed the agreement, when, and when its copies were issued to the parties."""

    refuses_unknown_fields = True

    signed_by = serializers.CharField(max_length=SIGNED_BY_MAX, help_text="Every party who signed.")
    signed_at = serializers.DateTimeField(help_text="Not in the future.")
    copies_issued_at = serializers.DateTimeField(help_text="Not before `signed_at`.")


class MediationFulfilmentInputSerializer(StrictInput):
    """What the follow-up of a signed agreement found."""

    refuses_unknown_fields = True

    fulfilment = serializers.ChoiceField(
        choices=sorted(str(value) for value in FULFILMENT_FINDINGS)
    )
    note = serializers.CharField(
        max_length=NOTE_MAX,
        default="",
        allow_blank=True,
        help_text="What was found; required when not fulfilled.",
    )


class ResultSignatureInputSerializer(StrictInput):
    """The customer's signature on the newest result."""

    refuses_unknown_fields = True

    name = serializers.CharField(max_length=PERSON_NAME_MAX, help_text="Who signed.")
    signed_at = serializers.DateTimeField(help_text="Not in the future, not before the result.")


class ResultSignatureSerializer(serializers.Serializer):
    """The result as signed."""

    number = serializers.CharField()
    customer_signed_name = serializers.CharField()
    customer_signed_at = serializers.DateTimeField()


def _agreements_data(user: User, case: Case) -> list[AgreementView]:
    """The case's agreements for this reader; a clear look at the parties' names is logged
    as a look at personal data."""
    views = mediation_agreements_for(user, case)
    if views and access.can_see_personal_data(user, case):
        access.personal_data_look_log(user, case, purpose="api:mediation-agreements")
    return views


def _recording(request: Request, number: str, agreement_id: int) -> tuple[User, MediationAgreement]:
    """The caller and the agreement, for a caller who may record it (404, then 403)."""
    user = staff_user(request)
    case = access.access_case(user, number)
    agreement = mediation_agreement_get(case, agreement_id)
    if agreement is None:
        raise Http404("No such agreement.")
    if not access.can_record_mediation(user, case):
        raise PermissionDenied(_("You may not record this agreement."))
    return user, agreement


def _agreement_answer(user: User, agreement: MediationAgreement) -> Response:
    case = Case.objects.get(pk=agreement.case_id)
    shown = next(v for v in mediation_agreements_for(user, case) if v.agreement.pk == agreement.pk)
    return Response(MediationAgreementSerializer(shown).data)


class MediationAgreementListView(ApiView):
    @extend_schema(
        operation_id="cases_mediation_agreements_list",
        summary="A case's mediation agreements",
        parameters=[NUMBER],
        responses={
            200: MediationAgreementSerializer(many=True),
            **problems(401, 404, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def get(self, request: Request, number: str) -> Response:
        user = staff_user(request)
        case = access.access_case(user, number)
        data = MediationAgreementSerializer(_agreements_data(user, case), many=True).data
        return Response(data)


class MediationSignaturesView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="cases_mediation_agreements_signatures",
        summary="Record who signed a mediation agreement and when its copies were issued",
        description=(
            "Handlers and heads of the lead department, and supervisors. Once per agreement"
            " (409 when already signed); appends `mediation_signed` to the timeline."
        ),
        parameters=[NUMBER, AGREEMENT_ID],
        request=MediationSignaturesInputSerializer,
        responses={
            200: MediationAgreementSerializer,
            **problems(400, 401, 403, 404, 409, 413, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def post(self, request: Request, number: str, agreement_id: int) -> Response:
        user, agreement = _recording(request, number, agreement_id)
        serializer = MediationSignaturesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        agreement = mediation_signatures_record(agreement=agreement, actor=user, **data)
        return _agreement_answer(user, agreement)


class MediationFulfilmentView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="cases_mediation_agreements_fulfilment",
        summary="Record the follow-up of a signed mediation agreement's fulfilment",
        description=(
            "Handlers and heads of the lead department, and supervisors; after the"
            " signatures (409 before, and once fulfilled). Appends `mediation_followed_up`."
        ),
        parameters=[NUMBER, AGREEMENT_ID],
        request=MediationFulfilmentInputSerializer,
        responses={
            200: MediationAgreementSerializer,
            **problems(400, 401, 403, 404, 409, 413, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def post(self, request: Request, number: str, agreement_id: int) -> Response:
        user, agreement = _recording(request, number, agreement_id)
        serializer = MediationFulfilmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        agreement = mediation_fulfilment_record(agreement=agreement, actor=user, **data)
        return _agreement_answer(user, agreement)


class ResultSignatureView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="cases_result_signature",
        summary="Record the customer's signature on the result",
        description=(
            "Handlers and heads of the lead department, and intake agents; once the case is"
            " replied, once per result (409 otherwise). Appends `result_signed`."
        ),
        parameters=[NUMBER],
        request=ResultSignatureInputSerializer,
        responses={
            200: ResultSignatureSerializer,
            **problems(400, 401, 403, 404, 409, 413, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def post(self, request: Request, number: str) -> Response:
        user = staff_user(request)
        case = access.access_case(user, number)
        if not access.can_record_result_signature(user, case):
            raise PermissionDenied(_("You may not record the customer's signature on this case."))
        serializer = ResultSignatureInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        result = result_signature_record(case=case, actor=user, **data)
        answer = {
            "number": case.number,
            "customer_signed_name": result.customer_signed_name,
            "customer_signed_at": result.customer_signed_at,
        }
        return Response(ResultSignatureSerializer(answer).data)
