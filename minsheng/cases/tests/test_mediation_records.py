"""Records some offices keep beside the lifecycle (`cases.services`): a mediation
agreement's signatures and the follow-up of its fulfilment, the selector of agreements
awaiting follow-up, and the customer's signature on the result."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minsheng.accounts.models import Department, Role
from minsheng.accounts.services import user_create
from minsheng.audit.models import AuditEntry
from minsheng.cases.models import Case, CaseEvent, MediationAgreement, State
from minsheng.cases.selectors import mediation_agreements_for, mediation_follow_ups_for
from minsheng.cases.services import (
    mediation_fulfilment_record,
    mediation_signatures_record,
    result_signature_record,
)
from minsheng.cases.tests.factories import PASSWORD, Cast, drive_to
from minsheng.cases.workflow import Act, TransitionNotAllowed, perform

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def agreement_on(case: Case, *, follow_up_in_days: int = 10) -> MediationAgreement:
    """An agreement as the lifecycle's `mediate` action (outcome agreement) leaves it."""
    return MediationAgreement.objects.create(
        case=case,
        parties="甲方：张伟（投诉人）；乙方：城东建筑工程公司",
        terms="乙方于十日内停止夜间施工，并赔偿甲方损失人民币二千元。",
        copies=3,
        follow_up_by=timezone.now() + timedelta(days=follow_up_in_days),
        created_at=timezone.now(),
    )


def _lines(case: Case, act: Act) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, action=act))


@pytest.mark.django_db
def test_signatures_are_recorded_once_by_the_lead_department_and_shown_to_the_complainant(
    cast: Cast, english
):
    case = drive_to(cast, State.IN_PROGRESS)
    agreement = agreement_on(case)
    signed_at = timezone.now()

    # Another department (co-handling, even) and intake may not record it.
    for outsider in (cast.handler2, cast.intake, cast.leader):
        with pytest.raises(PermissionDenied):
            mediation_signatures_record(
                agreement=agreement,
                signed_by="张伟、城东建筑工程公司",
                signed_at=signed_at,
                copies_issued_at=signed_at,
                actor=outsider,
            )
    # Bad input names its field.
    with pytest.raises(ValidationError) as blank:
        mediation_signatures_record(
            agreement=agreement,
            signed_by="  ",
            signed_at=signed_at,
            copies_issued_at=signed_at,
            actor=cast.handler,
        )
    assert set(blank.value.message_dict) == {"signed_by"}
    with pytest.raises(ValidationError) as future:
        mediation_signatures_record(
            agreement=agreement,
            signed_by="张伟",
            signed_at=timezone.now() + timedelta(days=1),
            copies_issued_at=timezone.now(),
            actor=cast.handler,
        )
    assert set(future.value.message_dict) == {"signed_at"}
    with pytest.raises(ValidationError) as early:
        mediation_signatures_record(
            agreement=agreement,
            signed_by="张伟",
            signed_at=signed_at,
            copies_issued_at=signed_at - timedelta(minutes=5),
            actor=cast.handler,
        )
    assert early.value.message_dict == {
        "copies_issued_at": ["Copies are issued once the agreement is signed."]
    }
    assert _lines(case, Act.MEDIATION_SIGNED) == []

    audited = AuditEntry.objects.count()
    signed = mediation_signatures_record(
        agreement=agreement,
        signed_by="张伟、城东建筑工程公司",
        signed_at=signed_at,
        copies_issued_at=signed_at,
        actor=cast.handler,
    )
    assert (signed.signed_at, signed.copies_issued_at) == (signed_at, signed_at)
    assert signed.signed_by == "张伟、城东建筑工程公司"
    (line,) = _lines(case, Act.MEDIATION_SIGNED)
    assert line.is_public  # the complainant reads "the mediation agreement was signed"
    assert line.data["agreement"] == agreement.pk
    assert line.data["copies"] == 3
    assert "张伟" not in str(line.data)  # names stay on the agreement, out of the timeline
    assert AuditEntry.objects.count() == audited + 1

    # Signing twice is refused, whoever tries.
    with pytest.raises(TransitionNotAllowed, match="already signed"):
        mediation_signatures_record(
            agreement=signed,
            signed_by="张伟",
            signed_at=signed_at,
            copies_issued_at=signed_at,
            actor=cast.supervisor,
        )
    stale = MediationAgreement.objects.get(pk=agreement.pk)
    stale.signed_at = None  # a page opened before the signing
    with pytest.raises(TransitionNotAllowed):
        mediation_signatures_record(
            agreement=stale,
            signed_by="张伟",
            signed_at=signed_at,
            copies_issued_at=signed_at,
            actor=cast.head,
        )
    assert len(_lines(case, Act.MEDIATION_SIGNED)) == 1


