"""Personal data in free text: what is recognised, what is left alone, how it is masked."""

import pytest

from minsheng.lib.pii import PiiKind, id_number_is_valid, pii_find, pii_mask

FOUND = [
    ("联系电话13912345678", PiiKind.MOBILE, "13912345678"),
    ("手机：139-1234-5678，谢谢", PiiKind.MOBILE, "139-1234-5678"),
    ("请打 139 1234 5678", PiiKind.MOBILE, "139 1234 5678"),
    ("+86 13912345678", PiiKind.MOBILE, "+86 13912345678"),
    ("座机010-62345678转123", PiiKind.LANDLINE, "010-62345678转123"),
    ("电话(0755)2345678", PiiKind.LANDLINE, "(0755)2345678"),
    ("打021 6123 4567找我", PiiKind.LANDLINE, "021 6123 4567"),
    ("身份证号110101199003071234", PiiKind.ID_NUMBER, "110101199003071234"),
    ("号码110101199003071233，", PiiKind.ID_NUMBER, "110101199003071233"),
    ("证件号码11010519491231002X。", PiiKind.ID_NUMBER, "11010519491231002X"),
    ("邮箱zhang.wei+gov@example.com.cn回复", PiiKind.EMAIL, "zhang.wei+gov@example.com.cn"),
    ("住在朝阳区建国路12号3单元401", PiiKind.ADDRESS, "朝阳区建国路12号3单元401"),
    ("家住幸福小区5栋2单元302室，", PiiKind.ADDRESS, "幸福小区5栋2单元302室"),
    ("地址是平安里三号楼1单元", PiiKind.ADDRESS, "平安里三号楼1单元"),
]

LEFT_ALONE = [
    "案件编号MS-20261122-000123已受理",
    "请拨打12345热线或110报警",
    "2024年3月7日晚上十一点",
    "发生在2024-03-07 23:15，20240307",
    "罚款13800000000.00元",
    "涉及金额13912345678元",
    "￥12,345.00",
    "订单号202403071234567890",  # 18 digits, not an ID number (no valid birth date / check)
    "编号110101199003071235",  # wrong check digit, and not announced as an ID
    "工地每天晚上施工到十一点，噪音很大",
    "小区有3栋楼没有物业",
    "时间 13:45，温度 38 度",
]


@pytest.mark.parametrize(("text", "kind", "expected"), FOUND)
def test_personal_data_in_text_is_found(text, kind, expected):
    found = pii_find(text)
    assert [(m.kind, m.text) for m in found] == [(kind, expected)]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_case_numbers_dates_money_and_hotlines_are_left_alone(text):
    assert pii_find(text) == []
    assert pii_mask(text) == text


def test_masking_keeps_the_rest_of_the_text():
    text = (
        "联系电话13912345678，身份证号110101199003071234，"
        "住在朝阳区建国路12号3单元401，邮箱zw@example.cn"
    )
    masked = pii_mask(text)
    assert masked == "联系电话139****5678，身份证号***，住在***，邮箱z***@***"
    assert pii_mask("") == ""


def test_id_number_check_digit():
    assert id_number_is_valid("110101199003071233")
    assert id_number_is_valid("11010519491231002x")
    assert not id_number_is_valid("110101199013071234")  # month 13
    assert not id_number_is_valid("110101199003071234")
