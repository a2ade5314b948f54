"""Template helpers shared by the portal and the workbench pages."""

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from minsheng.cases.workflow import ACTIONS

register = template.Library()

# Timeline events that are not lifecycle actions.
OTHER_EVENTS: dict[str, Any] = {
    "register": _("Matter received"),
    "merged_in": _("Another case was merged into this one"),
    "collective_flagged": _("Flagged as a collective complaint"),
    "complainant_message": _("Message from the complainant"),
    "files_added": _("Files added"),
}


@register.filter
def event_label(action: str) -> Any:
    """The translated name of a timeline event."""
    spec = ACTIONS.get(action)
    if spec is not None:
        return spec.label
    return OTHER_EVENTS.get(action, action)


@register.filter
def action_label(action: str) -> Any:
    """The translated name of a lifecycle action (for buttons)."""
    spec = ACTIONS.get(action)
    return spec.label if spec is not None else action


@register.inclusion_tag("_field.html")
def field(bound_field: Any) -> dict[str, Any]:
    """One form field with its label, help text and errors beside it."""
    return {"field": bound_field}
