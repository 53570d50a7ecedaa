"""The demo's seven 一件事 as written: the entries they take (by department and basic code, resolved to
entry codes when loading by `demo.bundles`), their questions, members, field maps and materials
that are one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- The entries, by department and basic code ----------------------------------------------------

REGISTER_SHOP = ("chengguan_market", "150101002001")  # 个体工商户设立登记
REGISTER_COMPANY = ("chengguan_market", "150101001001")  # 企业设立登记
FOOD = ("chengguan_market", "150101003000")  # 食品经营许可
SIGN = ("city_urban_management", "150101801000")  # 户外招牌设置审批
FIRE = ("city_fire", "150101601000")  # 公众聚集场所投入使用、营业前消防安全检查
HOTEL = ("city_public_security", "150100106000")  # 旅馆业特种行业许可
HYGIENE = ("city_health", "150100203000")  # 公共场所卫生许可
FIREWORKS = ("city_emergency", "150101701000")  # 烟花爆竹零售经营许可
FUND_UNIT = ("city_housing_fund", "152000611000")  # 住房公积金单位缴存登记
EMPLOYMENT = ("city_hrss", "152000121000")  # 就业登记
BIRTH_CERTIFICATE = ("city_health", "152000201000")  # 出生医学证明签发
BIRTH_REGISTRATION = ("city_public_security", "150700102001")  # 户口登记（出生登记）
SOCIAL_CARD = ("chengguan_service", "152000401000")  # 社会保障卡申领
RESIDENT_MEDICAL = ("chengguan_service", "152000501000")  # 城乡居民基本医疗保险参保登记
MATERNITY = ("city_medical_security", "150500141000")  # 生育保险待遇核定与支付
RETIREMENT = ("chengguan_service", "150700403000")  # 职工正常退休申请
PENSION_TRANSFER = ("city_hrss", "152000127000")  # 职工基本养老保险关系转移接续
FUND_WITHDRAWAL = ("city_housing_fund", "152000601000")  # 住房公积金提取
REMOTE_MEDICAL = ("chengguan_service", "152000502000")  # 异地就医备案
PROPERTY_TRANSFER = ("city_natural_resources", "150700701002")  # 不动产转移登记
FUND_LOAN = ("city_housing_fund", "152000602000")  # 住房公积金个人住房贷款
HOUSEHOLD_MOVE = ("city_public_security", "150700117000")  # 户口迁移登记（市内迁移）

Key = tuple[str, str]

# --- Pieces of definitions --------------------------------------------------------------------------


def _is(question: str, value: str) -> dict[str, Any]:
    return {"question": question, "equals": value}


def _above(question: str, number: float) -> dict[str, Any]:
    return {"question": question, "above": number}


def _options(*pairs: tuple[str, str]) -> dict[str, Any]:
    """A combined choice narrowed to the options this bundle needs (a member's choice offers at
    least these, so its value is always one the member accepts)."""
    return {"options": [{"value": v, "label": label} for v, label in pairs]}


# The enterprise block of a permit's form, for the operator who applies in their own name: one
# applicant, one name of the shop, and the code the 营业执照 assigned.
AS_OPERATOR = {
    "enterprise_name": "shop_name",
    "uscc": "licence.uscc",
    "legal_representative": "applicant_name",
    "agent_name": "applicant_name",
    "agent_id_number": "applicant_id_number",
}
# The company registration's form onto the same combined fields: the applicant founds the company
# and is its legal representative; the new company has no code yet.
COMPANY_AS_SHOP = {
    "enterprise_name": "shop_name",
    "company_name": "shop_name",
    "uscc": "",
    "legal_representative": "applicant_name",
    "agent_name": "applicant_name",
    "agent_id_number": "applicant_id_number",
    "company_address": "shop_address",
    "registered_capital": "capital",
}
BUSINESS_FORM = {
    "code": "business_form",
    "text": "以什么形式经营？",
    "kind": "choice",
    "options": [
        {"value": "individual", "label": "个体工商户（个人或家庭经营）"},
        {"value": "company", "label": "开办公司（有限责任公司等）"},
    ],
    "help": "个体工商户由经营者本人申请，当场领取营业执照；开办公司的营业执照一个工作日内办结。",
}
SIGNBOARD = {"code": "signboard", "text": "是否在门头设置招牌？", "kind": "yes_no"}
REGISTRATIONS = [
    {"entry": REGISTER_SHOP, "when": [_is("business_form", "individual")]},
    {"entry": REGISTER_COMPANY, "when": [_is("business_form", "company")]},
]
AFTER_REGISTRATION = [REGISTER_SHOP, REGISTER_COMPANY]
SHOP_FIELDS = {
    "shop_name": {
        "label": "字号名称",
        "help": "个体工商户的字号（如：城关区张三面馆），或已自主申报的公司名称；许可证和招牌上的名称与此一致。",
    },
    "shop_address": {"label": "经营场所"},
    "capital": {"label": "资金数额或注册资本（万元）"},
    "area": {"label": "经营场所面积（平方米）"},
}
PREMISES_PROOF = ["经营场所使用证明", "建筑物产权或使用权证明"]


@dataclass(frozen=True)
class Spec:
    """One bundle as written here: entries by key, resolved when loading."""

    code: str
    name: str
    plain_title: str
    aliases: list[str]
    summary: str
    questions: list[dict[str, Any]]
    members: list[dict[str, Any]]
    map: dict[Key, dict[str, str]] = field(default_factory=dict)
    same_materials: list[list[str]] = field(default_factory=list)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # combined field overrides
    joint_extension: int = 0
    audience: str = "person"
    division: str = "159902"


BUNDLES: list[Spec] = [
    Spec(
        code="open-restaurant",
        name="我要开饭店",
        plain_title="开饭店、开餐馆一次办",
        aliases=["开饭店", "开餐馆", "开小吃店", "开面馆", "餐饮店开业", "餐饮许可"],
        summary=(
            "在城关区开饭店、小吃店：营业执照、食品经营许可证、门头招牌审批和开业前消防安全检查一次申请。"
            "回答几个问题，只看到要办的事项和要交的材料，一张表只填一次；营业执照办好后，食品经营许可、"
            "招牌审批和消防安全检查自动提交，营业执照作为电子证照调用，统一社会信用代码自动带入，不用再跑、"
            "不用再传。各部门并联审批，全程网上办理。"
        ),
        audience="both",
        questions=[
            BUSINESS_FORM,
            {
                "code": "prepacked_only",
                "text": "是否只销售预包装食品（不现场制作）？",
                "kind": "yes_no",
                "help": "只销售预包装食品的办理备案即可，不需要办理食品经营许可证。",
            },
            {"code": "seats", "text": "就餐座位有多少个？", "kind": "number", "unit": "个"},
            SIGNBOARD,
        ],
        members=[
            *REGISTRATIONS,
            {
                "entry": FOOD,
                "when": [_is("prepacked_only", "no")],
                "after": AFTER_REGISTRATION,
                "note": "营业执照核发后自动提交，执照作为电子证照调用。",
            },
            {"entry": SIGN, "when": [_is("signboard", "yes")], "after": AFTER_REGISTRATION},
            {
                "entry": FIRE,
                "when": [_above("seats", 50)],
                "after": AFTER_REGISTRATION,
                "note": "座位超过50个的饭店属于公众聚集场所，营业前须申请消防安全检查，可选择告知承诺方式。",
            },
        ],
        map={
            REGISTER_COMPANY: COMPANY_AS_SHOP,
            FOOD: {**AS_OPERATOR, "premises_address": "shop_address"},
            SIGN: AS_OPERATOR,
            FIRE: {**AS_OPERATOR, "premises_address": "shop_address", "place_name": "shop_name"},
        },
        same_materials=[PREMISES_PROOF],
        fields={
            **SHOP_FIELDS,
            "main_form": _options(("restaurant", "餐饮服务经营者")),
            "place_type": _options(("hotel", "宾馆饭店")),
        },
    ),
    Spec(
        code="open-supermarket",
        name="我要开超市",
        plain_title="开超市、便利店一次办",
        aliases=["开超市", "开便利店", "开小卖部", "开商店", "开食杂店"],
        summary=(
            "在城关区开超市、便利店：营业执照、食品经营许可证（销售散装食品或现场制售的）、门头招牌审批、"
            "较大超市的开业前消防安全检查和春节期间的烟花爆竹零售许可一次申请。营业执照核发后，其余事项"
            "自动提交并调用电子营业执照；只销售预包装食品的不需要办食品经营许可。"
        ),
        audience="both",
        questions=[
            BUSINESS_FORM,
            {
                "code": "bulk_food",
                "text": "是否销售散装食品，或现场制售熟食、面点？",
                "kind": "yes_no",
                "help": "只销售预包装食品的办理备案即可，不需要办理食品经营许可证。",
            },
            {"code": "area", "text": "营业面积有多大？", "kind": "number", "unit": "平方米"},
            SIGNBOARD,
            {"code": "fireworks", "text": "春节期间是否销售烟花爆竹？", "kind": "yes_no"},
        ],
        members=[
            *REGISTRATIONS,
            {"entry": FOOD, "when": [_is("bulk_food", "yes")], "after": AFTER_REGISTRATION},
            {"entry": SIGN, "when": [_is("signboard", "yes")], "after": AFTER_REGISTRATION},
            {
                "entry": FIRE,
                "when": [_above("area", 300)],
                "after": AFTER_REGISTRATION,
                "note": "营业面积超过300平方米的超市属于公众聚集场所，营业前须申请消防安全检查。",
            },
            {
                "entry": FIREWORKS,
                "when": [_is("fireworks", "yes")],
                "after": AFTER_REGISTRATION,
                "note": "零售许可按年度集中受理，现场核查零售场所的安全距离和防火条件。",
            },
        ],
        map={
            REGISTER_COMPANY: COMPANY_AS_SHOP,
            FOOD: {**AS_OPERATOR, "premises_address": "shop_address"},
            SIGN: AS_OPERATOR,
            FIRE: {**AS_OPERATOR, "premises_address": "shop_address", "place_name": "shop_name"},
            FIREWORKS: {**AS_OPERATOR, "store_address": "shop_address"},
        },
        same_materials=[[*PREMISES_PROOF, "零售场所产权证明或租赁合同"]],
        fields={
            **SHOP_FIELDS,
            "main_form": _options(("shop", "食品销售经营者")),
            "place_type": _options(("mall", "商场市场")),
            "store_type": _options(("shop", "固定门店")),
        },
    ),
    Spec(
        code="open-hotel",
        name="我要开旅店",
        plain_title="开宾馆、旅店、民宿一次办",
        aliases=["开旅店", "开宾馆", "开旅馆", "开民宿", "开酒店", "开招待所"],
        summary=(
            "在城关区开宾馆、旅店、民宿：营业执照、开业前消防安全检查、公共场所卫生许可、旅馆业特种行业"
            "许可，以及需要时的食品经营许可和门头招牌审批一次申请。营业执照核发后各项许可自动提交；消防"
            "安全检查合格后，特种行业许可随之提交，公安、消防、卫生健康部门可联合现场核查。"
        ),
        audience="both",
        questions=[
            BUSINESS_FORM,
            {"code": "catering", "text": "是否同时对客人提供餐饮服务？", "kind": "yes_no"},
            SIGNBOARD,
        ],
        members=[
            *REGISTRATIONS,
            {
                "entry": FIRE,
                "after": AFTER_REGISTRATION,
                "note": "宾馆、旅店属于公众聚集场所，营业前须申请消防安全检查。",
            },
            {"entry": HYGIENE, "after": AFTER_REGISTRATION},
            {
                "entry": HOTEL,
                "after": [FIRE, *AFTER_REGISTRATION],
                "note": "消防安全检查合格后自动提交，派出所现场检查治安防范设施。",
            },
            {"entry": FOOD, "when": [_is("catering", "yes")], "after": AFTER_REGISTRATION},
            {"entry": SIGN, "when": [_is("signboard", "yes")], "after": AFTER_REGISTRATION},
        ],
        map={
            REGISTER_COMPANY: COMPANY_AS_SHOP,
            FIRE: {**AS_OPERATOR, "premises_address": "shop_address", "place_name": "shop_name"},
            HYGIENE: {**AS_OPERATOR, "premises_address": "shop_address"},
            HOTEL: {**AS_OPERATOR, "premises_address": "shop_address"},
            FOOD: {**AS_OPERATOR, "premises_address": "shop_address"},
            SIGN: AS_OPERATOR,
        },
        same_materials=[[*PREMISES_PROOF, "经营场所不动产权证书或房屋租赁合同"]],
        fields={
            **SHOP_FIELDS,
            "place_type": _options(("hotel", "宾馆饭店")),
            "main_form": _options(("restaurant", "餐饮服务经营者"), ("canteen", "单位食堂")),
        },
        joint_extension=5,
    ),
    Spec(
        code="start-company",
        name="企业开办",
        plain_title="开公司、注册企业一次办",
        aliases=["开公司", "注册公司", "企业开办", "办营业执照", "新办企业"],
        summary=(
            "在城关区开办公司：营业执照（同时免费刻制首套印章、申领发票）、住房公积金单位缴存登记和员工"
            "就业登记一次申请，一个工作日内办结。营业执照核发后，公积金缴存登记自动提交，单位名称和统一"
            "社会信用代码从电子营业执照带入，不用再填。"
        ),
        audience="both",
        questions=[
            {"code": "housing_fund", "text": "是否为职工开立住房公积金账户？", "kind": "yes_no"},
            {
                "code": "employment",
                "text": "是否同时为本人办理在新公司的就业登记？",
                "kind": "yes_no",
                "help": "其他员工入职后，可由公司在单位账户中办理就业登记。",
            },
        ],
        members=[
            {"entry": REGISTER_COMPANY},
            {
                "entry": FUND_UNIT,
                "when": [_is("housing_fund", "yes")],
                "after": [REGISTER_COMPANY],
                "note": "营业执照核发后自动提交，单位名称和代码取自电子营业执照。",
            },
            {"entry": EMPLOYMENT, "when": [_is("employment", "yes")], "after": [REGISTER_COMPANY]},
        ],
        map={
            REGISTER_COMPANY: {
                "enterprise_name": "company_name",
                "uscc": "",
                "agent_name": "applicant_name",
                "agent_id_number": "applicant_id_number",
            },
            FUND_UNIT: {"unit_name": "licence.name", "unit_uscc": "licence.uscc"},
            EMPLOYMENT: {"request": ""},
        },
        fields={"applicant_name": {"label": "经办人姓名"}, "company_address": {"label": "住所（经营场所）"}},
    ),
    Spec(
        code="newborn",
        name="新生儿出生",
        plain_title="孩子出生后的证件和参保一次办",
        aliases=["生孩子", "新生儿", "出生一件事", "宝宝上户口", "新生儿医保", "新生儿社保卡"],
        summary=(
            "孩子在城关区出生后：出生医学证明、户口登记、城乡居民医保参保、社会保障卡申领和生育保险待遇"
            "一次申请。出生医学证明签发后，户口登记和生育保险待遇自动提交；落户后医保参保和社保卡申领随之"
            "提交，孩子的姓名、性别和出生日期从电子出生医学证明带入，不用重复填写、不用再交证明。"
        ),
        questions=[
            {
                "code": "maternity",
                "text": "孩子的母亲是否参加了职工生育保险（由单位缴纳）？",
                "kind": "yes_no",
                "help": "参加职工生育保险的可同时申领生育津贴和生育医疗费用。",
            },
            {"code": "social_card", "text": "是否同时为孩子申领社会保障卡？", "kind": "yes_no"},
        ],
        members=[
            {"entry": BIRTH_CERTIFICATE, "situations": [{"seq": 1}]},
            {
                "entry": BIRTH_REGISTRATION,
                "after": [BIRTH_CERTIFICATE],
                "note": "出生医学证明签发后自动提交，作为电子证照调用。",
            },
            {"entry": RESIDENT_MEDICAL, "after": [BIRTH_CERTIFICATE, BIRTH_REGISTRATION]},
            {
                "entry": SOCIAL_CARD,
                "when": [_is("social_card", "yes")],
                "situations": [{"seq": 1}],
                "after": [BIRTH_REGISTRATION],
                "note": "落户后由监护人代为申领，制卡后邮寄。",
            },
            {"entry": MATERNITY, "when": [_is("maternity", "yes")], "after": [BIRTH_CERTIFICATE]},
        ],
        map={
            BIRTH_REGISTRATION: {
                "baby_name": "licence.baby_name",
                "baby_sex": "licence.baby_sex",
                "baby_birth_date": "licence.baby_birth_date",
                "birth_certificate_number": "",
            },
            RESIDENT_MEDICAL: {
                "newborn_name": "licence.baby_name",
                "newborn_birth_date": "licence.baby_birth_date",
            },
            MATERNITY: {"request": ""},
        },
        fields={
            "applicant_name": {"label": "申请人（父亲或母亲）姓名"},
            "insured_type": _options(("newborn", "新生儿")),
            "apply_type": _options(("first", "首次申领")),
            "household_address": {"label": "家庭住址"},
        },
    ),
    Spec(
        code="retire",
        name="退休",
        plain_title="办退休、领养老金一次办",
        aliases=["办退休", "退休手续", "领养老金", "退休一件事", "退休提取公积金"],
        summary=(
            "职工到了退休年龄：养老保险关系转移接续（在外省参过保的）、退休申请、住房公积金销户提取和"
            "退休后异地长期居住的就医备案一次申请。转移接续办结后退休申请自动提交；退休核准后，公积金"
            "提取和异地就医备案随之提交，不用再交退休证明。"
        ),
        questions=[
            {
                "code": "worked_elsewhere",
                "text": "是否在外省（区）参加过职工基本养老保险？",
                "kind": "yes_no",
                "help": "在外地的缴费年限须先转入本市，退休时合并计算。",
            },
            {"code": "housing_fund", "text": "是否同时提取住房公积金并销户？", "kind": "yes_no"},
            {"code": "live_elsewhere", "text": "退休后是否到外地长期居住？", "kind": "yes_no"},
        ],
        members=[
            {"entry": PENSION_TRANSFER, "when": [_is("worked_elsewhere", "yes")]},
            {"entry": RETIREMENT, "after": [PENSION_TRANSFER]},
            {
                "entry": FUND_WITHDRAWAL,
                "when": [_is("housing_fund", "yes")],
                "situations": [{"seq": 4}],
                "after": [RETIREMENT],
            },
            {
                "entry": REMOTE_MEDICAL,
                "when": [_is("live_elsewhere", "yes")],
                "situations": [{"seq": 1}],
                "after": [RETIREMENT],
                "note": "退休核准后自动提交，备案自退休之日起生效。",
            },
        ],
        map={
            PENSION_TRANSFER: {"request": "transfer_from"},
            REMOTE_MEDICAL: {"start_date": "planned_date"},
        },
        fields={
            "transfer_from": {
                "label": "原参保地（省、市）及参保时间",
                "help": "如：广东省深圳市，2001年至2010年",
            },
            "reason": _options(("retire", "离休、退休")),
            "situation": _options(("long", "异地长期居住")),
        },
    ),
    Spec(
        code="second-hand-house",
        name="二手房买卖",
        plain_title="买二手房过户一次办",
        aliases=["买二手房", "二手房过户", "卖房", "房屋过户", "买房", "过户"],
        summary=(
            "在城关区买卖二手房：不动产转移登记、住房公积金贷款、购房提取住房公积金和把户口迁入新房一次"
            "申请。过户登簿后，公积金提取和户口迁移自动提交，新的不动产权证书作为电子证照调用，不用再交"
            "购房证明；存量房买卖合同只交一次。"
        ),
        questions=[
            {"code": "fund_loan", "text": "是否申请住房公积金贷款？", "kind": "yes_no"},
            {"code": "withdraw", "text": "是否提取住房公积金支付购房款？", "kind": "yes_no"},
            {"code": "move_household", "text": "是否把户口迁入新房？", "kind": "yes_no"},
        ],
        members=[
            {"entry": PROPERTY_TRANSFER},
            {"entry": FUND_LOAN, "when": [_is("fund_loan", "yes")]},
            {
                "entry": FUND_WITHDRAWAL,
                "when": [_is("withdraw", "yes")],
                "situations": [{"seq": 1}],
                "after": [PROPERTY_TRANSFER],
            },
            {
                "entry": HOUSEHOLD_MOVE,
                "when": [_is("move_household", "yes")],
                "after": [PROPERTY_TRANSFER],
                "note": "过户登簿后自动提交，新的不动产权证书作为迁入地住房证明。",
            },
        ],
        map={FUND_LOAN: {"house_price": "price"}, HOUSEHOLD_MOVE: {"request": ""}},
        same_materials=[["存量房买卖合同", "商品房买卖合同或存量房买卖合同"]],
        fields={
            "price": {"label": "成交价格（元）"},
            "reason": _options(("buy", "购买自住住房")),
        },
    ),
]
