"""Search: a citizen's everyday words find the right entry first, on SQLite and PostgreSQL alike.

`build_catalog` makes a small but realistic catalog through the services (other test modules
import it): the right answers sit among look-alikes (出生医学证明 beside 出生登记, 社会保障卡补领
beside 居民身份证补领, 机动车转移登记 beside 不动产转移登记).
"""

from __future__ import annotations

import pytest
from django.db import connection

from yiwang.catalog import search, search_index, services, synonyms
from yiwang.catalog.models import CatalogItem, Entry, EntryStatus

GUIDE = {
    "legal_basis": "《中华人民共和国行政许可法》第二十九条",
    "acceptance_conditions": "申请人符合法定条件。",
    "legal_limit": 20,
    "promised_limit": 5,
    "case_kind": "promised",
    "location": "青山市人民路88号政务服务中心一楼综合窗口",
    "hours": "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
    "consult_phone": "0471-8001111",
    "complaint_phone": "12345",
    "procedure": [{"name": "受理"}, {"name": "审查"}, {"name": "决定"}],
    "handling_forms": ["window", "online"],
    "online_depth": 4,
    "visits_required": 1,
    "visit_reasons": "核验原件",
    "result_name": "办理结果通知",
    "materials": [{"name": "申请人有效身份证件", "kind": "original", "source": "applicant"}],
    "faqs": [{"question": "可以委托他人办理吗？", "answer": "可以，需提供委托书。"}],
}

