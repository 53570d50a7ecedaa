"""A small published catalog for the portal tests (and the citizen's browser journey): 17 catalog
items claimed by departments of the demo region, 29 published entries whose guides pass the
guide-quality audit without an error. Built only through the catalog's services."""

from __future__ import annotations

import importlib
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

LOCATION = "{dept}（青山市新华路88号政务服务中心一楼综合窗口）"
HOURS = "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）"
PROCEDURE = [
    {"name": "申请", "description": "网上或到窗口提交申请材料"},
    {"name": "受理", "description": "材料齐全的当场受理，不齐全的一次性告知需要补正的内容"},
    {"name": "审查", "description": "审查人审查材料"},
    {"name": "决定", "description": "作出准予或不予的决定"},
    {"name": "送达", "description": "窗口领取、邮寄或电子证照"},
]
ID_CARD = {
    "name": "申请人居民身份证",
    "source": "government",
    "source_body": "公安机关",
    "licence_type_code": "111000000000133385001",
    "kind": "original",
}


def _form(name: str, **extra) -> dict[str, Any]:
    return {"name": name, "kind": "original", "paper_copies": 1, "paper_size": "A4", "form": True, **extra}


# key, basic code, official name, item type, levels, department keys, guide elements
ITEMS: list[dict[str, Any]] = [
    {
        "key": "birth",
        "basic_code": "150700101000",
        "type": "07",
        "name": "出生登记",
        "levels": [2, 3],
        "departments": ["city_public_security", "chengguan_service", "beihe_service", "nanyuan_service"],
        "doc": {
            "plain_title": "新生儿上户口",
            "aliases": ["报户口", "新生儿落户"],
            "legal_basis": "《中华人民共和国户口登记条例》第七条：婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
            "legal_limit": 5,
            "promised_limit": 0,
            "case_kind": "instant",
            "acceptance_conditions": "婴儿出生后，父母一方为本市常住户口的，可以在父母一方户口所在地申报出生登记。",
            "visits_required": 1,
            "visit_reasons": "核验出生医学证明原件",
            "online_depth": 3,
            "topics": ["birth-adoption", "household"],
            "result_type": "filing",
            "result_name": "居民户口簿（新生儿户口页）",
            "materials": [
                {
                    "name": "出生医学证明",
                    "source": "government",
                    "source_body": "助产医疗机构",
                    "licence_type_code": "112000000000177777001",
                },
                {**ID_CARD, "name": "父母双方居民身份证"},
                {"name": "父母一方的居民户口簿", "source": "government", "source_body": "公安机关"},
                _form("出生登记申请表", fill_instructions="用黑色签字笔填写，婴儿姓名须与出生医学证明一致"),
                {
                    "name": "结婚证",
                    "necessity": "conditional",
                    "condition": "父母已登记结婚的",
                    "source": "government",
                    "licence_type_code": "111000000000133385002",
                },
            ],
            "situations": [
                {
                    "name": "父母一方为外地户籍",
                    "description": "只在本地户籍一方的户口所在地申报",
                    "materials": [{"name": "外地户籍一方的居民户口簿复印件", "kind": "copy"}],
                },
                {
                    "name": "非婚生育",
                    "description": "父母未办理结婚登记的",
                    "materials": [
                        {
                            "name": "亲子鉴定证明",
                            "necessity": "conditional",
                            "condition": "无法提供结婚证且出生医学证明缺少父亲信息的",
                            "source": "intermediary",
                        }
                    ],
                },
            ],
            "faqs": [
                {
                    "question": "孩子出生多久内要上户口？",
                    "answer": "出生后一个月内申报；超过一个月也可以办理。",
                },
                {"question": "可以网上办吗？", "answer": "可以网上提交材料预审，预审通过后到窗口一次办结。"},
            ],
        },
    },
    {
        "key": "property",
        "basic_code": "150700201000",
        "type": "07",
        "name": "不动产转移登记",
        "levels": [2, 3],
        "departments": ["city_natural_resources", "nanyuan_service"],
        "doc": {
            "plain_title": "二手房买卖过户",
            "aliases": ["房产过户", "卖房过户"],
            "legal_basis": "《不动产登记暂行条例》第三条、第二十条；《不动产登记暂行条例实施细则》第三十八条。",
            "legal_limit": 30,
            "promised_limit": 5,
            "audience": "both",
            "acceptance_conditions": "买卖、赠与、继承等原因导致不动产权利转移的，当事人可以申请转移登记。",
            "visits_required": 1,
            "visit_reasons": "买卖双方到场核验身份并签字",
            "online_depth": 4,
            "is_free": False,
            "fees": [
                {
                    "name": "不动产登记费",
                    "standard": "住宅每件80元",
                    "basis": "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
                    "reductions": "小微企业免收",
                }
            ],
            "topics": ["property"],
            "result_type": "licence",
            "result_name": "不动产权证书",
            "materials": [
                _form("不动产登记申请书"),
                {**ID_CARD, "name": "买卖双方居民身份证"},
                {
                    "name": "不动产权证书",
                    "source": "government",
                    "source_body": "不动产登记机构",
                    "licence_type_code": "111000000000144444001",
                },
                {
                    "name": "婚姻状况证明",
                    "necessity": "conditional",
                    "condition": "申请人已婚的，提交结婚证",
                    "source": "government",
                    "licence_type_code": "111000000000133385002",
                },
            ],
            "situations": [
                {
                    "name": "二手房买卖",
                    "materials": [{"name": "存量房买卖合同", "kind": "original", "paper_copies": 2}],
                },
                {"name": "赠与", "materials": [{"name": "经公证的赠与合同", "kind": "original"}]},
            ],
            "faqs": [
                {"question": "买卖双方都要到场吗？", "answer": "是的，或者委托代理人持公证委托书办理。"}
            ],
        },
    },
    {
        "key": "food",
        "basic_code": "150100301000",
        "type": "01",
        "name": "食品经营许可",
        "levels": [2, 3],
        "departments": ["city_market", "chengguan_market"],
        "doc": {
            "plain_title": "开饭店办食品经营许可证",
            "aliases": ["餐饮许可证", "开餐馆"],
            "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第六条。",
            "legal_limit": 20,
            "promised_limit": 5,
            "audience": "enterprise",
            "acceptance_conditions": "已取得营业执照，有与经营的食品品种、数量相适应的经营场所和设备设施。",
            "handling_forms": ["window", "online", "mail"],
            "visits_required": 0,
            "online_depth": 6,
            "express_delivery": True,
            "online_payment": False,
            "special_procedures": [{"name": "现场核查", "limit": 5, "unit": "workday"}],
            "topics": ["business-permit"],
            "result_type": "licence",
            "result_name": "食品经营许可证",
            "result_sample": True,
            "materials": [
                _form("食品经营许可申请书"),
                {
                    "name": "营业执照",
                    "source": "government",
                    "source_body": "市场监督管理部门",
                    "licence_type_code": "111000000000135555001",
                },
                {**ID_CARD, "name": "法定代表人（负责人）居民身份证"},
                {"name": "经营场所平面布局图", "kind": "electronic", "media_format": "PDF"},
                {"name": "食品安全管理制度文本", "kind": "electronic", "media_format": "PDF"},
            ],
            "faqs": [
                {"question": "需要现场核查吗？", "answer": "首次申请需要现场核查，核查时间不计入办理时限。"}
            ],
        },
    },
    {
        "key": "selfemployed",
        "basic_code": "150100401000",
        "type": "01",
        "name": "个体工商户设立登记",
        "levels": [3],
        "departments": ["chengguan_market", "beihe_service", "nanyuan_service"],
        "doc": {
            "plain_title": "开小店办个体营业执照",
            "audience": "both",
            "legal_basis": "《促进个体工商户发展条例》第八条；《中华人民共和国市场主体登记管理条例》第三条。",
            "promised_limit": 1,
            "case_kind": "instant",
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["establishment"],
            "result_type": "licence",
            "result_name": "营业执照",
            "materials": [
                _form("个体工商户登记（备案）申请书"),
                {**ID_CARD, "name": "经营者居民身份证"},
                {"name": "经营场所使用证明", "kind": "copy"},
            ],
        },
    },
    {
        "key": "marriage",
        "basic_code": "150700501000",
        "type": "07",
        "name": "内地居民结婚登记",
        "levels": [2, 3],
        "departments": ["city_civil_affairs", "beihe_civil_affairs"],
        "doc": {
            "plain_title": "领结婚证",
            "legal_basis": "《婚姻登记条例》第四条、第五条、第七条。",
            "promised_limit": 0,
            "case_kind": "instant",
            "visits_required": 1,
            "visit_reasons": "男女双方须亲自到场",
            "online_depth": 1,
            "appointment": True,
            "topics": ["marriage"],
            "result_type": "licence",
            "result_name": "结婚证",
            "materials": [
                {**ID_CARD, "name": "男女双方居民身份证"},
                {"name": "男女双方居民户口簿", "source": "government"},
                _form("申请结婚登记声明书"),
            ],
        },
    },
    {
        "key": "idcard",
        "basic_code": "150700601000",
        "type": "07",
        "name": "居民身份证换领",
        "levels": [2, 3],
        "departments": ["city_public_security", "chengguan_service", "beihe_service"],
        "doc": {
            "plain_title": "身份证到期换新证",
            "legal_basis": "《中华人民共和国居民身份证法》第十一条、第十四条。",
            "legal_limit": 60,
            "legal_limit_unit": "natural_day",
            "promised_limit": 15,
            "promised_limit_unit": "natural_day",
            "visits_required": 1,
            "visit_reasons": "现场采集照片和指纹",
            "online_depth": 2,
            "is_free": False,
            "fees": [
                {
                    "name": "居民身份证工本费",
                    "standard": "每证20元",
                    "basis": "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
                }
            ],
            "express_delivery": True,
            "topics": ["certificates"],
            "result_type": "licence",
            "result_name": "居民身份证",
            "materials": [{"name": "原居民身份证", "source": "government"}],
        },
    },
    {
        "key": "retire",
        "basic_code": "151000701000",
        "type": "10",
        "name": "职工正常退休（职）申请",
        "levels": [2],
        "departments": ["city_hrss"],
        "doc": {
            "plain_title": "办理退休",
            "legal_basis": "《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）。",
            "legal_limit": 20,
            "promised_limit": 10,
            "visits_required": 0,
            "online_depth": 5,
            "topics": ["social-security", "elderly"],
            "result_name": "退休审批表",
            "materials": [
                {**ID_CARD},
                {"name": "职工档案", "source": "other", "source_body": "档案保管单位"},
            ],
        },
    },
    {
        "key": "fund",
        "basic_code": "152000801000",
        "type": "20",
        "name": "住房公积金提取",
        "levels": [2],
        "departments": ["city_housing_fund"],
        "doc": {
            "plain_title": "提取公积金",
            "legal_basis": "《住房公积金管理条例》第二十四条。",
            "promised_limit": 0,
            "case_kind": "instant",
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["housing"],
            "result_type": "payment",
            "result_name": "住房公积金提取到账",
            "materials": [{**ID_CARD}, {"name": "本人银行卡", "kind": "copy"}],
        },
    },
    {
        "key": "medical",
        "basic_code": "152000901000",
        "type": "20",
        "name": "异地就医备案",
        "levels": [2],
        "departments": ["city_medical_security"],
        "doc": {
            "plain_title": "外地看病医保备案",
            "legal_basis": "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）。",
            "promised_limit": 0,
            "case_kind": "instant",
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["medical"],
            "result_type": "filing",
            "result_name": "异地就医备案回执",
            "materials": [{**ID_CARD}],
        },
    },
    {
        "key": "dibao",
        "basic_code": "150501001000",
        "type": "05",
        "name": "最低生活保障审核确认",
        "levels": [3, 4],
        "departments": ["beihe_civil_affairs", "dongcheng_service", "beihe_town_service"],
        "doc": {
            "plain_title": "申请低保",
            "legal_basis": "《社会救助暂行办法》第九条至第十一条。",
            "legal_limit": 30,
            "promised_limit": 20,
            "visits_required": 1,
            "visit_reasons": "签署家庭经济状况核对授权书",
            "online_depth": 2,
            "topics": ["civil-affairs"],
            "result_type": "payment",
            "result_name": "最低生活保障金",
            "materials": [{**ID_CARD}, _form("最低生活保障申请书"), {"name": "家庭成员收入情况说明"}],
        },
    },
    {
        "key": "hygiene",
        "basic_code": "150101101000",
        "type": "01",
        "name": "公共场所卫生许可",
        "levels": [2],
        "departments": ["city_health"],
        "doc": {
            "plain_title": "宾馆、理发店办卫生许可证",
            "audience": "enterprise",
            "legal_basis": "《公共场所卫生管理条例》第八条。",
            "legal_limit": 20,
            "promised_limit": 7,
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["health-permit"],
            "result_type": "licence",
            "result_name": "公共场所卫生许可证",
            "materials": [
                _form("公共场所卫生许可申请表"),
                {"name": "卫生检测报告", "source": "intermediary"},
            ],
        },
    },
    {
        "key": "signboard",
        "basic_code": "150101201000",
        "type": "01",
        "name": "户外招牌设置审批",
        "levels": [2],
        "departments": ["city_housing"],
        "doc": {
            "plain_title": "挂店铺招牌审批",
            "audience": "enterprise",
            "legal_basis": "《城市市容和环境卫生管理条例》第十一条。",
            "legal_limit": 20,
            "promised_limit": 3,
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["business-permit"],
            "result_type": "approval",
            "result_name": "户外招牌设置许可决定书",
            "materials": [_form("户外招牌设置申请表"), {"name": "招牌效果图", "kind": "electronic"}],
        },
    },
    {
        "key": "school",
        "basic_code": "152001301000",
        "type": "20",
        "name": "义务教育入学登记",
        "levels": [2],
        "departments": ["city_education"],
        "doc": {
            "plain_title": "孩子上小学、初中报名",
            "legal_basis": "《中华人民共和国义务教育法》第十二条。",
            "promised_limit": 10,
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["education"],
            "result_type": "filing",
            "result_name": "入学通知书",
            "materials": [
                {**ID_CARD, "name": "监护人居民身份证"},
                {"name": "居民户口簿", "source": "government"},
            ],
        },
    },
    {
        "key": "teacher",
        "basic_code": "150701401000",
        "type": "07",
        "name": "教师资格认定",
        "levels": [2],
        "departments": ["city_education"],
        "doc": {
            "plain_title": "申请教师资格证",
            "legal_basis": "《教师资格条例》第十三条。",
            "legal_limit": 30,
            "promised_limit": 20,
            "visits_required": 1,
            "visit_reasons": "现场确认体检结果",
            "online_depth": 4,
            "topics": ["professional-qualification"],
            "result_type": "licence",
            "result_name": "教师资格证书",
            "materials": [{**ID_CARD}, {"name": "体检合格证明", "source": "intermediary"}],
        },
    },
    {
        "key": "water",
        "basic_code": "150101501000",
        "type": "01",
        "name": "取水许可",
        "levels": [2],
        "departments": ["city_water"],
        "doc": {
            "plain_title": "打井取水审批",
            "audience": "enterprise",
            "legal_basis": "《取水许可和水资源费征收管理条例》第二条。",
            "legal_limit": 45,
            "promised_limit": 20,
            "visits_required": 1,
            "visit_reasons": "现场勘验取水口",
            "online_depth": 3,
            "topics": ["agriculture-forestry"],
            "result_type": "licence",
            "result_name": "取水许可证",
            "materials": [
                _form("取水许可申请书"),
                {"name": "建设项目水资源论证报告", "source": "intermediary"},
            ],
        },
    },
    {
        "key": "logging",
        "basic_code": "150101601000",
        "type": "01",
        "name": "林木采伐许可证核发",
        "levels": [2],
        "departments": ["city_forestry"],
        "doc": {
            "plain_title": "砍树办采伐证",
            "audience": "both",
            "legal_basis": "《中华人民共和国森林法》第五十六条。",
            "legal_limit": 20,
            "promised_limit": 10,
            "visits_required": 0,
            "online_depth": 6,
            "topics": ["agriculture-forestry"],
            "result_type": "licence",
            "result_name": "林木采伐许可证",
            "materials": [_form("林木采伐申请表"), {"name": "林木权属证明", "kind": "copy"}],
        },
    },
    {
        "key": "ktv",
        "basic_code": "150101701000",
        "type": "01",
        "name": "娱乐场所经营许可",
        "levels": [2],
        "departments": ["city_culture"],
        "doc": {
            "plain_title": "开KTV、歌舞厅",
            "audience": "enterprise",
            "legal_basis": "《娱乐场所管理条例》第九条。",
            "legal_limit": 20,
            "promised_limit": 10,
            "visits_required": 1,
            "visit_reasons": "现场检查消防和隔音设施",
            "online_depth": 4,
            "topics": ["culture-tourism"],
            "result_type": "licence",
            "result_name": "娱乐经营许可证",
            "materials": [
                _form("娱乐场所经营申请表"),
                {"name": "营业执照", "source": "government", "licence_type_code": "111000000000135555001"},
            ],
        },
    },
]

