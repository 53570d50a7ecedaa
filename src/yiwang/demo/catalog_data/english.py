"""English texts of the demo catalog (issue 13): the featured entries' official names and plain
titles, and the names of their materials and situations. An English page shows them; an English
question ("having a baby") finds them.

`ENTRIES` is keyed by the basic catalog code of a featured item (with its Chinese name, checked by
the tests against `featured.FEATURED`); `MATERIALS` and `SITUATIONS` by the Chinese name, so a
material of the same name in another entry (居民身份证) is translated there too. `with_english`
adds them to a guide document as `demo.catalog.load_catalog` builds it.
"""

from __future__ import annotations

from typing import Any

# basic code → (Chinese name, English official name, English plain title)
ENTRIES: dict[str, tuple[str, str, str]] = {
    "151000101000": (
        "居民身份证申领、换领、补领",
        "Application, renewal and replacement of the resident identity card",
        "Getting an ID card (first card, renewal, replacement)",
    ),
    "150700102001": (
        "户口登记（出生登记）",
        "Household registration (birth registration)",
        "Registering a newborn baby",
    ),
    "150100103002": (
        "机动车驾驶证换领、补领",
        "Renewal and replacement of a motor vehicle driving licence",
        "Renewing or replacing a driving licence",
    ),
    "150100104001": (
        "机动车注册登记",
        "Motor vehicle registration",
        "Registering a new car and getting number plates",
    ),
    "151000105000": (
        "居住证申领",
        "Application for a residence permit",
        "Getting a residence permit (household registered elsewhere)",
    ),
    "150100106000": (
        "旅馆业特种行业许可",
        "Special trade permit for hotels",
        "Permit for opening a hotel or guesthouse",
    ),
    "152000201000": (
        "出生医学证明签发",
        "Issue of the medical birth certificate",
        "Getting your baby's birth certificate",
    ),
    "150100202000": (
        "医师执业注册",
        "Registration of medical practitioners",
        "Registering as a doctor or changing where you practise",
    ),
    "150100203000": (
        "公共场所卫生许可",
        "Hygiene permit for public places",
        "Hygiene permit for hotels, hair salons, bathhouses and the like",
    ),
    "150700301000": (
        "内地居民结婚登记",
        "Marriage registration of mainland residents",
        "Getting married (marriage certificate)",
    ),
    "150700302000": (
        "内地居民离婚登记",
        "Divorce registration of mainland residents",
        "Divorce by agreement (divorce certificate)",
    ),
    "150500303000": (
        "最低生活保障",
        "Minimum living allowance",
        "Applying for the minimum living allowance (dibao)",
    ),
    "150500304000": (
        "临时救助",
        "Temporary assistance",
        "Emergency help in sudden hardship",
    ),
    "150500305000": (
        "高龄津贴发放",
        "Old-age allowance",
        "Allowance for people aged 80 and over",
    ),
    "152000401000": (
        "社会保障卡申领",
        "Application for a social security card",
        "Getting a social security card",
    ),
    "152000402000": (
        "城乡居民基本养老保险参保登记",
        "Enrolment in the basic pension insurance for urban and rural residents",
        "Joining the residents' pension scheme",
    ),
    "150700403000": (
        "职工正常退休申请",
        "Application for the normal retirement of employees",
        "Retiring and drawing your pension",
    ),
    "150500404000": (
        "失业保险金申领",
        "Claiming unemployment insurance benefit",
        "Claiming unemployment benefit after losing your job",
    ),
    "152000501000": (
        "城乡居民基本医疗保险参保登记",
        "Enrolment in the basic medical insurance for urban and rural residents",
        "Joining the residents' medical insurance scheme",
    ),
    "152000502000": (
        "异地就医备案",
        "Filing for medical treatment in another region",
        "Registering before seeing a doctor in another city",
    ),
    "152000601000": (
        "住房公积金提取",
        "Withdrawal from the housing provident fund",
        "Withdrawing your housing provident fund (buying, renting, retiring)",
    ),
    "152000602000": (
        "住房公积金个人住房贷款",
        "Housing provident fund home loan",
        "Buying a home with a provident fund loan",
    ),
    "150700701002": (
        "不动产转移登记",
        "Real estate transfer registration",
        "Selling or buying a flat: transfer of ownership",
    ),
    "150700701005": (
        "不动产抵押登记",
        "Real estate mortgage registration",
        "Registering a mortgage on your home",
    ),
    "150100702000": (
        "建设工程规划许可",
        "Construction project planning permit",
        "Planning permit before building",
    ),
    "150100801000": (
        "建筑工程施工许可",
        "Construction permit for building works",
        "Permit to start construction work",
    ),
    "150100802000": (
        "城镇污水排入排水管网许可",
        "Permit to discharge urban sewage into the drainage network",
        "Permit for shops and building sites to connect to the sewers",
    ),
    "152000901000": (
        "义务教育阶段新生入学登记",
        "Enrolment of new pupils in compulsory education",
        "Enrolling your child in primary or junior secondary school",
    ),
    "150100902000": (
        "教师资格认定",
        "Recognition of teacher qualification",
        "Getting a teacher's qualification certificate",
    ),
    "150100903000": (
        "民办学校办学许可",
        "Licence to run a private school",
        "Opening a private school or kindergarten",
    ),
    "150101001001": (
        "企业设立登记",
        "Registration of a new enterprise",
        "Starting a company",
    ),
    "150101002001": (
        "个体工商户设立登记",
        "Registration of an individual business",
        "Getting a business licence for a sole trader's shop",
    ),
    "150101003000": (
        "食品经营许可",
        "Food business licence",
        "Food business licence for opening a restaurant or food shop",
    ),
    "150101004000": (
        "药品零售经营许可",
        "Retail pharmacy licence",
        "Licence for opening a pharmacy",
    ),
    "150101101000": (
        "道路货物运输经营许可",
        "Road freight transport business licence",
        "Licence for running a freight haulage business",
    ),
    "150101201000": (
        "排污许可",
        "Pollutant discharge permit",
        "Permit for a business that discharges pollutants",
    ),
    "150101301000": (
        "取水许可",
        "Water abstraction permit",
        "Permit to sink a well or take water from a river",
    ),
    "150101401000": (
        "林木采伐许可",
        "Tree felling permit",
        "Permit to cut down trees",
    ),
    "150101501000": (
        "娱乐场所经营许可",
        "Entertainment venue business licence",
        "Licence for a KTV, dance hall or amusement arcade",
    ),
    "150101601000": (
        "公众聚集场所投入使用、营业前消防安全检查",
        "Fire safety inspection of public assembly venues before use or opening",
        "Fire safety check before a mall, eatery or hotel opens",
    ),
    "150101701000": (
        "烟花爆竹零售经营许可",
        "Fireworks retail licence",
        "Licence to sell fireworks for the Spring Festival",
    ),
    "150101801000": (
        "户外招牌设置审批",
        "Approval of outdoor signboards",
        "Approval for putting up a shop sign",
    ),
    "152001901000": (
        "残疾人证核发",
        "Issue of the disability certificate",
        "Getting a disability certificate",
    ),
}

