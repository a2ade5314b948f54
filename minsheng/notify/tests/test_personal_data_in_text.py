"""A message to a department leaves the system for everyone in it: phone numbers and other
personal data the citizen wrote into the text are masked there (the staff page behind the
link shows them, logged, to those who may see them); the complainant's own messages keep
their text as written."""

import pytest

from minsheng.cases.models import Complainant
from minsheng.cases.services import PersonInput
from minsheng.cases.workflow import perform

pytestmark = pytest.mark.django_db

SUBJECT = "噪音扰民，请回电13912345678"


@pytest.fixture(autouse=True)
def _mail_domain(settings):
    settings.MINSHENG_MAIL_DOMAIN = "minsheng.test"
    settings.MINSHENG_BASE_URL = "https://12345.example.gov.cn"


def test_a_department_message_masks_the_phone_number_the_complainant_wrote(
    cast, smtp, run_tasks, committed
):
    cast.handler.email = "handler@example.cn"
    cast.handler.save(update_fields=["email"])
    by_email = PersonInput(
        name="张伟",
        phone="13812345678",
        email="zw@example.cn",
        contact_by=Complainant.Contact.EMAIL,
    )
    with committed():
        case = cast.submit(subject=SUBJECT, people=[by_email]).case
        perform(case=case, action="accept", actor=cast.intake)
        perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    run_tasks()
    run_tasks()

    to_department = [m for m in smtp.messages if m["To"] == "handler@example.cn"]
    assert to_department
    for mail in to_department:
        assert "13912345678" not in mail["Subject"] + mail.get_content()
        assert "139****5678" in mail.get_content()
    to_complainant = [m for m in smtp.messages if m["To"] == "zw@example.cn"]
    assert to_complainant
    assert "13912345678" in to_complainant[0].get_content()
