"""The API of records some offices keep: a case's mediation agreements, recording their
signatures and fulfilment, and the customer's signature on the result (with the case
detail showing it)."""

from datetime import timedelta

from django.utils import timezone

from minsheng.cases.models import CaseEvent, MediationAgreement, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.tests.test_mediation_records import agreement_on

# Token and user, role facts, the case, its agreements, the look at the parties' names
# logged (with its audit entry); never one more per agreement.
AGREEMENTS_QUERIES = 14


def test_agreements_are_signed_and_followed_up_through_the_api(
    cast, as_user, english, django_assert_max_num_queries
):
    case = drive_to(cast, State.IN_PROGRESS)
    agreement = agreement_on(case, follow_up_in_days=7)
    base = f"/api/v1/cases/{case.number}/mediation-agreements"
    handler = as_user(cast.handler)

    handler.get(base)  # the token and the office's configuration read
    agreement_on(case, follow_up_in_days=3)  # a second one costs no query more
    with django_assert_max_num_queries(AGREEMENTS_QUERIES):
        listed_all = handler.get(base).json()
    assert len(listed_all) == 2
    listed = listed_all[1]  # newest first
    assert listed["id"] == agreement.pk
    assert listed["copies"] == 3
    assert "张伟" in listed["parties"]
    assert (listed["signed_at"], listed["fulfilment"]) == (None, "pending")
    assert (listed["may_sign"], listed["may_follow_up"]) == (True, False)

    # Follow-up before the signatures: 409; bad input: 400 naming the field.
    early = handler.post(
        f"{base}/{agreement.pk}/fulfilment", {"fulfilment": "fulfilled"}, format="json"
    )
    assert early.status_code == 409
    assert early.json()["type"] == "urn:minsheng:problem:transition-not-allowed"
    now = timezone.now().isoformat()
    wrong = handler.post(
        f"{base}/{agreement.pk}/signatures",
        {"signed_by": "张伟", "signed_at": now, "copies_issued_at": "yesterday", "copies": 2},
        format="json",
    )
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"copies_issued_at", "copies"}
    future = (timezone.now() + timedelta(days=1)).isoformat()
    later = handler.post(
        f"{base}/{agreement.pk}/signatures",
        {"signed_by": "张伟", "signed_at": future, "copies_issued_at": future},
        format="json",
    )
    assert later.status_code == 400
    assert set(later.json()["errors"]) == {"signed_at"}

    signed = handler.post(
        f"{base}/{agreement.pk}/signatures",
        {"signed_by": "张伟、城东建筑工程公司", "signed_at": now, "copies_issued_at": now},
        format="json",
    )
    assert signed.status_code == 200, signed.content
    assert signed.json()["signed_by"] == "张伟、城东建筑工程公司"
    assert signed.json()["may_follow_up"] is True
    again = handler.post(
        f"{base}/{agreement.pk}/signatures",
        {"signed_by": "张伟", "signed_at": now, "copies_issued_at": now},
        format="json",
    )
    assert again.status_code == 409

    not_fulfilled = handler.post(
        f"{base}/{agreement.pk}/fulfilment", {"fulfilment": "not_fulfilled"}, format="json"
    )
    assert not_fulfilled.status_code == 400
    assert set(not_fulfilled.json()["errors"]) == {"note"}
    fulfilled = as_user(cast.supervisor).post(
        f"{base}/{agreement.pk}/fulfilment",
        {"fulfilment": "fulfilled", "note": "已履行"},
        format="json",
    )
    assert fulfilled.status_code == 200
    assert fulfilled.json()["fulfilment"] == "fulfilled"
    assert fulfilled.json()["fulfilment_checked_at"] is not None
    detail = handler.get(f"/api/v1/cases/{case.number}").json()
    actions = [event["action"] for event in detail["timeline"]]
    assert actions[-2:] == ["mediation_signed", "mediation_followed_up"]


def test_who_may_not_record_an_agreement_is_refused_before_the_body_is_read(cast, as_user):
    case = drive_to(cast, State.IN_PROGRESS)
    agreement = agreement_on(case)
    url = f"/api/v1/cases/{case.number}/mediation-agreements/{agreement.pk}/signatures"
    for user in (cast.handler2, cast.intake, cast.auditor):
        assert as_user(user).post(url, {"nonsense": 1}, format="json").status_code == 403
    # The co-handling department reads the agreement; another case does not hold it.
    assert as_user(cast.handler2).get(f"/api/v1/cases/{case.number}/mediation-agreements").json()
    other = drive_to(cast, State.IN_PROGRESS)
    moved = f"/api/v1/cases/{other.number}/mediation-agreements/{agreement.pk}/signatures"
    assert as_user(cast.handler).post(moved, {}, format="json").status_code == 404
    assert MediationAgreement.objects.get(pk=agreement.pk).signed_at is None


def test_customer_signature_through_the_api_and_in_the_case_detail(cast, as_user):
    in_progress = drive_to(cast, State.IN_PROGRESS)
    url = f"/api/v1/cases/{in_progress.number}/result-signature"
    now = timezone.now().isoformat()
    body = {"name": "张伟", "signed_at": now}
    assert as_user(cast.handler).post(url, body, format="json").status_code == 409

    case = drive_to(cast, State.REPLIED)
    url = f"/api/v1/cases/{case.number}/result-signature"
    assert as_user(cast.handler2).post(url, body, format="json").status_code == 403
    missing = as_user(cast.head).post(url, {"signed_at": now}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"name"}
    signed = as_user(cast.head).post(url, body, format="json")
    assert signed.status_code == 200, signed.content
    assert signed.json()["customer_signed_name"] == "张伟"
    assert as_user(cast.head).post(url, body, format="json").status_code == 409

    result = as_user(cast.handler).get(f"/api/v1/cases/{case.number}").json()["result"]
    assert result["customer_signed_name"] == "张伟"
    assert result["customer_signed_at"] is not None
    # A reader who may not see who complained (the auditor) reads the name masked.
    audited = as_user(cast.auditor).get(f"/api/v1/cases/{case.number}").json()["result"]
    assert audited["customer_signed_name"] == "张**"
    assert CaseEvent.objects.filter(case=case, action="result_signed").count() == 1
