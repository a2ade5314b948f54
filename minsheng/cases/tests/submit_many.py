"""Run as `python -m minsheng.cases.tests.submit_many N`: submit N cases from this process
and print their numbers, one a line. Used by the concurrency test, several at once."""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    django.setup()
    from minsheng.cases.models import Channel
    from minsheng.cases.services import PersonInput, Submission, case_create

    for index in range(int(sys.argv[1])):
        registered = case_create(
            submission=Submission(
                kind="complaint",
                subject=f"并发提交 {index}",
                body="并发提交测试",
                channel=Channel.API,
                people=[PersonInput(name="测试", phone="13800000000")],
            ),
            actor=None,
        )
        print(registered.case.number, flush=True)


if __name__ == "__main__":
    main()
