"""`GET /api/v1/office`: the office's configuration as an app needs it to build its form:
name, reception, kinds and channels taken, case classes, extra fields per category."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.api.schema import COMMON_PROBLEMS, problems
from minsheng.api.v1 import serializers as s
from minsheng.api.v1.views.base import PublicApiView
from minsheng.cases import office
from minsheng.cases.models import Category, Channel
from minsheng.deadlines.models import Kind


def office_data() -> dict[str, Any]:
    """The office's configuration (`cases.office`, the process's cached copy)."""
    row = office.office_get()
    fields = office.extra_fields_all()
    category_ids = {extra.category_id for extra in fields if extra.category_id is not None}
    categories = Category.objects.in_bulk(category_ids) if category_ids else {}
    return {
        "name": str(row),
        "reception": {
            "place": row.reception_place,
            "hours": row.reception_hours,
            "phone": row.reception_phone,
            "days": row.reception_days,
        },
        "kinds": [{"code": k, "label": Kind(k).label} for k in office.kinds_used()],
        "channels": [{"code": c, "label": Channel(c).label} for c in office.channels_used()],
        "case_classes": office.case_classes(),
        "extra_fields": [
            {
                "code": extra.code,
                "label": extra.label,
                "type": extra.type,
                "is_required": extra.is_required,
                "choices": [
                    {"code": code, "label": label}
                    for code, label in office.extra_choice_pairs(extra)
                ],
                "pattern": extra.pattern,
                "category": categories.get(extra.category_id) if extra.category_id else None,
            }
            for extra in fields
        ],
    }


class OfficeView(PublicApiView):
    @extend_schema(
        operation_id="office_get",
        summary="The office: reception, kinds and channels taken, classes, extra fields",
        description=(
            "What a form needs to register a matter here. An extra field applies to cases of"
            " its category and of the categories under it (`category` null: to every case)."
        ),
        responses={200: s.OfficeSerializer, **problems(*COMMON_PROBLEMS)},
        tags=["public"],
    )
    def get(self, request: Request) -> Response:
        return Response(s.OfficeSerializer(office_data()).data)
