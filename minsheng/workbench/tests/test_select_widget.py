"""The select widget's template (templates/django/forms/widgets/select.html) writes each
option in place instead of including Django's option template: the markup must stay what
Django's own templates give, selected options, option groups and attributes included."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.test.html import parse_html
from django.urls import reverse

from minsheng.cases.tests.factories import PASSWORD

CHOICES = [
    ("", "---"),
    ("Roads", [("pothole", "Pothole"), ("lights", 'Street lights "out"')]),
    ("noise", "Noise & nuisance"),
    (3, "Three"),
]


def _both(widget: forms.Select, value: object) -> tuple[str, str]:
    attrs = {"id": "id_topic", "class": "filter", "disabled": False, "required": True}
    ours = widget.render("topic", value, attrs=attrs, renderer=TemplatesSetting())
    djangos = widget.render("topic", value, attrs=attrs, renderer=DjangoTemplates())
    return ours, djangos


def test_the_project_renderer_reads_our_select_template():
    template = TemplatesSetting().get_template("django/forms/widgets/select.html")
    assert template is not None
    ours = settings.BASE_DIR / "templates/django/forms/widgets/select.html"
    assert Path(template.origin.name) == ours


def test_a_select_renders_as_djangos_own_with_groups_and_the_chosen_option():
    ours, djangos = _both(forms.Select(choices=CHOICES), "lights")
    assert parse_html(ours) == parse_html(djangos)
    assert '<option value="lights" selected>Street lights &quot;out&quot;</option>' in ours
    assert '<optgroup label="Roads">' in ours
    assert "Noise &amp; nuisance" in ours


def test_a_multiple_select_marks_every_chosen_option():
    ours, djangos = _both(forms.SelectMultiple(choices=CHOICES), ["noise", "3"])
    assert parse_html(ours) == parse_html(djangos)
    assert ours.count(" selected") == 2
    assert "multiple" in ours


def test_the_case_list_filters_use_it(cast, client):
    # The list's filters render through the project's renderer: the chosen state is marked.
    client.login(username="supervisor", password=PASSWORD)
    page = client.get(reverse("workbench:case-list"), {"state": "in_progress"}).content.decode()
    assert '<option value="in_progress" selected>' in page
