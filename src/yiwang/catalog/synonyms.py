"""Everyday words mapped to the official terms a guide uses, so a citizen's question finds the
entry (生孩子 → 出生登记). Data, not code: extend the tables as the hotline learns new phrasings.

- `EVERYDAY_TO_OFFICIAL`: an everyday phrase → the official terms it means, most likely first
  (the first term weighs most when ranking).
- `FILLERS`: question words that carry no meaning for search (我要, 怎么, 办理...).
- `GENERIC`: words too common in item names to tell items apart (登记, 许可, 申请...); they still
  count, but little.
- `DOMAIN_WORDS`: terms the segmenter must keep whole (出生登记, 转移登记...), added to jieba's
  dictionary. Changing them changes the stored tokens: run `yiwang reindex-items` afterwards.
"""

from __future__ import annotations

EVERYDAY_TO_OFFICIAL: dict[str, str] = {
    # births, household registration, identity documents
    "生孩子": "出生登记 出生医学证明 生育登记 生育津贴",
    "生小孩": "出生登记 出生医学证明 生育登记 生育津贴",
    "生娃": "出生登记 出生医学证明 生育登记",
    "新生儿": "出生登记 出生医学证明 新生儿参保",
    "宝宝": "出生登记 出生医学证明",
    "准生证": "生育登记",
    "二胎": "生育登记",
    "上户口": "出生登记 户口登记 户籍",
    "报户口": "出生登记 户口登记",
    "孩子户口": "出生登记",
    "落户": "户口迁入 落户 户籍",
    "迁户口": "户口迁移 户口迁入",
    "户口迁": "户口迁移 户口迁入",
    "户口本": "居民户口簿",
    "死亡": "死亡登记 户口注销 丧葬补助",
    "去世": "死亡登记 户口注销 丧葬补助 遗属待遇",
    "人走了": "死亡登记 户口注销 丧葬补助",
    "身份证": "居民身份证",
    "办身份证": "居民身份证申领",
    "身份证丢了": "居民身份证补领",
    "身份证掉了": "居民身份证补领",
    "身份证过期": "居民身份证换领",
    "身份证到期": "居民身份证换领",
    "临时身份证": "临时居民身份证",
    "丢了": "补领 补办 挂失",
    "掉了": "补领 补办 挂失",
    "遗失": "补领 补办 挂失",
    "坏了": "换领 换发 补换",
    "过期": "换领 换发 延续",
    "到期": "换领 换发 延续",
    "护照": "普通护照",
    "出国": "普通护照 出入境",
    "港澳通行证": "往来港澳通行证",
    "去香港": "往来港澳通行证",
    "去澳门": "往来港澳通行证",
    "去台湾": "往来台湾通行证",
    "居住证": "居住证申领",
    "暂住证": "居住证申领",
    "无犯罪证明": "无犯罪记录证明",
    # marriage and family
    "结婚": "结婚登记",
    "领证": "结婚登记",
    "离婚": "离婚登记",
    "收养孩子": "收养登记",
    "领养": "收养登记",
    # housing and property
    "卖房": "不动产转移登记 二手房 存量房",
    "卖房子": "不动产转移登记 二手房 存量房",
    "买房": "不动产转移登记 商品房 住房公积金贷款",
    "买房子": "不动产转移登记 商品房 住房公积金贷款",
    "二手房": "不动产转移登记 存量房",
    "过户": "转移登记",
    "房子过户": "不动产转移登记",
    "房产证": "不动产权证书 不动产登记",
    "房本": "不动产权证书 不动产登记",
    "房产继承": "不动产转移登记 继承",
    "新房": "不动产首次登记 商品房",
    "抵押": "抵押登记",
    "房贷": "住房公积金贷款 不动产抵押登记",
    "公积金": "住房公积金",
    "提公积金": "住房公积金提取",
    "取公积金": "住房公积金提取",
    "租房": "住房租赁 公共租赁住房",
    "公租房": "公共租赁住房",
    "廉租房": "公共租赁住房",
    "盖房子": "农村宅基地 建设工程规划许可 建筑工程施工许可",
    "建房": "农村宅基地 建设工程规划许可",
    "宅基地": "农村宅基地",
    "装修": "住宅室内装饰装修",
    # vehicles and transport
    "驾照": "机动车驾驶证",
    "驾驶证": "机动车驾驶证",
    "换驾照": "机动车驾驶证换证",
    "考驾照": "机动车驾驶证申领",
    "驾照丢了": "机动车驾驶证补证",
    "买车": "机动车注册登记",
    "新车": "机动车注册登记",
    "上牌": "机动车注册登记 号牌",
    "车牌": "机动车号牌",
    "二手车": "机动车转移登记",
    "卖车": "机动车转移登记",
    "年检": "机动车检验合格标志",
    "车辆年审": "机动车检验合格标志",
    "跑运输": "道路货物运输经营许可 道路运输",
    "货车": "道路货物运输经营许可",
    "开出租": "出租汽车 道路运输",
    # work, pensions and insurance
    "退休": "职工退休 基本养老保险 退休",
    "养老金": "基本养老保险 养老保险待遇 退休",
    "领养老金": "养老保险待遇",
    "养老保险": "基本养老保险",
    "社保": "社会保险 参保登记",
    "交社保": "参保登记 社会保险",
    "社保转移": "养老保险关系转移",
    "社保卡": "社会保障卡",
    "社保卡丢了": "社会保障卡挂失 社会保障卡补领",
    "失业": "失业保险金 失业登记",
    "没工作": "失业登记 失业保险金 就业",
    "找工作": "就业登记 就业服务 求职",
    "工伤": "工伤认定 工伤保险",
    "被欠工资": "劳动保障监察 劳动争议",
    "拖欠工资": "劳动保障监察 劳动争议",
    "劳动仲裁": "劳动人事争议仲裁",
    "医保": "基本医疗保险",
    "看病": "基本医疗保险 异地就医",
    "外地看病": "异地就医备案",
    "异地看病": "异地就医备案",
    "报销": "医疗费用报销 医疗保险",
    "生育险": "生育保险 生育津贴",
    # social assistance, elderly, disability
    "低保": "最低生活保障",
    "困难": "临时救助 最低生活保障 特困人员",
    "救助": "临时救助 社会救助",
    "五保": "特困人员救助供养",
    "老人补贴": "高龄津贴 养老服务补贴",
    "高龄补贴": "高龄津贴",
    "残疾证": "残疾人证",
    "残疾补贴": "困难残疾人生活补贴 重度残疾人护理补贴",
    "当兵": "兵役登记 征兵",
    "退伍": "退役军人 退役士兵",
    # education and qualifications
    "上学": "义务教育入学",
    "入学": "义务教育入学",
    "上小学": "义务教育入学 小学",
    "转学": "学籍转接 转学",
    "当老师": "教师资格认定",
    "教师证": "教师资格认定",
    "办学校": "民办学校办学许可",
    "培训班": "民办学校办学许可 培训机构",
    "办幼儿园": "民办幼儿园 民办学校办学许可",
    # business
    "开饭店": "食品经营许可 个体工商户设立登记 企业设立登记 户外招牌设置 公共场所卫生许可",
    "开餐馆": "食品经营许可 个体工商户设立登记",
    "开餐厅": "食品经营许可 个体工商户设立登记",
    "开小吃店": "食品经营许可 小餐饮 个体工商户设立登记",
    "卖吃的": "食品经营许可 小餐饮",
    "开超市": "食品经营许可 个体工商户设立登记 烟草专卖零售许可",
    "开店": "个体工商户设立登记 食品经营许可",
    "开公司": "企业设立登记",
    "注册公司": "企业设立登记",
    "公司注销": "企业注销登记",
    "关公司": "企业注销登记",
    "改名字": "变更登记",
    "办执照": "营业执照 企业设立登记 个体工商户设立登记",
    "营业执照": "企业设立登记 个体工商户设立登记 营业执照",
    "个体户": "个体工商户",
    "开宾馆": "旅馆业特种行业许可 公共场所卫生许可",
    "开旅馆": "旅馆业特种行业许可 公共场所卫生许可",
    "开酒店": "旅馆业特种行业许可 公共场所卫生许可 食品经营许可",
    "民宿": "旅馆业特种行业许可 民宿",
    "理发店": "公共场所卫生许可",
    "美容院": "公共场所卫生许可",
    "卖烟": "烟草专卖零售许可",
    "卖酒": "酒类经营 食品经营许可",
    "卖烟花": "烟花爆竹经营（零售）许可",
    "开药店": "药品零售经营许可 药品经营许可",
    "开诊所": "诊所备案 医疗机构执业",
    "招牌": "户外招牌设置",
    "广告牌": "户外广告设施设置",
    "开ktv": "娱乐场所经营许可",
    "ktv": "娱乐场所经营许可",
    "网吧": "互联网上网服务营业场所",
    "开网吧": "互联网上网服务营业场所",
    "开工厂": "企业设立登记 排污许可 建设项目环境影响评价",
    "消防": "消防安全检查 消防验收 公众聚集场所投入使用、营业前消防安全检查",
    "环评": "建设项目环境影响评价",
    "排污": "排污许可",
    "发票": "发票领用 税务",
    # land, water, forestry, agriculture
    "砍树": "林木采伐许可",
    "打井": "取水许可",
    "用水": "取水许可",
    "养鱼": "水域滩涂养殖",
    "种地补贴": "耕地地力保护补贴",
    "养猪": "动物防疫条件合格证",
    "打猎": "狩猎证",
    # English questions (issue 13): the English pages' own examples and a few everyday phrases,
    # mapped to Chinese terms (official ones, or the Chinese everyday phrase the guides' plain
    # titles use) so that they find every entry, whether or not it has English names. English
    # words are also searched directly (the entries' English names are indexed). Lower case;
    # matched anywhere in the question.
    "having a baby": "出生登记 户口登记 出生医学证明 生育登记 生育津贴",
    "had a baby": "出生登记 户口登记 出生医学证明 生育登记 生育津贴",
    "newborn": "出生登记 出生医学证明",
    "birth certificate": "出生医学证明",
    "selling a flat": "不动产转移登记 二手房 存量房",
    "selling a house": "不动产转移登记 二手房 存量房",
    "buying a flat": "不动产转移登记 商品房 住房公积金贷款",
    "opening a restaurant": "食品经营许可 开饭店 个体工商户设立登记 企业设立登记",
    "retiring": "职工正常退休 退休 养老金",
    "retirement": "职工正常退休 退休 养老金",
    "getting married": "结婚登记",
}

