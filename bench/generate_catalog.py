"""A synthetic catalog for benchmarks: N published implementation list entries (default 50,000).

    DATABASE_URL=... .venv/bin/python bench/generate_catalog.py [--entries 50000] [--seed 7]

Without DATABASE_URL it writes to a separate SQLite file, var/bench.sqlite3 (never the working
database). A made-up province (代码 16xxxx, 演示省) gets cities and counties, each with about fifteen
sector departments (公安局, 自然资源局, 市场监督管理局...) created through the core services; every
department claims its sector's basic catalog items (real item-name patterns: 出生登记, 不动产转移
登记, 食品经营许可（延续）...) and each claim becomes a published entry with a complete guide:
time limits, online depth, visits, materials, fees, FAQs, situations and topics, that passes the
guide audit (so an export of it imports and publishes again).

Catalog rows are inserted with bulk_create, bypassing the per-entry services, but they are the rows
publishing would produce, and each entry's `search_tokens` comes from `search.entry_tokens`, the
function publishing uses. About 1% of entries are drafts, 0.5% suspended, 0.5% cancelled.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from _common import ROOT, setup_django  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"

CITIES = [
    "青山市",
    "白河市",
    "金川市",
    "云岭市",
    "松原市",
    "石门市",
    "清水市",
    "长宁市",
    "东湖市",
    "西岭市",
    "丰泽市",
    "安平市",
    "永和市",
    "瑞丰市",
    "平阳市",
    "广川市",
]
COUNTIES = [
    "城关区",
    "新华区",
    "东城区",
    "西城区",
    "南城区",
    "北城区",
    "和平区",
    "河东县",
    "河西县",
    "南山县",
    "北岭县",
    "红星县",
    "柳林县",
    "三道河县",
    "高台县",
    "宁远县",
    "兴隆县",
    "永安县",
    "太平县",
    "长乐县",
]

# sector: (department name, topics, [(item, type, plain title, aliases, audience, situations, variants)])
V4 = ["新办", "延续", "变更", "注销"]
SECTORS: dict[str, tuple[str, list[str], list[tuple]]] = {
    "public_security": (
        "公安局",
        ["household", "certificates"],
        [
            ("出生登记", "07", "给新生儿上户口", ["新生儿落户", "报出生户口"], "person", [], []),
            ("死亡登记", "07", "人去世后注销户口", [], "person", [], []),
            (
                "户口迁移",
                "07",
                "迁户口",
                ["户口迁入", "户口迁出"],
                "person",
                ["投靠亲属", "购房落户", "人才引进"],
                [],
            ),
            ("居民身份证首次申领", "20", "第一次办身份证", [], "person", [], []),
            ("居民身份证换领", "20", "身份证到期换新证", [], "person", [], []),
            ("居民身份证补领", "20", "身份证丢了补办", ["身份证挂失补办"], "person", [], []),
            ("临时居民身份证申领", "20", "办临时身份证", [], "person", [], []),
            ("居住证申领", "20", "办居住证", [], "person", [], []),
            ("无犯罪记录证明", "20", "开无犯罪证明", [], "person", [], []),
            ("机动车注册登记", "07", "新车上牌", [], "person", [], []),
            ("机动车转移登记", "07", "二手车过户", [], "person", [], []),
            ("机动车变更登记", "07", "车辆信息变更", [], "person", [], []),
            ("机动车注销登记", "07", "车辆报废注销", [], "person", [], []),
            ("机动车驾驶证换证", "07", "驾照到期换证", [], "person", [], []),
            ("机动车驾驶证补证", "07", "驾照丢了补办", [], "person", [], []),
            ("旅馆业特种行业许可", "01", "开宾馆办特行证", [], "enterprise", [], V4),
            ("烟花爆竹道路运输许可", "01", "运输烟花爆竹", [], "enterprise", [], []),
            ("大型群众性活动安全许可", "01", "办大型活动", [], "enterprise", [], []),
            ("剧毒化学品购买许可", "01", "购买剧毒化学品", [], "enterprise", [], []),
            ("养犬登记", "07", "给狗办证", [], "person", [], []),
        ],
    ),
    "natural_resources": (
        "自然资源局",
        ["property"],
        [
            (
                "不动产首次登记",
                "07",
                "新房办房产证",
                [],
                "both",
                ["国有建设用地使用权", "房屋所有权", "宅基地使用权"],
                [],
            ),
            (
                "不动产转移登记",
                "07",
                "二手房买卖过户",
                ["房屋过户", "存量房过户"],
                "both",
                ["二手房买卖", "继承、受遗赠", "赠与", "离婚析产"],
                [],
            ),
            ("不动产变更登记", "07", "房产证信息变更", [], "both", [], []),
            ("不动产注销登记", "07", "注销房产证", [], "both", [], []),
            (
                "不动产抵押登记",
                "07",
                "房贷抵押登记",
                [],
                "both",
                ["首次抵押", "抵押权变更", "抵押权注销"],
                [],
            ),
            ("不动产预告登记", "07", "期房预告登记", [], "both", [], []),
            ("不动产更正登记", "07", "房产证信息有误更正", [], "both", [], []),
            ("不动产异议登记", "07", "对房产登记有异议", [], "both", [], []),
            ("不动产权证书补发", "07", "房产证丢了补办", [], "both", [], []),
            ("不动产登记资料查询", "20", "查房产信息", ["查档"], "both", [], []),
            ("建设用地规划许可", "01", "办用地规划证", [], "enterprise", [], []),
            ("建设工程规划许可", "01", "办工程规划证", [], "enterprise", [], []),
            ("乡村建设规划许可", "01", "农村建房规划许可", [], "person", [], []),
            ("农村宅基地审批", "01", "农村盖房子审批", [], "person", [], []),
            ("临时用地审批", "01", "临时用地", [], "enterprise", [], []),
        ],
    ),
    "market": (
        "市场监督管理局",
        ["establishment", "business-permit"],
        [
            (
                "食品经营许可",
                "01",
                "开饭店、超市办食品经营许可证",
                ["餐饮许可证"],
                "enterprise",
                ["餐饮服务", "食品销售", "单位食堂"],
                V4,
            ),
            ("食品生产许可", "01", "开食品厂", [], "enterprise", [], V4),
            ("小餐饮登记", "07", "开小吃店登记", [], "enterprise", [], []),
            ("个体工商户设立登记", "01", "开个体店办营业执照", [], "enterprise", [], []),
            ("个体工商户变更登记", "01", "个体户执照变更", [], "enterprise", [], []),
            ("个体工商户注销登记", "01", "个体户关店注销", [], "enterprise", [], []),
            ("有限责任公司设立登记", "01", "开公司办营业执照", ["注册公司"], "enterprise", [], []),
            (
                "有限责任公司变更登记",
                "01",
                "公司信息变更",
                [],
                "enterprise",
                ["名称变更", "住所变更", "法定代表人变更", "注册资本变更"],
                [],
            ),
            ("有限责任公司注销登记", "01", "公司注销", [], "enterprise", [], []),
            ("个人独资企业设立登记", "01", "开个人独资企业", [], "enterprise", [], []),
            ("合伙企业设立登记", "01", "开合伙企业", [], "enterprise", [], []),
            ("农民专业合作社设立登记", "01", "成立合作社", [], "enterprise", [], []),
            ("特种设备使用登记", "07", "电梯锅炉使用登记", [], "enterprise", [], []),
            ("计量器具强制检定", "06", "秤的检定", [], "enterprise", [], []),
            ("药品零售经营许可", "01", "开药店", [], "enterprise", [], V4),
            ("医疗器械经营备案", "07", "卖医疗器械备案", [], "enterprise", [], []),
        ],
    ),
    "health": (
        "卫生健康委员会",
        ["medical", "birth-adoption", "health-permit"],
        [
            ("出生医学证明签发", "20", "办出生证", [], "person", ["首次签发", "换发", "补发"], []),
            ("生育登记", "20", "生育服务登记", [], "person", [], []),
            ("公共场所卫生许可", "01", "宾馆、理发店、浴池卫生许可证", [], "enterprise", [], V4),
            ("医疗机构执业登记", "01", "开医院诊所执业登记", [], "enterprise", [], V4),
            ("医师执业注册", "01", "医生执业注册", [], "person", ["首次注册", "变更注册"], []),
            ("护士执业注册", "01", "护士执业注册", [], "person", [], []),
            ("放射诊疗许可", "01", "放射诊疗许可", [], "enterprise", [], []),
            ("母婴保健技术服务执业许可", "01", "母婴保健服务许可", [], "enterprise", [], []),
            ("饮用水供水单位卫生许可", "01", "供水单位卫生许可", [], "enterprise", [], []),
            ("计划生育家庭奖励扶助", "05", "独生子女奖励扶助", [], "person", [], []),
        ],
    ),
    "hrss": (
        "人力资源和社会保障局",
        ["social-security", "employment"],
        [
            ("职工退休审批", "10", "办退休", ["退休手续"], "person", [], []),
            ("失业保险金申领", "05", "领失业金", [], "person", [], []),
            ("失业登记", "20", "失业登记", [], "person", [], []),
            ("就业登记", "20", "就业登记", [], "person", [], []),
            ("社会保障卡申领", "20", "办社保卡", [], "person", [], []),
            ("社会保障卡补领", "20", "社保卡丢了补办", [], "person", [], []),
            ("社会保障卡挂失", "20", "社保卡挂失", [], "person", [], []),
            ("基本养老保险关系转移接续", "20", "社保转移", ["养老保险转移"], "person", [], []),
            ("城乡居民基本养老保险参保登记", "20", "交居民养老保险", [], "person", [], []),
            ("工伤认定", "07", "工伤认定", [], "person", [], []),
            ("劳动人事争议仲裁", "09", "劳动仲裁", [], "person", [], []),
            ("人力资源服务许可", "01", "开职业中介", [], "enterprise", [], []),
            ("创业担保贷款", "20", "创业贷款", [], "person", [], []),
        ],
    ),
    "civil_affairs": (
        "民政局",
        ["civil-affairs", "marriage", "elderly"],
        [
            ("结婚登记", "07", "领结婚证", [], "person", [], []),
            ("离婚登记", "07", "办离婚", [], "person", [], []),
            ("补领婚姻登记证", "07", "结婚证丢了补办", [], "person", [], []),
            ("收养登记", "07", "领养孩子登记", [], "person", [], []),
            ("最低生活保障审核确认", "07", "申请低保", [], "person", [], []),
            ("特困人员认定", "07", "申请五保", [], "person", [], []),
            ("临时救助", "05", "申请临时救助", [], "person", [], []),
            ("高龄津贴发放", "05", "领高龄补贴", ["老人补贴"], "person", [], []),
            ("社会团体成立登记", "01", "成立协会", [], "enterprise", [], []),
            ("民办非企业单位成立登记", "01", "成立民办非企业单位", [], "enterprise", [], []),
            ("养老机构备案", "07", "开养老院备案", [], "enterprise", [], []),
            ("困难残疾人生活补贴", "05", "残疾补贴", [], "person", [], []),
        ],
    ),
    "housing": (
        "住房和城乡建设局",
        ["construction", "housing"],
        [
            ("建筑工程施工许可", "01", "办施工许可证", [], "enterprise", [], []),
            ("商品房预售许可", "01", "卖期房许可", [], "enterprise", [], []),
            ("建筑业企业资质", "01", "建筑资质", [], "enterprise", [], V4),
            ("燃气经营许可", "01", "燃气经营许可", [], "enterprise", [], []),
            ("户外招牌设置审批", "01", "挂门头招牌", [], "enterprise", [], []),
            ("城市道路占用挖掘许可", "01", "挖路占道", [], "enterprise", [], []),
            ("公共租赁住房资格审核", "07", "申请公租房", [], "person", [], []),
            ("房屋建筑工程竣工验收备案", "07", "竣工验收备案", [], "enterprise", [], []),
        ],
    ),
    "housing_fund": (
        "住房公积金管理中心",
        ["housing"],
        [
            (
                "住房公积金提取",
                "20",
                "取公积金",
                [],
                "person",
                ["购房提取", "租房提取", "退休提取", "离职提取"],
                [],
            ),
            ("住房公积金贷款", "20", "公积金贷款买房", [], "person", [], []),
            ("住房公积金缴存登记", "20", "单位开公积金户", [], "enterprise", [], []),
            ("住房公积金个人账户转移", "20", "公积金转移", [], "person", [], []),
        ],
    ),
    "transport": (
        "交通运输局",
        ["transport", "transport-business"],
        [
            ("道路货物运输经营许可", "01", "跑货运办运输证", [], "enterprise", [], V4),
            ("道路旅客运输经营许可", "01", "跑客运", [], "enterprise", [], V4),
            ("出租汽车经营许可", "01", "开出租车公司", [], "enterprise", [], []),
            ("网络预约出租汽车运输证", "01", "网约车运输证", [], "person", [], []),
            ("超限运输车辆行驶公路许可", "01", "大件运输许可", [], "enterprise", [], []),
            ("机动车维修经营备案", "07", "开修车店备案", [], "enterprise", [], []),
        ],
    ),
    "education": (
        "教育局",
        ["education", "education-institution"],
        [
            ("教师资格认定", "07", "办教师资格证", [], "person", [], []),
            ("民办学校办学许可", "01", "办学校、培训班", [], "enterprise", [], V4),
            ("义务教育入学登记", "20", "孩子上小学报名", ["小学入学"], "person", [], []),
            ("中小学生学籍转接", "20", "转学", [], "person", [], []),
            ("校车使用许可", "01", "校车许可", [], "enterprise", [], []),
        ],
    ),
    "water": (
        "水利局",
        ["agriculture-forestry"],
        [
            ("取水许可", "01", "打井取水", [], "enterprise", [], V4),
            ("河道管理范围内建设项目审批", "01", "在河道里搞建设", [], "enterprise", [], []),
            ("生产建设项目水土保持方案审批", "01", "水土保持方案", [], "enterprise", [], []),
        ],
    ),
    "forestry": (
        "林业和草原局",
        ["agriculture-forestry"],
        [
            ("林木采伐许可", "01", "砍树办采伐证", [], "both", [], []),
            ("使用林地审核", "01", "占用林地", [], "enterprise", [], []),
            ("林草种子生产经营许可", "01", "卖树苗草种", [], "enterprise", [], []),
            ("野生动物人工繁育许可", "01", "养殖野生动物", [], "enterprise", [], []),
        ],
    ),
    "ecology": (
        "生态环境局",
        ["environment"],
        [
            ("排污许可", "01", "办排污许可证", [], "enterprise", [], V4),
            ("建设项目环境影响评价文件审批", "01", "环评审批", ["环评"], "enterprise", [], []),
            ("危险废物经营许可", "01", "危废经营许可", [], "enterprise", [], []),
        ],
    ),
    "medical_security": (
        "医疗保障局",
        ["medical", "social-security"],
        [
            ("异地就医备案", "20", "外地看病备案", [], "person", [], []),
            ("基本医疗保险参保登记", "20", "交医保", [], "person", [], []),
            ("医疗费用手工报销", "20", "看病报销", [], "person", [], []),
            ("门诊慢特病待遇认定", "20", "慢性病认定", [], "person", [], []),
            ("生育津贴支付", "05", "领生育津贴", [], "person", [], []),
        ],
    ),
    "culture": (
        "文化旅游体育局",
        ["culture-tourism"],
        [
            ("娱乐场所经营许可", "01", "开KTV、歌舞厅", [], "enterprise", [], V4),
            ("互联网上网服务营业场所经营许可", "01", "开网吧", [], "enterprise", [], []),
            ("营业性演出许可", "01", "办演出", [], "enterprise", [], []),
            ("旅行社设立许可", "01", "开旅行社", [], "enterprise", [], []),
        ],
    ),
}
MATERIALS = [
    "申请人有效身份证件",
    "营业执照",
    "不动产权证书",
    "居民户口簿",
    "结婚证",
    "经办人身份证件",
    "授权委托书",
    "场所使用证明",
    "法定代表人身份证明",
    "近期免冠照片",
    "医学证明",
    "房屋买卖合同",
    "完税证明",
    "章程",
    "检测报告",
    "职工档案",
]
FAQS = [
    ("可以委托他人办理吗？", "可以，受托人需携带授权委托书和本人身份证件。"),
    ("网上申请后多久办结？", "在承诺时限内办结，可在“我的办件”查看进度。"),
    ("需要交费吗？", "按收费项目执行，无收费项目的不收费。"),
    ("材料不齐可以先受理吗？", "非关键材料可容缺受理，签署承诺书后限期补齐。"),
]


def build_catalog_items(rng: random.Random) -> list[dict]:
    """The basic catalog: (sector, basic code, name, type, plain title...) for every item and sub-item."""
    items = []
    for s_index, (sector, (_dept, topics, templates)) in enumerate(SECTORS.items(), start=1):
        for t_index, (name, type_code, plain, aliases, audience, situations, variants) in enumerate(
            templates, 1
        ):
            main = f"{s_index:02d}{t_index:03d}"
            forms = [(name, plain, aliases, "000")] + [
                (f"{name}（{v}）", f"{plain}（{v}）", [], f"{i:03d}") for i, v in enumerate(variants, 1)
            ]
            for item_name, item_plain, item_aliases, sub in forms:
                items.append(
                    {
                        "sector": sector,
                        "basic_code": f"16{type_code}{main}{sub}",
                        "name": item_name,
                        "type": type_code,
                        "plain": item_plain,
                        "aliases": item_aliases,
                        "audience": audience,
                        "situations": situations,
                        "topics": topics,
                        "initiation": "ex_officio" if type_code in ("02", "03", "06") else "application",
                    }
                )
    return items


def make_divisions(entries_needed: int, entries_per_division: int):
    """Enough cities and counties (with their departments) to hold the entries still needed."""
    from yiwang.core import services as core
    from yiwang.core.models import Division

    if not Division.objects.filter(code="160000000000").exists():
        core.create_division("160000", "演示省")
    divisions = []
    for c, city in enumerate(CITIES, start=1):
        for k in range(len(COUNTIES) + 1):
            if len(divisions) * entries_per_division >= entries_needed:
                return divisions
            code = f"16{c:02d}{k:02d}"
            name = city if k == 0 else f"{city}{COUNTIES[k - 1]}"
            division = Division.objects.filter(code=code + "000000").first() or core.create_division(
                code, name
            )
            divisions.append(division)
    return divisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    setup_django(url)
    generate(args.entries, seed=args.seed, quiet=args.quiet)


def generate(n: int, seed: int = 7, quiet: bool = False) -> int:
    from django.core.management import call_command
    from django.db import connection, transaction
    from tqdm import tqdm

    from yiwang.catalog.models import (
        CatalogItem,
        Claim,
        Entry,
        ItemType,
        Topic,
    )
    from yiwang.core import services as core
    from yiwang.core.models import Department
    from yiwang.demo.region import department_uscc

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    existing = Entry.objects.count()
    if existing >= n:
        if not quiet:
            print(f"{connection.vendor}: already {existing} entries, nothing to do")
        return existing
    rng = random.Random(seed)
    items = build_catalog_items(rng)
    by_sector: dict[str, list[dict]] = {}
    for item in items:
        by_sector.setdefault(item["sector"], []).append(item)
    per_division = sum(len(v) for v in by_sector.values())
    divisions = make_divisions(n - existing, per_division)

    # Departments through the services: one per sector per division.
    departments: list[tuple[Department, str]] = []
    for division in divisions:
        for index, (sector, (dept_name, _topics, _t)) in enumerate(SECTORS.items(), start=1):
            name = f"{division.name}{dept_name}"
            dept = Department.objects.filter(division=division, name=name).select_related("division").first()
            if dept is None:
                nature = "institution" if sector == "housing_fund" else "administrative"
                dept = core.create_department(
                    name=name,
                    uscc=department_uscc(division.code, index, nature),
                    division=division.code,
                    nature=nature,
                    phone=f"0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}",
                    address=f"{division.name}人民路{index}号",
                )
            departments.append((dept, sector))

    types = {t.code: t for t in ItemType.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    catalog = {c.basic_code: c for c in CatalogItem.objects.filter(basic_code__startswith="16")}
    new_items = [
        CatalogItem(
            basic_code=i["basic_code"],
            name=i["name"],
            item_type=types[i["type"]],
            initiation=i["initiation"],
            legal_basis=f"《{i['name'][:6]}管理办法》第十条",
            levels=[2, 3],
        )
        for i in items
        if i["basic_code"] not in catalog
    ]
    for c in CatalogItem.objects.bulk_create(new_items, batch_size=1000):
        catalog[c.basic_code] = c
    claimed = set(Claim.objects.values_list("department_id", "catalog_item_id"))

    plan = []  # (department, item spec) for the entries still to make
    for dept, sector in departments:
        for spec in by_sector[sector]:
            if (dept.pk, catalog[spec["basic_code"]].pk) not in claimed:
                plan.append((dept, spec))
    plan = plan[: n - existing]
    bar = tqdm(total=len(plan), desc=f"{connection.vendor}: entries", unit="项", disable=quiet)
    batch = 2000
    for start in range(0, len(plan), batch):
        chunk = plan[start : start + batch]
        with transaction.atomic():
            _insert(chunk, rng, catalog, topics)
        bar.update(len(chunk))
    bar.close()
    total = Entry.objects.count()
    with connection.cursor() as cursor:  # statistics for the planner, as after any bulk load
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    if not quiet:
        print(
            f"{connection.vendor}: {total} entries ({len(plan)} new) in {time.perf_counter() - started:.0f} s"
        )
    return total


def _insert(chunk, rng, catalog, topics):
    """One batch of entries with their published guides."""
    from django.utils import timezone

    from yiwang.catalog import search
    from yiwang.catalog.models import Claim, Entry, EntryVersion, Faq, Fee, Material, Situation

    now = timezone.now()
    claims = Claim.objects.bulk_create(
        [
            Claim(department=dept, catalog_item=catalog[spec["basic_code"]], claimed_at=now)
            for dept, spec in chunk
        ]
    )
    entries, versions, fates = [], [], []
    for (dept, spec), claim in zip(chunk, claims, strict=True):
        roll = rng.random()
        fate = (
            "draft"
            if roll < 0.01
            else "suspended"
            if roll < 0.015
            else "cancelled"
            if roll < 0.02
            else "active"
        )
        fates.append(fate)
        level = dept.division.level
        entries.append(
            Entry(
                code=f"{dept.uscc}{level}{spec['basic_code']}",
                claim=claim,
                department=dept,
                catalog_item=catalog[spec["basic_code"]],
                name=spec["name"],
                plain_title="" if fate == "draft" else spec["plain"],
                status={"draft": "draft", "suspended": "suspended", "cancelled": "cancelled"}.get(
                    fate, "active"
                ),
                status_reason="系统升级暂停受理"
                if fate == "suspended"
                else "事项已取消"
                if fate == "cancelled"
                else "",
                published_at=None if fate == "draft" else now,
                search_tokens=""
                if fate in ("draft", "cancelled")
                else search.entry_tokens(
                    name=spec["name"],
                    plain_title=spec["plain"],
                    aliases=spec["aliases"],
                    situations=spec["situations"],
                    department=dept.name,
                    topics=[topics[t].name for t in spec["topics"]],
                    item_type=catalog[spec["basic_code"]].item_type.name,
                ),
            )
        )
    entries = Entry.objects.bulk_create(entries)
    for (dept, spec), entry, fate in zip(chunk, entries, fates, strict=True):
        legal = rng.choice([5, 10, 15, 20, 20, 20, 30, 60])
        instant = rng.random() < 0.15
        promised = 0 if instant else max(1, round(legal * rng.choice([0.1, 0.2, 0.25, 0.3, 0.5, 1.0])))
        depth = rng.choices([0, 2, 3, 4, 5, 6], weights=[5, 5, 10, 30, 20, 30])[0]
        visits = 0 if depth == 6 else rng.choice([0, 1, 1, 1, 2])
        versions.append(
            EntryVersion(
                entry=entry,
                number=1,
                state="draft" if fate == "draft" else "published",
                name=spec["name"],
                plain_title="" if fate == "draft" else spec["plain"],
                aliases=spec["aliases"],
                legal_basis=catalog[spec["basic_code"]].legal_basis,
                legal_limit=legal,
                promised_limit=promised,
                case_kind="instant" if instant else "promised",
                audience=spec["audience"],
                acceptance_conditions="申请人符合法定条件，材料齐全、符合法定形式。",
                procedure=[{"name": s} for s in ("申请", "受理", "审查", "决定", "送达")],
                handling_forms=["window", "online"] if depth >= 2 else ["window"],
                visits_required=visits,
                visit_reasons="核验原件" if visits else "",
                location=f"{dept.address}政务服务中心一楼综合窗口",
                hours="周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
                consult_phone=dept.phone,
                complaint_phone="12345",
                online_depth=depth,
                express_delivery=rng.random() < 0.4,
                online_payment=rng.random() < 0.3,
                appointment=rng.random() < 0.5,
                cross_region_scope=rng.choice(["none", "city", "province", "national"]),
                is_free=True,
                result_type="other",
                result_name=f"{spec['name']}办理结果",
                published_at=None if fate == "draft" else entry.published_at,
            )
        )
    versions = EntryVersion.objects.bulk_create(versions)
    published = []
    for entry, version, fate in zip(entries, versions, fates, strict=True):
        if fate != "draft":
            entry.published = version
            published.append(entry)
    Entry.objects.bulk_update(published, ["published"], batch_size=500)
    links, situations, materials, fees, faqs = [], [], [], [], []
    through = EntryVersion.topics.through
    for (_dept, spec), version in zip(chunk, versions, strict=True):
        links += [through(entryversion_id=version.pk, topic_id=topics[t].pk) for t in spec["topics"]]
        situations += [Situation(version=version, seq=i, name=s) for i, s in enumerate(spec["situations"], 1)]
        for order, name in enumerate(rng.sample(MATERIALS, rng.randint(1, 4))):
            materials.append(Material(version=version, order=order, name=name, source="applicant"))
        for order, (q, a) in enumerate(rng.sample(FAQS, rng.randint(1, 2))):
            faqs.append(Faq(version=version, order=order, question=q, answer=a))
    through.objects.bulk_create(links)
    Situation.objects.bulk_create(situations)
    Material.objects.bulk_create(materials)
    Fee.objects.bulk_create(fees)
    Faq.objects.bulk_create(faqs)


if __name__ == "__main__":
    main()
