from django.apps import AppConfig


class DispatchConfig(AppConfig):
    """Auto-dispatch (自动分拨) as a policy, the corrections it learns from, and the drift
    watch that pauses it."""

    name = "minsheng.dispatch"
    label = "dispatch"
