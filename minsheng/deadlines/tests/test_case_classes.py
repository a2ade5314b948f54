"""An office's case classes, approval chains and class policies: matched most specifically,
and a configuration error refused in the admin when it is made, never found later as a
stuck case."""

import pytest
from django.urls import reverse

from minsheng.accounts.models import Department, Role
from minsheng.accounts.services import user_create
from minsheng.cases.models import Category
from minsheng.deadlines.models import ApprovalLevel, CaseClass, DeadlinePolicy, Unit
from minsheng.deadlines.selectors import deadlines_cache_clear, policy_for

pytestmark = pytest.mark.django_db

POLICY = {"unit": Unit.WORKING_DAYS, "review": 1, "dispatch": 1, "plan": 2, "result": 5}


@pytest.fixture
def admin_client(admin_client):
    """The admin pages in English, so the tests read the messages' source text."""
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def _form(*, levels=(), policies=(), code="a", label="A类", handling="urgent"):
    data = {
        "code": code,
        "label": label,
        "handling": handling,
        "position": "0",
        "approval_levels-TOTAL_FORMS": str(len(levels)),
        "approval_levels-INITIAL_FORMS": "0",
        "policies-TOTAL_FORMS": str(len(policies)),
        "policies-INITIAL_FORMS": "0",
    }
    for n, (level, label_, role) in enumerate(levels):
        data |= {
            f"approval_levels-{n}-level": str(level),
            f"approval_levels-{n}-label": label_,
            f"approval_levels-{n}-role": role,
        }
    for n, values in enumerate(policies):
        data |= {f"policies-{n}-{k}": str(v) for k, v in values.items()}
        data |= {f"policies-{n}-appeal_days": "15", f"policies-{n}-acceptance": "1"}
        data |= {f"policies-{n}-feedback": "1", f"policies-{n}-regulator": "10"}
    return data


def _errors(response) -> list[str]:
    """The errors the admin page shows: the form's and each inline's, in English."""
    found = [str(e) for e in response.context["adminform"].form.non_field_errors()]
    for inline in response.context["inline_admin_formsets"]:
        found += [str(e) for e in inline.formset.non_form_errors()]
    return found


def _all_errors(response) -> list[object]:
    """Every error of the form and its inlines (for a failing assertion's message)."""
    found: list[object] = [response.context["adminform"].form.errors]
    for inline in response.context["inline_admin_formsets"]:
        found += [inline.formset.non_form_errors(), inline.formset.errors]
    return found


def _leader():
    user_create(username="yuanzhang", password="x-1234567", roles=[(Role.LEADER, None)])


def test_a_class_with_a_gap_in_its_chain_is_refused(admin_client):
    _leader()
    head_dept = Department.objects.create(code="yiwu", name="医务科")
    user_create(username="kezhang", password="x-1234567", roles=[(Role.HEAD, head_dept)])
    url = reverse("admin:deadlines_caseclass_add")

    gap = admin_client.post(
        url, _form(levels=[(1, "医务科", "head"), (3, "院长", "leader")], policies=[POLICY])
    )
    ok = admin_client.post(
        url,
        _form(
            levels=[(1, "医务科", "head"), (2, "分管院长", "leader"), (3, "院长", "leader")],
            policies=[POLICY],
        ),
    )

    assert gap.status_code == 200
    assert _errors(gap) == ["Approval levels must run 1, 2, 3 without a gap (given: 1, 3)."]
    assert ok.status_code == 302, _all_errors(ok)
    chain = ApprovalLevel.objects.filter(case_class__code="a").order_by("level")
    assert [level.label for level in chain] == ["医务科", "分管院长", "院长"]


def test_a_level_whose_role_no_user_holds_is_refused(admin_client):
    refused = admin_client.post(
        reverse("admin:deadlines_caseclass_add"),
        _form(levels=[(1, "院长", "leader")], policies=[POLICY]),
    )

    assert refused.status_code == 200
    assert _errors(refused) == ["Level 1: no active user is a Leader, so no one could approve."]
    assert not CaseClass.objects.exists()


def test_a_class_without_a_policy_is_refused_unless_a_general_one_fits(admin_client):
    _leader()
    url = reverse("admin:deadlines_caseclass_add")
    DeadlinePolicy.objects.all().delete()

    refused = admin_client.post(url, _form(levels=[(1, "院长", "leader")]))
    DeadlinePolicy.objects.create(**POLICY)  # a general policy fits every class
    accepted = admin_client.post(url, _form(levels=[(1, "院长", "leader")]))

    assert refused.status_code == 200
    assert _errors(refused) == ["The class A类 has no deadline policy: add one for it."]
    assert accepted.status_code == 302


def test_the_most_specific_policy_wins_and_says_which_it_is():
    DeadlinePolicy.objects.all().delete()
    deadlines_cache_clear()
    a = CaseClass.objects.create(code="a", label="A类", handling="urgent")
    claims = Category.objects.create(name="理赔", level=1)
    car = Category.objects.create(name="车险理赔", level=2, parent=claims)
    DeadlinePolicy.objects.create(**POLICY)
    DeadlinePolicy.objects.create(**{**POLICY, "result": 10}, category=claims)
    DeadlinePolicy.objects.create(**{**POLICY, "result": 2}, case_class=a)
    DeadlinePolicy.objects.create(**{**POLICY, "result": 7}, channel="regulator")
    deadlines_cache_clear()

    line = [car.pk, claims.pk]
    assert policy_for(kind="complaint", severity="general").result == 5
    assert policy_for(kind="complaint", severity="general", category_ids=line).result == 10
    # The class outweighs the category; the category outweighs the channel.
    by_class = policy_for(
        kind="complaint", severity="urgent", case_class_id=a.pk, category_ids=line
    )
    assert (by_class.result, by_class.source) == (2, "A类")
    both = policy_for(kind="complaint", severity="general", category_ids=line, channel="regulator")
    assert both.result == 10
    assert policy_for(kind="complaint", severity="general", channel="regulator").result == 7


def test_every_clock_says_which_policy_gave_its_time(cast, english):
    from minsheng.cases.clocks import clock_explain
    from minsheng.cases.workflow import perform

    a = CaseClass.objects.create(code="a", label="A类", handling="urgent")
    DeadlinePolicy.objects.create(**{**POLICY, "unit": Unit.HOURS, "result": 24}, case_class=a)
    deadlines_cache_clear()
    case = cast.submit().case
    perform(case=case, action="accept", actor=cast.intake, case_class=a)

    result = case.clocks.get(step="result")
    review = case.clocks.get(step="review")
    assert (result.policy, result.unit, result.amount) == ("A类", Unit.HOURS, 24)
    assert clock_explain(result).lines()[0] == "Time allowed by the deadline policy A类."
    assert review.policy == "通用"  # the general policy, named in the site's language


def test_a_category_added_after_the_configuration_was_read_keeps_its_ancestors():
    from minsheng.cases import office

    claims = Category.objects.create(name="理赔", level=1)
    assert office.category_line(claims.pk) == [claims.pk]  # the tree is read and kept
    car = Category.objects.create(name="车险理赔", level=2, parent=claims)

    # Its parent's policies and extra fields apply to it at once.
    assert office.category_line(car.pk) == [car.pk, claims.pk]
