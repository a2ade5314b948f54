from minsheng.cases.models import Category
from minsheng.routing import selectors
from minsheng.routing.models import RoutingRule
from minsheng.routing.services import Source, suggestion_for

HOUSING_SUBJECT = "小区物业乱收费，楼顶漏水多年无人维修"
HOUSING_BODY = (
    "我们小区的物业公司长期乱收物业费和停车费，楼顶防水层破损，下雨天家里漏水严重，"
    "多次向物业和开发商反映都没有人来维修，请住建部门督促解决。"
)


def test_shipped_model_suggests_housing_for_a_housing_complaint(db, topics, cast):
    suggestion = suggestion_for(subject=HOUSING_SUBJECT, body=HOUSING_BODY)

    assert suggestion.source == Source.MODEL
    assert suggestion.model_version == selectors.DEFAULT_VERSION
    assert suggestion.top.label == "城乡建设"
    assert suggestion.top.category == topics["城乡建设"]
    assert suggestion.top.department == cast.housing


def test_top_three_are_sorted_probabilities_that_sum_to_at_most_one(db, topics):
    for subject, body in [
        (HOUSING_SUBJECT, HOUSING_BODY),
        ("", ""),
        ("孩子上学难", ""),
        ("", "医院收费不合理，医保报销比例太低"),
    ]:
        choices = suggestion_for(subject=subject, body=body).choices

        confidences = [c.confidence for c in choices]
        assert len(choices) == 3
        assert len({c.label for c in choices}) == 3
        assert confidences == sorted(confidences, reverse=True)
        assert all(0 <= p <= 1 for p in confidences)
        assert sum(confidences) <= 1 + 1e-9


def test_label_without_a_category_row_still_suggests_the_label(db):
    choice = suggestion_for(subject=HOUSING_SUBJECT, body=HOUSING_BODY).top

    assert choice.label == "城乡建设"
    assert choice.category is None
    assert choice.department is None


def test_keyword_rule_overrides_the_model_and_says_so(db, topics, cast):
    noise = Category.objects.create(name="噪音污染", level=2, parent=topics["环境保护"])
    rule = RoutingRule.objects.create(keywords="噪音\n噪声", category=noise, priority=1)
    RoutingRule.objects.create(keywords="物业", category=topics["城乡建设"], priority=5)
    RoutingRule.objects.create(keywords="漏水", category=topics["交通运输"], is_active=False)
    subject = "楼下物业装修噪音扰民"

    suggestion = suggestion_for(subject=subject, body=HOUSING_BODY)

    assert suggestion.source == Source.RULE
    assert suggestion.rule == rule
    assert suggestion.top.label == "环境保护"
    assert suggestion.top.category == noise
    assert suggestion.top.department == cast.environment  # inherited from the level-1 topic
    assert [c.label for c in suggestion.choices].count("环境保护") == 1
    assert len(suggestion.choices) == 3

    # Without a matching active rule the model decides again.
    rule.is_active = False
    rule.save(update_fields=["is_active"])
    RoutingRule.objects.filter(keywords="物业").update(is_active=False)
    assert suggestion_for(subject=subject, body=HOUSING_BODY).source == Source.MODEL
