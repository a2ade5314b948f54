"""The portal under load: the tracking form answers a wrong number as it answers a wrong
code and is rate limited; the submission form asks a simple question only after several
submissions from one address, and refuses with a plain page beyond the hard limit."""

import re

from minsheng.cases.models import Case
from minsheng.portal.tests.test_pages import FORM

# The only parts of a page that differ from request to request: the (masked) CSRF token.
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def _track(client, number, code, address="127.0.0.1"):
    return client.post("/track/", {"number": number, "code": code}, REMOTE_ADDR=address)


def test_tracking_form_answers_a_wrong_number_as_a_wrong_code(client, cast):
    registered = cast.submit()
    number, code = registered.case.number, registered.query_code
    missing = "MS-20000101-000001"

    def page(response, *typed):
        body = CSRF.sub(b"", response.content)
        for value in typed:  # the form shows again what was typed
            body = body.replace(value.encode(), b"{typed}")
        return response.status_code, body

    wrong_code = page(_track(client, number, "WRONG234"), number, "WRONG234")
    wrong_number = page(_track(client, missing, code), missing, code)
    assert wrong_code[0] == 200
    assert wrong_code == wrong_number
    assert _track(client, number, code).status_code == 302


def test_tracking_form_is_limited_per_address(client, cast, settings):
    settings.MINSHENG_RATELIMIT_TRACK_CLIENT = "2/10m"
    registered = cast.submit()
    number, code = registered.case.number, registered.query_code
    _track(client, number, "WRONG234", "198.51.100.7")
    _track(client, number, "WRONG235", "198.51.100.7")
    refused = _track(client, number, code, "198.51.100.7")
    assert refused.status_code == 429
    assert "portal_tracked" not in client.session
    assert refused.context["form"].non_field_errors()
    assert _track(client, number, code, "198.51.100.8").status_code == 302


def test_submission_asks_a_question_past_the_threshold_and_refuses_past_the_limit(
    client, db, settings
):
    settings.MINSHENG_RATELIMIT_SUBMIT_CHALLENGE = "2/h"
    settings.MINSHENG_RATELIMIT_SUBMIT = "6/h"
    for _n in range(2):
        assert client.post("/submit/", FORM).status_code == 302
    assert client.get("/submit/").context["challenge"] is not None

    # The third: the question is asked, nothing is registered yet.
    asked = client.post("/submit/", FORM)
    assert asked.status_code == 200
    challenge = asked.context["challenge"]
    assert challenge.errors
    assert Case.objects.count() == 2
    a, b = (int(n) for n in re.findall(r"\d+", str(challenge.fields["answer"].label))[:2])
    token = challenge["token"].value()

    wrong = client.post("/submit/", {**FORM, "token": token, "answer": a + b + 1})
    assert wrong.status_code == 200
    assert Case.objects.count() == 2

    right = client.post("/submit/", {**FORM, "token": token, "answer": a + b})
    assert right.status_code == 302
    assert Case.objects.count() == 3
    # A solved question cannot be used again.
    again = client.post("/submit/", {**FORM, "token": token, "answer": a + b})
    assert again.status_code == 200
    assert Case.objects.count() == 3

    # Past the hard limit: a plain page, and nothing parsed or written.
    refused = client.post("/submit/", FORM)
    assert refused.status_code == 429
    assert Case.objects.count() == 3
    assert client.get("/submit/").status_code == 429
    # Another address submits without a question.
    assert client.post("/submit/", FORM, REMOTE_ADDR="192.0.2.77").status_code == 302
