"""The demo region: 青山市, a plausible prefecture city with 3 counties, 6 townships, 12 villages,
about 20 departments, staff in every role, and applicants with valid identifiers.

Codes are correctly shaped (GB/T 2260 and 12-digit statistical codes); the city code 1599 is not
a real prefecture, so nothing here can be mistaken for a real body. Built only through services.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Enterprise, Person, StaffRole, User
from yiwang.core import services as core
from yiwang.core.identifiers import ric_check_digit, uscc_with_check
from yiwang.core.models import Department, DepartmentNature, Division

DEMO_PASSWORD = "yiwang-demo"

DIVISIONS = [
    ("150000", "内蒙古自治区"),
    ("159900", "青山市"),
    ("159902", "青山市城关区"),
    ("159921", "北河县"),
    ("159981", "南原市"),
    ("159902001000", "城关区东城街道"),
    ("159902002000", "城关区西城街道"),
    ("159921100000", "北河县北河镇"),
    ("159921200000", "北河县柳树乡"),
    ("159981001000", "南原市新华街道"),
    ("159981100000", "南原市三道河镇"),
    ("159902001001", "东城街道光明社区"),
    ("159902001002", "东城街道和平社区"),
    ("159902002001", "西城街道育才社区"),
    ("159902002002", "西城街道文化社区"),
    ("159921100201", "北河镇北河村"),
    ("159921100202", "北河镇前进村"),
    ("159921200201", "柳树乡柳树村"),
    ("159921200202", "柳树乡红旗村"),
    ("159981001001", "新华街道新华社区"),
    ("159981001002", "新华街道站前社区"),
    ("159981100201", "三道河镇三道河村"),
    ("159981100202", "三道河镇东沟村"),
]

# (key, name, division code, nature)
DEPARTMENTS = [
    ("city_gov_service", "青山市政务服务和数据管理局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_market", "青山市市场监督管理局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_public_security", "青山市公安局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_hrss", "青山市人力资源和社会保障局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_civil_affairs", "青山市民政局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_housing_fund", "青山市住房公积金管理中心", "159900", DepartmentNature.INSTITUTION),
    ("city_natural_resources", "青山市自然资源局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_housing", "青山市住房和城乡建设局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_health", "青山市卫生健康委员会", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_education", "青山市教育局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_transport", "青山市交通运输局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_ecology", "青山市生态环境局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_medical_security", "青山市医疗保障局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_water", "青山市水利局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_forestry", "青山市林业和草原局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_culture", "青山市文化旅游体育局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_fire", "青山市消防救援支队", "159900", DepartmentNature.AUTHORISED),
    ("chengguan_service", "城关区政务服务中心", "159902", DepartmentNature.SERVICE_CENTRE),
    ("chengguan_market", "城关区市场监督管理局", "159902", DepartmentNature.ADMINISTRATIVE),
    ("beihe_service", "北河县政务服务中心", "159921", DepartmentNature.SERVICE_CENTRE),
    ("beihe_civil_affairs", "北河县民政局", "159921", DepartmentNature.ADMINISTRATIVE),
    ("nanyuan_service", "南原市政务服务中心", "159981", DepartmentNature.SERVICE_CENTRE),
    ("dongcheng_service", "东城街道便民服务中心", "159902001000", DepartmentNature.SERVICE_CENTRE),
    ("beihe_town_service", "北河镇便民服务中心", "159921100000", DepartmentNature.SERVICE_CENTRE),
    ("city_emergency", "青山市应急管理局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_urban_management", "青山市城市管理综合执法局", "159900", DepartmentNature.ADMINISTRATIVE),
    ("city_disabled", "青山市残疾人联合会", "159900", DepartmentNature.AUTHORISED),
    ("xinhua_service", "新华街道便民服务中心", "159981001000", DepartmentNature.SERVICE_CENTRE),
    ("liushu_service", "柳树乡便民服务中心", "159921200000", DepartmentNature.SERVICE_CENTRE),
]

# (username, name, department key, roles, wider division scope or None, window)
STAFF = [
    ("demo-clerk", "王晓梅", "city_gov_service", [StaffRole.WINDOW_CLERK], None, "市民中心综合窗口 3号"),
    ("demo-clerk-chengguan", "马丽", "chengguan_service", [StaffRole.WINDOW_CLERK], None, "综合窗口 2号"),
    ("demo-reviewer", "李建国", "city_market", [StaffRole.REVIEWER], None, ""),
    ("demo-approver", "张志强", "city_market", [StaffRole.APPROVER], None, ""),
    ("demo-itemadmin", "刘芳", "city_market", [StaffRole.ITEM_ADMIN], None, ""),
    ("demo-supervisor", "赵立新", "city_gov_service", [StaffRole.SUPERVISOR], None, ""),
    ("demo-admin", "陈平", "city_gov_service", [StaffRole.PLATFORM_ADMIN, StaffRole.SUPERVISOR], None, ""),
    ("demo-clerk-beihe", "孙丽", "beihe_service", [StaffRole.WINDOW_CLERK], None, "综合窗口 1号"),
    ("demo-reviewer-civil", "周敏", "city_civil_affairs", [StaffRole.REVIEWER, StaffRole.APPROVER], None, ""),
    ("demo-itemadmin-hrss", "吴刚", "city_hrss", [StaffRole.ITEM_ADMIN], None, ""),
]

# (username or None, name, birth date yyyymmdd, county code, sequence, phone)
PERSONS = [
    ("demo-citizen", "张三", "19850312", "159902", "123", "13800138000"),
    ("demo-citizen2", "李秀英", "19520708", "159921", "242", "13900139000"),
    (None, "王建华", "19780101", "159981", "315", "13700137000"),
    (None, "赵敏", "19991230", "159902", "046", "13600136000"),
    (None, "刘德胜", "19600415", "159921", "551", "13500135000"),
]

# (username or None, name, org-code body (8 chars), legal representative, phone)
ENTERPRISES = [
    ("demo-enterprise", "青山市好味道餐饮有限公司", "MA0Q1234", "张三", "04711234567"),
    (None, "北河县绿源农牧专业合作社", "MA0R5678", "刘德胜", "04717654321"),
    (None, "南原市宏达建筑工程有限公司", "MA0T9012", "王建华", "04715556666"),
]

DEMO_ACCOUNTS = [
    ("demo-citizen", "自然人（张三）"),
    ("demo-citizen2", "自然人（李秀英，长辈用户）"),
    ("demo-enterprise", "法人（青山市好味道餐饮有限公司；张三为其经办人）"),
    ("demo-clerk", "窗口人员（青山市市民中心综合窗口）"),
    ("demo-reviewer", "审查人（青山市市场监督管理局）"),
    ("demo-approver", "审批人（青山市市场监督管理局）"),
    ("demo-itemadmin", "事项管理员（青山市市场监督管理局）"),
    ("demo-supervisor", "监察人员（青山市全市）"),
    ("demo-admin", "平台管理员（可进入 /admin/）"),
]


def person_id_number(birth: str, county: str, seq: str, female: bool = False) -> str:
    """A valid GB 11643 number: county code + birth date + sequence (odd = male) + check."""
    last = int(seq[-1])
    if (last % 2 == 1) == female:
        seq = seq[:-1] + str((last + 1) % 10)
    body = county + birth + seq
    return body + ric_check_digit(body)


def department_uscc(division_code: str, index: int, nature: str) -> str:
    """A valid USCC for a government body: authority 1 (机构编制) + type 1 (机关) + division + org code."""
    kind = "12" if nature in (DepartmentNature.INSTITUTION, DepartmentNature.SERVICE_CENTRE) else "11"
    org = f"0{division_code[:4]}{index:03d}"  # 8 characters of organisation code body
    return uscc_with_check(f"{kind}{division_code[:6]}{org}{index % 10}")


def enterprise_uscc(division_code: str, body: str) -> str:
    return uscc_with_check(f"91{division_code[:6]}{body}X")


@dataclass
class Region:
    city: Division
    departments: dict[str, Department]


def load_region() -> Region:
    """Create the demo region; running it again changes nothing."""
    for code, name in DIVISIONS:
        code12 = code if len(code) == 12 else code + "000000"
        if not Division.objects.filter(code=code12).exists():
            core.create_division(code, name)
    departments: dict[str, Department] = {}
    for index, (key, name, division_code, nature) in enumerate(DEPARTMENTS, start=1):
        dept = Department.objects.filter(name=name).first()
        if dept is None:
            dept = core.create_department(
                name=name,
                uscc=department_uscc(division_code, index, nature),
                division=division_code,
                nature=nature,
                phone=f"0471-{8000000 + index * 1111}",
                address=f"{name}办公楼",
            )
        departments[key] = dept
    city = Division.objects.get(code="159900000000")
    for index, (username, name, dept_key, roles, scope, window) in enumerate(STAFF):
        if not User.objects.filter(username=username).exists():
            accounts.create_staff(
                username=username,
                password=DEMO_PASSWORD,
                name=name,
                department=departments[dept_key],
                roles=roles,
                division=scope,
                window=window,
                phone=f"1370471{index:04d}",
                enforce_password_rules=False,
            )
    for username, name, birth, county, seq, phone in PERSONS:
        female = name in {"李秀英", "赵敏"}
        id_number = person_id_number(birth, county, seq, female=female)
        if username and not User.objects.filter(username=username).exists():
            accounts.register_person(
                username=username,
                password=DEMO_PASSWORD,
                name=name,
                id_number=id_number,
                phone=phone,
                enforce_password_rules=False,
            )
        elif not username and not Person.objects.filter(id_number=id_number).exists():
            accounts.person_for_window(name=name, id_number=id_number, phone=phone)
    User.objects.filter(username="demo-citizen2").update(elderly_mode=True)
    for username, name, body, legal_rep, phone in ENTERPRISES:
        code = enterprise_uscc("159902", body)
        if username and not User.objects.filter(username=username).exists():
            accounts.register_enterprise(
                username=username,
                password=DEMO_PASSWORD,
                name=name,
                uscc=code,
                phone=phone,
                legal_representative=legal_rep,
                enforce_password_rules=False,
            )
        elif not username and not Enterprise.objects.filter(uscc=code).exists():
            Enterprise.objects.create(name=name, uscc=code, legal_representative=legal_rep, phone=phone)
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    citizen = Person.objects.get(user__username="demo-citizen")
    if not enterprise.agent_authorisations.filter(agent=citizen, revoked_at__isnull=True).exists():
        accounts.authorise_agent(
            enterprise, id_number=citizen.id_number, name=citizen.name, note="办理食品经营许可等"
        )
    return Region(city=city, departments=departments)
