import csv
import io

import pytest
from django.core.management import CommandError, call_command

from minsheng.routing import selectors
from minsheng.routing.models import RouterModel
from minsheng.routing.tests.conftest import needs_shared_data

ROWS = [
    ("a1", "小区物业乱收费，楼顶漏水无人修", "物业公司乱收停车费，楼顶漏水多次反映没人管。"),
    ("a2", "", "工厂夜里偷排污水，河里的鱼都死了，气味刺鼻。"),
    ("a3", "中学强制学生周末补课收费", ""),
    ("a4", "", ""),
    ("a5", '公交车，司机"拒载"老人', "多行\n正文, 带逗号"),
]

# The commands and services answer in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


def _write(path, header, rows, *, bom=True):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_classify_writes_one_suggestion_per_row_in_order(db, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(source, ["id", "subject", "body", "extra"], [(*r, "x") for r in ROWS])

    call_command("classify", str(source), str(target), stderr=io.StringIO())

    with target.open(encoding="utf-8", newline="") as f:
        out = list(csv.DictReader(f))
    labels = set(selectors.router_default().labels)
    assert [r["id"] for r in out] == [r[0] for r in ROWS]
    assert list(out[0]) == ["id", "category_l1", "confidence"]
    assert all(r["category_l1"] in labels for r in out)
    assert all(0 < float(r["confidence"]) <= 1 for r in out)
    assert [r["category_l1"] for r in out[:3]] == ["城乡建设", "环境保护", "教育文体"]
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_classify_names_the_missing_column(db, tmp_path):
    source = tmp_path / "in.csv"
    _write(source, ["id", "title", "body"], [("1", "x", "y")], bom=False)

    with pytest.raises(CommandError, match="missing column.*subject"):
        call_command("classify", str(source), str(tmp_path / "out.csv"))
    with pytest.raises(CommandError, match="No such file"):
        call_command("classify", str(tmp_path / "absent.csv"), str(tmp_path / "out.csv"))


@needs_shared_data
def test_train_router_refuses_a_worse_model_unless_forced(db, artifact_dir):
    out = io.StringIO()
    args = ["--no-feedback", "--limit-per-class", "6"]

    call_command("train_router", *args, stdout=out, stderr=io.StringIO())

    refused = RouterModel.objects.get()
    assert not refused.is_active
    assert "not activated" in out.getvalue()
    assert "dev (1158 rows): macro-F1" in out.getvalue()
    assert refused.dev_macro_f1 < selectors.router_default().metadata["dev"]["macro_f1"]
    assert selectors.router_active()[0] == selectors.DEFAULT_VERSION

    out = io.StringIO()
    call_command("train_router", *args, "--force", stdout=out, stderr=io.StringIO())

    forced = RouterModel.objects.get(is_active=True)
    assert "activated: forced" in out.getvalue()
    assert forced.path.startswith(str(artifact_dir))
    assert selectors.router_active()[0] == str(forced.pk)  # serving switches over
