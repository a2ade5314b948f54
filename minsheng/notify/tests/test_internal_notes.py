"""A note staff write on an assignment, an approval or a sending back is an internal
instruction: the complainant never reads it, on the tracking page, through the public API,
in a message or in a webhook payload. What the table addresses to them (a progress
message) they do read."""

import json

import pytest
from rest_framework.test import APIClient

from minsheng.cases.models import Rating
from minsheng.cases.tests.factories import RESULT
from minsheng.cases.workflow import perform
from minsheng.notify.models import NotificationTemplate, WebhookDelivery, WebhookSubscription
from minsheng.notify.tests.test_email import BY_EMAIL

pytestmark = pytest.mark.django_db

INTERNAL = "内部：请优先处理，领导关注"
PROGRESS = "已派员到现场核查。"


@pytest.fixture
def answered(cast, smtp, http_server, run_tasks, committed):
    """A complaint answered through every step, with an internal note on assign, send_back
    and approve, every message template showing `{{ reason }}`, a webhook subscriber for
    every event, and all messages and posts sent. Returns (case, query code)."""
    for template in NotificationTemplate.objects.all():
        template.body += "\n{{ reason }}"
        template.save(update_fields=["body"])
    WebhookSubscription.objects.create(name="city", url=http_server.url, actions="")
    with committed():
        registered = cast.submit(people=BY_EMAIL)
    case = registered.case
    steps = [
        ("accept", cast.intake, {}),
        ("assign", cast.dispatcher, {"department": cast.housing, "note": INTERNAL}),
        ("sign", cast.handler, {}),
        ("plan", cast.handler, {"note": "三日内现场核查"}),
        ("progress", cast.handler, {"note": PROGRESS}),
        ("submit_result", cast.handler, RESULT),
        ("send_back", cast.head, {"note": INTERNAL}),
        ("submit_result", cast.handler, RESULT),
        ("approve", cast.head, {"note": INTERNAL}),
    ]
    for action, actor, inputs in steps:
        with committed():
            perform(case=case, action=action, actor=actor, **inputs)
    run_tasks()
    run_tasks()
    return case, registered.query_code


def test_the_tracking_page_and_the_mail_never_show_an_internal_note(client, smtp, answered):
    case, code = answered
    client.post("/track/", {"number": case.number, "code": code})

    page = client.get(f"/track/{case.number}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert PROGRESS in text  # addressed to the complainant: shown
    assert RESULT["outcome"] in text  # the answer is out
    assert INTERNAL not in text
    bodies = [mail.get_content() for mail in smtp.messages]
    assert any(RESULT["outcome"] in body for body in bodies), "the result mail went out"
    assert any(PROGRESS in body for body in bodies)
    assert not [body for body in bodies if INTERNAL in body]


def test_the_public_api_and_the_webhooks_never_carry_an_internal_note(answered, http_server):
    case, code = answered
    api = APIClient()

    shown = api.get(f"/api/v1/public/cases/{case.number}", HTTP_X_QUERY_CODE=code)

    assert shown.status_code == 200
    notes = {event["action"]: event["note"] for event in shown.json()["timeline"]}
    assert notes["progress"] == PROGRESS
    assert notes["assign"] == notes["approve"] == ""
    assert INTERNAL not in shown.content.decode()
    # Rating answers with the complainant's own event, as they see it.
    rated = api.post(
        f"/api/v1/public/cases/{case.number}/actions/rate",
        {"rating": Rating.SATISFIED},
        format="json",
        HTTP_X_QUERY_CODE=code,
    )
    assert rated.status_code == 200, rated.content
    posted = [received.json() for received in http_server.received]
    assert {"assign", "send_back", "approve"} <= {payload["action"] for payload in posted}
    assert INTERNAL not in json.dumps(posted, ensure_ascii=False)
    stored = WebhookDelivery.objects.values_list("body", flat=True)
    assert stored
    assert not [body for body in stored if INTERNAL in body]
