from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Watching the deadlines: supervision notices (督办单), their escalation by policy, the
    periodic deadline watch, and return visits (回访)."""

    name = "minsheng.supervision"
    verbose_name = _("Supervision")
