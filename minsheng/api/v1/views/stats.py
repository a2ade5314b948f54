"""The statistics through the API: the dashboard's figures (`GET /api/v1/stats`) and the
department evaluation (`GET /api/v1/stats/evaluation`) for supervisors and leaders (token),
and the public figures (`GET /api/v1/public/stats`, no token). The same selectors build them
as build /work/stats/ and /open/; every count carries the query of `GET /api/v1/cases` (the
same CaseFilterSet) that lists its cases."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.api.schema import problems
from minsheng.api.v1.views.base import ApiView, PublicApiView, staff_user
from minsheng.cases.access import can_view_statistics
from minsheng.cases.models import Channel
from minsheng.deadlines.models import Kind
from minsheng.reports.filters import PublicMonthForm, StatsQueryForm
from minsheng.reports.selectors import (
    Dashboard,
    Evaluation,
    PublicFigures,
    Ratio,
    Tally,
    dashboard_for,
    evaluation_for,
    public_figures,
)
from minsheng.reports.services import PAGE_REFRESH_EVENTS, facts_refresh
from minsheng.routing import hot_topics

# --- output shapes ------------------------------------------------------------------------


class TallySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    query = serializers.CharField(help_text="GET /api/v1/cases with this query lists them.")


class RatioSerializer(serializers.Serializer):
    percent = serializers.FloatField(allow_null=True)
    numerator = TallySerializer()
    denominator = TallySerializer()


class RateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    formula = serializers.CharField()
    current = RatioSerializer()
    previous = RatioSerializer()


class CountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    formula = serializers.CharField()
    current = TallySerializer()
    previous = TallySerializer()


class DurationSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True)
    p90 = serializers.IntegerField(allow_null=True)
    over = TallySerializer()


class HandlingSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    formula = serializers.CharField()
    current = DurationSerializer()
    previous = DurationSerializer()


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    current = TallySerializer()
    previous = TallySerializer()


class BreakdownSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    rows = RowSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    volume = CountSerializer()
    rates = RateSerializer(many=True)
    handling = HandlingSerializer()
    counts = CountSerializer(many=True)
    breakdowns = BreakdownSerializer(many=True)
    generated_at = serializers.DateTimeField()


class ScoreLineSerializer(serializers.Serializer):
    part = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    weight = serializers.FloatField()
    points = serializers.FloatField(
        allow_null=True, help_text="Points a rate gives, or (negative) a count takes."
    )
    ratio = RatioSerializer(allow_null=True, help_text="The rate's parts (rates only).")
    tally = TallySerializer(allow_null=True, help_text="The cases counted (counts only).")


class DepartmentScoreSerializer(serializers.Serializer):
    department = serializers.CharField(help_text="Department code.")
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True, help_text="null: no rate to score.")
    score = serializers.FloatField(allow_null=True)
    rate_points = serializers.FloatField(allow_null=True)
    deducted = serializers.FloatField()
    cases = TallySerializer()
    parts = ScoreLineSerializer(many=True)


class EvaluationSerializer(serializers.Serializer):
    period = PeriodSerializer()
    weights = serializers.DictField(child=serializers.FloatField())
    departments = DepartmentScoreSerializer(many=True)
    generated_at = serializers.DateTimeField()


class PublicCellSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField(allow_null=True, help_text="null: fewer than 5, hidden.")
    display = serializers.CharField(help_text='The count, or "<5".')


class PublicRateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    percent = serializers.FloatField(allow_null=True, help_text="null: fewer than 5 counted.")


class PublicTopicSerializer(serializers.Serializer):
    category = serializers.CharField()
    terms = serializers.ListField(child=serializers.CharField())
    cases = serializers.IntegerField()


class PublicFiguresSerializer(serializers.Serializer):
    month = serializers.CharField()
    total = PublicCellSerializer()
    by_kind = PublicCellSerializer(many=True)
    by_category = PublicCellSerializer(many=True)
    rates = PublicRateSerializer(many=True)
    mean_handling_days = serializers.FloatField(allow_null=True)
    topics = PublicTopicSerializer(many=True)
    generated_at = serializers.DateTimeField()


# --- shaping ------------------------------------------------------------------------------


def _tally(tally: Tally) -> dict[str, Any]:
    return {"count": tally.count, "query": tally.query}


def _ratio(ratio: Ratio) -> dict[str, Any]:
    return {
        "percent": ratio.percent,
        "numerator": _tally(ratio.numerator),
        "denominator": _tally(ratio.denominator),
    }


def dashboard_data(board: Dashboard) -> dict[str, Any]:
    """The dashboard in the API's shape (what /work/stats/ shows, figure for figure)."""

    def period(p: Any) -> dict[str, Any]:
        return {"start": p.start, "end": p.end}

    def count(figure: Any) -> dict[str, Any]:
        return {
            "key": figure.key,
            "label": str(figure.label),
            "formula": str(figure.formula),
            "current": _tally(figure.current),
            "previous": _tally(figure.previous),
        }

    def duration(d: Any) -> dict[str, Any]:
        return {"mean": d.mean, "p90": d.p90, "over": _tally(d.over)}

    return {
        "period": period(board.period),
        "previous_period": period(board.previous_period),
        "volume": count(board.volume),
        "rates": [
            {
                "key": rate.key,
                "label": str(rate.label),
                "formula": str(rate.formula),
                "current": _ratio(rate.current),
                "previous": _ratio(rate.previous),
            }
            for rate in board.rates
        ],
        "handling": {
            "label": str(board.handling.label),
            "formula": str(board.handling.formula),
            "current": duration(board.handling.current),
            "previous": duration(board.handling.previous),
        },
        "counts": [count(figure) for figure in board.counts],
        "breakdowns": [
            {
                "key": b.key,
                "label": str(b.label),
                "rows": [
                    {
                        "key": row.key,
                        "label": row.label,
                        "current": _tally(row.current),
                        "previous": _tally(row.previous),
                    }
                    for row in b.rows
                ],
            }
            for b in board.breakdowns
        ],
        "generated_at": board.generated_at,
    }


