"""The mediation agreement's section on the case page (signatures and copies, the follow-up
of its fulfilment), the supervisors' list of agreements awaiting follow-up, and the
customer's signature on the result, through the pages (test client)."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from minsheng.cases.models import CaseEvent, MediationAgreement, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.tests.test_mediation_records import NOW, agreement_on

LOCAL = "%Y-%m-%dT%H:%M"
# The list page: session, user, role facts, count, the page with cases and departments,
# the navigation's checks; never one more per agreement.
LIST_QUERIES = 8


def _moment(at):
    return timezone.localtime(at).strftime(LOCAL)


def test_handler_records_signatures_then_fulfilment_on_the_case_page(client, cast):
    with time_machine.travel(NOW, tick=False):
        case = drive_to(cast, State.IN_PROGRESS)
        agreement = agreement_on(case, follow_up_in_days=7)
        prefix = f"agreement-{agreement.pk}"
        page_url = f"/work/cases/{case.number}/"
        sign_url = f"{page_url}mediation/{agreement.pk}/signatures/"
        follow_url = f"{page_url}mediation/{agreement.pk}/fulfilment/"

        client.force_login(cast.handler)
        page = client.get(page_url).text
        assert 'id="mediation"' in page
        assert "城东建筑工程公司" in page
        assert f'id="{prefix}-signatures"' in page
        assert f'id="{prefix}-fulfilment"' not in page  # not before the signatures

        # A signing time in the future comes back beside its field, nothing recorded.
        future = client.post(
            sign_url,
            {
                f"{prefix}-signed_by": "张伟、城东建筑工程公司",
                f"{prefix}-signed_at": _moment(NOW + timedelta(days=2)),
                f"{prefix}-copies_issued_at": _moment(NOW),
            },
        )
        assert future.status_code == 200
        (_view, form, _follow) = future.context["mediation"][0]
        assert set(form.errors) == {"signed_at"}
        assert "张伟、城东建筑工程公司" in future.text  # what was typed stays
        # A follow-up before the signatures is refused with a message.
        early = client.post(follow_url, {f"{prefix}-fulfilment": "fulfilled"}, follow=True)
        assert early.redirect_chain[-1][0] == page_url
        assert [str(m) for m in early.context["messages"]] == ["请先记录签字，再跟踪履行情况。"]

        signed = client.post(
            sign_url,
            {
                f"{prefix}-signed_by": "张伟、城东建筑工程公司",
                f"{prefix}-signed_at": _moment(NOW),
                f"{prefix}-copies_issued_at": _moment(NOW),
            },
        )
        assert signed.status_code == 302
        page = client.get(page_url).text
        assert f'id="{prefix}-signatures"' not in page
        assert f'id="{prefix}-fulfilment"' in page
        assert "调解协议已签字" in page  # the timeline's line

    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        client.force_login(cast.handler)  # a week later: a new session
        page = client.get(page_url).text
        assert 'class="overdue"' in page  # the follow-up date has passed
        missing_note = client.post(follow_url, {f"{prefix}-fulfilment": "not_fulfilled"})
        assert missing_note.status_code == 200
        assert set(missing_note.context["mediation"][0][2].errors) == {"note"}
        done = client.post(
            follow_url, {f"{prefix}-fulfilment": "fulfilled", f"{prefix}-note": "赔偿款已付清"}
        )
        assert done.status_code == 302
    agreement.refresh_from_db()
    assert agreement.fulfilment == MediationAgreement.Fulfilment.FULFILLED
    assert agreement.fulfilment_note == "赔偿款已付清"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions[-2:] == ["mediation_signed", "mediation_followed_up"]


def test_other_departments_and_intake_may_not_record_an_agreement(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    agreement = agreement_on(case)
    url = f"/work/cases/{case.number}/mediation/{agreement.pk}/signatures/"
    prefix = f"agreement-{agreement.pk}"
    body = {
        f"{prefix}-signed_by": "张伟",
        f"{prefix}-signed_at": _moment(timezone.now()),
        f"{prefix}-copies_issued_at": _moment(timezone.now()),
    }
    client.force_login(cast.handler2)  # co-handling: sees the case, records nothing
    page = client.get(f"/work/cases/{case.number}/").text
    assert 'id="mediation"' in page
    assert f'id="{prefix}-signatures"' not in page
    assert client.post(url, body).status_code == 403
    client.force_login(cast.intake)
    assert client.post(url, body).status_code == 403
    other = drive_to(cast, State.IN_PROGRESS)  # an agreement is reached only by its own case
    client.force_login(cast.handler)
    wrong_case = f"/work/cases/{other.number}/mediation/{agreement.pk}/signatures/"
    assert client.post(wrong_case, body).status_code == 404
    assert MediationAgreement.objects.get(pk=agreement.pk).signed_at is None


def test_supervisors_list_agreements_awaiting_follow_up_overdue_in_red(
    client, cast, django_assert_max_num_queries
):
    with time_machine.travel(NOW, tick=False):
        late, later = drive_to(cast, State.IN_PROGRESS), drive_to(cast, State.IN_PROGRESS)
        for case, days in ((late, 1), (later, 30)):
            client.force_login(cast.handler)
            agreement = agreement_on(case, follow_up_in_days=days)
            prefix = f"agreement-{agreement.pk}"
            client.post(
                f"/work/cases/{case.number}/mediation/{agreement.pk}/signatures/",
                {
                    f"{prefix}-signed_by": "张伟",
                    f"{prefix}-signed_at": _moment(NOW),
                    f"{prefix}-copies_issued_at": _moment(NOW),
                },
            )
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        client.force_login(cast.handler)
        assert client.get("/work/mediation/").status_code == 403
        client.force_login(cast.supervisor)
        client.get("/work/mediation/")  # the session and the office's configuration read
        with django_assert_max_num_queries(LIST_QUERIES):
            page = client.get("/work/mediation/")
        assert page.status_code == 200
        text = page.text
        assert text.index(late.number) < text.index(later.number)  # soonest first
        assert text.count('class="overdue"') == 1
        assert "调解跟踪" in client.get("/work/").text  # the navigation link
        due = client.get("/work/mediation/?due=1").text
        assert late.number in due
        assert later.number not in due


def test_customer_signature_on_the_result_from_the_case_page(client, cast):
    case = drive_to(cast, State.REPLIED)
    page_url = f"/work/cases/{case.number}/"
    url = f"/work/cases/{case.number}/result-signature/"
    client.force_login(cast.handler2)  # co-handling department
    assert 'id="result-signature"' not in client.get(page_url).text
    assert client.post(url, {"result-signature-name": "张伟"}).status_code == 403

    client.force_login(cast.intake)
    assert 'id="result-signature"' in client.get(page_url).text
    blank = client.post(
        url, {"result-signature-name": "", "result-signature-signed_at": _moment(timezone.now())}
    )
    assert blank.status_code == 200
    assert set(blank.context["result_signature_form"].errors) == {"name"}
    signed = client.post(
        url,
        {"result-signature-name": "张伟", "result-signature-signed_at": _moment(timezone.now())},
    )
    assert signed.status_code == 302
    page = client.get(page_url).text
    assert 'id="result-signed"' in page
    assert "客户已签字确认答复" in page  # the timeline's line
    assert 'id="result-signature"' not in page  # once per result
    # The complainant's tracking timeline says it too, in their words.
    assert case.events.filter(action="result_signed", is_public=True).exists()