MATERIALS: dict[str, str] = {
    # identity and household
    "居民身份证": "Resident identity card",
    "居民户口簿": "Household register booklet",
    "原居民身份证": "Your old resident identity card",
    "监护人居民身份证": "Guardian's resident identity card",
    "居民身份证丢失情况说明": "Statement on the loss of the identity card",
    "中华人民共和国居民身份证申领登记表": "Resident identity card application form",
    "父母双方居民户口簿": "Both parents' household register booklets",
    "父母双方居民身份证": "Both parents' resident identity cards",
    "父母结婚证": "Parents' marriage certificate",
    "非婚生育情况说明": "Statement on a birth outside marriage",
    "出生医学证明": "Medical birth certificate",
    "出生医学证明首次签发登记表": "Registration form for the first issue of the medical birth certificate",
    "新生儿住院病历或分娩记录": "Newborn's hospital record or delivery record",
    "原出生医学证明": "The original medical birth certificate",
    "申请人居民身份证": "Applicant's resident identity card",
    "家庭成员居民户口簿": "Household register booklets of the family members",
    "老年人居民身份证": "Older person's resident identity card",
    "代办人居民身份证": "Agent's resident identity card",
    "男女双方居民身份证": "Both partners' resident identity cards",
    "男女双方居民户口簿": "Both partners' household register booklets",
    "儿童及父母居民户口簿": "Household register booklets of the child and parents",
    "借款人及配偶居民身份证": "Identity cards of the borrower and spouse",
    "经营者居民身份证": "Operator's resident identity card",
    "法定代表人（负责人）居民身份证": "Identity card of the legal representative (person in charge)",
    "机动车所有人身份证明": "Vehicle owner's proof of identity",
    "买卖双方身份证明": "Proof of identity of the seller and the buyer",
    "抵押人和抵押权人身份证明": "Proof of identity of the mortgagor and the mortgagee",
    "举办者身份证明": "Proof of identity of the founder",
    "负责人身份证明": "Proof of identity of the person in charge",
    "申请人身份证明": "Applicant's proof of identity",
    "委托代理人身份证明和委托书": "Agent's proof of identity and power of attorney",
    "授权委托书": "Power of attorney",
    "居住证申领登记表": "Residence permit application form",
    "合法稳定住所证明": "Proof of a lawful, stable residence",
    "合法稳定就业证明": "Proof of lawful, stable employment",
    "连续就读证明": "Proof of continuous study",
    "父母居住证": "Parents' residence permits",
    "父母就业或经营证明": "Proof of the parents' employment or business",
    "住房证明": "Proof of housing",
    # driving and vehicles
    "机动车驾驶人身体条件证明": "Driver's medical certificate",
    "原机动车驾驶证": "Your old driving licence",
    "机动车驾驶证申请表": "Driving licence application form",
    "机动车销售统一发票": "Unified vehicle sales invoice",
    "机动车整车出厂合格证明": "Vehicle certificate of conformity",
    "车辆购置税完税证明": "Vehicle purchase tax payment certificate",
    "机动车交通事故责任强制保险凭证": "Compulsory motor insurance certificate",
    "机动车注册登记申请表": "Vehicle registration application form",
    "机动车行驶证": "Vehicle registration certificate",
    "驾驶人员从业资格证": "Drivers' professional qualification certificates",
    # business and premises
    "营业执照": "Business licence",
    "旅馆业特种行业许可申请表": "Hotel special trade permit application form",
    "经营场所不动产权证书或房屋租赁合同": "Title certificate or lease of the business premises",
    "公众聚集场所投入使用、营业前消防安全检查合格证": "Fire safety inspection certificate for public assembly venues",
    "旅馆平面图和客房分布图": "Floor plan of the hotel and layout of the rooms",
    "治安保卫制度和突发事件应急预案": "Security rules and emergency plan",
    "公共场所卫生许可申请表": "Public place hygiene permit application form",
    "公共场所地址方位示意图、平面图和卫生设施平面布局图": (
        "Location sketch, floor plan and layout of the sanitary facilities of the premises"
    ),
    "公共场所卫生检测或者评价报告": "Hygiene test or evaluation report of the premises",
    "公共场所卫生管理制度": "Hygiene management rules of the premises",
    "公共场所卫生许可告知承诺书": "Hygiene permit commitment letter",
    "公司登记（备案）申请书": "Company registration (filing) application",
    "公司章程": "Articles of association",
    "股东主体资格证明": "Proof of the shareholders' legal status",
    "法定代表人、董事、监事和经理的任职文件": (
        "Appointment documents of the legal representative, directors, supervisors and manager"
    ),
    "住所使用证明": "Proof of the right to use the registered address",
    "个体工商户登记（备案）申请书": "Individual business registration (filing) application",
    "经营场所使用证明": "Proof of the right to use the business premises",
    "食品经营许可申请书": "Food business licence application",
    "与食品经营相适应的主要设备设施、经营布局、操作流程等文件": (
        "Documents on the equipment, layout and working procedures for the food business"
    ),
    "食品安全自查、从业人员健康管理、进货查验记录和食品安全事故处置制度": (
        "Rules for food safety self-checks, staff health, purchase inspection records and food "
        "safety incidents"
    ),
    "食品安全管理人员名单及培训考核合格证明": (
        "List of food safety managers and proof that they passed their training"
    ),
    "药品经营许可证申请表": "Pharmaceutical trading licence application form",
    "执业药师注册证": "Licensed pharmacist's registration certificate",
    "经营场所和仓库平面布局图及房屋产权或使用权证明": (
        "Layout of the shop and warehouse, with proof of ownership or the right to use them"
    ),
    "药品质量管理制度文件和主要设施设备目录": (
        "Drug quality management rules and a list of the main facilities and equipment"
    ),
    "道路货物运输经营申请表": "Road freight business application form",
    "安全生产管理制度文本": "Work safety management rules",
    "娱乐场所经营许可申请书": "Entertainment venue licence application",
    "投资人、法定代表人、主要负责人的身份证明及无《娱乐场所管理条例》第五条情形的书面声明": (
        "Proof of identity of the investors, legal representative and managers, and a written "
        "declaration that Article 5 of the Regulations on Entertainment Venues does not apply to them"
    ),
    "场所不动产权证书或租赁合同": "Title certificate or lease of the premises",
    "公众聚集场所投入使用、营业消防安全检查申报表": (
        "Fire safety inspection application form for public assembly venues"
    ),
    "消防安全告知承诺书": "Fire safety commitment letter",
    "场所平面布置图、场所消防设施平面图": "Floor plan of the premises and plan of its fire safety equipment",
    "消防安全制度、灭火和应急疏散预案": "Fire safety rules, firefighting and evacuation plan",
    "建设工程消防验收意见书或备案凭证": "Fire safety acceptance opinion or filing receipt of the building",
    "烟花爆竹经营（零售）许可证申请书": "Fireworks (retail) licence application",
    "主要负责人安全培训合格证明": "Proof that the person in charge passed safety training",
    "零售场所产权证明或租赁合同": "Proof of ownership or lease of the shop",
    "零售场所平面示意图和安全距离说明": "Sketch of the shop and a statement of safety distances",
    "户外招牌设置申请表": "Outdoor signboard application form",
    "招牌设计效果图": "Design drawing of the sign",
    "建筑物产权或使用权证明": "Proof of ownership or the right to use the building",
    "户外招牌安全承诺书": "Outdoor signboard safety commitment letter",
    # health
    "医师资格证书": "Medical qualification certificate",
    "医师执业注册申请审核表": "Medical practitioner registration form",
    "近六个月内的健康体检证明": "Health check certificate from the last six months",
    "拟执业机构聘用证明": "Employment letter from the institution where you will practise",
    "医师执业证书": "Medical practising certificate",
    "疾病诊断证明": "Medical diagnosis certificate",
    "转诊转院证明": "Referral to another hospital",
    "医保电子凭证或社会保障卡": "Electronic medical insurance card or social security card",
    "异地就医备案个人承诺书": "Personal commitment letter for treatment in another region",
    # marriage and family
    "双方近期半身免冠合影照片": "Recent bare-headed half-length photos of the couple together",
    "申请结婚登记声明书": "Marriage registration declaration",
    "结婚证": "Marriage certificate",
    "离婚协议书": "Divorce agreement",
    "双方近期半身免冠单人照片": "Recent bare-headed half-length photos of each partner",
    # social assistance and insurance
    "最低生活保障申请书": "Minimum living allowance application",
    "家庭经济状况核对授权书": "Authorisation to check the family's finances",
    "残疾人证": "Disability certificate",
    "临时救助申请书": "Temporary assistance application",
    "事故、疾病或灾害证明": "Proof of the accident, illness or disaster",
    "高龄津贴申请表": "Old-age allowance application form",
    "社会保障卡": "Social security card",
    "社会保障卡申领登记表": "Social security card application form",
    "城乡居民基本养老保险参保登记表": "Residents' pension insurance enrolment form",
    "职工退休申报表": "Employee retirement application form",
    "职工本人人事档案": "The employee's personnel file",
    "特殊工种从业证明": "Proof of work in special (hazardous) jobs",
    "解除或终止劳动合同的证明": "Proof that the employment contract was ended",
    "残疾人证申请表": "Disability certificate application form",
    "近期2寸免冠白底彩色照片": "Recent 2-inch bare-headed colour photo on a white background",
    # housing and land
    "不动产权证书或购房合同": "Title certificate or home purchase contract",
    "购房贷款合同": "Home loan contract",
    "无自有住房承诺": "Statement that you own no home",
    "退休证明": "Proof of retirement",
    "商品房买卖合同或存量房买卖合同": "Purchase contract for a new or second-hand home",
    "首付款支付凭证": "Proof of the down payment",
    "住房公积金个人住房贷款申请表": "Provident fund home loan application form",
    "不动产登记申请书": "Real estate registration application",
    "不动产权证书": "Real estate title certificate",
    "存量房买卖合同": "Second-hand home sale contract",
    "完税凭证": "Tax payment receipt",
    "婚姻状况证明": "Proof of marital status",
    "主债权合同": "Principal loan contract",
    "抵押合同": "Mortgage contract",
    # construction, environment, water, forestry
    "建设工程规划许可证申请表": "Construction planning permit application form",
    "建设用地规划许可证或不动产权证书": "Land use planning permit or real estate title certificate",
    "建设工程设计方案（含总平面图）": "Design scheme of the project (with the site plan)",
    "投资项目审批、核准或备案文件": "Approval, authorisation or filing documents of the investment project",
    "建筑工程施工许可申请表": "Construction permit application form",
    "建设工程规划许可证": "Construction planning permit",
    "施工合同": "Construction contract",
    "中标通知书": "Notice of award of the tender",
    "施工图设计文件审查合格书": "Certificate of approval of the construction drawings",
    "建设资金已落实承诺书": "Commitment letter that the construction funds are in place",
    "城镇污水排入排水管网许可申请表": "Sewage discharge permit application form",
    "排水户内部排水管网、专用检测井、排放口位置和口径的图纸及说明": (
        "Drawings and description of the internal drains, inspection wells and outlets (positions and sizes)"
    ),
    "排水水质检测报告": "Waste water quality test report",
    "排污许可证申请表": "Pollutant discharge permit application form",
    "排污单位守法承诺书": "Discharger's commitment to comply with the law",
    "建设项目环境影响评价批复文件": "Approval of the project's environmental impact assessment",
    "自行监测方案": "Self-monitoring plan",
    "排污口和监测孔规范化设置情况说明": "Statement on the standard setting of outlets and monitoring holes",
    "取水许可申请书": "Water abstraction permit application",
    "建设项目水资源论证报告书": "Water resources assessment report of the project",
    "与第三者利害关系的相关说明": "Statement on interests of third parties",
    "林木采伐申请表": "Tree felling application form",
    "林木权属证明": "Proof of ownership of the trees",
    "伐区调查设计文件": "Survey and design documents of the felling area",
    # education
    "学历证书": "Diploma",
    "普通话水平测试等级证书": "Putonghua proficiency test certificate",
    "中小学教师资格考试合格证明": "Proof of passing the primary and secondary teacher qualification exam",
    "教师资格认定体检表": "Medical examination form for teacher qualification",
    "个人承诺书": "Personal commitment letter",
    "民办学校正式设立申请书": "Application to establish a private school",
    "学校章程和首届理事会、董事会组成人员名单": "School charter and list of members of the first board",
    "资产来源、资金数额及有效证明文件": "Source and amount of the assets, with valid proof",
    "校舍不动产权证书或租赁合同": "Title certificate or lease of the school buildings",
    "校长、教师、财会人员的资格证明文件": "Qualification documents of the head, teachers and accountants",
}

