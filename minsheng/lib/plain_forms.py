"""Forms that people can read: every validation message names the field by its label in
plain words, and a long text is counted as it is typed instead of being cut off.

Django's own messages speak of "this field" (and, in Chinese, of a "variable"), and a
`maxlength` attribute makes the browser drop whatever is pasted beyond the limit without
a word. `PlainFormMixin` replaces both for every field of a form; messages a form gives
explicitly (`error_messages=`) are kept.
"""

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# The label is put in with str.format when the message is shown (in the language of the
# moment); Django fills the %(…)s parameters of its validators afterwards.
FILL_IN = _("Fill in “{label}”.")
CHOOSE = _("Choose “{label}”.")
CHOOSE_FILE = _("Choose a file for “{label}”.")
TICK = _("Tick “{label}”.")
TOO_LONG = _("“{label}” can be at most %(limit_value)d characters long; it is %(show_value)d now.")
TOO_SHORT = _("“{label}” must be at least %(limit_value)d characters long; it is %(show_value)d.")
NOT_AN_EMAIL = _("“{label}” is not an e-mail address like name@example.com.")
NOT_A_DATE_TIME = _("“{label}” is not a date and time like 2026-03-01 14:30.")
NOT_A_DATE = _("“{label}” is not a date like 2026-03-01.")
NOT_A_WHOLE_NUMBER = _("Enter a whole number for “{label}”.")
TOO_SMALL = _("“{label}” must be at least %(limit_value)s.")
TOO_LARGE = _("“{label}” must be at most %(limit_value)s.")
NOT_OFFERED = _("Choose one of the options offered for “{label}”.")
EMPTY_FILE = _("A file chosen for “{label}” is empty.")
NOT_A_FILE = _("The file for “{label}” did not arrive; choose it again.")


def _required(field: forms.Field) -> Promise:
    if isinstance(field, forms.FileField):
        return CHOOSE_FILE
    if isinstance(field, forms.BooleanField):
        return TICK
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return CHOOSE
    return FILL_IN


def _invalid(field: forms.Field) -> Promise | None:
    if isinstance(field, forms.EmailField):
        return NOT_AN_EMAIL
    if isinstance(field, forms.DateTimeField):
        return NOT_A_DATE_TIME
    if isinstance(field, forms.DateField):
        return NOT_A_DATE
    if isinstance(field, forms.IntegerField):
        return NOT_A_WHOLE_NUMBER
    if isinstance(field, forms.FileField):
        return NOT_A_FILE
    return None


def _templates(field: forms.Field) -> dict[str, Promise | None]:
    """The plain message template for each error code this field can raise."""
    return {
        "required": _required(field),
        "max_length": TOO_LONG if isinstance(field, forms.CharField) else None,
        "min_length": TOO_SHORT if isinstance(field, forms.CharField) else None,
        "invalid": _invalid(field),
        "min_value": TOO_SMALL,
        "max_value": TOO_LARGE,
        "invalid_choice": NOT_OFFERED,
        "invalid_list": NOT_OFFERED,
        "empty": EMPTY_FILE if isinstance(field, forms.FileField) else None,
    }


def _defaults(field: forms.Field) -> dict[str, Any]:
    """Django's default messages for the field's class (what `error_messages=` overrides)."""
    defaults: dict[str, Any] = {}
    for klass in reversed(type(field).__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return defaults


def plain_messages(field: forms.Field) -> None:
    """Give `field` messages that name it by its label, where it still has Django's."""
    if not field.label:
        return
    defaults = _defaults(field)
    for code, template in _templates(field).items():
        if template is None:
            continue
        # Validators' messages (max_length, min_value ...) are replaced by the field's
        # message of the same code, so these apply to them too.
        if code in field.error_messages and field.error_messages[code] is not defaults.get(code):
            continue  # the form chose its own message
        field.error_messages[code] = format_lazy(template, label=field.label)


def counted(field: forms.Field) -> None:
    """A text box with a limit: counted as it is typed (`data-maxlength`, see minsheng.js)
    instead of the browser's `maxlength`, which drops pasted text silently."""
    limit = getattr(field, "max_length", None)
    if limit and isinstance(field.widget, forms.Textarea):
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-maxlength"] = str(limit)


class PlainFormMixin:
    """Plain messages and counted text boxes for every field of the form."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the form's own copies
            plain_messages(field)
            counted(field)


class PlainForm(PlainFormMixin, forms.Form):
    """A form whose fields speak plainly."""
