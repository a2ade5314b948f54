"""Keyword search of the case lists (cases.search): any length from one Chinese character,
ranked, combinable with every filter, the same on SQLite and PostgreSQL, and never a way
to find a case by the personal data written into it."""

import time_machine
from django.http import QueryDict
from rest_framework.test import APIClient

from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Case, Channel
from minsheng.cases.search import search_index_rebuild
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.cases.workflow import Act, perform
from minsheng.lib.pagination import KeysetPaginator


def _register(
    subject: str, body: str = "具体情况见标题。", *, respondent: str = "", location: str = ""
) -> Case:
    submission = Submission(
        kind="complaint",
        subject=subject,
        body=body,
        channel=Channel.WEB,
        people=[PersonInput(name="张伟", phone="13812345678")],
        respondent=respondent,
        location=location,
    )
    return case_create(submission=submission, actor=None).case


def _found(params: dict[str, str], *, user=None) -> list[str]:
    """Numbers in the order the case list shows them."""
    data = QueryDict(mutable=True)
    data.update(params)
    filterset = CaseFilterSet(data, queryset=Case.objects.all(), user=user)
    page = KeysetPaginator(filterset.sections(), 100, counted=filterset.qs).page()
    return [case.number for case in page.object_list]


def test_one_two_and_four_character_keywords_match_where_the_text_has_them(cast):
    noise = _register("工地夜间施工噪音扰民", "每天晚上十一点以后还在施工。")
    quiet = _register("小区噪声", "广场舞的音响太响，扰人休息。")
    other = _register("路灯不亮", "某某路的路灯坏了一个多月。")

    assert set(_found({"q": "噪"})) == {noise.number, quiet.number}
    assert _found({"q": "噪音"}) == [noise.number]
    assert _found({"q": "噪音扰民"}) == [noise.number]
    assert _found({"q": "路"}) == [other.number]
    # Characters that are both there, but not one after the other, are not the keyword.
    assert _found({"q": "噪民"}) == []
    assert _found({"q": "音扰人"}) == []
    # Words separated by a space must all be there (in the same text).
    assert _found({"q": "广场舞 休息"}) == [quiet.number]
    assert _found({"q": "广场舞 路灯"}) == []
    assert _found({"q": "！？"}) == []


def test_keyword_ignores_letter_case_and_full_width_forms(cast):
    case = _register("WiFi信号差", "小区的ＷＩＦＩ经常断线。")
    assert _found({"q": "wifi"}) == [case.number]
    assert _found({"q": "ＷｉＦｉ信号"}) == [case.number]


def test_keyword_searches_the_respondent_unit_and_the_place(cast):
    case = _register("夜间施工", respondent="宏达建筑公司", location="解放路与人民路交叉口")
    assert _found({"q": "宏达"}) == [case.number]
    assert _found({"q": "交叉口"}) == [case.number]


def test_matches_in_the_subject_rank_first_then_newest_first(cast):
    with time_machine.travel("2026-11-02 09:00 +08:00", tick=False):
        old_subject = _register("垃圾清运不及时")
    with time_machine.travel("2026-11-03 09:00 +08:00", tick=False):
        new_body = _register("小区卫生差", "门口的垃圾三天没人清运。")
    with time_machine.travel("2026-11-04 09:00 +08:00", tick=False):
        new_subject = _register("垃圾桶满了")
    with time_machine.travel("2026-11-01 09:00 +08:00", tick=False):
        old_body = _register("环境问题", "垃圾堆在路边。")

    assert _found({"q": "垃圾"}) == [
        new_subject.number,
        old_subject.number,
        new_body.number,
        old_body.number,
    ]
    # A chosen sort order wins over the rank.
    assert _found({"q": "垃圾", "ordering": "submitted"}) == [
        old_body.number,
        old_subject.number,
        new_body.number,
        new_subject.number,
    ]


def test_keyword_combines_with_the_other_filters(cast):
    assigned = _register("噪音扰民")
    perform(case=assigned, action=Act.ACCEPT, actor=cast.intake)
    perform(case=assigned, action=Act.ASSIGN, actor=cast.dispatcher, department=cast.housing)
    waiting = _register("噪音扰民")
    _register("路灯不亮")

    assert _found({"q": "噪音", "state": "assigned"}) == [assigned.number]
    assert _found({"q": "噪音", "department": "housing"}) == [assigned.number]
    assert _found({"q": "噪音", "state": "submitted"}) == [waiting.number]
    # What a department handler may see bounds the search too.
    mine = CaseFilterSet(QueryDict("q=噪音"), queryset=Case.objects.filter(department=cast.housing))
    assert [c.number for c in mine.qs] == [assigned.number]
    # Sorted by due time: the assigned case's clock runs; both have one.
    assert set(_found({"q": "噪音", "ordering": "due"})) == {assigned.number, waiting.number}


def test_a_case_number_finds_that_case(cast):
    case = _register("路灯不亮")
    _register("垃圾清运")
    assert _found({"q": case.number.lower()}) == [case.number]


