"""The people of the demo cases: the applicants and the handling staff.

Applicants (`applicant_pools`): the demo persons and enterprises of `demo.region` — 张三
(demo-citizen), 李秀英 (demo-citizen2), 好味道餐饮 (demo-enterprise) through its own account and
through 张三 as its agent — and a pool of generated residents and businesses (accounts without a
usable password for the online applications, and people identified at a window), created here
once. Staff (`Staffing`): the demo staff where they exist, else one handling officer per
department (no usable password). Names, ID numbers, phone numbers and credit codes are drawn from
the seeded generator.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Enterprise, Person, Staff, StaffRole, User
from yiwang.core.identifiers import ric_check_digit, uscc_with_check
from yiwang.core.models import Department
from yiwang.demo import region as demo_region

# --- People -------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺"
)
MALE = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "建华", "志强", "晓东"]
MALE += ["文博", "浩然", "宇航", "俊杰", "国庆", "德明", "海涛", "建军", "永刚", "振华", "子轩"]
FEMALE = ["芳", "娜", "秀兰", "敏", "静", "丽", "艳", "娟", "秀英", "霞", "桂英", "海燕", "玉兰"]
FEMALE += ["春梅", "子涵", "欣怡", "思琪", "雨萱", "红梅", "淑珍", "雅婷", "晓燕", "丽娟", "慧敏"]
# County code -> villages and neighbourhoods (addresses on forms and express labels).
HOMES = {
    "159902": ["159902001001", "159902001002", "159902002001", "159902002002"],
    "159921": ["159921100201", "159921100202", "159921200201", "159921200202"],
    "159981": ["159981001001", "159981001002", "159981100201", "159981100202"],
}
PLACES = {"159902": "青山市城关区", "159921": "北河县", "159981": "南原市"}
STREETS = ["光明路", "新华大街", "人民路", "建设路", "解放路", "育才街", "文化路", "站前街", "团结路"]
STREETS += ["幸福路", "和平街", "北河大道", "柳树沟路", "三道河街"]
BRANDS = ["恒达", "鑫源", "顺通", "福满楼", "康宁", "华盛", "金穗", "绿野", "永兴", "利民", "佳美"]
BRANDS += ["德润", "盛世", "兴农", "百味", "新天地", "安居", "博雅", "益康", "众诚", "瑞丰", "祥和"]
TRADES = [
    "商贸有限公司",
    "餐饮管理有限公司",
    "建筑工程有限公司",
    "大药房有限公司",
    "物流有限公司",
    "农牧专业合作社",
    "酒店管理有限公司",
    "科技有限公司",
    "文化传媒有限公司",
    "汽车服务有限公司",
    "超市有限公司",
    "装饰工程有限公司",
]


@dataclass
class Applicant:
    """Who applies: a person or an enterprise, online (through `user`) or at a window."""

    name: str
    phone: str
    county: str
    id_number: str = ""  # a person's (or the agent's for an enterprise)
    uscc: str = ""
    legal_rep: str = ""
    agent_name: str = ""  # the person filing for an enterprise
    user: User | None = None  # the account that applies online
    on_behalf: Enterprise | None = None  # `user` is an authorised agent of this enterprise
    is_enterprise: bool = False
    cases: int = 0

    @property
    def home(self) -> str:
        return HOMES[self.county][len(self.name) % len(HOMES[self.county])]


def random_name(rng: random.Random, female: bool) -> str:
    return rng.choice(SURNAMES) + rng.choice(FEMALE if female else MALE)


def random_id_number(rng: random.Random, county: str, female: bool, taken: set[str]) -> str:
    while True:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        seq = rng.randrange(100, 1000)
        if (seq % 2 == 0) != female:
            seq = seq + 1 if seq < 999 else seq - 1
        body = f"{county}{birth:%Y%m%d}{seq:03d}"
        number = body + ric_check_digit(body)
        if number not in taken:
            taken.add(number)
            return number


def random_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def random_uscc(rng: random.Random, county: str, taken: set[str], *, kind: str = "91") -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "MA" + "".join(rng.choice(chars) for _ in range(6))
        code = uscc_with_check(f"{kind}{county}{body}X")
        if code not in taken:
            taken.add(code)
            return code


@dataclass
class Pools:
    zhang: Applicant
    enterprise: Applicant  # demo-enterprise through its own account
    zhang_for_enterprise: Applicant  # the same enterprise, filed by 张三 as its agent
    li: Applicant  # 李秀英, demo-citizen2
    online_persons: list[Applicant]
    window_persons: list[Applicant]
    online_enterprises: list[Applicant]
    window_enterprises: list[Applicant]


def applicant_pools(rng: random.Random) -> Pools:
    """The applicants: the demo region's, and the generated pool (created here, once)."""
    ids = set(Person.objects.values_list("id_number", flat=True))
    codes = set(Enterprise.objects.values_list("uscc", flat=True))

    def person_of(user: User) -> Applicant:
        p = user.person
        return Applicant(p.name, p.phone, p.id_number[:6], id_number=p.id_number, user=user)

    zhang_user = User.objects.select_related("person").get(username="demo-citizen")
    zhang = person_of(zhang_user)
    li = person_of(User.objects.select_related("person").get(username="demo-citizen2"))
    ent_user = User.objects.select_related("enterprise").get(username="demo-enterprise")
    ent = ent_user.enterprise

    def enterprise_of(e: Enterprise, **kw) -> Applicant:
        return Applicant(
            e.name,
            e.phone,
            e.uscc[2:8],
            uscc=e.uscc,
            legal_rep=e.legal_representative,
            is_enterprise=True,
            **kw,
        )

    enterprise = enterprise_of(ent, user=ent_user, agent_name=zhang.name, id_number=zhang.id_number)
    zhang_for = enterprise_of(
        ent, user=zhang_user, on_behalf=ent, agent_name=zhang.name, id_number=zhang.id_number
    )
    online_persons, window_persons = [li], []
    for person in Person.objects.filter(user__isnull=True, name__in=[p[1] for p in demo_region.PERSONS]):
        window_persons.append(
            Applicant(person.name, person.phone, person.id_number[:6], id_number=person.id_number)
        )
    for i in range(1, 49):
        female = rng.random() < 0.5
        county = rng.choice(list(HOMES))
        name = random_name(rng, female)
        number, phone = random_id_number(rng, county, female, ids), random_mobile(rng)
        if i <= 28:
            user = accounts.register_person(
                username=f"demo-applicant-{i:02d}",
                password=None,  # type: ignore[arg-type]  # unusable: these people never sign in
                name=name,
                id_number=number,
                phone=phone,
                enforce_password_rules=False,
            )
            online_persons.append(Applicant(name, phone, county, id_number=number, user=user))
        else:
            window_persons.append(Applicant(name, phone, county, id_number=number))
    online_enterprises, window_enterprises = [], []
    for body in [b for _u, _n, b, _r, _p in demo_region.ENTERPRISES[1:]]:
        e = Enterprise.objects.get(uscc=demo_region.enterprise_uscc("159902", body))
        agent_female = rng.random() < 0.5
        window_enterprises.append(enterprise_of(e, agent_name=random_name(rng, agent_female), id_number=""))
    for i in range(1, 31):
        county = rng.choice(list(HOMES))
        name = f"{PLACES[county]}{BRANDS[(i * 7) % len(BRANDS)]}{TRADES[i % len(TRADES)]}"
        rep = random_name(rng, rng.random() < 0.4)
        code = random_uscc(rng, county, codes, kind="93" if "合作社" in name else "91")
        phone = f"0471-{rng.randrange(2000000, 9000000)}" if rng.random() < 0.5 else random_mobile(rng)
        agent_female = rng.random() < 0.5
        applicant = Applicant(
            name,
            phone,
            county,
            uscc=code,
            legal_rep=rep,
            agent_name=random_name(rng, agent_female),
            is_enterprise=True,
        )
        if i <= 18:
            applicant.user = accounts.register_enterprise(
                username=f"demo-company-{i:02d}",
                password=None,  # type: ignore[arg-type]
                name=name,
                uscc=code,
                phone=phone,
                legal_representative=rep,
                enforce_password_rules=False,
            )
            online_enterprises.append(applicant)
        else:
            window_enterprises.append(applicant)
    for a in online_enterprises + window_enterprises:
        if not a.id_number:
            a.id_number = random_id_number(rng, a.county, a.agent_name[-1] in "".join(FEMALE), ids)
    return Pools(
        zhang,
        enterprise,
        zhang_for,
        li,
        online_persons,
        window_persons,
        online_enterprises,
        window_enterprises,
    )


