"""Any text typed into the main forms gives a valid form or field errors, never an
exception or a server error: the portal's submission form, the workbench's registration
form and every lifecycle action's form (hypothesis), as forms and through their pages."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.cases.forms import action_form_class
from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import ACTIONS
from minsheng.portal.forms import SubmissionForm
from minsheng.workbench.forms import StaffRegistrationForm

# What people and attackers type: markup, SQL, template syntax, control characters, NUL,
# right-to-left marks, very long text, and anything else hypothesis thinks of.
NASTY = [
    "<img src=x onerror=window.__xss=1>",
    "<script>window.__xss=1</script>",
    "'; DROP TABLE cases_case; --",
    "1' OR '1'='1",
    "{{ 7*7 }}{% debug %}",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08\x7f",
    "\u202egnp.exe",
    "\r\n\r\n",
    " ",
    "🙂" * 300,
    "字" * 6000,
    "-1",
    "9" * 40,
    "2026-13-45",
]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fields_of(form_class) -> list[str]:
    return [name for name, field in form_class.base_fields.items() if name != "evidence"]


def as_data(names: list[str]):
    return st.fixed_dictionaries(dict.fromkeys(names, TEXT))


def assert_valid_or_field_errors(form) -> None:
    """The form answers with cleaned data or with errors named by its fields."""
    if not form.is_valid():
        assert set(form.errors) <= {*form.fields, "__all__"}
        assert all(form.errors.values())


FORMS = [SubmissionForm, StaffRegistrationForm, *(action_form_class(a) for a in ACTIONS)]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_any_text_gives_a_valid_form_or_field_errors(db, form_class):
    @FUZZ
    @given(data=as_data(fields_of(form_class)))
    def check(data):
        form = form_class(data=data)
        assert_valid_or_field_errors(form)
        if form.is_valid() and hasattr(form, "submission"):
            form.submission()

    check()


@pytest.fixture
def no_limits(settings):
    """Many posts from one address and staff without a second factor (both tested on
    their own)."""
    settings.MINSHENG_RATELIMIT_ALLOW = ["127.0.0.1/32"]
    settings.MINSHENG_OTP_REQUIRED_ROLES = []


def test_portal_submission_page_answers_any_text(db, client, no_limits):
    @FUZZ
    @given(data=as_data(fields_of(SubmissionForm)))
    def check(data):
        response = client.post("/submit/", data)
        assert response.status_code in {200, 302}

    check()


def test_workbench_registration_page_answers_any_text(cast, client, no_limits):
    client.force_login(cast.intake)

    @FUZZ
    @given(data=as_data(fields_of(StaffRegistrationForm)))
    def check(data):
        response = client.post("/work/register/", data)
        assert response.status_code in {200, 302}

    check()


def test_action_pages_answer_any_text(cast, client, no_limits):
    """Every action's page, posted by the lead department's handler and by a supervisor on
    a case in progress: the form again with errors, a refusal, or the case page."""
    case = drive_to(cast, State.IN_PROGRESS)

    @settings(FUZZ, max_examples=4)
    @given(data=st.data())
    def check(data):
        for user in (cast.handler, cast.supervisor):
            client.force_login(user)
            for action in ACTIONS:
                fields = data.draw(as_data(fields_of(action_form_class(action))))
                response = client.post(f"/work/cases/{case.number}/actions/{action}/", fields)
                assert response.status_code in {200, 302, 403, 404}, action

    check()
