import json

import pytest

from minsheng.routing import model, selectors


@pytest.fixture(scope="module")
def shipped():
    return model.load(selectors.DEFAULT_ARTIFACT)


def test_shipped_model_loads_with_its_scores_and_provenance(shipped):
    sidecar = json.loads(
        model.metadata_path(selectors.DEFAULT_ARTIFACT).read_text(encoding="utf-8")
    )

    assert shipped.metadata == sidecar
    assert len(shipped.labels) == 7
    assert sidecar["data"][0]["file"] == "train.csv"
    assert len(sidecar["data"][0]["sha256"]) == 64
    assert sidecar["dev"]["macro_f1"] > 0.9
    assert set(sidecar["dev"]["per_class_f1"]) == set(shipped.labels)
    assert "scikit-learn" in sidecar["libraries"]
    # Small enough to commit.
    assert selectors.DEFAULT_ARTIFACT.stat().st_size < 15 * 2**20


def test_predict_top_ranks_labels_for_a_school_complaint(shipped):
    top = shipped.predict_top(
        "学校违规补课乱收费", "某中学周末强制学生补课，每人收取补课费八百元。", k=2
    )

    assert top[0][0] == "教育文体"
    assert len(top) == 2
    assert top[0][1] >= top[1][1]


def test_training_refuses_a_label_with_one_example():
    texts = [("噪音扰民", "工地夜间施工"), ("噪声", "广场舞音响太吵"), ("学校收费", "补课费")]

    with pytest.raises(ValueError, match="教育文体"):
        model.train(texts, ["环境保护", "环境保护", "教育文体"])


def test_saved_artifact_loads_back_the_same_answers(tmp_path):
    texts = [
        ("工地噪音扰民", "夜间施工噪音很大"),
        ("广场舞噪声", "音响太吵影响休息"),
        ("河道污染", "工厂向河里排放污水"),
        ("学校乱收费", "补课费太高"),
        ("教师工资", "乡村教师工资拖欠"),
        ("学生午餐", "学校食堂饭菜质量差"),
    ]
    labels = ["环境保护"] * 3 + ["教育文体"] * 3
    router = model.Router(pipeline=model.train(texts, labels), metadata={"note": "tiny"})

    path = model.save(router, tmp_path / "tiny.skops")
    loaded = model.load(path)

    assert loaded.metadata["note"] == "tiny"
    assert loaded.metadata["params"]["subject_repeat"] == model.DEFAULT_PARAMS["subject_repeat"]
    assert loaded.predict_top("噪音", "晚上施工", k=2) == router.predict_top(
        "噪音", "晚上施工", k=2
    )
