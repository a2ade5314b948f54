"""Plausible Chinese words for the demo: names, phone numbers, places, companies, and what
staff write at each step. Every choice is drawn from the `random.Random` passed in, so a
seed gives the same data set every time.
"""

from dataclasses import dataclass
from random import Random

from minsheng.cases.models import Complainant, Rating
from minsheng.cases.services import PersonInput
from minsheng.demo.topics import Topic

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "玉兰",
    "国庆",
    "春梅",
    "子涵",
    "浩然",
    "雨欣",
    "思远",
    "婷婷",
    "建军",
    "丽娟",
    "文博",
    "佳怡",
    "红梅",
]
PHONE_PREFIXES = ("138", "139", "137", "136", "135", "150", "151", "158", "186", "187", "188")

SLOT_CHOICES: dict[str, tuple[str, ...]] = {
    "estate": (
        "阳光花园",
        "锦绣华庭",
        "翠湖苑",
        "金色家园",
        "滨江一号",
        "书香门第",
        "幸福里",
        "和平新村",
        "梧桐院",
        "海棠湾",
        "紫荆城",
        "春华小区",
    ),
    "road": (
        "人民路",
        "解放大道",
        "中山路",
        "建设路",
        "光明街",
        "长江路",
        "黄河路",
        "文化路",
        "青年路",
        "滨河路",
    ),
    "builder": ("恒达建设工程有限公司", "城建集团第三工程公司", "宏远建筑安装有限公司"),
    "developer": ("华府置业有限公司", "锦程房地产开发有限公司", "盛世地产集团"),
    "property_co": ("鑫源物业服务有限公司", "安居物业管理有限公司", "万家物业服务公司"),
    "restaurant": ("老王烧烤店", "川味小厨", "好再来餐馆", "湘里人家饭店", "阿强火锅店"),
    "factory": ("宏发化工有限公司", "东方印染厂", "精工金属表面处理厂", "新材料科技有限公司"),
    "school": ("实验小学", "育才小学", "光明小学", "第二实验小学"),
    "hospital": ("市第一人民医院", "市中医院", "市妇幼保健院", "城东区人民医院"),
    "employer": ("鸿运电子厂", "顺达物流有限公司", "美佳装饰工程公司", "华宇服装厂"),
    "training": ("启航教育培训中心", "博学英语", "小天才艺术培训学校"),
    "shop": ("惠民超市", "美丽人生美容院", "动感健身房", "洁亮洗车店"),
    "carrier": ("中国移动", "中国联通", "中国电信"),
    "hour": ("晚上十点半", "晚上十一点", "凌晨一点", "凌晨两点"),
    "day_part": ("昨天晚上", "前天下午", "今天早上", "上周五晚上"),
}
AMOUNTS = (3200, 4500, 5800, 6600, 8000, 12000, 15600, 26800)