def evaluation_data(evaluation: Evaluation) -> dict[str, Any]:
    """The department evaluation in the API's shape (what /work/stats/evaluation/ shows)."""
    return {
        "period": {"start": evaluation.period.start, "end": evaluation.period.end},
        "weights": evaluation.weights,
        "departments": [
            {
                "department": row.department.code,
                "name": row.department.name,
                "rank": row.rank,
                "score": row.score,
                "rate_points": row.rate_points,
                "deducted": row.deducted,
                "cases": _tally(row.cases),
                "parts": [
                    {
                        "part": str(line.part.value),
                        "label": line.label,
                        "weight": line.weight,
                        "points": line.points,
                        "ratio": None if line.ratio is None else _ratio(line.ratio),
                        "tally": None if line.tally is None else _tally(line.tally),
                    }
                    for line in row.lines
                ],
            }
            for row in evaluation.rows
        ],
        "generated_at": evaluation.generated_at,
    }


def public_data(figures: PublicFigures) -> dict[str, Any]:
    """The public figures in the API's shape (what /open/ shows)."""

    def cell(c: Any) -> dict[str, Any]:
        return {"key": c.key, "label": c.label, "count": c.count, "display": c.display}

    return {
        "month": f"{figures.month.start:%Y-%m}",
        "total": cell(figures.total),
        "by_kind": [cell(c) for c in figures.by_kind],
        "by_category": [cell(c) for c in figures.by_category],
        "rates": [{"key": r.key, "label": r.label, "percent": r.percent} for r in figures.rates],
        "mean_handling_days": figures.mean_handling_days,
        "topics": [
            {"category": t.category, "terms": t.terms, "cases": t.cases}
            for t in figures.topics or []
        ],
        "generated_at": figures.generated_at,
    }


# --- views -------------------------------------------------------------------------------

MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"

STATS_PARAMETERS = [
    OpenApiParameter(
        "month", str, pattern=MONTH_PATTERN, description="YYYY-MM (default: this month)."
    ),
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="YYYY-MM-DD, with date_to instead of month."
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="YYYY-MM-DD."),
    # The values the statistics' query accepts (reports.filters), so the document says which.
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("channel", str, enum=Channel.values),
    OpenApiParameter("department", str, description="Department code."),
    OpenApiParameter("category", int, description="Top-level category id."),
    OpenApiParameter("area", str, description="Area code."),
]


class StatsView(ApiView):
    @extend_schema(
        operation_id="stats_get",
        summary="The statistics dashboard's figures (supervisors and leaders)",
        parameters=STATS_PARAMETERS,
        responses={200: DashboardSerializer, **problems(400, 401, 403, 406)},
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        if not can_view_statistics(user):
            raise PermissionDenied
        form = StatsQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        facts_refresh(max_events=PAGE_REFRESH_EVENTS)  # today's figures are live
        board = dashboard_for(query=form.query())
        return Response(DashboardSerializer(dashboard_data(board)).data)


class EvaluationView(ApiView):
    @extend_schema(
        operation_id="stats_evaluation_get",
        summary="The department evaluation (考核): departments ranked by their score",
        description="The score's formula and weights: README, Department evaluation.",
        parameters=STATS_PARAMETERS,
        responses={200: EvaluationSerializer, **problems(400, 401, 403, 406)},
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        if not can_view_statistics(user):
            raise PermissionDenied
        form = StatsQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        facts_refresh(max_events=PAGE_REFRESH_EVENTS)
        evaluation = evaluation_for(query=form.query())
        return Response(EvaluationSerializer(evaluation_data(evaluation)).data)


class PublicStatsView(PublicApiView):
    @extend_schema(
        operation_id="public_stats_get",
        summary="One month's public figures (no personal data, counts below 5 hidden)",
        parameters=[
            OpenApiParameter(
                "month",
                str,
                pattern=MONTH_PATTERN,
                description="YYYY-MM, a past or the current month (default: last month).",
            )
        ],
        responses={200: PublicFiguresSerializer, **problems(400, 406)},
        tags=["public"],
    )
    def get(self, request: Request) -> Response:
        form = PublicMonthForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        facts_refresh(max_events=PAGE_REFRESH_EVENTS)
        figures = public_figures(
            month=form.cleaned_data["month"], topics_source=hot_topics.period_topics
        )
        return Response(PublicFiguresSerializer(public_data(figures)).data)
