"""Each dashboard figure equals a hand count on a small month, and its link lists exactly
the cases it counts (the same CaseFilterSet as the case list and the API)."""

from datetime import date

import pytest

from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Case
from minsheng.reports.filters import Period, StatsQuery
from minsheng.reports.selectors import dashboard_for, percentile_90
from minsheng.reports.services import facts_refresh
from minsheng.reports.tests.fixtures import NOW, at, month_build

NOVEMBER = StatsQuery(period=Period(date(2026, 11, 1), date(2026, 11, 30)))


@pytest.fixture
def month(cast):
    built = month_build(cast)
    facts_refresh()
    return built


def listed(tally):
    """The numbers the case list shows for a figure's parameters."""
    return {c.number for c in CaseFilterSet(tally.params, Case.objects.all()).qs}


def test_every_figure_equals_the_hand_count_and_lists_its_cases(month):
    with at(NOW):
        board = dashboard_for(query=NOVEMBER)
        rates = {rate.key: rate for rate in board.rates}
        counts = {figure.key: figure for figure in board.counts}
        expected_rates = {
            # key: (numerator cases, denominator cases, shortfall cases)
            "response": ("AF", "ABCFH", "BCH"),
            "resolution": ("A", "ABF", None),
            "satisfaction": ("A", "AB", None),
            "on_time": ("ADF", "ABCDFH", "BCH"),
        }
        for key, (top, bottom, short) in expected_rates.items():
            rate = rates[key]
            assert rate.current.numerator.count == len(top), key
            assert listed(rate.current.numerator) == month.numbers(*top), key
            assert rate.current.denominator.count == len(bottom), key
            assert listed(rate.current.denominator) == month.numbers(*bottom), key
            if short:
                assert rate.shortfall is not None
                assert rate.shortfall.count == len(short)
                assert listed(rate.shortfall) == month.numbers(*short), key
            # October: P answered in time, rated satisfied.
            assert listed(rate.previous.numerator) == month.numbers("P"), key
        assert rates["response"].current.percent == 40.0
        assert rates["on_time"].current.percent == 50.0
        assert rates["resolution"].current.value == pytest.approx(1 / 3)

        assert board.volume.current.count == 8
        assert listed(board.volume.current) == month.numbers(*"ABCDEFGH")
        assert board.volume.previous.count == 1
        assert listed(board.volume.previous) == month.numbers("P")

        expected_counts = {
            "extended": "C",
            "returned": "E",
            "supervised": "H",
            "notice_reminder": "",
            "notice_supervision": "H",
            "notice_leader": "",
            "notice_circulation": "H",
        }
        for key, letters in expected_counts.items():
            assert counts[key].current.count == len(letters), key
            assert listed(counts[key].current) == month.numbers(*letters), key

        # A: 0 working days, B: 11-03 → 11-10 = 5, F: 0.
        handling = board.handling.current
        assert handling.mean == round(5 / 3, 2)
        assert handling.p90 == 5
        assert listed(handling.over) == month.numbers("A", "B", "F")
        assert board.handling.previous.mean == 0


def test_breakdowns_add_up_and_each_row_lists_its_cases(month):
    with at(NOW):
        board = dashboard_for(query=NOVEMBER)
        by = {b.key: {row.key: row for row in b.rows} for b in board.breakdowns}
        assert by["kind"]["complaint"].current.count == 7
        assert listed(by["kind"]["inquiry"].current) == month.numbers("F")
        assert by["kind"]["complaint"].previous.count == 1
        # Categories fold into the top level: A (噪声污染 under 环境保护) and B (环境保护).
        environment = next(r for r in by["category"].values() if r.label == "环境保护")
        assert listed(environment.current) == month.numbers("A", "B")
        assert listed(by["category"]["none"].current) == month.numbers(*"DEFGH")
        assert listed(by["area"]["dc"].current) == month.numbers("A", "B")
        assert listed(by["department"]["housing"].current) == month.numbers("A", "B", "C", "H")
        assert listed(by["department"]["environment"].current) == month.numbers("E")
        assert listed(by["department"]["none"].current) == month.numbers("D", "F", "G")
        assert listed(by["rating"]["neutral"].current) == month.numbers("B")
        days = by["period"]
        assert len(days) == 30
        assert listed(days["2026-11-10"].current) == month.numbers("H")
        assert days["2026-11-12"].previous.count == 1  # October 12: P
        for breakdown in board.breakdowns:
            if breakdown.key != "rating":
                assert sum(r.current.count for r in breakdown.rows) == 8, breakdown.key


