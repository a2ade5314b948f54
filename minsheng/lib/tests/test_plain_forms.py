"""Validation messages name the field by its label; long texts are counted, not cut."""

from django import forms
from django.utils import translation

from minsheng.lib.plain_forms import PlainForm


class Matter(PlainForm):
    subject = forms.CharField(label="标题", max_length=10)
    kind = forms.ChoiceField(label="诉求类型", choices=[("", "请选择"), ("complaint", "投诉")])
    body = forms.CharField(label="诉求内容", max_length=20, widget=forms.Textarea)
    email = forms.EmailField(label="电子邮箱", required=False)
    days = forms.IntegerField(label="天数", min_value=1, max_value=30, required=False)
    consent = forms.BooleanField(label="同意", error_messages={"required": "须经您同意。"})


def errors_of(data: dict[str, str], language: str) -> dict[str, list[str]]:
    with translation.override(language):
        form = Matter(data)
        form.is_valid()
        return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def test_messages_name_the_field_by_its_label_in_plain_chinese():
    errors = errors_of({"body": "长" * 23, "email": "not-an-address", "days": "99"}, "zh-hans")
    assert errors["subject"] == ["请填写“标题”。"]
    assert errors["kind"] == ["请选择“诉求类型”。"]
    assert errors["body"] == ["“诉求内容”最多 20 字，现在是 23 字，请删减。"]
    assert errors["email"] == ["“电子邮箱”不是有效的电子邮箱地址，格式如 name@example.com。"]
    assert errors["days"] == ["“天数”不能大于 30。"]
    assert errors["consent"] == ["须经您同意。"]  # a form's own message is kept
    assert not any("变量" in m or "字符" in m for ms in errors.values() for m in ms)


def test_messages_follow_the_language_of_the_moment():
    errors = errors_of({"body": "x" * 21}, "en")
    assert errors["subject"] == ["Fill in “标题”."]
    assert errors["body"] == ["“诉求内容” can be at most 20 characters long; it is 21 now."]


def test_a_long_text_is_counted_instead_of_cut_by_the_browser():
    html = str(Matter()["body"])
    assert 'data-maxlength="20"' in html
    assert "maxlength=" not in html.replace("data-maxlength", "")
    assert 'maxlength="10"' in str(Matter()["subject"])  # one line stays as it was