SUSPENDED = ("logging", "城市林地保护专项整治期间暂停受理，预计2026年7月1日恢复。")


# A tiny valid PDF; the bytes after it make each stored file distinct.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Catalog:
    entries: dict[str, list] = field(default_factory=dict)  # item key -> its entries
    files: list = field(default_factory=list)  # every stored file a published guide offers
    region: Any = None

    def first(self, key: str):
        return self.entries[key][0]

    @property
    def all_entries(self) -> list:
        return [e for entries in self.entries.values() for e in entries]


def ensure_code_tables() -> None:
    """Item types and topics (seeded by a migration; a transactional test's flush removes them)."""
    from django.apps import apps

    seed = importlib.import_module("yiwang.catalog.migrations.0002_seed_types_and_topics").seed
    seed(apps, None)


def _stored_pdf(name: str):
    from yiwang.core.uploads import store_bytes

    return store_bytes(PDF + f"% {name}\n".encode(), f"{name}.pdf")


def document_for(spec: dict[str, Any], department, catalog: Catalog) -> dict[str, Any]:
    """A complete guide document: the item's elements over sensible defaults."""
    doc = deepcopy(spec["doc"])
    materials = doc.pop("materials")
    situations = doc.pop("situations", [])
    wants_sample = doc.pop("result_sample", False)
    base: dict[str, Any] = {
        "name": spec["name"],
        "legal_limit": 20,
        "legal_limit_unit": "workday",
        "promised_limit_unit": doc.get("legal_limit_unit", "workday"),
        "case_kind": "promised",
        "audience": "person",
        "acceptance_conditions": f"符合《{spec['name']}》办理条件的申请人均可申请。",
        "procedure": PROCEDURE,
        "handling_forms": ["window", "online"] if doc.get("online_depth", 0) >= 2 else ["window"],
        "location": LOCATION.format(dept=department.name),
        "hours": HOURS,
        "consult_phone": department.phone or "0471-8000000",
        "complaint_phone": "12345",
        "faqs": [{"question": "办理需要多长时间？", "answer": "材料齐全的，在承诺时限内办结。"}],
    }
    base.update(doc)
    out_materials = []
    out_situations = []

    def add(row: dict[str, Any], situation: int | None) -> None:
        row = dict(row)
        if row.pop("form", False):
            blank, sample = _stored_pdf(f"{row['name']}-空白表格"), _stored_pdf(f"{row['name']}-示例样表")
            catalog.files += [blank, sample]
            row["blank_form"], row["sample_form"] = str(blank.pk), str(sample.pk)
        if situation is not None:
            row["situation"] = situation
        out_materials.append(row)

    for row in materials:
        add(row, None)
    for seq, situation in enumerate(situations, start=1):
        out_situations.append(
            {"seq": seq, "name": situation["name"], "description": situation.get("description", "")}
        )
        for row in situation.get("materials", []):
            add(row, seq)
    base["materials"] = out_materials
    base["situations"] = out_situations
    if wants_sample:
        sample = _stored_pdf(f"{spec['name']}-结果样本")
        catalog.files.append(sample)
        base["_result_sample"] = sample
    return base


