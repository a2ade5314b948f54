"""What every staff page's navigation needs to know about the user (settings.TEMPLATES)."""

from typing import Any

from django.http import HttpRequest

from minsheng.accounts.models import User
from minsheng.cases.access import (
    can_call_back,
    can_export_case_lists,
    can_register_matters,
    can_set_auto_dispatch,
    can_view_auto_dispatch,
    can_view_hot_topics,
    can_view_mediation_follow_ups,
    can_view_statistics,
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The links the workbench's navigation offers this user (nothing for the public)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {
        "may_register": can_register_matters(user),
        "may_see_hot_topics": can_view_hot_topics(user),
        "may_view_statistics": can_view_statistics(user),
        "may_export_cases": can_export_case_lists(user),
        "may_call_back": can_call_back(user),
        "may_set_auto_dispatch": can_set_auto_dispatch(user),
        "may_view_auto_dispatch": can_view_auto_dispatch(user),
        "may_follow_up_mediation": can_view_mediation_follow_ups(user),
    }
