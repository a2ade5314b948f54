"""Excel exports (openpyxl): a case list, the dashboard, the department evaluation.

Every sheet has Chinese headers and says at its top which filters made it. A case list over
EXPORT_INLINE_MAX rows becomes an `ExportJob` run in the background (`reports.jobs`).
Complainants' personal data is in a case export only when asked for, and then case by case
as `cases.access.complainant_for` decides; each unmasked look is logged there like any other.
"""

import io
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import chain
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from minsheng.accounts.models import User
from minsheng.cases.access import (
    can_export_case_lists,
    can_view_statistics,
    cases_visible_to,
    complainant_for,
    may_export_personal_data,
    text_masker_for,
)
from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Case, CaseClock, CaseEvent, ExtensionRequest
from minsheng.cases.workflow import Act
from minsheng.deadlines.calendar import LOCAL_TZ, WorkCalendar, working_days_between
from minsheng.deadlines.selectors import calendar_get
from minsheng.lib.tasks import enqueue_on_commit
from minsheng.reports import documents
from minsheng.reports.models import CaseFact, ExportJob, FactCursor
from minsheng.reports.selectors import Dashboard, Evaluation, TopicsSource

logger = logging.getLogger(__name__)

EXPORT_INLINE_MAX = 300  # rows; a larger case list is exported in the background
EXPORT_LANGUAGE = "zh-hans"  # headers and labels are Chinese whoever asks
PROGRESS_EVERY = 200  # rows between progress saves
PERSONAL_DATA_PURPOSE = "Excel export"
BOLD = Font(bold=True)


# --- sheets ------------------------------------------------------------------------------


def _filters_lines(filterset: CaseFilterSet) -> list[str]:
    """The filters of a case list as "label: value" lines (in the active language)."""
    lines: list[str] = []
    form = filterset.form
    if not form.is_valid():
        return lines
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = form.fields[name]
        if isinstance(value, list | tuple):
            choices = dict(getattr(field, "choices", []))
            shown = "、".join(str(choices.get(v, v)) for v in value)
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = str(value)
        lines.append(f"{field.label}：{shown}")
    return lines


