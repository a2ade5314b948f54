"""Forms of the supervision pages: issuing a notice, acting on one, calling back."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department, User
from minsheng.cases.forms import EvidenceField
from minsheng.cases.models import Case, Rating
from minsheng.supervision.models import NoticeLevel, VisitAttempt
from minsheng.supervision.notices import MAX_CASES, MAX_DUE_DAYS, TEXT_MAX


class CaseNumbersField(forms.CharField):
    """Case numbers, one a line or separated by commas or spaces."""

    def to_python(self, value: Any) -> list[Case]:  # type: ignore[override]
        text = super().to_python(value) or ""
        numbers = list(dict.fromkeys(n.upper() for n in text.replace(",", " ").split()))
        if len(numbers) > MAX_CASES:
            raise ValidationError(_("Name at most %(count)s cases."), params={"count": MAX_CASES})
        found = {case.number: case for case in Case.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError(
                _("No case has this number: %(numbers)s"), params={"numbers": ", ".join(missing)}
            )
        return [found[n] for n in numbers]


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member, offered by name (the login name is for logging in)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class NoticeIssueForm(forms.Form):
    """A supervision notice issued by hand, about one case or a selection."""

    cases = CaseNumbersField(
        label=_("Cases"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Case numbers, separated by spaces or new lines."),
    )
    level = forms.ChoiceField(label=_("Level"), choices=NoticeLevel.choices)
    department = forms.ModelChoiceField(
        Department.objects.filter(is_active=True),
        label=_("Department"),
        to_field_name="code",
        help_text=_("Empty: the lead department of the cases."),
        required=False,
        empty_label=_("The lead department of the cases"),
    )
    recipient = StaffChoiceField(
        User.objects.filter(is_active=True, memberships__department__isnull=False).distinct(),
        label=_("Addressed to"),
        to_field_name="username",
        help_text=_("Empty: the department's head."),
        required=False,
        empty_label=_("The department's head"),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    demand = forms.CharField(
        label=_("What is demanded"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_days = forms.IntegerField(
        label=_("Working days to answer"), min_value=1, max_value=MAX_DUE_DAYS, initial=2
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cases: list[Case] = data.get("cases") or []
        if cases and not data.get("department"):
            departments = {case.department_id for case in cases}
            if len(departments) != 1 or None in departments:
                self.add_error(
                    "department",
                    _("The cases have no single lead department: choose the department."),
                )
            else:
                data["department"] = cases[0].department
        return data


class NoticeActionForm(forms.Form):
    """A note (the answer, the reason to send back) and, for an answer, files."""

    note = forms.CharField(
        label=_("Note"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = EvidenceField(label=_("Files"))


class VisitCallForm(forms.Form):
    """One call of a return visit."""

    outcome = forms.ChoiceField(
        label=_("How the call went"), choices=VisitAttempt.Outcome.choices, widget=forms.RadioSelect
    )
    rating = forms.ChoiceField(
        label=_("Rating"), choices=[("", "—"), *Rating.choices], required=False
    )
    is_explained = forms.NullBooleanField(
        label=_("The answer was explained to the person"),
        widget=forms.NullBooleanSelect,
        required=False,
    )
    is_timely = forms.NullBooleanField(
        label=_("The answer came in time"), widget=forms.NullBooleanSelect, required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