# Question words and politeness that only say "I want to get this done".
FILLERS: tuple[str, ...] = (
    "办理",  # first: 怎么办理 must not lose 办 to 怎么办
    "我想要",
    "我想",
    "我要",
    "想要",
    "请问",
    "怎么样",
    "怎么办",
    "怎么",
    "怎样",
    "如何",
    "在哪里",
    "在哪儿",
    "在哪",
    "去哪里",
    "去哪",
    "哪里",
    "需要",
    "要带",
    "带什么",
    "什么材料",
    "哪些材料",
    "材料",
    "手续",
    "流程",
    "能不能",
    "可以",
    "可不可以",
    "一下",
    "帮我",
)
# Characters that carry no meaning on their own (pronouns, particles, measure and question words,
# verbs of wanting and doing): never a reason to match when a question is searched by characters.
FUNCTION_CHARS: frozenset[str] = frozenset(
    "我你他她它们的地得了着过吗呢吧啊呀么什怎哪谁这那个些一二三几是在有没不要想把被给对向从到"
    "和与及或也都就还又很太更最能会可以该应请问办理去来上下里外中后前时候家人多少啥咋样做弄搞"
)

# Sentence-final particles, dropped only at the end (not 吧: 酒吧, 网吧).
PARTICLES = "吗呢啊呀？?！!。."

