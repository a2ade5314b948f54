"""The printed documents (PDF): the case file (案卷) of one case, the reply letter
(答复意见书) to its complainant, and the monthly report (月度报告) of the figures.

Each is a read model assembled here from its owners' selectors (`case_view_for_staff`,
`public_answer_for`, `dashboard_for`, `evaluation_for`), rendered by a template of
`templates/reports/` into HTML and turned into PDF by WeasyPrint. Chinese is set in Noto
Sans/Serif CJK SC (Debian's `fonts-noto-cjk`, which `make` installs).

Callers decide who may read a document (`cases.access`); the complainants' personal data
comes only through `cases.access.complainant_for`, which masks it and logs each look.
Supervision notices and return visits are read from the case's timeline (the events
`supervision` writes), since `reports` does not import `supervision`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department, Role, User
from minsheng.cases import office
from minsheng.cases.access import ComplainantView, complainant_for, text_masker_for
from minsheng.cases.filters import NOTICE_LEVEL_CHOICES, CaseFilterSet
from minsheng.cases.models import Case, CaseEvent, CaseResult, MediationOutcome, Rating
from minsheng.cases.selectors import CaseForStaff, case_view_for_staff, public_answer_for
from minsheng.cases.workflow import Act, event_label
from minsheng.deadlines.calendar import LOCAL_TZ
from minsheng.reports import charts
from minsheng.reports.filters import Period, StatsQuery, month_period
from minsheng.reports.selectors import (
    Breakdown,
    Dashboard,
    Evaluation,
    TopicsSource,
    dashboard_for,
    evaluation_for,
)

# The timeline's events that make up each section of the case file.
PLAN_EVENTS = (Act.PLAN,)
PROGRESS_EVENTS = (Act.PROGRESS, Act.CO_REPORT, Act.MEDIATE)
APPROVAL_EVENTS = (
    Act.EXTENSION_REQUEST,
    Act.EXTENSION_APPROVE,
    Act.EXTENSION_REFUSE,
    Act.APPROVE,
    Act.SEND_BACK,
    Act.LEADER_APPROVE,
    Act.LEADER_SEND_BACK,
)
RATING_EVENTS = (Act.RATE, Act.APPEAL, Act.REVIEW_REDO, Act.REVIEW_UPHOLD)
NOTICE_EVENTS = (
    Act.NOTICE_ISSUED,
    Act.NOTICE_ACKNOWLEDGED,
    Act.NOTICE_ANSWERED,
    Act.NOTICE_SENT_BACK,
    Act.NOTICE_CLOSED,
    Act.NOTICE_ESCALATED,
    Act.NOTICE_DUE_SOON,
    Act.NOTICE_OVERDUE,
)
# How a return-visit call went (`supervision.models.VisitAttempt.Outcome`, by its words).
CALL_OUTCOMES = {
    "reached": gettext_lazy("Reached"),
    "unreachable": gettext_lazy("Unreachable"),
    "refused": gettext_lazy("Refused"),
}
NOTICE_LEVELS = dict(NOTICE_LEVEL_CHOICES)
# The monthly report lists this many cases of each kind; the rest are counted.
LISTED_CASES = 30
CHART_ROWS = 10
TOPICS = 10


# --- rendering --------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string that is safe inside <style> (no quote, backslash,
    angle bracket or line break left as it is)."""
    escaped = "".join(f"\\{ord(c):x} " if c in '\\"<>&\n\r' else c for c in text)
    return f'"{escaped}"'


def _page_counter() -> SafeString:
    """'Page N of M' as CSS `content`, in the reader's language."""
    text = _("Page %(number)s of %(total)s") % {"number": "\x00page", "total": "\x00pages"}
    parts = []
    for index, piece in enumerate(text.split("\x00")):
        name = ""
        if index and piece.startswith("pages"):
            name, piece = "pages", piece[5:]
        elif index and piece.startswith("page"):
            name, piece = "page", piece[4:]
        if name:
            parts.append(f"counter({name})")
        if piece:
            parts.append(_css_string(piece))
    return mark_safe(" ".join(parts))  # noqa: S308 - every text part went through _css_string


def pdf_render(*, template: str, context: dict[str, Any], running_head: str) -> bytes:
    """The template rendered to HTML and printed to PDF (A4), with `running_head` (e.g. the
    case number) at the top of every page and "Page N of M" at the bottom."""
    import weasyprint  # loads Pango through cffi: only when a document is asked for

    html = render_to_string(
        template,
        {
            **context,
            "language": get_language() or "zh-hans",
            "running_head": mark_safe(_css_string(running_head)),  # noqa: S308 - escaped
            "site_head": mark_safe(_css_string(_("Minsheng public service hotline"))),  # noqa: S308
            "page_counter": _page_counter(),
        },
    )
    # Nothing is fetched: the templates link nothing, and text written by people (escaped by
    # the templates) must not make the server load a URL or a file either.
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


# --- what a timeline line says ----------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One timeline event as printed: when, what, by whom, the note and its details."""

    at: datetime
    label: str
    who: str
    note: str
    details: list[str]
    is_public: bool