SITUATIONS: dict[str, str] = {
    "首次申领": "First application",
    "换领": "Renewal",
    "补领": "Replacement",
    "换发": "Renewal",
    "补发": "Replacement",
    "首次签发": "First issue",
    "有效期满换证": "Renewal when it expires",
    "损毁换证": "Renewal of a damaged licence",
    "遗失补证": "Replacement of a lost licence",
    "首次注册": "First registration",
    "变更注册": "Change of registration",
    "补换卡": "Replacing or renewing the card",
    "离休、退休": "Retirement",
    "购买自住住房": "Buying a home to live in",
    "偿还购房贷款": "Repaying a home loan",
    "租赁住房": "Renting a home",
    "异地长期居住": "Living in another region for a long time",
    "临时外出就医": "Treatment away from home for a short time",
    "本地户籍适龄儿童": "Children of school age with a local household registration",
    "随迁子女": "Children who moved here with their parents",
}


def with_english(doc: dict[str, Any], basic_code: str) -> dict[str, Any]:
    """The guide document with the English texts of its entry, materials and situations added
    (those without a translation keep none)."""
    doc = dict(doc)
    if basic_code in ENTRIES:
        _chinese, doc["name_en"], doc["plain_title_en"] = ENTRIES[basic_code]
    for key, names in (("materials", MATERIALS), ("situations", SITUATIONS)):
        if key in doc:
            doc[key] = [
                {**row, "name_en": names[row["name"]]} if row.get("name") in names else row
                for row in doc[key]
            ]
    return doc