# Words too common in item names to tell entries apart (still matched, with a small weight).
GENERIC: frozenset[str] = frozenset(
    {
        "登记",
        "许可",
        "申请",
        "申领",
        "办理",
        "审批",
        "审核",
        "核准",
        "核发",
        "备案",
        "证明",
        "证书",
        "服务",
        "管理",
        "变更",
        "注销",
        "设立",
        "确认",
        "认定",
        "事项",
        "行政",
        "公共",
        "中心",
        "部门",
        "业务",
        "办事",
        "相关",
        "情形",
        "首次",
        "补领",
        "换领",
        "补办",
        "延续",
        "资格",
        "信息",
        "查询",
        "证",
        "局",
        "市",
        "县",
        "区",
        "省",
        "镇",
        "乡",
        "的",
        "和",
        "与",
        "及",
        "或",
        "了",
        "是",
        "在",
        "有",
    }
)

# Official terms kept whole by the segmenter (each is also split into its parts in search mode).
DOMAIN_WORDS: tuple[str, ...] = (
    "出生登记",
    "出生医学证明",
    "生育登记",
    "生育津贴",
    "户口登记",
    "户口迁移",
    "户口迁入",
    "户口注销",
    "死亡登记",
    "居民身份证",
    "临时居民身份证",
    "居住证",
    "结婚登记",
    "离婚登记",
    "收养登记",
    "不动产",
    "不动产登记",
    "转移登记",
    "首次登记",
    "抵押登记",
    "变更登记",
    "注销登记",
    "设立登记",
    "不动产权证书",
    "存量房",
    "商品房",
    "住房公积金",
    "公共租赁住房",
    "机动车",
    "机动车驾驶证",
    "注册登记",
    "营业执照",
    "个体工商户",
    "食品经营许可",
    "小餐饮",
    "公共场所卫生许可",
    "特种行业许可",
    "户外招牌",
    "娱乐场所",
    "养老保险",
    "医疗保险",
    "失业保险金",
    "社会保障卡",
    "最低生活保障",
    "临时救助",
    "特困人员",
    "高龄津贴",
    "残疾人证",
    "异地就医",
    "义务教育",
    "教师资格",
    "排污许可",
    "取水许可",
    "林木采伐",
    "即办件",
    "承诺件",
    "全程网办",
    "一件事",
)


def matched_phrases(q: str) -> list[str]:
    """The everyday phrases found in `q`, longest first (then by position)."""
    text = (q or "").strip().lower()
    found = [p for p in EVERYDAY_TO_OFFICIAL if p in text]
    return sorted(found, key=lambda p: (-len(p), text.find(p)))


def expansions(q: str) -> list[str]:
    """The official terms meant by the everyday phrases in `q`, most likely first, without repeats."""
    terms: list[str] = []
    for phrase in matched_phrases(q):
        terms += EVERYDAY_TO_OFFICIAL[phrase].split()
    return list(dict.fromkeys(terms))


def expand(q: str) -> str:
    """The query with every everyday phrase it contains followed by its official terms."""
    text = (q or "").strip().lower()
    return " ".join([text, *expansions(text)])


def strip_fillers(q: str) -> str:
    """The query without question words ("我要怎么办理出生登记" → "出生登记"); unchanged if that
    would leave nothing."""
    text = (q or "").strip().lower()
    stripped = text
    for filler in FILLERS:
        stripped = stripped.replace(filler, " ")
    stripped = " ".join(stripped.split()).rstrip(PARTICLES).strip()
    return stripped or text
