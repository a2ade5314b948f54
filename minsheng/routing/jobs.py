"""Background work for routing, run by the task worker (Django's Tasks API)."""

import logging

from django_tasks import task

from minsheng.cases.models import CaseEvent
from minsheng.cases.workflow import Act
from minsheng.routing import selectors, services

logger = logging.getLogger(__name__)


@task()
def router_train_job(
    *,
    use_shared: bool = True,
    use_feedback: bool = True,
    force: bool = False,
    precisions: list[float] | None = None,
) -> int:
    """Train a routing model from the shared data and the corrections and let it replace
    the serving one only if the gate allows (`services.router_train`: dev macro-F1 and the
    share dispatched automatically at each precision not worse; `precisions` default to
    the automatic-dispatch policies' own, `services.gate_precisions`). Safe to repeat:
    each run adds one RouterModel version with its comparison. Returns its id."""
    result = services.router_train(
        use_shared=use_shared,
        use_feedback=use_feedback,
        force=force,
        precisions=precisions or services.gate_precisions(),
    )
    logger.info(
        "routing: trained model %s, dev %s, %s",
        result.router_model.pk,
        result.dev and result.dev["macro_f1"],
        result.reason,
    )
    return result.router_model.pk


def events_consume(case_events: list[CaseEvent]) -> None:
    """A consumer of committed case events (`settings.EVENT_CONSUMERS`): check each newly
    registered case for a collective complaint and flag the group (`services.
    collective_check`). Safe to repeat: flagged cases stay flagged, with one event each."""
    for event in case_events:
        if event.action == Act.REGISTER:
            services.collective_check(case=event.case)


@task()
def duplicate_index_save_job() -> int:
    """Bring the shared snapshot of the duplicate index up to date, so that every web
    process answers its first similar-case lookup without building one (`selectors.
    duplicate_index_save`). Safe to repeat: writes nothing when nothing changed. Returns the
    number of open cases indexed."""
    return selectors.duplicate_index_save()
