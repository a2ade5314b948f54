"""Hot topics: similar matters are grouped, growing and widespread groups rank first, the
engine finds the known big topics of the public board data, and the command prints them."""

import csv
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from minsheng.cases.models import Area, Case, Channel
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.routing import datasets
from minsheng.routing.hot_topics import Item, board_items, case_items, heat_score, topics_find

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)

NOISE = [
    ("锦绣花园小区旁搅拌站夜间噪音扰民", "锦绣花园小区附近的搅拌站每天夜里施工，噪音和粉尘很大。"),
    ("投诉锦绣花园附近搅拌站噪音污染", "锦绣花园旁边的搅拌站彻夜作业，噪音粉尘严重影响居民休息。"),
    ("锦绣花园搅拌站粉尘噪音严重", "搅拌站就在锦绣花园小区旁，粉尘噪音污染，请环保部门查处。"),
    ("锦绣花园小区搅拌站扰民何时处理", "锦绣花园的居民反映旁边搅拌站夜间噪音，粉尘大，没人管。"),
]
PARKING = [
    ("滨江名苑开发商捆绑销售车位", "滨江名苑开发商要求购房必须同时购买车位，捆绑销售。"),
    ("滨江名苑车位捆绑销售违法吗", "买滨江名苑的房子被要求捆绑购买车位，这是否合法？"),
    ("投诉滨江名苑捆绑销售车位", "滨江名苑强制捆绑销售车位，侵害购房者权益。"),
]
OTHER = [
    ("公交车司机态度恶劣", "今天坐公交车，司机态度非常差，还骂乘客。"),
    ("学校食堂饭菜价格太高", "孩子学校的食堂饭菜价格偏高，质量一般。"),
]


def _item(key: str, text: tuple[str, str], at: datetime, **extra: object) -> Item:
    return Item(key=key, subject=text[0], body=text[1], at=at, **extra)  # type: ignore[arg-type]


def test_near_duplicates_grouped_and_growing_widespread_topic_ranks_first():
    items = []
    # The noise complaints: all in this period, four people in four places.
    for i, text in enumerate(NOISE):
        at = START + timedelta(days=3 + i)
        items.append(_item(f"n{i}", text, at, person=f"p{i}", place=f"A{i}"))
    # The parking complaints: three now, by one person in one place, and as many before.
    for i, text in enumerate(PARKING):
        items.append(_item(f"c{i}", text, START + timedelta(days=2 + i), person="same", place="B"))
        items.append(_item(f"old{i}", text, START - timedelta(days=5 + i), person="same"))
    items += [_item(f"o{i}", text, START + timedelta(days=9)) for i, text in enumerate(OTHER)]

    run = topics_find(items, start=START, end=END)

    groups = [{item.key for item in topic.items} for topic in run.topics]
    assert groups == [{"n0", "n1", "n2", "n3"}, {"c0", "c1", "c2"}]
    noise, parking = run.topics
    assert noise.heat > parking.heat
    assert (noise.previous, noise.people, noise.places) == (0, 4, 4)
    assert (parking.previous, parking.people, parking.places) == (3, 1, 1)
    assert "搅拌站" in noise.terms
    assert "车位" in parking.terms
    assert run.items == 9
    assert run.grouped == 7


def test_heat_grows_with_volume_growth_spread_and_likes():
    base = {"n": 5, "previous": 5, "people": 3, "places": 2, "likes": 0}
    reference = heat_score(**base)
    for change in [{"n": 10}, {"previous": 0}, {"people": 5}, {"places": 4}, {"likes": 100}]:
        assert heat_score(**{**base, **change}) > reference, change
    assert heat_score(**{**base, "previous": 50}) < reference  # a fading topic cools down


def test_too_few_items_give_no_topics():
    run = topics_find([_item("x", NOISE[0], START)], start=START, end=END)
    assert run.topics == []
    assert run.items == 1


@pytest.fixture
def areas(db) -> dict[str, Area]:
    district = Area.objects.create(name="岳麓区", code="430104", level=Area.Level.DISTRICT)
    street = Area.objects.create(
        name="望月湖街道", code="430104001", level=Area.Level.STREET, parent=district
    )
    other = Area.objects.create(name="天心区", code="430103", level=Area.Level.DISTRICT)
    return {"district": district, "street": street, "other": other}