def publish(claim, document: dict[str, Any]):
    from yiwang.catalog import services
    from yiwang.catalog.models import EntryVersion

    result_sample = document.pop("_result_sample", None)
    entry = services.compile_entry(claim, None, document)
    version = entry.versions.get()
    if result_sample is not None:  # the document format carries no result sample; set it on the draft
        EntryVersion.objects.filter(pk=version.pk).update(result_sample=result_sample)
    services.submit_version(version, None)
    services.publish_version(version, None)
    entry.refresh_from_db()
    return entry


def build_catalog(region, only: list[str] | None = None) -> Catalog:
    """Create, claim, compile and publish the catalog above; `only` limits it to some items."""
    from yiwang.catalog import services
    from yiwang.catalog.models import EntryStatus

    ensure_code_tables()
    catalog = Catalog(region=region)
    for spec in ITEMS:
        if only is not None and spec["key"] not in only:
            continue
        item = services.create_catalog_item(
            basic_code=spec["basic_code"],
            name=spec["name"],
            item_type=spec["type"],
            legal_basis=spec["doc"]["legal_basis"],
            levels=spec["levels"],
        )
        catalog.entries[spec["key"]] = []
        for dept_key in spec["departments"]:
            department = region.departments[dept_key]
            claim = services.claim_item(department, item)
            catalog.entries[spec["key"]].append(publish(claim, document_for(spec, department, catalog)))
    key, reason = SUSPENDED
    if key in catalog.entries:
        entry = catalog.first(key)
        services.set_entry_status(entry, None, EntryStatus.SUSPENDED, reason)
        entry.refresh_from_db()
    return catalog