def _head(sheet: Worksheet, title: str, filters: Sequence[str]) -> None:
    """The sheet's title, when it was made, and its filters, above the table."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([_("Exported at %(time)s") % {"time": made}])
    sheet.append([_("Filters: %(filters)s") % {"filters": "；".join(filters) or _("none")}])
    sheet.append([])


def _table(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for row in rows:
        sheet.append(list(row))
    for index, header in enumerate(headers, start=1):
        width = max(10, min(40, len(str(header)) * 2 + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


CASE_HEADERS = (
    gettext_lazy("Case number"),
    gettext_lazy("Submitted at"),
    gettext_lazy("Kind"),
    gettext_lazy("Severity"),
    gettext_lazy("Channel"),
    gettext_lazy("State"),
    gettext_lazy("Subject"),
    gettext_lazy("Category"),
    gettext_lazy("Area"),
    gettext_lazy("Lead department"),
    gettext_lazy("Next due"),
    gettext_lazy("Replied at"),
    gettext_lazy("Closed at"),
    gettext_lazy("Rating"),
    gettext_lazy("Returns"),
)
PERSON_HEADERS = (
    gettext_lazy("Complainant"),
    gettext_lazy("Phone"),
    gettext_lazy("E-mail"),
    gettext_lazy("Address"),
)


def _case_row(case: Case, actor: User) -> list[Any]:
    # The subject as this reader may read it: personal data written into it is masked for
    # those who may not see it (`cases.access.text_masker_for`).
    return [
        case.number,
        _local(case.created_at),
        case.get_kind_display(),
        case.get_severity_display(),
        case.get_channel_display(),
        case.get_state_display(),
        text_masker_for(actor, case)(case.subject),
        str(case.category or ""),
        str(case.area or ""),
        str(case.department or ""),
        _local(case.next_due_at),
        _local(case.replied_at),
        _local(case.closed_at),
        case.get_rating_display() if case.rating else "",
        case.return_count,
    ]


def _person_cells(actor: User, case: Case) -> list[str]:
    people = complainant_for(actor, case, purpose=PERSONAL_DATA_PURPOSE)
    return [
        "；".join(p.name for p in people),
        "；".join(p.phone for p in people if p.phone),
        "；".join(p.email for p in people if p.email),
        "；".join(p.address for p in people if p.address),
    ]


def _case_filterset(*, actor: User, params: dict[str, Any]) -> CaseFilterSet:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return CaseFilterSet(
        query,
        queryset=cases_visible_to(actor).select_related("department", "category", "area"),
        user=actor,
    )


def case_workbook(
    *,
    actor: User,
    params: dict[str, Any],
    include_personal_data: bool,
    progress: Any = None,
) -> bytes:
    """The case list of `params` (CaseFilterSet's filters, over the cases `actor` may
    see) as an xlsx file. `progress(done, total)` is called every PROGRESS_EVERY rows."""
    with translation.override(EXPORT_LANGUAGE):
        filterset = _case_filterset(actor=actor, params=params)
        cases: QuerySet[Case] = filterset.qs
        total = cases.count()
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook has one sheet
        sheet.title = _("Cases")
        _head(sheet, _("Case list"), _filters_lines(filterset))
        headers = [str(h) for h in CASE_HEADERS]
        if include_personal_data:
            headers += [str(h) for h in PERSON_HEADERS]

        # In the order the list shows them (its sections: by due time, the cases without
        # one last, newest first, on every database; a keyword's matches ranked).
        in_order = chain.from_iterable(
            section.ordered().iterator(chunk_size=500) for section in filterset.sections()
        )

        def rows() -> Iterable[list[Any]]:
            for done, case in enumerate(in_order, start=1):
                row = _case_row(case, actor)
                if include_personal_data:
                    row += _person_cells(actor, case)
                yield row
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done, total)

        _table(sheet, headers, rows())
        return _bytes(book)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def dashboard_workbook(*, dashboard: Dashboard) -> bytes:
    """Every figure of the dashboard: the headline figures with their formulas, then one
    sheet per breakdown; each beside the previous period."""
    with translation.override(EXPORT_LANGUAGE):
        period, previous = str(dashboard.period), str(dashboard.previous_period)
        filters = [_("Period: %(period)s") % {"period": period}] + [
            f"{name}：{value}" for name, value in dashboard.query.narrowing
        ]
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook has one sheet
        sheet.title = _("Figures")
        _head(sheet, _("Statistics"), filters)
        headers = [_("Figure"), period, previous, _("Numerator"), _("Denominator"), _("Formula")]
        rows: list[list[Any]] = [
            [
                str(dashboard.volume.label),
                dashboard.volume.current.count,
                dashboard.volume.previous.count,
                "",
                "",
                str(dashboard.volume.formula),
            ]
        ]
        for rate in dashboard.rates:
            rows.append(
                [
                    str(rate.label),
                    _percent(rate.current.percent),
                    _percent(rate.previous.percent),
                    rate.current.numerator.count,
                    rate.current.denominator.count,
                    str(rate.formula),
                ]
            )
        handling = dashboard.handling
        for name, now_value, before in (
            (_("mean"), handling.current.mean, handling.previous.mean),
            (_("90th percentile"), handling.current.p90, handling.previous.p90),
        ):
            label = f"{handling.label}（{name}）"
            rows.append([label, now_value, before, "", "", str(handling.formula)])
        for figure in dashboard.counts:
            rows.append(
                [
                    str(figure.label),
                    figure.current.count,
                    figure.previous.count,
                    "",
                    "",
                    str(figure.formula),
                ]
            )
        _table(sheet, headers, rows)
        for breakdown in dashboard.breakdowns:
            part = book.create_sheet(str(breakdown.label)[:31])
            _head(part, str(breakdown.label), filters)
            _table(
                part,
                [str(breakdown.label), period, previous],
                [[row.label, row.current.count, row.previous.count] for row in breakdown.rows],
            )
        return _bytes(book)


def evaluation_workbook(*, evaluation: Evaluation) -> bytes:
    """The department ranking with every part of each score and the weights used."""
    with translation.override(EXPORT_LANGUAGE):
        filters = [_("Period: %(period)s") % {"period": str(evaluation.period)}]
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook has one sheet
        sheet.title = _("Evaluation")
        _head(sheet, _("Department evaluation"), filters)
        first = evaluation.rows[0] if evaluation.rows else None
        part_headers = [line.label for line in first.lines] if first else []
        headers = [_("Rank"), _("Department"), _("Cases"), _("Score"), _("Rate points")]
        headers += [_("Points deducted"), *part_headers]
        rows = []
        for row in evaluation.rows:
            values: list[Any] = [
                row.rank or "",
                row.department.name,
                row.cases.count,
                "" if row.score is None else row.score,
                "" if row.rate_points is None else row.rate_points,
                row.deducted,
            ]
            for line in row.lines:
                if line.ratio is not None:
                    values.append(_percent(line.ratio.percent))
                else:
                    values.append(line.tally.count if line.tally else "")
            rows.append(values)
        _table(sheet, headers, rows)
        weights = book.create_sheet(_("Weights"))
        _table(
            weights,
            [_("Part"), _("Weight")],
            [[line.label, line.weight] for line in (first.lines if first else [])],
        )
        return _bytes(book)


# --- background case exports -----------------------------------------------------------


def case_export_filters(*, actor: User, params: dict[str, Any]) -> list[str]:
    """The filters of a case list export as "label: value" lines, for its page."""
    return _filters_lines(_case_filterset(actor=actor, params=params))


def case_export_count(*, actor: User, params: dict[str, Any]) -> int:
    """How many rows an export of `params` would have, counted up to one past the inline
    limit (enough to decide inline or background)."""
    qs = _case_filterset(actor=actor, params=params).qs
    return qs.order_by()[: EXPORT_INLINE_MAX + 1].count()


def _check_export(*, actor: User, include_personal_data: bool) -> None:
    if not can_export_case_lists(actor):
        raise PermissionDenied(_("You may not export case lists."))
    if include_personal_data and not may_export_personal_data(actor):
        raise PermissionDenied(_("You may not export personal data."))


def case_export_inline(
    *, actor: User, params: dict[str, Any], include_personal_data: bool
) -> bytes:
    """A small case list exported at once (at most EXPORT_INLINE_MAX rows)."""
    _check_export(actor=actor, include_personal_data=include_personal_data)
    return case_workbook(actor=actor, params=params, include_personal_data=include_personal_data)


@transaction.atomic
def export_job_create(
    *, actor: User, params: dict[str, Any], include_personal_data: bool
) -> ExportJob:
    """Queue a case list export; the worker runs `export_job_run` after commit."""
    from minsheng.reports.jobs import export_run_job

    _check_export(actor=actor, include_personal_data=include_personal_data)
    job = ExportJob(
        params=params,
        include_personal_data=include_personal_data,
        requested_by=actor,
        created_at=timezone.now(),
    )
    job.full_clean()
    job.save()
    enqueue_on_commit(export_run_job, job_id=job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Run a queued export: claim it, write the workbook with progress, store the file.
    Safe to repeat: a job that is running or finished is left alone.

    1. claim the job with a conditional update (queued → running);
    2. build the workbook, saving the progress every PROGRESS_EVERY rows;
    3. store the file and mark the job done (or failed, with the reason).
    """
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if not claimed:
        return job
    actor = job.requested_by

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, total_rows=total)

    try:
        total = _case_filterset(actor=actor, params=job.params).qs.count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)
        content = case_workbook(
            actor=actor,
            params=job.params,
            include_personal_data=job.include_personal_data,
            progress=progress,
        )
    except Exception as error:  # a failed export is reported on its page, not lost
        logger.exception("reports: export %s failed", job.pk)
        return _job_failed(job, error)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    job.file.save(f"cases-{stamp}-{job.pk}.xlsx", ContentFile(content), save=False)
    job.status = ExportJob.Status.DONE
    job.total_rows = job.rows_done = total
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "total_rows", "rows_done", "finished_at"])
    return job


