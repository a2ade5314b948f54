"""Operating points for automatic dispatch (`selectors.operating_point_for`): from the
serving model's held-out predictions, per label, per version, cached."""

import pytest

from minsheng.routing import calibration, model, selectors
from minsheng.routing.models import RouterModel
from minsheng.routing.services import TrainingSet, held_out_metadata


def _tiny(tmp_path, *, with_held_out: bool) -> RouterModel:
    texts = [
        ("工地噪音扰民", "夜间施工噪音很大"),
        ("广场舞噪声", "音响太吵影响休息"),
        ("河道污染", "工厂向河里排放污水"),
        ("学校乱收费", "补课费太高"),
        ("教师工资", "乡村教师工资拖欠"),
        ("学生午餐", "学校食堂饭菜质量差"),
    ]
    labels = ["环境保护"] * 3 + ["教育文体"] * 3
    router = model.Router(pipeline=model.train(texts, labels))
    if with_held_out:
        training = TrainingSet(texts=texts, labels=labels, sources=[{"file": "tiny"}])
        router.metadata["held_out"] = held_out_metadata(router=router, training=training)
    path = model.save(router, tmp_path / f"tiny-{with_held_out}.skops")
    return RouterModel.objects.create(
        path=str(path), metadata=router.metadata, created_at="2026-12-01T00:00:00Z"
    )


def test_serving_models_point_comes_from_its_held_out_predictions_per_label(
    db, tmp_path, django_assert_num_queries
):
    shipped = calibration.held_out_decode(selectors.router_default().metadata["held_out"])

    point = selectors.operating_point_for(precision=0.98)
    housing = selectors.operating_point_for(precision=0.98, label="城乡建设")
    unknown = selectors.operating_point_for(precision=0.98, label="no such topic")

    assert point == calibration.operating_point(shipped.confidence, shipped.correct, precision=0.98)
    assert point.rows == shipped.rows
    assert 0.5 < point.share < 1
    assert point.threshold is not None
    assert 0 < point.threshold < 1
    assert point.errors_per_thousand <= 20
    assert housing.rows == int((shipped.predicted == shipped.labels.index("城乡建设")).sum())
    assert housing.threshold != point.threshold
    assert unknown.threshold is None
    assert unknown.rows == 0
    with django_assert_num_queries(1):  # which model serves; the rest is cached
        assert selectors.operating_point_for(precision=0.98, label="城乡建设") == housing
    with pytest.raises(ValueError, match="precision"):
        selectors.operating_point_for(precision=1.5)


def test_point_follows_the_active_version_and_a_model_without_held_out_dispatches_nothing(
    db, tmp_path
):
    old = _tiny(tmp_path, with_held_out=False)
    new = _tiny(tmp_path, with_held_out=True)

    assert selectors.operating_point_for(precision=0.98, version=str(old.pk)).threshold is None
    by_version = selectors.operating_point_for(precision=0.5, version=str(new.pk))
    assert by_version.rows == 6
    RouterModel.objects.filter(pk=new.pk).update(is_active=True)
    assert selectors.operating_point_for(precision=0.5) == by_version
    with pytest.raises(ValueError, match="No router model"):
        selectors.operating_point_for(precision=0.98, version="999999")
