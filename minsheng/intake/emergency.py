"""Words that suggest someone is in danger right now, and the emergency numbers to call.

A complaint form is the wrong place for an emergency: before such a text is sent the page
shows 110/119/120 prominently, and the case is registered as urgent.
"""

from django.utils.translation import gettext_lazy as _

# Each emergency number with what it is for and the words that point to it.
EMERGENCY_SERVICES: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    (
        "110",
        _("Police"),
        ("抢劫", "杀人", "持刀", "行凶", "绑架", "打架", "斗殴", "盗窃", "入室", "砍人", "报警"),
    ),
    ("119", _("Fire and rescue"), ("火灾", "着火", "起火", "失火", "爆炸", "被困", "燃气泄漏")),
    (
        "120",
        _("Ambulance"),
        ("急救", "晕倒", "昏迷", "车祸", "受伤", "流血", "中毒", "溺水", "心脏病", "救命"),
    ),
)


def emergency_numbers(*texts: str) -> list[str]:
    """The emergency numbers whose words occur in any of `texts`, in 110/119/120 order."""
    joined = " ".join(t for t in texts if t)
    return [
        number for number, _label, words in EMERGENCY_SERVICES if any(w in joined for w in words)
    ]


def emergency_context(numbers: list[str]) -> dict[str, object]:
    """What `portal/_emergency.html` needs: the numbers found and every service to show."""
    services = [(number, label, number in numbers) for number, label, _words in EMERGENCY_SERVICES]
    return {"emergency": numbers, "emergency_services": services}