@pytest.mark.django_db
def test_fulfilment_is_followed_up_only_after_signing_and_until_fulfilled(cast: Cast, english):
    case = drive_to(cast, State.IN_PROGRESS)
    agreement = agreement_on(case)

    with pytest.raises(TransitionNotAllowed, match="signatures before"):
        mediation_fulfilment_record(
            agreement=agreement, fulfilment="fulfilled", note="", actor=cast.handler
        )
    now = timezone.now()
    agreement = mediation_signatures_record(
        agreement=agreement, signed_by="张伟", signed_at=now, copies_issued_at=now, actor=cast.head
    )
    with pytest.raises(PermissionDenied):
        mediation_fulfilment_record(
            agreement=agreement, fulfilment="fulfilled", note="", actor=cast.handler2
        )
    with pytest.raises(ValidationError) as pending:
        mediation_fulfilment_record(
            agreement=agreement, fulfilment="pending", note="", actor=cast.handler
        )
    assert set(pending.value.message_dict) == {"fulfilment"}
    with pytest.raises(ValidationError) as silent:
        mediation_fulfilment_record(
            agreement=agreement, fulfilment="not_fulfilled", note=" ", actor=cast.handler
        )
    assert silent.value.message_dict == {"note": ["Say what was not fulfilled."]}

    # Not fulfilled at the first follow-up, fulfilled at the second (by a supervisor).
    agreement = mediation_fulfilment_record(
        agreement=agreement,
        fulfilment="not_fulfilled",
        note="乙方仅赔偿一千元，其余未付",
        actor=cast.handler,
    )
    assert agreement.fulfilment == MediationAgreement.Fulfilment.NOT_FULFILLED
    assert agreement.fulfilment_checked_at is not None
    agreement = mediation_fulfilment_record(
        agreement=agreement, fulfilment="fulfilled", note="余款已付清", actor=cast.supervisor
    )
    assert agreement.fulfilment == MediationAgreement.Fulfilment.FULFILLED
    lines = _lines(case, Act.MEDIATION_FOLLOWED_UP)
    assert [line.data["fulfilment"] for line in lines] == ["not_fulfilled", "fulfilled"]
    assert not any(line.is_public for line in lines)
    with pytest.raises(TransitionNotAllowed, match="already fulfilled"):
        mediation_fulfilment_record(
            agreement=agreement, fulfilment="fulfilled", note="", actor=cast.handler
        )


@pytest.mark.django_db
def test_follow_ups_due_are_listed_soonest_first_only_on_visible_cases(cast: Cast):
    with time_machine.travel(NOW, tick=False):
        near, far, unsigned, done = (drive_to(cast, State.IN_PROGRESS) for _ in range(4))
        agreements = {
            "near": agreement_on(near, follow_up_in_days=2),
            "far": agreement_on(far, follow_up_in_days=20),
            "unsigned": agreement_on(unsigned, follow_up_in_days=1),
            "done": agreement_on(done, follow_up_in_days=1),
        }
        for key in ("near", "far", "done"):
            agreements[key] = mediation_signatures_record(
                agreement=agreements[key],
                signed_by="张伟",
                signed_at=NOW,
                copies_issued_at=NOW,
                actor=cast.handler,
            )
        mediation_fulfilment_record(
            agreement=agreements["done"], fulfilment="fulfilled", note="", actor=cast.handler
        )
    awaiting = list(mediation_follow_ups_for(cast.supervisor))
    assert awaiting == [agreements["near"], agreements["far"]]
    transport = Department.objects.create(name="市交通运输局", code="transport")
    outsider = user_create(
        username="transport", password=PASSWORD, roles=[(Role.HANDLER, transport)]
    )
    assert list(mediation_follow_ups_for(outsider)) == []  # not their department's cases
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        due = list(mediation_follow_ups_for(cast.supervisor, due_before=timezone.now()))
        assert due == [agreements["near"]]
        (view,) = mediation_agreements_for(cast.handler, near)
        assert view.is_overdue
        assert view.may_follow_up
        assert not view.may_sign


@pytest.mark.django_db
def test_the_unit_complained_about_reads_the_parties_masked(cast: Cast):
    registered = cast.submit(respondent_department=cast.environment)
    case = registered.case
    perform(case=case, action="accept", actor=cast.intake)
    perform(
        case=case,
        action="assign",
        actor=cast.dispatcher,
        department=cast.housing,
        co_departments=[cast.environment],
    )
    agreement_on(case)
    (lead,) = mediation_agreements_for(cast.handler, case)
    (respondent,) = mediation_agreements_for(cast.handler2, case)
    assert "张伟" in lead.parties
    assert "张伟" not in respondent.parties
    assert respondent.parties.endswith("**")
    assert not respondent.may_sign  # a co-handler records nothing


@pytest.mark.django_db
def test_customer_signs_the_latest_result_once_the_case_is_replied(cast: Cast, english):
    in_progress = drive_to(cast, State.IN_PROGRESS)
    with pytest.raises(TransitionNotAllowed, match="once the case is replied"):
        result_signature_record(
            case=in_progress, name="张伟", signed_at=timezone.now(), actor=cast.handler
        )
    case = drive_to(cast, State.REPLIED)
    result = case.results.get()
    for outsider in (cast.handler2, cast.dispatcher, cast.auditor):
        with pytest.raises(PermissionDenied):
            result_signature_record(
                case=case, name="张伟", signed_at=timezone.now(), actor=outsider
            )
    with pytest.raises(ValidationError) as before:
        result_signature_record(
            case=case,
            name="张伟",
            signed_at=result.submitted_at - timedelta(minutes=1),
            actor=cast.intake,
        )
    assert set(before.value.message_dict) == {"signed_at"}
    with pytest.raises(ValidationError) as nameless:
        result_signature_record(case=case, name="", signed_at=timezone.now(), actor=cast.intake)
    assert set(nameless.value.message_dict) == {"name"}

    signed_at = timezone.now()
    signed = result_signature_record(
        case=case, name=" 张伟 ", signed_at=signed_at, actor=cast.intake
    )
    assert (signed.pk, signed.customer_signed_name, signed.customer_signed_at) == (
        result.pk,
        "张伟",
        signed_at,
    )
    (line,) = _lines(case, Act.RESULT_SIGNED)
    assert line.is_public
    assert line.data["result"] == result.pk
    assert "张伟" not in str(line.data)
    with pytest.raises(TransitionNotAllowed, match="already signed"):
        result_signature_record(case=case, name="张伟", signed_at=signed_at, actor=cast.handler)
