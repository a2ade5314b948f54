"""An office's configuration as rows, for the tests of the forms, pages and API that read it
(`cases.office`): the labour inspectorate's two-year limit, the insurer's classes and its
policy number, a reception. Each helper tells every process to read the configuration again."""

from minsheng.cases import office
from minsheng.cases.models import (
    AdmissibilityRule,
    Category,
    ExtraField,
    Office,
    RejectionReason,
)
from minsheng.deadlines.models import CaseClass, Severity

TWO_YEARS_TEXT = "劳动保障监察条例 第二十条"


def two_year_limit() -> RejectionReason:
    """The labour inspectorate's rule: a matter older than two years is not taken up."""
    reason = RejectionReason.objects.create(
        code="older-than-two-years", label="超过两年", legal_text=TWO_YEARS_TEXT
    )
    AdmissibilityRule.objects.create(max_age_days=730, reason=reason)
    office.office_changed()
    return reason


def insurer_classes() -> dict[str, CaseClass]:
    """The insurer's classes A (urgent), B (general), C (complex)."""
    classes = {
        "A": CaseClass.objects.create(code="a", label="A类", handling=Severity.URGENT, position=1),
        "B": CaseClass.objects.create(code="b", label="B类", handling=Severity.GENERAL, position=2),
        "C": CaseClass.objects.create(code="c", label="C类", handling=Severity.COMPLEX, position=3),
    }
    office.office_changed()
    return classes


def policy_number_field(category: Category | None = None) -> ExtraField:
    """The insurer's policy number: required, P followed by eight digits."""
    extra = ExtraField.objects.create(
        category=category,
        code="policy_number",
        label="保单号",
        is_required=True,
        pattern=r"P\d{8}",
        position=1,
    )
    office.office_changed()
    return extra


def insurance_category() -> Category:
    """A category "保险理赔" with a sub-category "车险理赔" (fields of the first apply to both)."""
    claims = Category.objects.create(name="保险理赔", level=1)
    Category.objects.create(name="车险理赔", level=2, parent=claims)
    office.office_changed()
    return claims


def reception(**values: str) -> Office:
    """The office's reception information."""
    row = Office.objects.create(name="市劳动保障监察支队", **values)
    office.office_changed()
    return row


def office_takes(*, kinds: list[str] | None = None, channels: list[str] | None = None) -> Office:
    row = Office.objects.first() or Office(name="市劳动保障监察支队")
    row.kinds = kinds or []
    row.channels = channels or []
    row.save()
    office.office_changed()
    return row