# --- the monthly report in the background ------------------------------------------------

REPORT_STEPS = 2  # the figures, then the PDF


def topics_source() -> TopicsSource:
    """The hot topics a monthly report lists: routing's, named by
    `settings.MINSHENG_TOPICS_SOURCE` (a feature app does not import another)."""
    source: TopicsSource = import_string(settings.MINSHENG_TOPICS_SOURCE)
    return source


@transaction.atomic
def report_job_create(*, actor: User, month: date, language: str) -> ExportJob:
    """Queue the monthly report (月度报告) of `month` as a PDF in `language`, for supervisors
    and leaders; the worker runs `report_job_run` after commit."""
    from minsheng.reports.jobs import report_run_job

    if not can_view_statistics(actor):
        raise PermissionDenied
    job = ExportJob(
        kind=ExportJob.Kind.MONTHLY_REPORT,
        params={"month": f"{month:%Y-%m}", "language": language},
        requested_by=actor,
        total_rows=REPORT_STEPS,
        created_at=timezone.now(),
    )
    job.full_clean()
    job.save()
    enqueue_on_commit(report_run_job, job_id=job.pk)
    return job


def report_job_run(*, job_id: int, topics_source: TopicsSource | None) -> ExportJob:
    """Run a queued monthly report: claim it, bring the figures up to date, build the report
    (with the hot topics of `topics_source`), render the PDF, store it. Safe to repeat."""
    claimed = ExportJob.objects.filter(
        pk=job_id, kind=ExportJob.Kind.MONTHLY_REPORT, status=ExportJob.Status.QUEUED
    ).update(status=ExportJob.Status.RUNNING)
    job = ExportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    month = datetime.strptime(job.params["month"], "%Y-%m").date()  # noqa: DTZ007 - a date
    try:
        facts_refresh()
        with translation.override(job.params.get("language", EXPORT_LANGUAGE)):
            report = documents.monthly_report_for(month=month, topics_source=topics_source)
            ExportJob.objects.filter(pk=job.pk).update(rows_done=1)
            content = documents.monthly_report_pdf(report)
    except Exception as error:  # a failed report is reported on its page, not lost
        logger.exception("reports: monthly report %s failed", job.pk)
        return _job_failed(job, error)
    job.file.save(f"monthly-report-{month:%Y-%m}-{job.pk}.pdf", ContentFile(content), save=False)
    job.status = ExportJob.Status.DONE
    job.rows_done = REPORT_STEPS
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "rows_done", "finished_at"])
    return job


