"""The auto-dispatch pages and API: administrators set a policy and see what it means,
dispatchers see which cases the system assigned and correct one, the wrong roles are
refused, bad input is named, never a 500."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.cases.models import State
from minsheng.dispatch.models import DispatchPolicy
from minsheng.dispatch.selectors import is_switched_on


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_administrator_sets_a_policy_and_sees_its_expected_share(client, cast, topics, english):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the pages in their source words
    client.force_login(cast.admin)
    page = client.post(
        "/work/dispatch/",
        {
            "kind": "complaint",
            "is_enabled": "on",
            "precision": "0.98",
            "drift_window_days": 14,
            "drift_min_cases": 20,
        },
    )
    assert page.status_code == 302
    policy = DispatchPolicy.objects.get()
    assert policy.is_enabled
    assert policy.updated_by == cast.admin
    listed = client.get("/work/dispatch/").content.decode()
    assert "Expected share assigned automatically" in listed
    assert "65.1%" in listed  # the shipped model's held-out share at 98 %
    # Bad input is named on the form, not a 500; a second policy for the kind is refused.
    for bad in ({"kind": "complaint", "precision": "1.5"}, {"kind": "complaint"}):
        again = client.post(
            "/work/dispatch/",
            {"drift_window_days": 14, "drift_min_cases": 20, "precision": "0.98", **bad},
        )
        assert again.status_code == 200
        assert "Please correct the following" in again.content.decode()
    assert DispatchPolicy.objects.count() == 1
    edit = client.get(f"/work/dispatch/policies/{policy.pk}/").content.decode()
    assert "would be assigned automatically" in edit
    client.post("/work/dispatch/switch/", {"is_on": "0"})
    assert not is_switched_on()


@pytest.mark.parametrize("who", ["handler", "intake", "dispatcher", "auditor"])
def test_others_cannot_set_auto_dispatch(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/work/dispatch/").status_code == 403
    assert client.post("/work/dispatch/switch/", {"is_on": "0"}).status_code == 403
    assert is_switched_on()
    report = client.get("/work/dispatch/report/")
    assert report.status_code == (200 if who == "dispatcher" else 403)


def test_dispatcher_sees_the_auto_dispatched_case_and_corrects_it(
    client, cast, policy, accepted, tasks_now, english
):
    case = accepted()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(cast.dispatcher)
    listed = client.get("/work/cases/").content.decode()
    assert "auto-dispatched" in listed
    detail = client.get(f"/work/cases/{case.number}/").content.decode()
    assert "Assigned automatically to" in detail
    assert "The system" in detail  # the timeline's actor
    assert 'data-action="reassign"' in detail
    report = client.get("/work/dispatch/report/").content.decode()
    assert case.number in report
    tasks_now(
        lambda: client.post(
            f"/work/cases/{case.number}/actions/reassign/",
            {"department": cast.housing.code, "note": "应由住建局办理"},
        )
    )
    case.refresh_from_db()
    assert (case.state, case.department) == (State.ASSIGNED, cast.housing)
    report = client.get("/work/dispatch/report/").content.decode()
    assert "Re-assigned by a dispatcher" in report
    assert "0.0%" in report  # measured precision of the one automatic assignment


def test_policy_switch_and_corrections_through_the_api(cast, topics, english):
    admin = _api(cast.admin)
    made = admin.post(
        "/api/v1/dispatch/policies",
        {"kind": "complaint", "is_enabled": True, "precision": 0.98},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["expected_share"] == pytest.approx(0.651, abs=0.001)
    assert body["threshold"] > 0.8
    assert body["expected_errors_per_thousand"] < 20
    again = admin.post("/api/v1/dispatch/policies", {"kind": "complaint"}, format="json")
    assert again.status_code == 409
    bad = admin.patch(f"/api/v1/dispatch/policies/{body['id']}", {"precision": 1.5}, format="json")
    assert bad.status_code == 400
    assert "precision" in bad.json()["errors"]
    changed = admin.patch(
        f"/api/v1/dispatch/policies/{body['id']}", {"precision": 0.99}, format="json"
    )
    assert changed.json()["precision"] == 0.99
    assert (
        admin.put("/api/v1/dispatch/switch", {"is_on": False}, format="json").json()["is_on"]
        is False
    )
    assert admin.get("/api/v1/dispatch/corrections").json() == []
    handler = _api(cast.handler)
    assert handler.get("/api/v1/dispatch/policies").status_code == 403
    dispatcher = _api(cast.dispatcher)
    assert dispatcher.get("/api/v1/dispatch/policies").status_code == 200
    assert (
        dispatcher.put("/api/v1/dispatch/switch", {"is_on": True}, format="json").status_code == 403
    )


def test_django_admin_sets_a_policy_through_the_service(client, topics):
    from minsheng.accounts.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.cn", "x"))
    admin_client = client
    added = admin_client.post(
        "/admin/dispatch/dispatchpolicy/add/",
        {
            "kind": "complaint",
            "category": topics["环境保护"].pk,
            "is_enabled": "on",
            "precision": "0.99",
            "drift_window_days": 14,
            "drift_min_cases": 20,
        },
    )
    assert added.status_code == 302, added.content
    policy = DispatchPolicy.objects.get()
    assert policy.updated_by is not None
    listed = admin_client.get("/admin/dispatch/dispatchpolicy/")
    assert listed.status_code == 200
    assert "0.894" in listed.content.decode()  # 环境保护's own threshold at 99 %
    assert admin_client.get("/admin/dispatch/dispatchswitch/").status_code == 200
    assert admin_client.get("/admin/dispatch/dispatchdecision/").status_code == 200
    assert admin_client.get("/admin/dispatch/dispatchcorrection/").status_code == 200
