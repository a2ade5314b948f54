"""Gated retraining: a new model replaces the serving one only if, on the dev split, its
macro-F1 and its share dispatched automatically at each set precision are not worse; the
comparison is kept and shown; every process serves the new version without a restart."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from minsheng.routing import selectors, services
from minsheng.routing.tests.conftest import needs_shared_data

ROOT = Path(settings.BASE_DIR)

# The services answer in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


def _figures(macro_f1, **shares):
    return {
        "version": "x",
        "macro_f1": macro_f1,
        "points": {key: {"share": share, "precision": 0.98} for key, share in shares.items()},
    }


def test_gate_refuses_a_model_worse_on_either_figure_and_takes_one_as_good():
    old = _figures(0.93, **{"0.98": 0.71, "0.99": 0.62})

    same = services.gate_decide(old=old, new=old, precisions=[0.98, 0.99])
    better_f1_fewer_at_99 = services.gate_decide(
        old=old, new=_figures(0.95, **{"0.98": 0.75, "0.99": 0.60}), precisions=[0.98, 0.99]
    )
    more_but_worse_f1 = services.gate_decide(
        old=old, new=_figures(0.92, **{"0.98": 0.90, "0.99": 0.90}), precisions=[0.98, 0.99]
    )
    promising_more_than_it_holds = _figures(0.95, **{"0.98": 0.90, "0.99": 0.90})
    promising_more_than_it_holds["points"]["0.98"]["precision"] = 0.95
    missed = services.gate_decide(
        old=old, new=promising_more_than_it_holds, precisions=[0.98, 0.99]
    )

    assert same[0] is True
    assert better_f1_fewer_at_99 == (
        False,
        "not activated: at 99.0% precision it would dispatch 60.0% of the dev matters "
        "automatically, below the serving model's 62.0%",
    )
    assert more_but_worse_f1[0] is False
    assert "macro-F1 0.9200 is below the serving 0.9300" in more_but_worse_f1[1]
    assert missed == (
        False,
        "not activated: asked to hold 98.0%, its threshold dispatched dev matters "
        "automatically with a precision of only 95.0%",
    )


def policy_precisions() -> list[float]:
    """Stands in for the automatic-dispatch app's precisions in use."""
    return [0.95, 0.99]


def test_scheduled_retraining_holds_the_precisions_of_the_dispatch_policies(settings):
    settings.MINSHENG_DISPATCH_PRECISIONS_SOURCE = f"{__name__}.policy_precisions"
    assert services.gate_precisions() == [0.95, 0.99]

    settings.MINSHENG_DISPATCH_PRECISIONS_SOURCE = ""
    assert services.gate_precisions() == [0.98]


@needs_shared_data
def test_worse_retrain_is_refused_the_old_model_keeps_serving_and_admin_shows_why(
    db, client, django_user_model
):
    result = services.router_train(
        use_shared=True, use_feedback=False, limit_per_class=6, precisions=[0.98, 0.99]
    )

    refused = result.router_model
    gate = refused.metadata["gate"]
    assert not result.is_activated
    assert not refused.is_active
    assert selectors.router_active()[0] == selectors.DEFAULT_VERSION
    assert gate["decision"] == "refused"
    assert gate["reason"] == result.reason
    assert result.reason.startswith("not activated")
    assert gate["old"]["version"] == selectors.DEFAULT_VERSION
    assert gate["new"]["macro_f1"] < gate["old"]["macro_f1"]
    assert set(gate["old"]["points"]) == {"0.98", "0.99"}
    # The shipped model dispatches well over half of the dev matters at 98 %.
    assert gate["old"]["points"]["0.98"]["share"] > 0.5
    assert gate["old"]["points"]["0.98"]["precision"] > 0.97
    # Its held-out predictions cover the training rows, not dev.
    assert refused.metadata["held_out"]["rows"] == 7 * 6
    assert refused.metadata["held_out"]["data"] == ["train.csv"]

    client.force_login(django_user_model.objects.create_superuser("root", "r@example.cn", "x"))
    english = {"accept-language": "en"}
    listing = client.get(
        reverse("admin:routing_routermodel_changelist"), headers=english
    ).content.decode()
    detail = client.get(
        reverse("admin:routing_routermodel_change", args=[refused.pk]), headers=english
    ).content.decode()
    for page in (listing, detail):
        assert "Share dispatched automatically at 98.0%" in page
        assert "not activated: dev macro-F1" in page
    assert "Latest training" in listing
    assert "refused" in listing
    assert "held_out" in detail
    assert gate["old"]["version"] in detail


PROBE = """
import sys
import django
django.setup()
from minsheng.routing import selectors, services
for line in sys.stdin:
    suggestion = services.suggestion_for(subject="学校乱收费", body="学校强制补课收费")
    point = selectors.operating_point_for(precision=0.98)
    print(suggestion.model_version, point.rows, flush=True)
"""


def _run(env, *args):
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_shared_data
def test_better_retrain_is_served_by_another_running_process_without_restart(tmp_path):
    """Three processes on one file database: a serving process started first and kept
    running, and two `train_router` runs: a small model forced in, then one trained on the
    whole of train.csv, which passes the gate."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gate.sqlite3'}",
        "MINSHENG_VAR_DIR": str(tmp_path),
    }
    _run(env, "migrate", "--noinput", "-v0")
    serving = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def served() -> list[str]:
        assert serving.stdin is not None
        assert serving.stdout is not None
        serving.stdin.write("?\n")
        serving.stdin.flush()
        return serving.stdout.readline().split()

    try:
        assert served() == ["default", "5407"]
        small = ["train_router", "--no-feedback", "--limit-per-class", "6"]
        _run(env, *small, "--force")
        assert served() == ["1", str(7 * 6)]

        better = _run(env, "train_router", "--no-feedback")
        assert "gate on dev: macro-F1 serving (1)" in better
        assert "at precision 0.98: automatic share on dev serving" in better
        assert served() == ["2", "5407"]
    finally:
        serving.kill()
        serving.wait()