def _job_failed(job: ExportJob, error: Exception) -> ExportJob:
    job.status = ExportJob.Status.FAILED
    job.reason = str(error)[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "reason", "finished_at"])
    return job


# --- the figures' per-case summary ------------------------------------------------------

FACT_FIELDS = [f.name for f in CaseFact._meta.concrete_fields if f.name != "case"]
REFRESH_BATCH = 5_000  # cases rebuilt per round
EVENTS_READ = 50_000  # events read per round


def _late_from(clocks: Iterable[tuple[datetime | None, datetime | None]]) -> datetime | None:
    """The earliest due time of a clock that stopped after it or is still running: from
    then on the step counts as late (`cases.filters` says the same of the clocks)."""
    late = [
        due for due, stopped in clocks if due is not None and (stopped is None or stopped > due)
    ]
    return min(late) if late else None


def _handling_days(
    submitted: datetime,
    answered: datetime | None,
    calendar: WorkCalendar,
    known: dict[tuple[date, date], int],
) -> int | None:
    """Working days from submission to answer: those after the local submission date up
    to and including the local answer date, on the official calendar (0: the same day)."""
    if answered is None:
        return None
    span = (submitted.astimezone(LOCAL_TZ).date(), answered.astimezone(LOCAL_TZ).date())
    if span not in known:
        known[span] = working_days_between(*span, calendar)
    return known[span]


def _spaced(values: set[str]) -> str:
    """Values between spaces (" a b "), so that a LIKE or `in` finds " a " exactly."""
    return f" {' '.join(sorted(values))} " if values else ""


