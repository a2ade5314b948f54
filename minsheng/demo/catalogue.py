"""The demo's reference data, written by hand: departments, topic categories, areas and the
demo staff. Data only; `demo.services` turns it into rows.
"""

from dataclasses import dataclass

from minsheng.accounts.models import Role

# Every demo login uses this password (DESIGN.md §7).
DEMO_PASSWORD = "minsheng-demo"  # noqa: S105 - a published demo password, not a secret

# The api_key a GeoReport v2 client uses against the demo (DESIGN.md §7).
DEMO_OPEN311_KEY = "demo-open311-key"
DEMO_OPEN311_NAME = "演示 Open311 客户端"

# The two departments whose staff have demo logins: cases that must go beyond `assigned`
# are led by one of these.
HOUSING = "housing"
ENVIRONMENT = "environment"


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    parent: str | None = None


CENTRE = "hotline-centre"

DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(CENTRE, "市12345热线中心"),
    DepartmentSpec(HOUSING, "市住房和城乡建设局", CENTRE),
    DepartmentSpec(ENVIRONMENT, "市生态环境局", CENTRE),
    DepartmentSpec("transport", "市交通运输局", CENTRE),
    DepartmentSpec("education", "市教育局", CENTRE),
    DepartmentSpec("human-resources", "市人力资源和社会保障局", CENTRE),
    DepartmentSpec("commerce", "市商务局", CENTRE),
    DepartmentSpec("health", "市卫生健康委员会", CENTRE),
    DepartmentSpec("market-regulation", "市市场监督管理局", CENTRE),
    DepartmentSpec("urban-management", "市城市管理局", CENTRE),
    DepartmentSpec("public-security", "市公安局", CENTRE),
    DepartmentSpec("natural-resources", "市自然资源和规划局", CENTRE),
    DepartmentSpec("civil-affairs", "市民政局", CENTRE),
    DepartmentSpec("agriculture", "市农业农村局", CENTRE),
    DepartmentSpec("industry-it", "市工业和信息化局", CENTRE),
    DepartmentSpec("discipline", "市纪委监委", CENTRE),
    DepartmentSpec("chengdong", "城东区人民政府", CENTRE),
    DepartmentSpec("chengdong-xinhua", "城东区新华街道办事处", "chengdong"),
)


@dataclass(frozen=True)
class CategorySpec:
    """A second-level topic, its third-level children, and the department when it differs
    from its first-level parent's."""

    name: str
    children: tuple[str, ...]
    department: str | None = None


