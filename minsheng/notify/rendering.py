"""Message texts: administrators write them in Django template syntax; we render them in a
sandboxed engine over a small, fixed context of plain strings.

The engine has no template loaders and no tag libraries beyond the built-ins, so a
template cannot include files, load tags or reach objects: it only sees the strings below.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from minsheng.cases import access
from minsheng.cases import selectors as case_selectors
from minsheng.cases.models import Case, CaseClock, CaseEvent, State
from minsheng.deadlines.models import Kind, Step
from minsheng.lib.pii import pii_mask

# loaders=[]: {% include %} and {% extends %} find nothing; libraries={}: {% load %} fails.
ENGINE = Engine(loaders=[], libraries={}, autoescape=False, debug=False)

# The variables a template may use, with what they hold (shown on the admin page).
CONTEXT_HELP: dict[str, Any] = {
    "case_number": _("case number, e.g. MS-20261122-000123"),
    "subject": _("the case's subject"),
    "kind": _("kind of matter (complaint, inquiry ...)"),
    "state": _("the case's state now"),
    "deadline": _("when the next step is due (local time), or empty"),
    "reason": _("the text written with the action: reason, request, progress, decision"),
    "outcome": _("the answer: outcome of the approved result, or the answer at intake"),
    "remedy": _("how to seek a remedy if not satisfied"),
    "transferred_to": _("the body the case was transferred to"),
    "department": _("the lead department"),
    "step": _("the step whose deadline is meant (staff reminders)"),
    "due_at": _("when that step is due (staff reminders)"),
    "tracking_url": _("the public tracking page for this case"),
    "workbench_url": _("the staff page of this case"),
}


class TemplateProblem(Exception):  # noqa: N818 - reads as "a problem with the template"
    """A message template that does not compile or render."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _absolute(path: str) -> str:
    return settings.MINSHENG_BASE_URL.rstrip("/") + path


def _as_written(text: str) -> str:
    return text


def _reason(event: CaseEvent | None, *, for_complainant: bool) -> str:
    """The text written with the event: for the complainant only what the lifecycle table
    addresses to them (an assignment's or an approval's note may be internal)."""
    if event is None:
        return ""
    return case_selectors.public_note(event) if for_complainant else event.note


def context_for(
    *,
    case: Case,
    event: CaseEvent | None = None,
    clock: CaseClock | None = None,
    for_complainant: bool = False,
) -> dict[str, str]:
    """The values a message about `case` (and the event or clock behind it) may show. Only a
    message to the complainant gets a tracking link that opens the case without the code.

    A message to staff leaves the system (mail, SMS) for a whole department, so the free
    texts in it carry no personal data: phone and ID numbers, e-mails and addresses written
    into them are masked (`lib.pii`); the staff page behind `workbench_url` shows them to
    those who may see them, logged. The complainant's own messages show their text as written.
    """
    track = {"number": case.number}
    if for_complainant:
        track["token"] = access.tracking_token_for(case)
    shown = _as_written if for_complainant else pii_mask
    result = case.results.first()
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "case_number": case.number,
            "subject": shown(case.subject),
            "kind": str(Kind(case.kind).label),
            "state": str(State(case.state).label),
            "deadline": _local(case.next_due_at),
            "reason": shown(_reason(event, for_complainant=for_complainant)),
            "outcome": result.outcome if result is not None else case.answer,
            "remedy": result.remedy if result is not None else "",
            "transferred_to": case.transferred_to,
            "department": case.department.name if case.department_id else "",  # type: ignore[union-attr]
            "step": str(Step(clock.step).label) if clock is not None else "",
            "due_at": _local(clock.due_at) if clock is not None else "",
            "tracking_url": _absolute(f"{reverse('portal:track')}?{urlencode(track)}"),
            "workbench_url": _absolute(reverse("workbench:case-detail", args=[case.number])),
        }


SAMPLE_CONTEXT = {
    "case_number": "MS-20261122-000123",
    "subject": "工地夜间施工噪音扰民",
    "kind": "投诉",
    "state": "已受理",
    "deadline": "2026-11-25 23:59",
    "reason": "请补充施工地点的照片。",
    "outcome": "夜间施工已停止。",
    "remedy": "如对答复不满意，可在收到答复之日起15个工作日内申请复查。",
    "transferred_to": "市公安局",
    "department": "市住房和城乡建设局",
    "step": "办理结果",
    "due_at": "2026-11-25 23:59",
    "tracking_url": "http://127.0.0.1:8000/track/?number=MS-20261122-000123",
    "workbench_url": "http://127.0.0.1:8000/work/cases/MS-20261122-000123/",
}


def render_text(source: str, context: dict[str, str]) -> str:
    """Render one template text; raise TemplateProblem if it does not compile or render."""
    try:
        return ENGINE.from_string(source).render(Context(context, autoescape=False)).strip()
    except TemplateSyntaxError as exc:
        raise TemplateProblem(str(exc)) from exc
    except Exception as exc:  # a template that names a missing file, a bad filter argument
        raise TemplateProblem(f"{type(exc).__name__}: {exc}") from exc


def render_message(*, subject: str, body: str, context: dict[str, str]) -> Rendered:
    """Subject (one line) and body of a message."""
    one_line = " ".join(render_text(subject, context).split())
    return Rendered(subject=one_line[:200], body=render_text(body, context))