def facts_rebuild(*, case_ids: Sequence[int]) -> int:
    """Recompute the summary rows of these cases from their fields, clocks, extension
    requests and notices; returns how many were written. Safe to repeat."""
    ids = sorted(set(case_ids))
    written = 0
    calendar = calendar_get()
    for start in range(0, len(ids), REFRESH_BATCH):
        chunk = ids[start : start + REFRESH_BATCH]
        clocks: dict[int, list[tuple[str, Any, Any]]] = {}
        for case_id, step, due, stopped in CaseClock.objects.filter(case_id__in=chunk).values_list(
            "case_id", "step", "due_at", "stopped_at"
        ):
            clocks.setdefault(case_id, []).append((step, due, stopped))
        extended = set(
            ExtensionRequest.objects.filter(
                case_id__in=chunk, status=ExtensionRequest.Status.APPROVED
            ).values_list("case_id", flat=True)
        )
        levels: dict[int, set[str]] = {}
        notices: dict[int, set[str]] = {}
        returned: dict[int, set[str]] = {}
        for case_id, action, level, department in CaseEvent.objects.filter(
            case_id__in=chunk, action__in=[Act.NOTICE_ISSUED, Act.RETURN]
        ).values_list("case_id", "action", "data__level", "data__department"):
            if action == Act.RETURN:
                returned.setdefault(case_id, set()).add(str(department))
                continue
            levels.setdefault(case_id, set()).add(str(level))
            notices.setdefault(case_id, set()).add(f"{level}:{department}")
        rows = []
        spans: dict[tuple[date, date], int] = {}
        for case in Case.objects.filter(pk__in=chunk).values(
            "pk",
            "created_at",
            "state",
            "merged_into_id",
            "replied_at",
            "rating",
            "return_count",
            "kind",
            "channel",
            "category_id",
            "department_id",
            "area_id",
        ):
            own = clocks.get(case["pk"], [])
            received = levels.get(case["pk"], set())
            rows.append(
                CaseFact(
                    case_id=case["pk"],
                    created_at=case["created_at"],
                    state=case["state"],
                    is_merged=case["merged_into_id"] is not None,
                    is_answered=case["replied_at"] is not None,
                    replied_at=case["replied_at"],
                    handling_days=_handling_days(
                        case["created_at"], case["replied_at"], calendar, spans
                    ),
                    kind=case["kind"],
                    channel=case["channel"],
                    category_id=case["category_id"],
                    department_id=case["department_id"],
                    area_id=case["area_id"],
                    returned_by=_spaced(returned.get(case["pk"], set()))[:200],
                    notices=_spaced(notices.get(case["pk"], set()))[:500],
                    rating=case["rating"],
                    is_returned=case["return_count"] > 0,
                    is_extended=case["pk"] in extended,
                    result_late_from=_late_from((d, s) for step, d, s in own if step == "result"),
                    late_from=_late_from((d, s) for _step, d, s in own),
                    has_reminder="reminder" in received,
                    has_supervision="supervision" in received,
                    has_leader="leader" in received,
                    has_circulation="circulation" in received,
                )
            )
        CaseFact.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["case"], update_fields=FACT_FIELDS
        )
        written += len(rows)
    return written


# A page refreshes at most this many events before it counts; the watch's job and
# `stats_refresh` read on (after an upgrade that reads every event again, the first page
# must not do a million cases' work).
PAGE_REFRESH_EVENTS = 2 * EVENTS_READ


def facts_refresh(*, rescan: int = 0, max_events: int | None = None) -> int:
    """Bring the figures' summary up to date with the timeline; returns the cases rebuilt.

    1. read the cursor (the last event id read; `rescan` steps back that many ids, for an
       event whose transaction committed after a later one's);
    2. read the newer events' case ids, a round of EVENTS_READ at a time (up to
       `max_events`), and rebuild them;
    3. move the cursor forward (never back: two refreshes at once do the same work twice).
    """
    cursor, _created = FactCursor.objects.get_or_create(pk=1)
    after = max(0, cursor.last_event_id - rescan)
    rebuilt = read = 0
    while max_events is None or read < max_events:
        events = list(
            CaseEvent.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "case_id")[:EVENTS_READ]
        )
        if not events:
            break
        rebuilt += facts_rebuild(case_ids=[case_id for _pk, case_id in events])
        read += len(events)
        after = events[-1][0]
        FactCursor.objects.filter(pk=1, last_event_id__lt=after).update(
            last_event_id=after, refreshed_at=timezone.now()
        )
        if len(events) < EVENTS_READ:
            break
    return rebuilt


def facts_reread() -> None:
    """Make the next `facts_refresh` read every event again (the handling times count on
    the holiday calendar: after an administrator changes past days of it)."""
    FactCursor.objects.update_or_create(pk=1, defaults={"last_event_id": 0})