def test_narrowing_by_department_narrows_every_figure_and_link(month):
    with at(NOW):
        query = StatsQuery(period=NOVEMBER.period, narrowing=(("department", "housing"),))
        board = dashboard_for(query=query)
        assert listed(board.volume.current) == month.numbers("A", "B", "C", "H")
        response = next(r for r in board.rates if r.key == "response")
        assert listed(response.current.numerator) == month.numbers("A")


def test_previous_period_of_months_and_ranges():
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert november.previous == Period(date(2026, 10, 1), date(2026, 10, 31))
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.previous == Period(date(2025, 10, 1), date(2025, 12, 31))
    week = Period(date(2026, 11, 9), date(2026, 11, 15))
    assert week.previous == Period(date(2026, 11, 2), date(2026, 11, 8))


def test_90th_percentile_is_the_nearest_rank():
    from collections import Counter

    assert percentile_90({}) is None
    assert percentile_90({3: 1}) == 3
    assert percentile_90(Counter(range(1, 11))) == 9
    assert percentile_90(Counter(range(1, 12))) == 10
    assert percentile_90({0: 9, 7: 1}) == 0
    assert percentile_90({0: 8, 7: 2}) == 7


@pytest.mark.parametrize("moment", [NOW, "2026-12-21 10:00 +08:00"])
def test_the_per_case_summary_counts_what_the_case_list_filters(month, moment):
    """`fact_q` (the figures, one row per case) and `outcome_q` (the case list, from the
    clocks and events) agree on every outcome, whenever it is asked."""
    from django.utils import timezone

    from minsheng.cases.filters import OUTCOME_CHOICES, outcome_q
    from minsheng.reports.models import CaseFact
    from minsheng.reports.selectors import fact_q

    with at(moment):
        now = timezone.now()
        for key, _label in OUTCOME_CHOICES:
            by_list = set(Case.objects.filter(outcome_q(key, now=now)).values_list("pk", flat=True))
            by_facts = set(
                CaseFact.objects.filter(fact_q(key, now=now)).values_list("case_id", flat=True)
            )
            assert by_list == by_facts, key


def test_evaluation_parts_equal_hand_counts_and_list_their_cases(month, cast):
    from minsheng.reports.models import ScorePart
    from minsheng.reports.selectors import evaluation_for

    with at(NOW):
        evaluation = evaluation_for(query=NOVEMBER)
        rows = {row.department.code: row for row in evaluation.rows}
        housing = {line.part: line for line in rows["housing"].lines}
        assert listed(rows["housing"].cases) == month.numbers("A", "B", "C", "H")
        assert listed(housing[ScorePart.RETURNS].tally) == month.numbers("E")  # housing returned E
        assert listed(housing[ScorePart.EXTENSIONS].tally) == month.numbers("C")
        assert listed(housing[ScorePart.NOTICES].tally) == month.numbers("H")  # the 督办
        assert listed(housing[ScorePart.CIRCULATIONS].tally) == month.numbers("H")  # the 通报
        timeliness = housing[ScorePart.TIMELINESS].ratio
        assert timeliness is not None
        assert listed(timeliness.numerator) == month.numbers("A")
        assert listed(timeliness.denominator) == month.numbers("A", "B", "C", "H")
        # Rates: T 1/4, R 1/2 (A of A, B), S 1/2 → (40·0.25 + 30·0.5 + 30·0.5) ÷ 100 × 100 = 40;
        # deducted: 0.5 (return) + 0.2 (extension) + 1 (notice) + 5 (circulation) = 6.7.
        assert rows["housing"].rate_points == 40.0
        assert rows["housing"].score == pytest.approx(33.3)
        environment = {line.part: line for line in rows["environment"].lines}
        assert listed(rows["environment"].cases) == month.numbers("E")
        assert listed(environment[ScorePart.RETURNS].tally) == set()
        assert rows["environment"].score is None  # nothing answered or due yet: no rate
        assert [r.department.code for r in evaluation.rows] == ["housing", "environment"]