def _file_case(text: tuple[str, str], *, at: datetime, area: Area, phone: str) -> Case:
    with time_machine.travel(at, tick=False):
        return case_create(
            submission=Submission(
                kind="complaint",
                subject=text[0],
                body=text[1],
                channel=Channel.WEB,
                area=area,
                people=[PersonInput(name="市民", phone=phone)],
            ),
            actor=None,
        ).case


def test_cases_of_an_area_and_its_streets_are_grouped(areas):
    now = datetime(2026, 3, 20, 2, tzinfo=UTC)
    for i, text in enumerate(NOISE):
        area = areas["street"] if i % 2 else areas["district"]
        _file_case(text, at=now - timedelta(days=i + 1), area=area, phone=f"1381234567{i}")
    _file_case(NOISE[0], at=now - timedelta(days=1), area=areas["other"], phone="13900000000")
    start = now - timedelta(days=30)

    items = case_items(Case.objects.all(), start=start, end=now, area=areas["district"])
    run = topics_find(items, start=start, end=now)

    assert len(items) == 4
    [topic] = run.topics
    assert topic.size == 4
    assert topic.people == 4  # distinct phones, by their keyed hash
    assert topic.places == 2

    out = StringIO()
    with time_machine.travel(now, tick=False):
        call_command("hot_topics", "--days", "30", "--area", "430104", stdout=out)
    assert "4 items (previous period 0)" in out.getvalue()
    assert "搅拌站" in out.getvalue()
    with pytest.raises(CommandError, match="No area"):
        call_command("hot_topics", "--area", "nowhere", stdout=StringIO())


def test_command_reads_a_board_file(tmp_path):
    path = tmp_path / "board.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "user", "subject", "time", "body", "likes", "dislikes"])
        for i, (subject, body) in enumerate(PARKING + OTHER):
            writer.writerow([i, f"U{i}", subject, f"2019-08-0{i + 1} 10:00:00", body, i * 10, 0])

    out = StringIO()
    call_command("hot_topics", "--file", str(path), stdout=out)

    assert "3 items (previous period 0), 3 people, 1 places, 30 likes" in out.getvalue()
    with pytest.raises(CommandError, match="No such file"):
        call_command("hot_topics", "--file", str(tmp_path / "none.csv"), stdout=StringIO())


BOARD = datasets.shared_data_dir() / "hot_topics.csv"


@pytest.mark.skipif(not BOARD.is_file(), reason="needs the shared data (hot_topics.csv)")
def test_known_big_topics_of_the_board_data_are_among_the_hottest():
    items = board_items(BOARD)
    start = min(item.at for item in items)
    end = max(item.at for item in items) + timedelta(seconds=1)

    run = topics_find(items, start=start, end=end, limit=10)

    subjects = [" ".join(item.subject for item in topic.items) for topic in run.topics]
    # The competition's known hot matters: bundled parking at 伊景园滨河苑, the mixing
    # plant by 丽发新城, the 58车贷 fraud case.
    for marker in ["滨河苑", "丽发新城", "58车贷"]:
        assert any(marker in text for text in subjects), marker
    parking = next(topic for topic in run.topics if "捆绑" in topic.terms)
    assert parking.size >= 40


def test_supervisor_sees_hot_topics_with_linked_cases_and_others_are_refused(
    client, cast, areas, django_assert_max_num_queries
):
    now = datetime(2026, 3, 20, 2, tzinfo=UTC)
    cases = [
        _file_case(text, at=now - timedelta(days=i + 1), area=areas["street"], phone=f"1391{i}")
        for i, text in enumerate(NOISE)
    ]
    _file_case(OTHER[0], at=now - timedelta(days=2), area=areas["other"], phone="13700000000")
    url = reverse("workbench:hot-topics")

    client.force_login(cast.supervisor)
    with time_machine.travel(now, tick=False), django_assert_max_num_queries(12):
        response = client.get(url, {"days": 30, "area": "430104"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "搅拌站" in page
    for case in cases:
        assert reverse("workbench:case-detail", args=[case.number]) in page
    assert f'href="{url}"' in client.get(reverse("workbench:my-work")).content.decode()
    with time_machine.travel(now, tick=False):
        bad = client.get(url, {"days": 0, "area": "nowhere"})
    assert bad.status_code == 200
    assert 'aria-invalid="true"' in bad.content.decode() or "errorlist" in bad.content.decode()

    for refused in (cast.handler, cast.intake, cast.dispatcher):
        client.force_login(refused)
        assert client.get(url).status_code == 403
    assert f'href="{url}"' not in client.get(reverse("workbench:my-work")).content.decode()