# The 15 first-level topics of the official tree, each with the department that usually
# handles it, and a few second- and third-level topics under each.
CATEGORIES: tuple[tuple[str, str, tuple[CategorySpec, ...]], ...] = (
    (
        "城乡建设",
        HOUSING,
        (
            CategorySpec("物业管理", ("物业服务质量", "物业费收取", "专项维修资金")),
            CategorySpec("建筑施工", ("夜间施工扰民", "施工安全", "工程质量")),
            CategorySpec(
                "市容环卫", ("垃圾清运", "占道经营", "违章搭建"), department="urban-management"
            ),
            CategorySpec("供水供气", ("停水停气", "水质问题")),
        ),
    ),
    (
        "环境保护",
        ENVIRONMENT,
        (
            CategorySpec("大气污染", ("工业废气", "餐饮油烟", "扬尘污染")),
            CategorySpec("噪声污染", ("社会生活噪声", "工业噪声")),
            CategorySpec("水污染", ("河道污染", "污水直排")),
        ),
    ),
    (
        "交通运输",
        "transport",
        (
            CategorySpec("公共交通", ("公交线路调整", "公交服务质量", "公交站点设置")),
            CategorySpec("出租车与网约车", ("拒载绕路", "网约车服务")),
            CategorySpec("道路养护", ("道路破损", "井盖缺失")),
        ),
    ),
    (
        "教育文体",
        "education",
        (
            CategorySpec("入学招生", ("义务教育入学", "学区划分")),
            CategorySpec("校外培训", ("培训机构退费", "违规办学")),
            CategorySpec("文体设施", ("健身设施", "公共图书馆")),
        ),
    ),
    (
        "劳动和社会保障",
        "human-resources",
        (
            CategorySpec("劳动关系", ("拖欠工资", "劳动合同")),
            CategorySpec("社会保险", ("养老保险", "医保报销", "社保转移")),
            CategorySpec("就业创业", ("就业补贴", "职业培训")),
        ),
    ),
    (
        "商贸旅游",
        "commerce",
        (
            CategorySpec("消费维权", ("预付卡退费", "商品质量"), department="market-regulation"),
            CategorySpec("旅游服务", ("景区管理", "旅行社纠纷")),
            CategorySpec("商业网点", ("农贸市场管理", "商场经营")),
        ),
    ),
    (
        "卫生计生",
        "health",
        (
            CategorySpec("医疗服务", ("看病排队", "医疗纠纷", "医德医风")),
            CategorySpec("公共卫生", ("疫苗接种", "病媒防治")),
            CategorySpec("生育服务", ("生育登记", "托育服务")),
        ),
    ),
    (
        "党务政务",
        "chengdong",
        (
            CategorySpec("政务服务", ("办事效率", "窗口服务态度")),
            CategorySpec("政务公开", ("信息公开申请",)),
            CategorySpec("机关作风", ("工作人员作风",)),
        ),
    ),
    (
        "国土资源",
        "natural-resources",
        (
            CategorySpec("土地管理", ("土地征收", "违法占地")),
            CategorySpec("不动产登记", ("不动产证办理", "登记信息错误")),
            CategorySpec("规划管理", ("规划调整", "违规建设")),
        ),
    ),
    (
        "纪检监察",
        "discipline",
        (
            CategorySpec("违纪违法举报", ("公职人员违纪", "吃拿卡要")),
            CategorySpec("作风问题", ("四风问题",)),
        ),
    ),
    (
        "经济管理",
        "market-regulation",
        (
            CategorySpec("市场秩序", ("价格违法", "无照经营")),
            CategorySpec("食品药品安全", ("餐饮食品安全", "药品质量")),
            CategorySpec("特种设备", ("电梯安全",)),
        ),
    ),
    (
        "科技与信息产业",
        "industry-it",
        (
            CategorySpec("通信服务", ("手机信号差", "宽带服务")),
            CategorySpec("信息安全", ("骚扰电话", "个人信息泄露")),
        ),
    ),
    (
        "民政",
        "civil-affairs",
        (
            CategorySpec("社会救助", ("低保申请", "临时救助")),
            CategorySpec("养老服务", ("养老机构", "高龄津贴")),
            CategorySpec("婚姻殡葬", ("婚姻登记", "殡葬服务")),
        ),
    ),
    (
        "农村农业",
        "agriculture",
        (
            CategorySpec("农业生产", ("农资质量", "农业补贴")),
            CategorySpec("农村管理", ("农村人居环境", "宅基地")),
        ),
    ),
    (
        "政法",
        "public-security",
        (
            CategorySpec("治安管理", ("治安隐患", "电信诈骗")),
            CategorySpec("交通管理", ("违章停车", "交通信号灯")),
            CategorySpec("户籍管理", ("户口迁移", "身份证办理")),
        ),
    ),
)


# District → street → communities. Codes follow the pattern CD, CD01, CD0101.
AREAS: tuple[tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "CD",
        "城东区",
        (
            ("新华街道", ("新华社区", "光明社区", "和平社区")),
            ("东湖街道", ("东湖社区", "梧桐社区")),
            ("龙泉街道", ("龙泉社区", "青石社区", "桃园社区")),
        ),
    ),
    (
        "CX",
        "城西区",
        (
            ("解放街道", ("解放社区", "红星社区")),
            ("西湖街道", ("西湖社区", "柳岸社区", "荷花社区")),
            ("长乐街道", ("长乐社区", "永安社区")),
        ),
    ),
    (
        "GX",
        "高新区",
        (
            ("科技城街道", ("创新社区", "未来社区", "智慧社区")),
            ("滨江街道", ("滨江社区", "金沙社区")),
        ),
    ),
)


@dataclass(frozen=True)
class StaffSpec:
    """One demo login."""

    username: str
    full_name: str
    role: Role
    department: str | None = None


# DESIGN.md §7 names these logins. `head2` exists because a result of the environment
# bureau needs the approval of that bureau's own head.
STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("intake", "李晓燕", Role.INTAKE),
    StaffSpec("dispatcher", "王建国", Role.DISPATCHER),
    StaffSpec("handler", "张明", Role.HANDLER, HOUSING),
    StaffSpec("handler2", "陈静", Role.HANDLER, ENVIRONMENT),
    StaffSpec("head", "刘志强", Role.HEAD, HOUSING),
    StaffSpec("head2", "赵丽华", Role.HEAD, ENVIRONMENT),
    StaffSpec("supervisor", "孙伟", Role.SUPERVISOR),
    StaffSpec("leader", "周国平", Role.LEADER),
    StaffSpec("admin", "吴晓东", Role.ADMIN),
    StaffSpec("auditor", "郑海燕", Role.AUDITOR),
)
