"""The public endpoints under load: tracking needs the number and the code and answers a
wrong number exactly as a wrong code; look-ups and submissions are rate limited per client
address (and look-ups per case number), refused with 429 problem JSON before any database
query; the allow-list and the trusted-proxy setting decide who the client is."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.api.services import open311_key_create
from minsheng.cases.models import Case

SUBMISSION = {
    "kind": "complaint",
    "subject": "小区门口垃圾无人清运",
    "body": "小区门口的垃圾已经三天没有清运，气味很大。",
    "people": [{"name": "李娜", "phone": "13900001111"}],
}
NO_SUCH_NUMBER = "MS-20000101-000001"


def _track(api, number, code, address="127.0.0.1", **extra):
    return api.get(
        f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE=code, REMOTE_ADDR=address, **extra
    )


def test_a_wrong_number_and_a_wrong_code_get_the_same_answer(cast, api):
    registered = cast.submit()
    number, code = registered.case.number, registered.query_code
    other = cast.submit().case.number  # exists, but this code is not its code

    wrong_code = _track(api, number, "WRONG234")
    no_such_case = _track(api, NO_SUCH_NUMBER, code)
    other_case = _track(api, other, code)
    no_code = _track(api, number, "")

    def answer(response, asked):
        # The problem names the path asked for (the client sent it); nothing else differs.
        body = response.content.replace(asked.encode(), b"{number}")
        return response.status_code, response["Content-Type"], body

    first = answer(wrong_code, number)
    assert first[0] == 404
    assert answer(no_such_case, NO_SUCH_NUMBER) == first
    assert answer(other_case, other) == first
    assert answer(no_code, number) == first
    assert _track(api, number, code).status_code == 200


def test_tracking_is_limited_per_client_address(cast, api, settings):
    settings.MINSHENG_RATELIMIT_TRACK_CLIENT = "3/10m"
    settings.MINSHENG_RATELIMIT_TRACK_CASE = "100/10m"
    registered = cast.submit()
    number, code = registered.case.number, registered.query_code

    assert _track(api, number, "WRONG234", "198.51.100.1").status_code == 404
    assert _track(api, NO_SUCH_NUMBER, code, "198.51.100.1").status_code == 404
    assert _track(api, number, code, "198.51.100.1").status_code == 200
    # Now even the right pair is refused from that address, before any database query.
    with CaptureQueriesContext(connection) as queries:
        refused = _track(api, number, code, "198.51.100.1")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert int(refused["Retry-After"]) > 0
    assert "subject" not in refused.json()
    assert len(queries) == 0
    # A refusal for a wrong number reads the same as for the right one.
    assert _track(api, NO_SUCH_NUMBER, code, "198.51.100.1").content == refused.content.replace(
        number.encode(), NO_SUCH_NUMBER.encode()
    )
    # Another address is not affected.
    assert _track(api, number, code, "198.51.100.2").status_code == 200


def test_tracking_is_limited_per_case_number_across_addresses(cast, api, settings):
    settings.MINSHENG_RATELIMIT_TRACK_CLIENT = "100/10m"
    settings.MINSHENG_RATELIMIT_TRACK_CASE = "3/10m"
    registered = cast.submit()
    number, code = registered.case.number, registered.query_code
    for n in range(3):
        assert _track(api, number, f"WRONG23{n + 4}", f"203.0.113.{n + 1}").status_code == 404
    assert _track(api, number, code, "203.0.113.50").status_code == 429
    # Actions with the code count against the same limits.
    action = api.post(
        f"/api/v1/public/cases/{number}/actions/supplement",
        {"note": "补充材料"},
        format="json",
        HTTP_X_QUERY_CODE=code,
        REMOTE_ADDR="203.0.113.51",
    )
    assert action.status_code == 429
    other = cast.submit()
    assert _track(api, other.case.number, other.query_code, "203.0.113.1").status_code == 200


def test_public_submission_is_limited_per_client_and_refused_without_a_write(db, api, settings):
    settings.MINSHENG_RATELIMIT_SUBMIT = "3/h"
    for _n in range(3):
        created = api.post(
            "/api/v1/public/cases", SUBMISSION, format="json", REMOTE_ADDR="192.0.2.10"
        )
        assert created.status_code == 201, created.content
    with CaptureQueriesContext(connection) as queries:
        refused = api.post(
            "/api/v1/public/cases", SUBMISSION, format="json", REMOTE_ADDR="192.0.2.10"
        )
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) > 0
    assert len(queries) == 0
    assert Case.objects.count() == 3
    # Another client still submits.
    other = api.post("/api/v1/public/cases", SUBMISSION, format="json", REMOTE_ADDR="192.0.2.11")
    assert other.status_code == 201


def test_allow_listed_clients_are_never_limited(db, api, settings):
    settings.MINSHENG_RATELIMIT_SUBMIT = "1/h"
    settings.MINSHENG_RATELIMIT_ALLOW = ["10.20.0.0/16", "192.0.2.99"]
    for _n in range(3):
        answer = api.post(
            "/api/v1/public/cases", SUBMISSION, format="json", REMOTE_ADDR="10.20.3.4"
        )
        assert answer.status_code == 201
    api.post("/api/v1/public/cases", SUBMISSION, format="json", REMOTE_ADDR="10.21.0.1")
    refused = api.post("/api/v1/public/cases", SUBMISSION, format="json", REMOTE_ADDR="10.21.0.1")
    assert refused.status_code == 429


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    db, api, settings
):
    settings.MINSHENG_RATELIMIT_SUBMIT = "1/h"

    def submit(forwarded_for):
        return api.post(
            "/api/v1/public/cases",
            SUBMISSION,
            format="json",
            REMOTE_ADDR="172.16.0.2",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    # Not trusted: X-Forwarded-For is ignored, so changing it does not dodge the limit.
    assert submit("203.0.113.1").status_code == 201
    assert submit("203.0.113.2").status_code == 429
    # Behind a trusted proxy, the address it saw is the client.
    settings.MINSHENG_TRUSTED_PROXIES = ["172.16.0.0/12"]
    assert submit("203.0.113.3").status_code == 201
    assert submit("203.0.113.4, 203.0.113.3").status_code == 429  # the proxy saw .3 again
    assert submit("203.0.113.5").status_code == 201


def test_open311_lookups_and_posts_are_limited(cast, api, settings):
    settings.MINSHENG_RATELIMIT_TRACK_CLIENT = "2/10m"
    settings.MINSHENG_RATELIMIT_SUBMIT = "1/h"
    open311_key_create(name="demo", key="demo-open311-key")
    for _n in range(2):
        assert api.get(f"/open311/v2/requests/{NO_SUCH_NUMBER}.json").status_code == 404
    refused = api.get(f"/open311/v2/requests/{NO_SUCH_NUMBER}.json")
    assert refused.status_code == 429
    assert refused.json()[0]["code"] == 429
    assert api.get("/open311/v2/requests.json").status_code == 429

    form = {"api_key": "demo-open311-key", "service_code": "1", "description": "路灯不亮"}
    api.post("/open311/v2/requests.json", form, REMOTE_ADDR="192.0.2.20")
    posted = api.post("/open311/v2/requests.xml", form, REMOTE_ADDR="192.0.2.20")
    assert posted.status_code == 429
    assert b"<errors>" in posted.content