def person_name(rng: Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def phone_number(rng: Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def slots_for(rng: Random, *, district: str, street: str, community: str) -> dict[str, str]:
    """One value for every slot a topic may use."""
    values = {name: rng.choice(choices) for name, choices in SLOT_CHOICES.items()}
    values["road2"] = rng.choice([r for r in SLOT_CHOICES["road"] if r != values["road"]])
    values.update(
        district=district,
        street=street,
        community=community,
        bus=f"{rng.randint(1, 128)}路",
        building=str(rng.randint(1, 24)),
        months=str(rng.randint(2, 6)),
        amount=str(rng.choice(AMOUNTS)),
    )
    return values


@dataclass(frozen=True)
class Wording:
    """A topic's text with its slots filled in for one case."""

    subject: str
    body: str
    desired: str
    respondent: str
    location: str
    facts: str
    basis: str
    measures: str
    outcome: str
    answer: str


def wording_for(topic: Topic, slots: dict[str, str]) -> Wording:
    """Fill the topic's slots; a department's answer falls back to plain wording."""
    subject = topic.subject.format(**slots)
    return Wording(
        subject=subject,
        body=topic.body.format(**slots),
        desired=topic.desired.format(**slots),
        respondent=topic.respondent.format(**slots),
        location=topic.location.format(**slots),
        facts=(topic.facts or "经调查核实，诉求人反映的“{subject}”问题基本属实。").format(
            **slots, subject=subject
        ),
        basis=topic.basis or "依据相关法律法规及本市12345热线诉求办理规定。",
        measures=(topic.measures or "已责成相关单位限期整改，并安排专人跟踪落实。").format(**slots),
        outcome=topic.outcome or "问题已得到处理，办理结果已电话告知诉求人。",
        answer=topic.answer.format(**slots),
    )


def people_for(
    rng: Random, *, count: int, channel_is_email: bool, address: str
) -> list[PersonInput]:
    """`count` complainants; a group gets one or two representatives."""
    representatives = 0 if count < 5 else rng.choice((1, 1, 2))
    people = []
    for index in range(count):
        name = person_name(rng)
        email = f"user{rng.randrange(10**6):06d}@example.cn" if channel_is_email else ""
        people.append(
            PersonInput(
                name=name,
                phone=phone_number(rng),
                email=email,
                address=address if index == 0 else "",
                is_representative=index < representatives,
                contact_by=Complainant.Contact.EMAIL if email else Complainant.Contact.SMS,
            )
        )
    return people


# What people write at each step: a few variants each, `{...}` filled from the case's slots.
REQUEST_INFO = (
    "请补充问题发生的具体地点和现场照片，以便核实。",
    "请补充被反映单位的名称和联系方式。",
    "请说明问题发生的具体时间段，并提供相关票据或合同。",
)
SUPPLEMENT = (
    "已补充现场照片，具体地点是{location}。",
    "补充说明：问题每天都会发生，相关票据已拍照上传。",
    "被反映单位是{respondent}，负责人电话已附上。",
)
ACCEPT_NOTE = ("诉求清楚，予以受理。", "", "", "已电话核实诉求内容，予以受理。")
REJECT = (
    "该事项已进入诉讼程序，不属于热线受理范围，请通过司法途径解决。",
    "诉求内容不具体，多次联系诉求人未果，无法核实。",
    "该事项属于民事纠纷，建议通过人民调解或诉讼途径解决。",
)
TRANSFER = (
    ("市中级人民法院", "该事项涉及法院判决执行，经诉求人同意转送法院。"),
    ("国家税务总局本市税务局", "涉税事项，经诉求人同意转送税务部门。"),
    ("市供电公司", "供电抢修事项，经诉求人同意转送供电公司。"),
    ("市消防救援支队", "消防隐患事项，经诉求人同意转送消防部门。"),
)
ASSIGN_NOTE = ("请按期办理。", "", "同类问题近期反映较多，请重点关注。", "请会同相关单位联合处置。")
# A department that says "not ours": the first names the competent one, a second the overlap.
RETURN_NOT_OURS = "经核实，该事项属于{proper}职责范围，非我局职责，申请退回重新分拨。"
RETURN_SHARED = "该事项同时涉及{other}职责，建议明确牵头单位，申请退回。"
FINAL_ASSIGN = "经会商研判，由{lead}牵头办理，本次为最终分拨。"
SIGN_NOTE = ("已签收，马上办理。", "", "")
PLAN = (
    "三个工作日内到现场核查，约谈责任单位，督促整改并回访诉求人。",
    "联合街道、社区开展现场检查，制定整改方案，限期整改后组织复查。",
    "调取相关材料核实情况，约谈{respondent}负责人，整改完成后电话回访。",
)
PROGRESS = (
    "已到现场核实情况，正在协调相关单位处理。",
    "已约谈责任单位负责人，整改方案正在制定中，请耐心等待。",
    "整改工作已经开始，预计下周完成，届时将回复您。",
)
NOTES = (
    "已电话联系诉求人，核实了具体地址。",
    "诉求人情绪较激动，办理时注意沟通方式。",
    "同类问题本月已多次反映，建议列入重点关注。",
    "已调阅历史工单，去年曾有相同诉求。",
)
URGING = (
    "【催办】该件已临近办理时限，请加快办理。",
    "【督办】该件已超期，请于两个工作日内报送办理结果。",
)
CO_REPORT = (
    "我局已配合开展联合执法检查，检查情况已反馈牵头单位。",
    "我局职责范围内的部分已办理完毕，相关材料已报牵头单位。",
)
EXTENSION = (
    "涉及多个部门协调，现场整改需要较长时间，申请延期。",
    "需要委托第三方检测，检测周期较长，申请延期。",
)
EXTENSION_APPROVE = ("同意延期，请在延长期限内办结。", "")
EXTENSION_REFUSE = ("延期理由不充分，请按原时限办结。",)
MEDIATION_AGREEMENT = (
    "经调解，双方达成协议：{respondent}同意限期整改并承担相应费用，双方已签字确认。"
)
MEDIATION_PARTIES = "诉求人；{respondent}"
MEDIATION_FAILED = "经调解，双方未能达成一致，已告知诉求人可通过诉讼途径解决。"
SEND_BACK = ("答复五要素不完整，请补充法律依据后重新报送。", "整改时限表述不明确，请修改。")
LEADER_SEND_BACK = ("本件为重大事项，请补充后续长效管理措施。",)
APPROVE_NOTE = ("同意答复。", "", "")
REMEDY = (
    "如对答复不满意，可在收到答复之日起15个工作日内申请复查；也可依法申请行政复议或提起行政诉讼。"
)
RATING_NOTES: dict[str, tuple[str, ...]] = {
    Rating.SATISFIED: ("处理很及时，谢谢！", "问题已经解决，非常满意。", ""),
    Rating.FAIRLY_SATISFIED: ("问题基本解决了。", "处理结果还可以，就是时间有点长。", ""),
    Rating.NEUTRAL: ("答复了，但问题没有完全解决。", ""),
    Rating.POOR: ("问题根本没有解决，不满意。", "答复内容与实际情况不符。"),
}
APPEAL = (
    "问题没有得到实际解决，要求复查。",
    "答复内容与事实不符，要求重新调查。",
    "整改只持续了两天，现在又恢复原样了。",
)
REVIEW_REDO = ("经复查，原办理结果未解决诉求人实际问题，责成承办单位重新办理。",)
REVIEW_UPHOLD = ("经复查，原答复事实清楚、依据充分、处理得当，维持原答复。",)
CLOSE_NOTE = ("诉求人在复查期限内未申请复查，予以办结。",)
ARCHIVE_NOTE = ("材料齐全，予以归档。", "")
DUPLICATE_ARCHIVE = "重复件，随主件归档。"
MERGE_NOTE = "与{number}反映的是同一问题，予以并案办理。"
