"""The case timeline names the staff a message went to by their name, not their login."""

import pytest

from minsheng.cases.models import CaseEvent, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform

pytestmark = pytest.mark.django_db


def test_a_new_assignment_line_names_the_handler_not_the_login_or_the_raw_channel(
    cast, smtp, run_tasks, committed
):
    cast.handler.first_name, cast.handler.email = "张明", "zhangming@example.cn"
    cast.handler.save(update_fields=["first_name", "email"])
    case = drive_to(cast, State.ACCEPTED)
    with committed():
        perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    run_tasks()
    run_tasks()

    line = CaseEvent.objects.get(case=case, action="notified", data__recipient="张明")
    assert line.note == "新派单 · 电子邮箱 · 张明"
    assert "handler" not in line.note
