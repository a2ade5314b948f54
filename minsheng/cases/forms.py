"""HTTP input for lifecycle actions: one form per action, built from the action's inputs in
`cases.workflow.ACTIONS`. The workbench renders these forms and the API validates request
bodies with them, so both parse an action's fields the same way. Also the one field for
files sent with a case (`EvidenceField`: which types and sizes are accepted).
"""

from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.models import ModelChoiceIterator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases import office
from minsheng.cases.models import Case, Category, RejectionReason
from minsheng.cases.workflow import ACTIONS, Act, Action, Input, InputKind
from minsheng.cases.workflow.engine import TEXT_MAX
from minsheng.deadlines.models import CaseClass
from minsheng.lib import uploads
from minsheng.lib.plain_forms import PlainForm

# The empty choice of a select: what it means, never a bare "---------".
UNCHANGED = _("Unchanged")


class CaseNumberField(forms.Field):
    """A case given by its number."""

    def to_python(self, value: Any) -> Case | None:
        number = str(value or "").strip().upper()
        if not number:
            return None
        ProhibitNullCharactersValidator()(number)  # before PostgreSQL is asked (it refuses)
        case = Case.objects.filter(number=number).first()
        if case is None:
            raise ValidationError(_("No case has this number."), code="invalid")
        return case


class CategoryGroups(ModelChoiceIterator):
    """The categories grouped by their first-level topic (one <optgroup> each): the topic
    itself first, then its sub-topics, the third level written "sub-topic › topic"."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        children: dict[int | None, list[Category]] = defaultdict(list)
        for category in self.queryset:  # one query, ordered by level and name
            children[category.parent_id].append(category)
        for top in children[None]:
            options = [self._labelled(top, format_lazy(_("{topic} (whole topic)"), topic=top))]
            for child in children[top.pk]:
                options.append(self._labelled(child, child.name))
                options += [
                    self._labelled(leaf, f"{child.name} › {leaf.name}")
                    for leaf in children[child.pk]
                ]
            yield (top.name, options)

    def _labelled(self, category: Category, label: Any) -> tuple[Any, Any]:
        value, _label = self.choice(category)
        return (value, label)


def searchable(widget: forms.Widget) -> None:
    """Mark a long select for minsheng.js, which adds a search box that narrows the list as
    one types (the plain grouped list works without it)."""
    widget.attrs.update({"data-searchable": "", "data-search-label": _("Search the categories")})


class CategoryChoiceField(forms.ModelChoiceField):
    """A topic category, offered grouped by the category tree, searchable."""

    iterator = CategoryGroups

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("Choose a category"))
        super().__init__(Category.objects.all(), **kwargs)
        searchable(self.widget)


def _field(action: Action, spec: Input) -> forms.Field:
    label = action.note_label if spec.name == "note" and action.note_label else spec.label
    common: dict[str, Any] = {"label": label, "required": spec.required}
    if spec.kind == InputKind.TEXT:
        widget = forms.Textarea(attrs={"rows": 3}) if spec.is_long_text else forms.TextInput
        return forms.CharField(widget=widget, max_length=TEXT_MAX, **common)
    if spec.kind == InputKind.INT:
        return forms.IntegerField(min_value=1, max_value=365, **common)
    if spec.kind == InputKind.BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if spec.kind == InputKind.CHOICE:
        assert spec.choices is not None  # noqa: S101 - every choice input names its choices
        choices: list[tuple[str, Any]] = list(spec.choices.choices)
        if not spec.required:
            choices = [("", UNCHANGED), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if spec.kind == InputKind.DEPARTMENT:
        departments = Department.objects.filter(is_active=True)
        return forms.ModelChoiceField(
            departments, to_field_name="code", empty_label=_("Choose a department"), **common
        )
    if spec.kind == InputKind.DEPARTMENTS:
        departments = Department.objects.filter(is_active=True)
        return forms.ModelMultipleChoiceField(departments, to_field_name="code", **common)
    if spec.kind == InputKind.CATEGORY:
        empty = _("Choose a category") if spec.required else UNCHANGED
        return CategoryChoiceField(empty_label=empty, **common)
    if spec.kind == InputKind.CASE_CLASS:
        return forms.ModelChoiceField(
            CaseClass.objects.all(), to_field_name="code", empty_label=UNCHANGED, **common
        )
    if spec.kind == InputKind.REJECTION_REASON:
        reasons = RejectionReason.objects.filter(is_active=True)
        return forms.ModelChoiceField(
            reasons, to_field_name="code", empty_label=_("Choose a ground"), **common
        )
    return CaseNumberField(**common)


class ActionForm(PlainForm):
    """An action's form, showing what the office's configuration gives a choice of: its
    class (instead of the severity) where it has classes, a rejection ground where it has a
    list; a field with nothing to choose from is left out (unless a value was sent for it,
    which is then checked as usual)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        has_classes = bool(office.case_classes())
        unused = {
            InputKind.CASE_CLASS: not has_classes,
            InputKind.REJECTION_REASON: not office.rejection_reasons(),
        }
        for spec in self.specs:
            hidden = unused.get(spec.kind) or (spec.name == "severity" and has_classes)
            if hidden and spec.name not in self.data:  # given anyway (the API): checked
                self.fields.pop(spec.name, None)

    specs: tuple[Input, ...] = ()


@cache
def action_form_class(action: str) -> type[forms.Form]:
    """The form for `action`'s inputs; its cleaned_data goes straight to `perform`."""
    spec = ACTIONS[Act(action)]
    fields: dict[str, Any] = {each.name: _field(spec, each) for each in spec.inputs}
    fields["specs"] = spec.inputs
    return type(f"{action.title().replace('_', '')}Form", (ActionForm,), fields)


def action_inputs(form: forms.Form) -> dict[str, Any]:
    """The cleaned inputs of a valid action form, leaving out what was not given."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}


# --- files a person sends with a case (evidence, supplements, answers) -------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once, each accepted by `minsheng.lib.uploads` (count, size, and
    the type its content shows, whatever its name says)."""

    def __init__(self, **kwargs: Any) -> None:
        extensions = uploads.allowed_extensions()
        accept = ",".join(f".{ext}" for ext in extensions)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        # format_lazy: the text is made when the page is shown, in that page's language.
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _("Up to {count} files, {size} MB each. Allowed types: {types}."),
                count=settings.UPLOAD_MAX_FILES,
                size=settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024),
                types=", ".join(extensions),
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads_given = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads_given:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        for upload in uploads_given:
            super().clean(upload, initial)
        return uploads.uploads_check(uploads_given)
