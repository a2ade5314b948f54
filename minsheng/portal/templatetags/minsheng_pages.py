"""Template helpers shared by the portal and the workbench pages."""

from typing import Any

from django import template

from minsheng.cases import workflow
from minsheng.cases.workflow import ACTIONS

register = template.Library()


@register.filter
def event_label(action: str) -> str:
    """The translated name of a timeline event."""
    return workflow.event_label(action)


@register.filter
def action_label(action: str) -> Any:
    """The translated name of a lifecycle action (for buttons)."""
    spec = ACTIONS.get(action)
    return spec.label if spec is not None else action


@register.inclusion_tag("_field.html")
def field(bound_field: Any) -> dict[str, Any]:
    """One form field with its label, help text and errors beside it."""
    return {"field": bound_field}
