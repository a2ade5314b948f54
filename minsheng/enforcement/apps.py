from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    """Enforcement cases (立案查处): the housing bureau's record, linked to a complaint, of
    filing, notices, statement or hearing, decision, service, rectification, re-inspection
    and publication, each step with its own deadline."""

    name = "minsheng.enforcement"
    label = "enforcement"
