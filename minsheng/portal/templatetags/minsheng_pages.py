"""Template helpers shared by the portal and the workbench pages."""

from typing import Any

from django import template

from minsheng.cases import office, workflow
from minsheng.cases.models import Office

register = template.Library()


@register.filter
def event_label(action: str) -> str:
    """The translated name of a timeline event."""
    return workflow.event_label(action)


@register.simple_tag
def reception() -> Office | None:
    """The office's reception information (place, hours, phone, reception days), when it
    has given any; the public pages keep their own text otherwise."""
    row = office.office_get()
    given = (row.reception_place, row.reception_hours, row.reception_phone, row.reception_days)
    return row if any(given) else None


@register.inclusion_tag("_field.html")
def field(bound_field: Any) -> dict[str, Any]:
    """One form field with its label, help text and errors beside it."""
    return {"field": bound_field}


@register.filter
def percent(value: float | None) -> str:
    """A share (0..1) as a percentage with one decimal, "–" when there is none."""
    return "–" if value is None else f"{value:.1%}"