# --- Staff ----------------------------------------------------------------------------------


class Staffing:
    """Who handles an entry's cases: the demo staff where they exist, else one handling officer of
    the department (created once, no usable password)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.by_department: dict[int, dict[str, User]] = {}
        self.clerks: dict[str, User] = {}  # division code -> window clerk of that level
        self.created = 0
        for staff in Staff.objects.select_related("user", "division", "department").prefetch_related(
            "role_grants"
        ):
            roles = {g.role for g in staff.role_grants.all()}
            mine = self.by_department.setdefault(staff.department_id, {})
            for role in roles & {StaffRole.REVIEWER, StaffRole.APPROVER, StaffRole.WINDOW_CLERK}:
                mine.setdefault(role, staff.user)
            if StaffRole.WINDOW_CLERK in roles:
                self.clerks.setdefault(staff.division.code, staff.user)

    def _handler(self, department: Department) -> dict[str, User]:
        mine = self.by_department.setdefault(department.pk, {})
        if StaffRole.REVIEWER in mine and StaffRole.APPROVER in mine:
            return mine
        roles = [StaffRole.REVIEWER, StaffRole.APPROVER]
        if department.division.code not in self.clerks:
            roles.append(StaffRole.WINDOW_CLERK)
        self.created += 1
        user = accounts.create_staff(
            username=f"demo-staff-{self.created:02d}",
            password=None,  # type: ignore[arg-type]
            name=random_name(self.rng, self.rng.random() < 0.5),
            department=department,
            roles=roles,
            phone=random_mobile(self.rng),
            enforce_password_rules=False,
        )
        for role in roles:
            mine.setdefault(role, user)
        return mine

    def clerk(self, department: Department) -> User:
        found = self.clerks.get(department.division.code)
        return found or self._handler(department)[StaffRole.WINDOW_CLERK]

    def reviewer(self, department: Department) -> User:
        return self._handler(department)[StaffRole.REVIEWER]

    def approver(self, department: Department) -> User:
        return self._handler(department)[StaffRole.APPROVER]