def test_personal_data_written_into_a_case_cannot_be_searched(cast):
    case = _register(
        "联系电话13912345678，楼上漏水",
        "我的身份证号110101199003071234，住在幸福路12号3单元401，请联系我。",
    )
    assert _found({"q": "漏水"}) == [case.number]
    assert _found({"q": "联系我"}) == [case.number]
    for personal in ("13912345678", "1391234", "110101199003071234", "幸福路12号"):
        assert _found({"q": personal}) == [], personal


def test_case_list_page_and_api_search_alike(cast, client):
    first = _register("噪音扰民")
    _register("路灯不亮")
    client.force_login(cast.dispatcher)
    page = client.get("/work/cases/", {"q": "噪"})
    assert [c.number for c in page.context["page"].object_list] == [first.number]
    api = APIClient()
    api.force_authenticate(user=cast.dispatcher)
    answer = api.get("/api/v1/cases", {"q": "噪"})
    assert [c["number"] for c in answer.json()["results"]] == [first.number]
    # A handler of another department finds nothing of it.
    client.force_login(cast.handler2)
    assert list(client.get("/work/cases/", {"q": "噪"}).context["page"].object_list) == []


def test_cases_without_search_documents_are_filled_in(cast):
    from django.core.management import call_command

    case = _register("噪音扰民")
    Case.objects.filter(pk=case.pk).update(search_subject="", search_text="")  # loaded raw
    search_index_rebuild()
    assert _found({"q": "噪音"}) == []
    call_command("search_documents_fill", verbosity=0)
    assert _found({"q": "噪音"}) == [case.number]


def test_a_case_read_whole_and_saved_is_still_found(cast):
    case = _register("噪音扰民", "晚上十一点以后还在施工。")
    whole = Case.objects.defer(None).get(pk=case.pk)  # the documents too, as a join reads them
    assert "噪音" in whole.search_subject
    whole.save()
    assert _found({"q": "噪音扰民"}) == [case.number]
    assert _found({"q": "十一点以后"}) == [case.number]


def test_a_keyword_search_counts_its_matches_up_to_its_own_cap(cast, client, monkeypatch):
    from minsheng.cases import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)  # 1,000 in use
    for _ in range(3):
        _register("噪音扰民")
    _register("路灯不亮")
    client.force_login(cast.dispatcher)
    page = client.get("/work/cases/", {"q": "噪音"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["page"].paginator.is_capped
    assert "2+ cases" in page.text
    assert len(page.context["page"].object_list) == 3  # the list itself is whole
    page = client.get("/work/cases/", HTTP_ACCEPT_LANGUAGE="en")
    assert not page.context["page"].paginator.is_capped  # other lists count to 10,000
    assert "4 cases" in page.text
    api = APIClient()
    api.force_authenticate(user=cast.dispatcher)
    answer = api.get("/api/v1/cases", {"q": "噪音"}).json()
    assert answer["count_is_capped"] is True
    assert len(answer["results"]) == 3


def test_one_character_is_found_wherever_it_stands_and_nowhere_else(cast):
    with time_machine.travel("2026-11-01 09:00 +08:00", tick=False):
        inside = _register("工地夜间施工噪音扰民")  # in the middle of a run
    with time_machine.travel("2026-11-02 09:00 +08:00", tick=False):
        at_the_end = _register("楼下的空调外机太噪，睡不着")  # the last of its run
    with time_machine.travel("2026-11-03 09:00 +08:00", tick=False):
        in_the_text = _register("小区环境问题", "广场舞音响的噪声很大。")  # newest, text only
    with time_machine.travel("2026-11-04 09:00 +08:00", tick=False):
        _register("路灯不亮", "某某路的路灯坏了一个多月。")
        loud = _register("音响太响", "广场舞扰民。")  # 音 and 扰, no 噪

    # The subject's matches first (newest first), then the text's.
    assert _found({"q": "噪"}) == [at_the_end.number, inside.number, in_the_text.number]
    assert _found({"q": "机"}) == [at_the_end.number]
    assert _found({"q": "广"}) == [loud.number, in_the_text.number]
    # A character and a word, both there.
    assert _found({"q": "噪 扰民"}) == [inside.number]
    # And with a filter: only the accepted one.
    perform(case=inside, action=Act.ACCEPT, actor=cast.intake)
    assert _found({"q": "噪", "state": "accepted"}) == [inside.number]
    assert _found({"q": "噪", "state": "submitted"}) == [at_the_end.number, in_the_text.number]


def test_the_re_index_migration_lets_one_character_find_old_documents(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "minsheng.cases.migrations.0016_search_documents_characters"
    )
    case = _register("工地夜间施工噪音扰民")
    # Written before the characters were indexed on their own: bigrams and run ends only.
    Case.objects.filter(pk=case.pk).update(
        search_subject="工地 地夜 夜间 间施 施工 工噪 噪音 音扰 扰民 民", search_text=""
    )
    search_index_rebuild()
    assert _found({"q": "噪"}) == []  # only where a run ends with it, before
    assert _found({"q": "噪音"}) == [case.number]

    migration.documents_rewrite(apps, None)

    assert _found({"q": "噪"}) == [case.number]
    assert _found({"q": "噪音扰民"}) == [case.number]
    assert _found({"q": "施工噪"}) == [case.number]
    assert _found({"q": "具"}) == [case.number]  # the text's document too