def _who(event: CaseEvent) -> str:
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.username
    if event.actor_role in Role.values:
        return str(Role(event.actor_role).label)
    return ""


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _details(event: CaseEvent, departments: dict[int, Department]) -> list[str]:
    """The facts an event's data holds that its note does not say (ratings, levels...)."""
    data = event.data or {}
    found: list[str] = []
    if data.get("rating") in Rating.values:
        found.append(f"{_('Rating')}: {Rating(data['rating']).label}")
    if event.action == Act.RETURN_VISIT:
        outcome = CALL_OUTCOMES.get(str(data.get("outcome")), data.get("outcome", ""))
        found.insert(0, str(outcome))
        found.append(f"{_('Calls so far')}: {data.get('attempt', '')}")
        if data.get("is_explained") is not None:
            explained = _yes_no(data["is_explained"])
            found.append(f"{_('The answer was explained to the person')}: {explained}")
        if data.get("is_timely") is not None:
            found.append(f"{_('The answer came in time')}: {_yes_no(data['is_timely'])}")
    if event.action in NOTICE_EVENTS and data.get("level") in NOTICE_LEVELS:
        found.append(str(NOTICE_LEVELS[data["level"]]))
        department = departments.get(data.get("department") or 0)
        if department is not None:
            found.append(department.name)
    if event.action == Act.MEDIATE and data.get("outcome") in MediationOutcome.values:
        found.append(str(MediationOutcome(data["outcome"]).label))
    if event.action == Act.ASSIGN and data.get("department_name"):
        found.append(str(data["department_name"]))
    if event.action == Act.EXTENSION_REQUEST and data.get("amount"):
        found.append(f"{_('extra time')}: {data['amount']}")
    return found


def _lines(events: Iterable[CaseEvent], departments: dict[int, Department]) -> list[Line]:
    return [
        Line(
            at=event.created_at,
            label=event_label(event.action),
            who=_who(event),
            note=event.note,
            details=_details(event, departments),
            is_public=event.is_public,
        )
        for event in events
    ]


# --- the case file (案卷) ----------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRecord:
    """One supervision notice as the case's timeline tells it."""

    number: str
    level: str
    department: str
    issued_at: datetime | None
    due_at: datetime | None
    steps: list[Line]


@dataclass(frozen=True)
class CaseFile:
    """Everything the case file prints, as its reader may see it."""

    view: CaseForStaff
    plans: list[Line]
    progress: list[Line]
    approvals: list[Line]
    ratings: list[Line]
    return_visits: list[Line]
    notices: list[NoticeRecord]
    timeline: list[Line]
    generated_at: datetime
    generated_by: str
    # The office's class of the case, and its further details (code, label, value).
    case_class: str = ""
    extra_details: tuple[tuple[str, str, object], ...] = ()


def _departments_named(events: Sequence[CaseEvent]) -> dict[int, Department]:
    ids = {e.data.get("department") for e in events if isinstance(e.data, dict)}
    return Department.objects.in_bulk([i for i in ids if isinstance(i, int)])


def _notices(events: Sequence[CaseEvent], departments: dict[int, Department]) -> list[NoticeRecord]:
    """The timeline's notice events grouped by notice, in the order they were issued."""
    grouped: dict[str, list[CaseEvent]] = {}
    for event in events:
        if event.action in NOTICE_EVENTS:
            data = event.data or {}
            key = str(data.get("number") or f"#{data.get('notice', '')}")
            grouped.setdefault(key, []).append(event)
    records = []
    for number, steps in grouped.items():
        data = steps[-1].data or {}
        issued = next((e for e in steps if e.action == Act.NOTICE_ISSUED), None)
        due = (issued.data or {}).get("due_at") if issued is not None else None
        department = departments.get(data.get("department") or 0)
        records.append(
            NoticeRecord(
                number=number,
                level=str(NOTICE_LEVELS.get(data.get("level", ""), "")),
                department=department.name if department is not None else "",
                issued_at=issued.created_at if issued is not None else None,
                due_at=datetime.fromisoformat(due) if isinstance(due, str) else None,
                steps=_lines(steps, departments),
            )
        )
    return records


def case_file_for(case: Case, user: User, *, purpose: str) -> CaseFile:
    """The case file of `case` as `user` may read it (the caller reached the case through
    `cases.access.access_case`). Reading it reads the complainants through
    `complainant_for`, logged with `purpose` when unmasked."""
    view = case_view_for_staff(case, user, purpose=purpose)
    events = view.timeline
    departments = _departments_named(events)

    def of(actions: Sequence[str]) -> list[Line]:
        return _lines([e for e in events if e.action in actions], departments)

    return CaseFile(
        view=view,
        plans=of(PLAN_EVENTS),
        progress=of(PROGRESS_EVENTS),
        approvals=of(APPROVAL_EVENTS),
        ratings=of(RATING_EVENTS),
        return_visits=of((Act.RETURN_VISIT,)),
        notices=_notices(events, departments),
        timeline=_lines(events, departments),
        generated_at=timezone.now(),
        generated_by=user.get_full_name() or user.username,
        case_class=str(office.case_class_get(case.case_class_id) or ""),
        extra_details=tuple(office.extra_shown(case, shown_as=text_masker_for(user, case))),
    )


