"""The lifecycle's conditions (why an action is refused for a case now) and input checks
(why its inputs do not fit the case). Each is named in the table (`table.py`)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import Department
from minsheng.cases import office
from minsheng.cases.models import DISSATISFIED_RATINGS, Case, ExtensionRequest, MediationOutcome
from minsheng.cases.office import OptionalStep
from minsheng.cases.workflow.spec import OPEN_STATES
from minsheng.deadlines.models import Kind

# A department may say "not ours" this many times; then the dispatcher's choice is final.
MAX_RETURNS = 2


# --- conditions ------------------------------------------------------------------------


def info_not_yet_requested(case: Case, now: datetime) -> str | None:
    if case.is_info_requested:
        return _("Missing material may be requested only once.")
    return None


def is_inquiry(case: Case, now: datetime) -> str | None:
    if case.kind != Kind.INQUIRY:
        return _("Only an inquiry can be answered at intake.")
    return None


def may_return(case: Case, now: datetime) -> str | None:
    if case.return_count >= MAX_RETURNS:
        return _(
            "This case has been returned %(count)s times; the dispatcher's assignment is final."
        ) % {"count": case.return_count}
    return None


def has_plan(case: Case, now: datetime) -> str | None:
    if not case.plan and office.uses(OptionalStep.PLAN):
        return _("Write the handling plan before submitting the result.")
    return None


def no_pending_extension(case: Case, now: datetime) -> str | None:
    if case.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        return _("An extension request is already waiting for a decision.")
    return None


def has_pending_extension(case: Case, now: datetime) -> str | None:
    if not case.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        return _("There is no extension request to decide.")
    return None


def not_rated(case: Case, now: datetime) -> str | None:
    if case.rating:
        return _("The answer has already been rated.")
    return None


def may_appeal(case: Case, now: datetime) -> str | None:
    if case.rating not in DISSATISFIED_RATINGS:
        return _("An appeal is possible after rating the answer as neutral or poor.")
    if case.appeal_until is None or now > case.appeal_until:
        return _("The time to appeal has passed.")
    return None


def appeal_window_over(case: Case, now: datetime) -> str | None:
    if case.appeal_until is not None and now <= case.appeal_until:
        return _("The complainant may appeal until %(until)s.") % {
            "until": timezone.localtime(case.appeal_until).strftime("%Y-%m-%d %H:%M")
        }
    return None


def feedback_not_given(case: Case, now: datetime) -> str | None:
    if case.feedback_at is not None:
        return _("The first feedback has already been given.")
    return None


def regulator_owed_answer(case: Case, now: datetime) -> str | None:
    if not office.is_regulator_transfer(case):
        return _("Only a complaint transferred by a regulator is answered to the regulator.")
    if case.regulator_answered_at is not None:
        return _("The regulator has already been answered.")
    return None


def regulator_answered(case: Case, now: datetime) -> str | None:
    if office.is_regulator_transfer(case) and case.regulator_answered_at is None:
        return _("Answer the regulator before the case is archived.")
    return None


# --- input checks ----------------------------------------------------------------------


def check_transfer(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["consent"] is not True:
        raise ValidationError(
            {"consent": [_("A transfer needs the complainant's consent.")]}, code="required"
        )


def check_assign(case: Case, inputs: dict[str, Any]) -> None:
    lead: Department = inputs["department"]
    if not lead.is_active:
        raise ValidationError({"department": [_("This department is not active.")]})
    if any(d.pk == lead.pk for d in inputs.get("co_departments") or []):
        raise ValidationError(
            {"co_departments": [_("The lead department cannot also be a co-handler.")]}
        )


def check_reassign(case: Case, inputs: dict[str, Any]) -> None:
    check_assign(case, inputs)
    if inputs["department"].pk == case.department_id:
        raise ValidationError(
            {"department": [_("The case is already with this department; choose another.")]}
        )


def check_positive_amount(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["amount"] <= 0:
        raise ValidationError({"amount": [_("Ask for at least one unit of time.")]})


def check_result(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["remedy_days"] <= 0:
        raise ValidationError({"remedy_days": [_("Give the number of days to seek a remedy.")]})


def check_other_case(case: Case, inputs: dict[str, Any]) -> None:
    other: Case = inputs["other"]
    if other.pk == case.pk:
        raise ValidationError({"other": [_("A case cannot be linked to itself.")]})


def check_merge(case: Case, inputs: dict[str, Any]) -> None:
    into: Case = inputs["into"]
    if into.pk == case.pk:
        raise ValidationError({"into": [_("A case cannot be merged into itself.")]})
    if into.state not in OPEN_STATES:
        raise ValidationError({"into": [_("Merge into a case that is still open.")]})


def check_reject(case: Case, inputs: dict[str, Any]) -> None:
    if office.rejection_reasons() and not inputs.get("reason"):
        raise ValidationError(
            {"reason": [_("Choose the ground for rejection from the office's list.")]},
            code="required",
        )


def check_mediation(case: Case, inputs: dict[str, Any]) -> None:
    if inputs["outcome"] == MediationOutcome.AGREEMENT and not inputs.get("parties"):
        raise ValidationError(
            {"parties": [_("Name the parties to the agreement.")]}, code="required"
        )
