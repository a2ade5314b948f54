"""Reads for the public pages: what the complainant may see of their case."""

from dataclasses import dataclass

from minsheng.cases.models import Attachment, Case, CaseEvent, CaseResult
from minsheng.cases.selectors import timeline_for


@dataclass(frozen=True)
class PublicAnswer:
    """The answer the complainant has received: given at intake, or a department's result."""

    text: str
    result: CaseResult | None


def public_answer_for(case: Case) -> PublicAnswer | None:
    """The answer that reached the complainant, or None while there is none.

    A department's result reaches them when the case is replied (`replied_at` is set); a
    review that orders the case redone clears `replied_at`, so a redone case shows nothing
    until the new result is approved.
    """
    if case.replied_at is None:
        return None
    if case.answer:
        return PublicAnswer(text=case.answer, result=None)
    result = case.results.first()
    return PublicAnswer(text="", result=result) if result is not None else None


def public_timeline_for(case: Case) -> list[tuple[CaseEvent, list[Attachment]]]:
    """The complainant's timeline: public events, each with its public files."""
    return [
        (event, [file for file in event.attachments.all() if file.is_public])
        for event in timeline_for(case, public=True)
    ]


def material_request_for(case: Case) -> CaseEvent | None:
    """The latest request for missing material (what the complainant is asked to supply)."""
    return case.events.filter(action="request_info").order_by("-created_at", "-id").first()