# (department key, basic code, official name, type, plain title, aliases, topics, situations, extra)
ITEMS = [
    (
        "city_public_security",
        "150700101000",
        "出生登记",
        "07",
        "给新生儿上户口",
        ["新生儿落户"],
        ["household", "birth-adoption"],
        [],
        {
            "audience": "person",
            "online_depth": 6,
            "visits_required": 0,
            "case_kind": "instant",
            "promised_limit": 0,
        },
    ),
    (
        "city_health",
        "152000201000",
        "出生医学证明签发",
        "20",
        "办出生证",
        [],
        ["birth-adoption", "medical"],
        ["首次签发", "换发"],
        {"audience": "person"},
    ),
    (
        "city_health",
        "152000202000",
        "生育登记",
        "20",
        "生育服务登记",
        [],
        ["birth-adoption"],
        [],
        {"audience": "person", "online_depth": 6, "visits_required": 0},
    ),
    (
        "city_public_security",
        "152000301000",
        "居民身份证首次申领",
        "20",
        "第一次办身份证",
        [],
        ["certificates"],
        [],
        {"audience": "person"},
    ),
    (
        "city_public_security",
        "152000302000",
        "居民身份证换领",
        "20",
        "身份证到期换新证",
        [],
        ["certificates"],
        [],
        {"audience": "person"},
    ),
    (
        "city_public_security",
        "152000303000",
        "居民身份证补领",
        "20",
        "身份证丢了补办",
        [],
        ["certificates"],
        [],
        {"audience": "person"},
    ),
    (
        "city_public_security",
        "152000304000",
        "临时居民身份证申领",
        "20",
        "",
        [],
        ["certificates"],
        [],
        {"audience": "person"},
    ),
    (
        "city_natural_resources",
        "150700401000",
        "不动产转移登记",
        "07",
        "二手房买卖过户",
        ["房屋过户"],
        ["property"],
        ["二手房买卖", "继承、受遗赠", "赠与"],
        {
            "audience": "both",
            "is_free": False,
            "fees": [
                {"name": "不动产登记费", "standard": "住宅80元/件", "basis": "发改价格规〔2016〕2559号"}
            ],
        },
    ),
    (
        "city_natural_resources",
        "150700402000",
        "不动产抵押登记",
        "07",
        "房贷抵押登记",
        [],
        ["property"],
        [],
        {"audience": "both"},
    ),
    (
        "city_natural_resources",
        "150700403000",
        "不动产首次登记",
        "07",
        "新房办房产证",
        [],
        ["property"],
        [],
        {"audience": "both"},
    ),
    (
        "city_market",
        "150100501000",
        "食品经营许可",
        "01",
        "开饭店、小吃店办食品许可证",
        [],
        ["business-permit"],
        ["新办", "延续", "变更"],
        {"audience": "enterprise", "legal_limit": 20, "promised_limit": 10},
    ),
    (
        "chengguan_market",
        "150100501000",
        "食品经营许可",
        "01",
        "开饭店、小吃店办食品许可证",
        [],
        ["business-permit"],
        ["新办"],
        {"audience": "enterprise"},
    ),
    (
        "city_market",
        "150100502000",
        "个体工商户设立登记",
        "01",
        "开个体店办营业执照",
        [],
        ["establishment"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_market",
        "150100503000",
        "企业设立登记",
        "01",
        "开公司办营业执照",
        [],
        ["establishment"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_health",
        "150100504000",
        "公共场所卫生许可",
        "01",
        "宾馆、理发店卫生许可证",
        [],
        ["health-permit"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_housing",
        "150100505000",
        "户外招牌设置审批",
        "01",
        "挂门头招牌",
        [],
        ["business-permit"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_public_security",
        "150700601000",
        "机动车驾驶证换证",
        "07",
        "驾照到期换证",
        [],
        ["transport"],
        [],
        {"audience": "person"},
    ),
    (
        "city_public_security",
        "150700602000",
        "机动车转移登记",
        "07",
        "二手车过户",
        [],
        ["transport"],
        [],
        {"audience": "person"},
    ),
    (
        "city_civil_affairs",
        "150700701000",
        "最低生活保障审核确认",
        "07",
        "申请低保",
        [],
        ["civil-affairs"],
        [],
        {"audience": "person"},
    ),
    (
        "beihe_civil_affairs",
        "150700701000",
        "最低生活保障审核确认",
        "07",
        "申请低保",
        [],
        ["civil-affairs"],
        [],
        {"audience": "person"},
    ),
    (
        "city_civil_affairs",
        "150700702000",
        "结婚登记",
        "07",
        "领结婚证",
        [],
        ["marriage"],
        [],
        {"audience": "person"},
    ),
    (
        "city_housing_fund",
        "152000801000",
        "住房公积金提取",
        "20",
        "取公积金",
        [],
        ["housing"],
        ["购房提取", "租房提取", "退休提取"],
        {"audience": "person", "online_depth": 6, "visits_required": 0},
    ),
    (
        "city_hrss",
        "152000802000",
        "社会保障卡补领",
        "20",
        "社保卡丢了补办",
        [],
        ["social-security"],
        [],
        {"audience": "person"},
    ),
    (
        "city_education",
        "150700901000",
        "教师资格认定",
        "07",
        "办教师资格证",
        [],
        ["professional-qualification"],
        [],
        {"audience": "person"},
    ),
    (
        "city_water",
        "150100902000",
        "取水许可",
        "01",
        "打井取水",
        [],
        ["agriculture-forestry"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_transport",
        "150100903000",
        "道路货物运输经营许可",
        "01",
        "跑货运办运输证",
        [],
        ["transport-business"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_public_security",
        "150100904000",
        "烟花爆竹经营（零售）许可",
        "01",
        "卖烟花爆竹",
        [],
        ["business-permit"],
        [],
        {"audience": "enterprise"},
    ),
    (
        "city_forestry",
        "150100905000",
        "林木采伐许可",
        "01",
        "砍树办采伐证",
        [],
        ["agriculture-forestry"],
        [],
        {"audience": "both"},
    ),
]
SUSPENDED = "道路货物运输经营许可"
CANCELLED = "烟花爆竹经营（零售）许可"
DRAFT_ONLY = "林木采伐许可"


def guide(name, plain, aliases, topics, situations, extra) -> dict:
    doc = {**GUIDE, "name": name, "plain_title": plain, "aliases": aliases, "topics": topics}
    doc["situations"] = [{"seq": i + 1, "name": s} for i, s in enumerate(situations)]
    doc.update(extra)
    return doc


def publish(entry):
    version = services.current_draft(entry)
    services.submit_version(version, None)
    services.publish_version(version, None)
    entry.refresh_from_db()
    return entry


def build_catalog(region) -> dict[str, Entry]:
    """The catalog above; returns entries by "department key/name"."""
    entries = {}
    for key, basic, name, type_code, plain, aliases, topics, situations, extra in ITEMS:
        item = CatalogItem.objects.filter(basic_code=basic).first() or services.create_catalog_item(
            basic_code=basic, name=name, item_type=type_code, legal_basis=GUIDE["legal_basis"]
        )
        claim = services.claim_item(region.departments[key], item)
        entry = services.compile_entry(claim, None, guide(name, plain, aliases, topics, situations, extra))
        if name != DRAFT_ONLY:
            publish(entry)
        if name == SUSPENDED:
            services.set_entry_status(entry, None, EntryStatus.SUSPENDED, "系统升级暂停受理")
        if name == CANCELLED:
            services.set_entry_status(entry, None, EntryStatus.CANCELLED, "事项已取消")
        entries[f"{key}/{name}"] = entry
    return entries


@pytest.fixture
def catalog(region):
    return build_catalog(region)


def names(q: str, candidates=None) -> list[str]:
    """The names of the entries answering `q`, best first."""
    ids = search.ranked_ids(q, candidates)
    by_pk = dict(Entry.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [by_pk[pk] for pk in ids]


def first(q: str, candidates=None) -> str | None:
    found = names(q, candidates)
    return found[0] if found else None


pytestmark = pytest.mark.django_db


# --- Everyday questions --------------------------------------------------------------------------


EVERYDAY = [
    ("生孩子", "出生登记"),
    ("生小孩上户口", "出生登记"),
    ("卖房", "不动产转移登记"),
    ("二手房过户", "不动产转移登记"),
    ("房子过户", "不动产转移登记"),
    ("身份证丢了", "居民身份证补领"),
    ("我的身份证丢了怎么办", "居民身份证补领"),
    ("身份证过期了", "居民身份证换领"),
    ("驾照到期", "机动车驾驶证换证"),
    ("二手车过户", "机动车转移登记"),
    ("社保卡丢了", "社会保障卡补领"),
    ("我要办低保", "最低生活保障审核确认"),
    ("取公积金", "住房公积金提取"),
    ("结婚", "结婚登记"),
    ("当老师", "教师资格认定"),
    ("开公司", "企业设立登记"),
    ("打井", "取水许可"),
]
TYPOS = [
    ("出生登计", "出生登记"),  # a wrong character
    ("出生等记", "出生登记"),
    ("居民身份正补领", "居民身份证补领"),
    ("公共场所卫生许科", "公共场所卫生许可"),
    ("不动产转登记", "不动产转移登记"),  # a missing character
    ("食品经营许", "食品经营许可"),
]


def misses(cases) -> list[tuple[str, str, list[str]]]:
    return [(q, expected, names(q)[:3]) for q, expected in cases if first(q) != expected]


def test_everyday_words_find_the_right_entry_first(catalog):
    assert misses(EVERYDAY) == []


def test_one_character_typo_still_finds(catalog):
    assert misses(TYPOS) == []


def test_opening_a_restaurant_finds_the_food_business_permit_in_the_top_three(catalog):
    assert "食品经营许可" in names("开饭店")[:3]
    assert "食品经营许可" in names("我想开个饭店需要办什么")[:3]


def test_official_name_plain_title_alias_and_situation(catalog):
    assert names("食品经营许可")[:2] == ["食品经营许可", "食品经营许可"]
    assert first("结婚登记") == "结婚登记"
    assert first("给新生儿上户口") == "出生登记"  # plain title
    assert first("新生儿落户") == "出生登记"  # alias
    assert first("房屋过户") == "不动产转移登记"  # alias
    assert first("受遗赠") == "不动产转移登记"  # a situation
    assert first("怎么办理出生登记？") == "出生登记"  # question words ignored


def test_name_matches_outrank_department_and_topic_matches(catalog):
    # 卫生 is in 公共场所卫生许可's name, and only in the department of 出生医学证明签发
    # (青山市卫生健康委员会): the name match comes first.
    found = names("卫生")
    assert found[0] == "公共场所卫生许可"
    assert "出生医学证明签发" in found
    # A topic word alone still finds the topic's entries, after entries naming it.
    assert "不动产转移登记" in names("不动产")[:3]


def test_results_are_deterministic_and_ties_go_by_code(catalog):
    ranked = search.ranked("最低生活保障审核确认")
    assert len(ranked) >= 2
    codes = [Entry.objects.get(pk=pk).code for pk, _ in ranked[:2]]
    assert ranked[0][1] == ranked[1][1] and codes == sorted(codes)
    assert search.ranked("生孩子") == search.ranked("生孩子")


# --- Filters, visibility -----------------------------------------------------------------------


def test_filters_combine_with_the_query(catalog, region):
    from yiwang.catalog import queries

    county = queries.find_items(queries.ItemFilters(division="159902"))[0]
    assert names("食品经营许可", county) == ["食品经营许可"]
    only = Entry.objects.get(name="食品经营许可", department=region.departments["chengguan_market"])
    assert search.ranked_ids("开饭店", county) == [only.pk]

    full_online = queries.find_items(queries.ItemFilters(online_depth=6))[0]
    assert set(names("生孩子", full_online)) == {"出生登记", "生育登记"}

    permits = queries.find_items(queries.ItemFilters(item_type="01", audience="enterprise"))[0]
    assert "出生登记" not in names("登记", permits)
    assert first("开饭店", permits) == "食品经营许可"

    topic = queries.find_items(queries.ItemFilters(topic="property"))[0]
    assert set(names("登记", topic)) == {"不动产转移登记", "不动产抵押登记", "不动产首次登记"}


def test_suspended_entries_are_found_cancelled_and_drafts_are_not(catalog):
    assert first("道路货物运输经营许可") == SUSPENDED
    assert CANCELLED not in names("烟花爆竹经营许可")
    assert CANCELLED not in names("卖烟花")
    assert DRAFT_ONLY not in names("林木采伐许可")
    assert DRAFT_ONLY not in names("砍树")


def test_a_new_version_is_searchable_by_its_new_words_only(catalog):
    entry = catalog["city_water/取水许可"]
    draft = services.start_new_draft(entry, None)
    services.save_draft(draft, {"plain_title": "打机井、抽地下水", "aliases": ["地下水取水"]}, None)
    assert first("抽地下水") != "取水许可"  # not published yet
    publish(entry)
    assert first("抽地下水") == "取水许可"
    plain = search.split_groups(Entry.objects.get(pk=entry.pk).search_tokens)[1]
    assert "抽" in "".join(plain) and "打井" not in plain  # the old plain title is gone


# --- Odd input ---------------------------------------------------------------------------------


ODD = [
    "",
    "   ",
    "！！！",
    "???",
    '"',
    "' OR 1=1 --",
    'NEAR("出生" "登记")',
    "出生 AND NOT 登记",
    "*",
    "%",
    "a" * 100,
]


def test_odd_queries_never_fail(catalog):
    for q in ODD:
        assert isinstance(search.ranked_ids(q), list), q


def test_query_parsing():
    query = search.parse_query("我要怎么办理出生登记？")
    assert query.text == "出生登记"
    assert "出生登记" in query.terms and query.terms["出生登记"] == 1.0
    assert search.parse_query("身份证丢了").phrases[0] == ("居民身份证补领", 1.0)
    assert search.parse_query("开酒吧").text == "开酒吧"  # 吧 is a particle only at the end
    assert synonyms.strip_fillers("办理") == "办理"  # nothing left: keep the question


# --- The index cannot go stale -------------------------------------------------------------------


def test_tokens_are_grouped_name_plain_situation_meta(catalog):
    entry = Entry.objects.get(code=catalog["city_natural_resources/不动产转移登记"].code)
    name, plain, situation, meta = search.split_groups(entry.search_tokens)
    assert {"不动产", "转移登记", "动产"} <= name
    assert {"二手房", "过户", "房屋"} <= plain
    assert {"继承", "赠与"} <= situation
    assert {"自然资源", "不动产", "行政", "确认"} <= meta


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_fts_rows_follow_the_entries(catalog):
    def fts_ids():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {search.FTS_TABLE}")
            return {row[0] for row in cursor.fetchall()}

    with_tokens = set(Entry.objects.exclude(search_tokens="").values_list("pk", flat=True))
    assert fts_ids() == with_tokens
    cancelled = catalog[f"city_public_security/{CANCELLED}"]
    assert cancelled.pk not in fts_ids()  # cancelling emptied its tokens; the trigger removed the row
    # Deleting entries (as a transactional test's flush does) removes their rows too.
    from yiwang.catalog.models import AuditFinding, Claim, EntryVersion

    AuditFinding.objects.all().delete()
    Entry.objects.update(published=None)
    EntryVersion.objects.all().delete()
    Entry.objects.all().delete()
    Claim.objects.all().delete()
    assert fts_ids() == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_a_stale_fts_row_never_surfaces(catalog):
    marriage = catalog["city_civil_affairs/结婚登记"]
    with connection.cursor() as cursor:
        # A row left behind for the id, saying something the entry does not: ignored.
        cursor.execute(f"DELETE FROM {search.FTS_TABLE} WHERE rowid = %s", [marriage.pk])
        cursor.execute(
            f"INSERT INTO {search.FTS_TABLE}(rowid, name, plain, situation, meta) VALUES (%s, %s, '', '', '')",
            [marriage.pk, "火星移民"],
        )
    assert search.ranked_ids("火星移民") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_lost_triggers_are_rebuilt_and_the_index_refilled(catalog):
    with connection.cursor() as cursor:
        for name in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_{name}")
        cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
    search_index._ensured.clear()
    assert first("生孩子") == "出生登记"
    assert search_index.ensure_index() is False  # checked once


def test_reindex_command_restores_tokens(catalog):
    from django.core.management import call_command

    Entry.objects.update(search_tokens="")
    assert search.ranked_ids("生孩子") == []
    call_command("reindex_items", "--no-progress", verbosity=0)
    assert first("生孩子") == "出生登记"
    assert first("二手房过户") == "不动产转移登记"


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_indexes_again(region):
    """A transactional test's flush empties the tables; the index must not keep old rows and a new
    catalog must be searchable at once."""
    from case_fixtures import seed_catalog_types

    seed_catalog_types()  # an earlier transactional test in this worker may have flushed them
    build_catalog(region)
    assert first("生孩子") == "出生登记"
    from django.core.management import call_command

    call_command("flush", "--no-input", verbosity=0)
    assert search.ranked_ids("生孩子") == []
    import importlib

    from django.apps import apps

    from yiwang.demo.region import load_region

    importlib.import_module("yiwang.catalog.migrations.0002_seed_types_and_topics").seed(apps, None)

    build_catalog(load_region())
    assert first("生孩子") == "出生登记"
    call_command("reindex_items", "--no-progress", verbosity=0)
    assert first("身份证丢了") == "居民身份证补领"


# --- The same answer on SQLite and PostgreSQL ------------------------------------------------------

# The whole ranked list for a few queries. These run on both databases (CI runs the suite on
# each); the ranking is computed in the application, so one expectation holds for both.
GOLDEN = {
    "生孩子": ["出生登记", "出生医学证明签发", "生育登记"],
    "身份证丢了": [
        "居民身份证补领",
        "居民身份证换领",
        "居民身份证首次申领",
        "临时居民身份证申领",
        "社会保障卡补领",
    ],
    "过户": ["不动产转移登记", "机动车转移登记"],  # a tie: by name
}


def test_same_ranking_on_every_database(catalog):
    assert {q: names(q) for q in GOLDEN} == GOLDEN