def case_file_pdf(case_file: CaseFile) -> bytes:
    """The case file as a PDF, the case number on every page."""
    context = {"file": case_file, "case": case_file.view.case, **case_file.view.as_context()}
    head = f"{_('Case file')} {case_file.view.case.number}"
    return pdf_render(template="reports/case_file.html", context=context, running_head=head)


# --- the reply letter (答复意见书) ---------------------------------------------------------


@dataclass(frozen=True)
class ReplyLetter:
    """The answer the complainant received, as a letter addressed to them."""

    case: Case
    addressees: list[ComplainantView]
    text: str  # an answer given at intake; empty when the answer is a department's result
    result: CaseResult | None
    signed_by: str  # the department that answered, else the centre
    dated: date

    @property
    def addressed_to(self) -> str:
        """The names the letter is addressed to (the complainant, when there are none)."""
        names = [person.name for person in self.addressees if person.name]
        return "、".join(names) if names else _("Complainant")


def reply_letter_for(case: Case, user: User, *, purpose: str) -> ReplyLetter | None:
    """The reply letter of `case`, or None while no answer has gone out (`public_answer_for`).
    The addressees are read through `complainant_for` (masked for readers who may not see
    them, logged with `purpose` when unmasked)."""
    answer = public_answer_for(case)
    if answer is None or case.replied_at is None:
        return None
    department = case.department if answer.result is not None else None
    return ReplyLetter(
        case=case,
        addressees=complainant_for(user, case, purpose=purpose),
        text=answer.text,
        result=answer.result,
        signed_by=department.name if department else _("Minsheng public service hotline"),
        dated=timezone.localdate(case.replied_at),
    )


def reply_letter_pdf(letter: ReplyLetter) -> bytes:
    """The reply letter as a printable PDF, the case number on every page."""
    head = f"{_('Reply letter')} {letter.case.number}"
    return pdf_render(
        template="reports/reply_letter.html", context={"letter": letter}, running_head=head
    )


# --- the monthly report (月度报告) ---------------------------------------------------------


@dataclass(frozen=True)
class CaseList:
    """Some of the cases behind a figure (the first LISTED_CASES), and how many there are."""

    label: str
    cases: list[Case]
    total: int


@dataclass(frozen=True)
class MonthlyReport:
    month: Period
    board: Dashboard
    evaluation: Evaluation
    charts: list[charts.Chart]
    topics: list[Any] | None  # routing's hot topics, when the caller handed them in
    lists: list[CaseList]
    generated_at: datetime


def _chart(breakdown: Breakdown, names: tuple[str, str]) -> charts.Chart:
    rows = [charts.Series(r.label, r.current.count, r.previous.count) for r in breakdown.rows]
    if breakdown.is_period:
        return charts.columns(title=str(breakdown.label), rows=rows, names=names)
    rows = sorted(rows, key=lambda r: -r.current)[:CHART_ROWS]
    return charts.bars(title=str(breakdown.label), rows=rows, names=names)


def _cases_behind(params: dict[str, Any]) -> QuerySet[Case]:
    """The cases the case list shows for a figure's parameters (the same FilterSet)."""
    found = CaseFilterSet(params, queryset=Case.objects.select_related("department")).qs
    return found.order_by("created_at", "id")


def monthly_report_for(*, month: date, topics_source: TopicsSource | None = None) -> MonthlyReport:
    """The monthly report of the month `month` is in: the dashboard's figures beside the
    previous month, a chart per breakdown, the department ranking, the hot topics (when
    an interface hands in `topics_source`, routing's `period_topics`), and the cases
    answered late or overdue and the supervised ones. Call `services.facts_refresh` first.
    """
    period = month_period(month)
    query = StatsQuery(period=period)
    board = dashboard_for(query=query)
    names = (str(board.period), str(board.previous_period))
    topics = None
    if topics_source is not None:
        start, end = _local_midnight(period.start), _local_midnight(period.end, next_day=True)
        topics = list(topics_source(start=start, end=end))[:TOPICS]
    late = next(r for r in board.rates if r.key == "response").shortfall
    supervised = next(c for c in board.counts if c.key == "supervised").current
    lists = []
    for label, tally in ((_("Answered late or overdue"), late), (_("Supervised"), supervised)):
        if tally is not None:
            cases = list(_cases_behind(tally.params)[:LISTED_CASES])
            lists.append(CaseList(label=label, cases=cases, total=tally.count))
    return MonthlyReport(
        month=period,
        board=board,
        evaluation=evaluation_for(query=query),
        charts=[_chart(b, names) for b in board.breakdowns if b.rows],
        topics=topics,
        lists=lists,
        generated_at=board.generated_at,
    )


def _local_midnight(day: date, *, next_day: bool = False) -> datetime:
    if next_day:
        day = date.fromordinal(day.toordinal() + 1)
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    """The monthly report as a PDF, the month on every page."""
    head = f"{_('Monthly report')} {report.month}"
    return pdf_render(
        template="reports/monthly_report.html", context={"report": report}, running_head=head
    )
