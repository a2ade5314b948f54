import pytest
from django.core.exceptions import ValidationError

from minsheng.cases.models import Category
from minsheng.routing.models import RouterModel, RoutingFeedback
from minsheng.routing.services import (
    feedback_record,
    router_train,
    suggestion_for,
    training_set_build,
)
from minsheng.routing.tests.conftest import needs_shared_data

SUBJECT = "请求整治小区门口夜宵摊油烟"
BODY = "每天晚上小区门口的夜宵摊油烟很大，飘进居民家里，请有关部门处理。"

# The commands and services answer in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


def _correct(cast, topics, *, subject=SUBJECT, body=BODY, to="环境保护"):
    case = cast.submit(subject=subject, body=body).case
    suggestion = suggestion_for(subject=subject, body=body)
    smoke = Category.objects.create(name=f"油烟{case.pk}", level=2, parent=topics[to])
    return feedback_record(
        case=case, suggestion=suggestion, chosen_category=smoke, actor=cast.intake
    ), suggestion


def test_correction_is_stored_with_what_was_suggested(topics, cast):
    feedback, suggestion = _correct(cast, topics, to="卫生计生")

    stored = RoutingFeedback.objects.get()
    assert stored == feedback
    assert stored.suggested_label == suggestion.top.label
    assert stored.suggested_confidence == pytest.approx(suggestion.top.confidence)
    assert stored.suggested_source == "model"
    assert stored.chosen_by == cast.intake
    assert stored.is_correction is (suggestion.top.label != "卫生计生")


def test_confirmation_is_not_a_correction(topics, cast):
    case = cast.submit(subject="小区物业乱收费", body="物业公司乱收停车费，楼顶漏水也不修。").case
    suggestion = suggestion_for(subject=case.subject, body=case.body)
    chosen = topics[suggestion.top.label]

    feedback = feedback_record(
        case=case, suggestion=suggestion, chosen_category=chosen, actor=cast.intake
    )

    assert feedback.is_correction is False


def test_next_training_learns_the_corrected_label(topics, cast):
    _correct(cast, topics, to="卫生计生")
    # The latest choice for a case wins.
    case = cast.submit(subject="学校门口交通拥堵", body="放学时校门口车辆乱停").case
    for name in ["交通运输", "教育文体"]:
        feedback_record(case=case, suggestion=None, chosen_category=topics[name], actor=None)

    training = training_set_build(use_shared=False, use_feedback=True)

    assert training.feedback_rows == 2
    assert (SUBJECT, BODY) in training.texts
    assert training.labels[training.texts.index((SUBJECT, BODY))] == "卫生计生"
    assert training.labels[training.texts.index((case.subject, case.body))] == "教育文体"


def test_training_on_too_little_feedback_is_refused_clearly(topics, cast):
    _correct(cast, topics, to="卫生计生")

    with pytest.raises(ValidationError, match="two"):
        router_train(use_shared=False, use_feedback=True)
    assert not RouterModel.objects.exists()


@needs_shared_data
def test_training_with_feedback_records_it_in_the_model(topics, cast):
    _correct(cast, topics, to="卫生计生")

    result = router_train(use_shared=True, use_feedback=True, limit_per_class=8, force=True)

    sources = result.router_model.metadata["data"]
    assert sources[0]["file"] == "train.csv"
    assert sources[0]["rows"] == 7 * 8
    assert sources[1]["rows"] == 1
    assert result.router_model.metadata["rows"] == 7 * 8 + 1
    # The thresholds of automatic dispatch are chosen on the corrections too.
    assert result.router_model.metadata["held_out"]["rows"] == 7 * 8 + 1
    assert result.is_activated
