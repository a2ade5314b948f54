"""The two processes of the deadlines-cache test (`test_deadlines_edits_reach_other_processes`),
run as `python -m minsheng.intake.tests.deadlines_process MODE` against one database:

    register     a running intake process: for each line on stdin, register a matter and
                 print its review clock as JSON (amount, due time, working days counted)
    admin-edit   an administrator, through the admin pages (Django's test client): set the
                 catch-all policy's review time to REVIEW days and make DATE a holiday
"""

import json
import os
import sys

import django


def register() -> None:
    from minsheng.cases.models import Channel
    from minsheng.cases.services import PersonInput, Submission
    from minsheng.intake.services import submission_register

    for _line in sys.stdin:
        registered = submission_register(
            submission=Submission(
                kind="complaint",
                subject="楼道灯坏了",
                body="三单元楼道灯坏了一周。",
                channel=Channel.API,
                people=[PersonInput(name="测试", phone="13800000000")],
            ),
            actor=None,
        )
        clock, due = registered.clocks[0]
        print(
            json.dumps(
                {
                    "amount": clock.amount,
                    "due_at": due.due_at.isoformat() if due.due_at else None,
                    "counted": [d.isoformat() for d in due.explanation.counted_dates],
                }
            ),
            flush=True,
        )


def admin_edit(review: str, holiday: str) -> None:
    from django.test import Client
    from django.urls import reverse

    from minsheng.accounts.models import User
    from minsheng.deadlines.models import DeadlinePolicy

    admin, _ = User.objects.get_or_create(
        username="deadlines-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(admin)
    policy = DeadlinePolicy.objects.get(kind="", severity="")
    answers = [
        client.post(
            reverse("admin:deadlines_deadlinepolicy_change", args=[policy.pk]),
            {
                "kind": "",
                "severity": "",
                "unit": policy.unit,
                "review": review,
                "dispatch": policy.dispatch,
                "plan": policy.plan,
                "result": policy.result,
                "acceptance": policy.acceptance,
                "feedback": policy.feedback,
                "regulator": policy.regulator,
                "appeal_days": policy.appeal_days,
            },
        ),
        client.post(
            reverse("admin:deadlines_calendarday_add"),
            {"date": holiday, "is_workday": "", "name": "临时休息日"},
        ),
    ]
    for answer in answers:
        if answer.status_code != 302:
            sys.exit(f"admin refused the edit ({answer.status_code}): {answer.content[:2000]!r}")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    django.setup()
    if sys.argv[1] == "register":
        register()
    else:
        admin_edit(review=sys.argv[2], holiday=sys.argv[3])


if __name__ == "__main__":
    main()
