"""The duplicate index is shared between processes: the task worker writes a snapshot
(`duplicate_index_save`, each minute), and a fresh web process maps it at its first
similar-case lookup and answers at once, then keeps it current from the case events."""

import pytest

from minsheng.cases.models import Case, State
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.cases.workflow import perform
from minsheng.routing import jobs, selectors
from minsheng.routing.selectors import Matter, similar_open_cases

NOISE = (
    "烧烤店夜间油烟噪音扰民",
    "幸福路88号的烧烤店每天营业到凌晨两点，油烟直接排进居民楼，噪音也很大，严重影响休息。",
)
BUS = ("公交站台破损", "幸福路公交站台的雨棚破损多日，下雨天无法候车。")


@pytest.fixture(autouse=True)
def _fresh_index():
    selectors.duplicate_index_reset()
    yield
    selectors.duplicate_index_reset()


def _file(subject: str, body: str) -> Case:
    submission = Submission(
        kind="complaint",
        subject=subject,
        body=body,
        people=[PersonInput(name="市民", phone="13812345678")],
    )
    return case_create(submission=submission, actor=None).case


@pytest.mark.django_db(transaction=True)
def test_a_fresh_process_answers_from_the_workers_snapshot_without_waiting(settings, artifact_dir):
    # Above this many open cases a process without a snapshot would build in the
    # background and propose nothing meanwhile.
    settings.DUPLICATE_INDEX_SYNC_BUILD_UP_TO = 1
    from minsheng.cases.tests.factories import make_cast

    cast = make_cast()
    original = _file(*NOISE)
    bus = _file(*BUS)
    assert jobs.duplicate_index_save_job.call() == 2  # the worker's periodic job
    assert (selectors.duplicate_index_dir() / "current").is_file()

    selectors.duplicate_index_reset()  # a fresh process: nothing in memory
    matter = Matter(subject=NOISE[0], body=NOISE[1])
    found = similar_open_cases(matter=matter, user=cast.dispatcher)
    assert [s.case for s in found] == [original]
    assert selectors.duplicate_index_wait(timeout=0)  # no build was started

    # Cases that arrive after the snapshot are found, closed ones no longer.
    repost = _file("烧烤店油烟噪音扰民", NOISE[1])
    selectors.duplicate_index_reset()
    found = similar_open_cases(matter=matter, user=cast.dispatcher)
    assert {s.case for s in found} == {original, repost}
    perform(case=original, action="reject", actor=cast.intake, note="重复诉求")
    assert Case.objects.get(pk=original.pk).state == State.REJECTED
    found = similar_open_cases(matter=matter, user=cast.dispatcher)
    assert [s.case for s in found] == [repost]
    assert bus.pk not in {s.case.pk for s in found}

    # The worker's next run writes the news; nothing when nothing changed.
    snapshots = selectors.duplicate_index_dir()
    current = (snapshots / "current").read_text()
    assert jobs.duplicate_index_save_job.call() == 2
    written = (snapshots / "current").read_text()
    assert written != current
    assert jobs.duplicate_index_save_job.call() == 2
    assert (snapshots / "current").read_text() == written
