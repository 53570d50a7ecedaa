"""Demo cases (办件): a few hundred applications across states, channels and dates, so the
workbench queues, the supervisors' figures and the applicants' spaces look lived in.

Built only through `cases.services` (start_application / start_window_intake, save_form,
attach_material, set_delivery, submit, act, record_tracking, record_verification) inside
`clock.frozen(...)` blocks: the cases were submitted over the past six weeks or so and moved on at
plausible later working days — a correction requested after a day or two, acceptance, the review
steps, on-site inspections (现场核查) and expert reviews that stop the clock, extensions, approvals,
refusals with reasons and remedy, not accepted, withdrawn, terminated, completed, and delivered by
pickup, express (with the carrier's tracking) or electronically; 即办件 decided on the spot,
告知承诺 approvals with their follow-up checks, 容缺受理 with a committed date (some overdue; only
where a published entry allows 容缺 and has a required material that is not key).

Each case follows a script of steps in working days after its submission, and is placed backwards
from today so that it stands where its script ends: most older cases are closed, some open ones
are due soon and some overdue. A further `HISTORY_CASES`, all closed (delivered, refused, not
accepted, withdrawn, terminated), ran in the year before, more of them in the recent
months as a platform gains users: the supervisors' month-by-month figures have a year to compare. Nothing happens today or later: the clock is only ever frozen in the
past, so the due dates the services store are real ones (provisional only where a deadline runs
into a year whose schedule is not entered yet).

Applicants: the demo persons and enterprises of `demo.region` — 张三 (demo-citizen) has about ten
cases in varied states, one awaiting his correction and one draft; 好味道餐饮 (demo-enterprise)
some, one filed by 张三 as its agent — and a pool of generated residents and businesses (accounts
without a usable password for the online applications, and people identified at a window) so the
queues do not show the same five names. A department without demo staff gets one handling officer
(no usable password) so its cases move too. Choices are seeded: the same date gives the same cases.
Loading again creates nothing: the pool's first account marks demo cases as loaded.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Enterprise, Person, Staff, StaffRole, User
from yiwang.cases import clock, deadlines, delivery, documents, drafts, procedure, services, sweeps
from yiwang.cases.models import Case, Delivery, DeliveryMethod
from yiwang.catalog import form_schema
from yiwang.catalog.models import CaseKind, Entry, EntryStatus, Necessity
from yiwang.core.identifiers import ric_check_digit, uscc_with_check
from yiwang.core.models import Department, OutboxMessage
from yiwang.core.workdays import YearNotInCalendar, current_calendar
from yiwang.demo import licences as demo_licences
from yiwang.demo import region as demo_region
from yiwang.licences import reuse

SEED = 1599
CASES = 330  # in all, 张三's and 好味道餐饮's included
MARKER = "demo-applicant-01"  # the pool's first account: its presence means the cases are loaded
EARLIEST = 30  # working days back: about six weeks
HISTORY_CASES = 110  # closed cases of the months before: the statistics' trends
HISTORY = 255  # working days back: about a year

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


def _person_name(rng: random.Random, female: bool) -> str:
    return rng.choice(SURNAMES) + rng.choice(FEMALE if female else MALE)


def _id_number(rng: random.Random, county: str, female: bool, taken: set[str]) -> str:
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


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _uscc(rng: random.Random, county: str, taken: set[str], *, kind: str = "91") -> str:
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


def _pools(rng: random.Random) -> Pools:
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
        name = _person_name(rng, female)
        number, phone = _id_number(rng, county, female, ids), _mobile(rng)
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
        window_enterprises.append(enterprise_of(e, agent_name=_person_name(rng, agent_female), id_number=""))
    for i in range(1, 31):
        county = rng.choice(list(HOMES))
        name = f"{PLACES[county]}{BRANDS[(i * 7) % len(BRANDS)]}{TRADES[i % len(TRADES)]}"
        rep = _person_name(rng, rng.random() < 0.4)
        code = _uscc(rng, county, codes, kind="93" if "合作社" in name else "91")
        phone = f"0471-{rng.randrange(2000000, 9000000)}" if rng.random() < 0.5 else _mobile(rng)
        agent_female = rng.random() < 0.5
        applicant = Applicant(
            name,
            phone,
            county,
            uscc=code,
            legal_rep=rep,
            agent_name=_person_name(rng, agent_female),
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
            a.id_number = _id_number(rng, a.county, a.agent_name[-1] in "".join(FEMALE), ids)
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
            name=_person_name(self.rng, self.rng.random() < 0.5),
            department=department,
            roles=roles,
            phone=_mobile(self.rng),
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


# --- Working days -------------------------------------------------------------------------------


class Line:
    """The working days around today as a list, so scripts can count both ways (the services'
    calendar, with Monday to Friday assumed for a year whose schedule is not entered yet)."""

    def __init__(self, today: dt.date):
        first, last = today - dt.timedelta(days=480), today + dt.timedelta(days=120)
        calendar = current_calendar()
        try:
            calendar.workdays_between(first, last)
        except YearNotInCalendar:
            calendar = calendar.with_weekdays_assumed(last)
        span = (last - first).days
        self.days = [d for d in (first + dt.timedelta(n) for n in range(span + 1)) if calendar.is_workday(d)]
        # Index of the first working day on or after today: steps must fall before it.
        self.today = next(i for i, d in enumerate(self.days) if d >= today)


# --- Entries ---------------------------------------------------------------------------------


@dataclass
class EntryInfo:
    entry: Entry
    instant: bool
    limit: int  # working days (natural days and hours converted roughly)
    steps: list[dict[str, str]]
    tolerant: bool
    commitment: bool
    express: bool
    online: bool
    audience: str
    situations: list[int]
    weight: float
    spec: Any = None
    procedures: list[str] = field(default_factory=list)  # the special procedures the guide declares
    joint_bodies: str = ""


def _entries() -> list[EntryInfo]:
    from yiwang.demo import catalog as demo_catalog

    specs = {s.code: s for s in demo_catalog.item_specs()}
    infos = []
    qs = (
        Entry.objects.filter(published__isnull=False, status=EntryStatus.ACTIVE)
        .select_related("published", "department__division", "catalog_item")
        .prefetch_related("published__situations", "published__materials")
        .order_by("code")
    )
    for entry in qs:
        v = entry.published
        instant = v.case_kind == CaseKind.INSTANT
        limit = 0 if instant else (v.promised_limit or v.legal_limit or 20)
        if v.promised_limit_unit == "natural_day":
            limit = max(1, limit * 5 // 7)
        elif v.promised_limit_unit == "hour":
            limit = max(1, limit // 8)
        materials = list(v.materials.all())
        tolerant = v.tolerance_acceptance and any(
            m.necessity == Necessity.REQUIRED and not m.is_key and m.situation_id is None for m in materials
        )
        department = entry.department
        weight = 16.0 if department.name == "青山市市场监督管理局" else 1.0
        if department.division.level > 2:
            weight *= 0.7
        infos.append(
            EntryInfo(
                entry=entry,
                instant=instant,
                limit=limit,
                steps=list(v.review_steps or services.DEFAULT_REVIEW_STEPS),
                tolerant=tolerant,
                commitment=v.notification_commitment,
                express=v.express_delivery,
                online=v.online_depth >= 2,
                audience=v.audience,
                situations=[s.pk for s in v.situations.all()],
                weight=weight,
                spec=specs.get(entry.catalog_item.basic_code),
                procedures=[
                    str(p["name"])
                    for p in v.special_procedures or []
                    if isinstance(p, dict) and p.get("name")
                ],
                joint_bodies=v.joint_bodies,
            )
        )
    return infos


# --- Forms and files --------------------------------------------------------------------------


def _from_pattern(pattern: str, rng: random.Random) -> str:
    """A string matching a simple pattern (classes, \\d, literals, {n} counts), e.g. ^[A-Z]\\d{9}$."""
    p, out, i = pattern.strip("^$"), [], 0
    while i < len(p):
        if p[i] == "\\":
            chars, i = ("0123456789" if p[i + 1] == "d" else p[i + 1]), i + 2
        elif p[i] == "[":
            j = p.index("]", i)
            body, chars, k = p[i + 1 : j], "", 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    chars += "".join(chr(c) for c in range(ord(body[k]), ord(body[k + 2]) + 1))
                    k += 3
                else:
                    chars, k = chars + body[k], k + 1
            i = j + 1
        else:
            chars, i = p[i], i + 1
        n = 1
        if i < len(p) and p[i] == "{":
            j = p.index("}", i)
            n, i = int(p[i + 1 : j].split(",")[0]), j + 1
        out.append("".join(rng.choice(chars) for _ in range(n)))
    return "".join(out)


class Filler:
    """Form values for one applicant: identity fields from the applicant, the rest from the demo
    catalog's sample answers or made up within the field's bounds."""

    def __init__(self, rng: random.Random, applicant: Applicant, info: EntryInfo, delivery: str, today):
        self.rng, self.a, self.info, self.delivery, self.today = rng, applicant, info, delivery, today
        a = applicant
        self.identity = {
            "applicant_name": a.agent_name if a.is_enterprise else a.name,
            "applicant_id_number": a.id_number,
            "applicant_phone": a.phone if not a.is_enterprise else _mobile(rng),
            "enterprise_name": a.name if a.is_enterprise else "",
            "uscc": a.uscc,
            "legal_representative": a.legal_rep,
            "agent_name": a.agent_name or a.name,
            "agent_id_number": a.id_number,
            "agent_phone": self._agent_phone(),
        }
        self.by_prefill = {
            "name": self.identity["agent_name"] if a.is_enterprise else a.name,
            "id_number": a.id_number,
            "phone": self.identity["agent_phone"],
            "uscc": a.uscc,
            "enterprise_name": a.name if a.is_enterprise else "",
            "legal_representative": a.legal_rep,
        }

    def _agent_phone(self) -> str:
        phone = self.a.phone
        return phone if form_schema.PHONE_RE.match(phone) else _mobile(self.rng)

    def address(self) -> dict[str, str]:
        street = STREETS[(len(self.a.name) * 3 + len(self.a.id_number)) % len(STREETS)]
        return {"division": self.a.home, "detail": f"{street}{self.rng.randrange(1, 300)}号"}

    def address_text(self) -> str:
        d = self.address()
        return f"{PLACES[self.a.county]}{d['detail']}"

    def form(self, schema: dict) -> dict[str, Any]:
        return self._fields(schema.get("fields", []))

    def _fields(self, fields: list[dict]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields:
            if not form_schema.is_visible(f, data):
                continue
            value = self.value(f)
            if value not in (None, "", []):
                data[f["name"]] = value
        return data

    def value(self, f: dict) -> Any:
        rng, kind, name = self.rng, f["type"], f["name"]
        if self.identity.get(name):
            return self.identity[name]
        if kind in ("text", "textarea") and self.by_prefill.get(f.get("prefill") or ""):
            return self.by_prefill[f["prefill"]]
        if kind == "choice":
            values = [o["value"] for o in f["options"]]
            wanted = {"pickup": "window", "express": "mail", "electronic": "online"}.get(self.delivery)
            if name == "delivery" and wanted in values:
                return wanted
            return rng.choice(values)
        if kind == "multichoice":
            values = [o["value"] for o in f["options"]]
            return rng.sample(values, rng.randint(1, min(2, len(values))))
        if kind == "id_number":
            return _id_number(rng, self.a.county, rng.random() < 0.5, set())
        if kind == "uscc":
            return self.a.uscc or _uscc(rng, self.a.county, set())
        if kind == "phone":
            return self.identity["agent_phone"]
        if kind == "address":
            return self.address()
        if kind == "table":
            return self._table(f)
        sample = self._sample(f)
        if kind in ("number", "money"):
            lo, hi = f.get("min"), f.get("max")
            try:
                number = float(str(sample).replace(",", ""))
            except ValueError:
                number = rng.randint(1, 200)
            if (lo is not None and number < lo) or (hi is not None and number > hi):
                number = rng.randint(int(lo or 1), int(hi if hi is not None else (lo or 1) + 100))
            return f"{number:.2f}" if kind == "money" else (int(number) if number == int(number) else number)
        if kind == "date":
            low = f.get("min_date") or "1990-01-01"
            high = f.get("max_date") or self.today.isoformat()
            try:
                day = dt.date.fromisoformat(str(sample))
            except ValueError:
                day = self.today - dt.timedelta(days=rng.randrange(30, 1500))
            if not low <= day.isoformat() <= high:
                day = dt.date.fromisoformat(low)
            return day.isoformat()
        if f.get("pattern"):
            text = sample if isinstance(sample, str) else ""
            if not re.fullmatch(f["pattern"], text):
                text = _from_pattern(f["pattern"], rng)
            return text
        text = self.personal(str(sample))
        if "姓名" in f.get("label", "") and not self.identity.get(name):
            text = _person_name(rng, rng.random() < 0.5)
        elif "地址" in f.get("label", "") or "住所" in f.get("label", ""):
            text = self.address_text()
        if f.get("max_length"):
            text = text[: f["max_length"]]
        if f.get("min_length") and len(text) < f["min_length"]:
            text = text.ljust(f["min_length"], "。")
        return text

    def personal(self, text: str) -> str:
        """The catalog's sample answers speak of 张三 and 好味道餐饮: make them this applicant's."""
        a = self.a
        own = (
            a.name
            if a.is_enterprise
            else f"{PLACES[a.county]}{BRANDS[len(a.name) % len(BRANDS)]}餐饮有限公司"
        )
        text = text.replace("青山市好味道餐饮有限公司", own).replace(
            "好味道", BRANDS[len(a.name) % len(BRANDS)]
        )
        return text.replace("张三", self.identity["agent_name"] if a.is_enterprise else a.name)

    def _table(self, f: dict) -> list[dict[str, Any]]:
        """The catalog's sample rows where it has them (choices by label), else made-up rows."""
        columns = f["columns"]
        low = max(1, f.get("min_rows") or 1)
        rows = []
        me = self.identity["agent_name"] if self.a.is_enterprise else self.a.name
        for sample in (self.info.spec.table_samples.get(f["name"], []) if self.info.spec else [])[:3]:
            row: dict[str, Any] = {}
            ids = []
            for column, text in zip(columns, sample, strict=False):
                if column["type"] in ("choice", "multichoice"):
                    values = [o["value"] for o in column["options"] if o["label"] in text]
                    row[column["name"]] = (values[0] if column["type"] == "choice" else values) or None
                elif column["type"] == "id_number" or "号码" in column["label"]:
                    ids.append(column["name"])
                elif "姓名" in column["label"]:
                    # People in the rows: the applicant where the sample has 张三, others made up.
                    name = self.personal(text)
                    row[column["name"]] = name if name != text else _person_name(self.rng, True)
                else:
                    row[column["name"]] = self.personal(text)
            for name in ids:
                mine = me in row.values()
                row[name] = self.a.id_number if mine else _id_number(self.rng, self.a.county, True, set())
            try:
                rows.append(form_schema.clean_data({"fields": columns}, row))
            except ValidationError:
                continue
        if len(rows) < low:
            high = max(low, min(f.get("max_rows") or 2, 2))
            rows += [self._fields(columns) for _ in range(self.rng.randint(low, high) - len(rows))]
        return rows

    def _sample(self, f: dict) -> Any:
        if self.info.spec is not None:
            from yiwang.demo.catalog import _sample_value

            value = _sample_value(self.info.spec, f)
            if value and value != "按实际情况填写":
                return value
        name = self.info.entry.name
        return {
            "textarea": f"申请办理{name}，申请人符合办理条件，具体情况详见所附材料。",
            "number": "1",
            "money": "1000.00",
        }.get(f["type"], "详见所附材料")


class Files:
    """Small scanned-material PDFs, one per material name (drawn once, stored per upload)."""

    def __init__(self) -> None:
        self.cache: dict[str, bytes] = {}

    def pdf(self, name: str) -> bytes:
        if name not in self.cache:
            self.cache[name] = _scan_pdf(name)
        return self.cache[name]


def _scan_pdf(title: str) -> bytes:
    from yiwang.demo import files

    if files._font_files() is None:
        return files.render_pdf(files.FormPage(title, paragraphs=["演示用材料"]), sample=True)
    from PIL import Image, ImageDraw

    width, height = 420, 594  # A5 portrait at 72 dpi
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, width - 20, height - 20), outline=0, width=2)
    y = 60
    for line in files._wrap(draw, title, files._font(22, bold=True), width - 80):
        draw.text((width // 2, y), line, font=files._font(22, bold=True), fill=0, anchor="mm")
        y += 32
    for n in range(8):
        draw.line((50, 140 + n * 40, width - 50, 140 + n * 40), fill=0, width=1)
    draw.text((width // 2, height - 50), "演示数据 · 材料扫描件", font=files._font(14), fill=0, anchor="mm")
    buffer = io.BytesIO()
    image.point(lambda v: 255 if v > 150 else 0, mode="1").save(buffer, "PDF", resolution=72, title=title)
    return buffer.getvalue()


# --- Scripts ----------------------------------------------------------------------------------

REMEDY = services.REMEDY_DEFAULT
# Reasons are the case's own (see “Reasons from the case's own entry” below): a notice to correct names materials of the case's
# checklist with what can be wrong with that kind of material; a refusal or a non-acceptance names
# a material the applicant handed in, a condition of the entry's guide, the entry or its result; a
# case stops only for a special procedure its guide declares. Nothing is drawn from a pool shared
# by every item (no passport refused over a professional qualification certificate).
SIGNED = re.compile(r"(表|申请书|承诺书|声明书|授权书|委托书|协议书|确认书|书面声明|承诺)$")
LONG = re.compile(r"(报告|方案|章程|合同|档案|制度|预案|图纸|设计文件|病历|记录|说明书|文件)")
CERTIFICATE = re.compile(r"(证书|执照|许可证|合格证|户口簿|证明|证|卡)$")
PHOTO = re.compile(r"照片")
MATERIAL_PROBLEMS: dict[str, tuple[str, str]] = {
    "scan": ("unclear_scan", "扫描件不清晰，请重新上传清晰完整的扫描件。"),
    "inconsistent": ("inconsistent", "所载信息与申请表填写的内容不一致，请核对后重新提交。"),
    "signature": ("missing_signature", "签字处缺少本人签名，请签名后重新提交。"),
    "old_form": ("wrong_form", "使用了旧版表格，请下载最新版空白表格填写后重新提交。"),
    "expired": ("expired", "已过有效期，请提交有效期内的证件或证明。"),
    "pages": ("missing_pages", "页面不全，请提交完整材料。"),
    "photo": ("other", "照片不符合规格，请提交近期正面免冠、背景符合要求的照片。"),
}
FIELD_PROBLEMS = [
    ("inconsistent", "填写内容与所附证明材料不一致，请核对后修改。"),
    ("wrong_entry", "填写不完整，请按实际情况补充。"),
]
OPINIONS_PASS = ["材料齐全，符合法定形式，同意提交决定。", "经审查符合条件，拟同意。", "审查通过。"]
OPINIONS_APPROVE = ["同意。", "符合条件，准予许可。", "经审查符合规定，予以批准。"]
WITHDRAW = ["填报信息有误，撤回后重新申请。", "已在其他地区办理。"]
WITHDRAW_PERSON = [*WITHDRAW, "个人计划有变，暂不申请。"]
WITHDRAW_ENTERPRISE = [*WITHDRAW, "经营计划调整，暂不申请。"]
TERMINATE_PERSON = "申请人死亡，依法终止办理。"
TERMINATE_ENTERPRISE = "申请单位已办理注销登记，依法终止办理。"
COMMITMENT = (
    "本人（单位）已知晓办理该事项的全部条件和要求，所提交材料真实有效，符合告知的全部条件；"
    "如承诺不实，愿意承担相应法律责任，并接受事后核查。"
)

# (target, weight): where a case stands today.
TARGETS = [
    ("delivered", 48.0),
    ("completed", 6.0),
    ("approved", 2.0),
    ("refused", 1.5),
    ("not_accepted", 3.0),
    ("withdrawn", 2.5),
    ("terminated", 1.0),
    ("submitted", 6.0),
    ("correction", 6.0),
    ("accepted", 4.0),
    ("under_review", 10.0),
    ("suspended", 4.0),
    ("pending_overdue", 1.5),
    ("draft", 2.0),
]
OPEN_REVIEW = {"accepted", "under_review", "suspended", "pending_overdue"}
CLOSED_TARGETS = {"delivered", "refused", "not_accepted", "withdrawn", "terminated"}


@dataclass
class Step:
    t: int  # working days after submission
    who: str  # applicant / clerk / reviewer / approver / system / step (the current review step's role)
    do: str
    data: dict[str, Any] = field(default_factory=dict)
    optional: bool = False  # may fall on today or later: then it simply has not happened yet


@dataclass
class Plan:
    info: EntryInfo
    applicant: Applicant
    channel: str
    target: str
    delivery: str
    flags: dict[str, Any]
    situation: int | None = None
    steps: list[Step] = field(default_factory=list)
    start: int = 0  # index of the submission day on the line
    minute: int = 600
    history: bool = False  # one of the closed cases of the months before (HISTORY_CASES)


class Script:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.t = 0
        self.anchor = 0

    def add(self, gap: int, who: str, do: str, *, optional: bool = False, **data: Any) -> int:
        self.t += gap
        self.steps.append(Step(self.t, who, do, data, optional))
        return self.t

    @property
    def last(self) -> int:
        return max((s.t for s in self.steps if not s.optional), default=0)


def _script(plan: Plan, rng: random.Random) -> tuple[Script, tuple[int, int]]:
    """The steps of one case, and the range of working days ago its anchor step happened."""
    info, target, flags, window = plan.info, plan.target, plan.flags, plan.channel == "window"
    s = Script()
    closed = (0, 0)  # a closed case: its last step some time in the past six weeks (see _place)
    if target == "draft":
        s.add(0, "applicant", "draft")
        return s, (1, 12)
    s.add(0, "applicant", "apply")
    # The decision comes on the spot for 即办件 and 告知承诺 (at a window, or the next day online).
    on_spot = info.instant or (flags.get("commitment") and info.commitment)
    if on_spot and target in {"delivered", "completed", "approved"}:
        who = "clerk" if window else "approver"
        if info.instant:
            s.add(
                0 if window else rng.randint(0, 1), who, "decide_on_the_spot", opinion="材料齐全，当场办结。"
            )
        else:
            s.add(0 if window else rng.randint(0, 1), who, "approve_on_commitment", commitment=COMMITMENT)
        s.anchor = s.t
        if target == "approved":
            return s, (1, 2)
        age = _finish(s, plan, rng, same_day=window)
        if not info.instant and rng.random() < 0.6:
            s.add(rng.randint(8, 18), "reviewer", "verify", optional=True)
        return s, age or closed
    if target == "submitted":
        return s, (1, 4)
    if flags.get("correction") or target == "correction":
        s.add(0 if window else rng.randint(1, 2), "clerk", "request_correction")
        if target == "correction":
            s.anchor = s.t
            return s, (1, 6)
        if target == "not_accepted":  # the applicant never answered
            s.add(rng.randint(5, 8), "clerk", "not_accept", why="no_answer", remedy=REMEDY)
            s.anchor = s.t
            return s, closed
        s.add(rng.randint(1, 4), "applicant", "correct")
    if target == "not_accepted":
        s.add(rng.randint(0, 3), "clerk", "not_accept", why="other", remedy=REMEDY)
        s.anchor = s.t
        return s, closed
    if target == "withdrawn" and rng.random() < 0.5:
        s.add(rng.randint(1, 3), "applicant", "withdraw", reason=_withdraw_reason(plan, rng))
        s.anchor = s.t
        return s, closed
    # Acceptance: by the window, 容缺 against a committed date, or deemed by the worker (art. 32).
    pending = info.tolerant and (target == "pending_overdue" or bool(flags.get("pending")))
    if flags.get("deemed"):
        s.add(deadlines.ACCEPTANCE_WORKDAYS + 1, "system", "deem_accepted")
    elif pending:
        s.add(0 if window else rng.randint(0, 1), "clerk", "accept_with_pending")
    else:
        s.add(0 if window else rng.randint(0, 2), "clerk", "accept")
    accept_t = s.t
    limit = max(1, info.limit)
    total = limit  # working days from acceptance to the decision due date, as it grows
    if pending and target != "pending_overdue":
        s.add(rng.randint(1, 3), "applicant", "supply")
    if target == "accepted":
        return _open_review(s, plan, accept_t, total, rng)
    # The review: each step but the last passes, spread over the time limit.
    for _ in info.steps[:-1]:
        s.add(rng.randint(0, max(1, limit // 3)), "step", "pass_step", opinion=rng.choice(OPINIONS_PASS))
        if target == "terminated":
            break
    if flags.get("suspend") or target == "suspended":
        procedure = rng.choice(info.procedures)  # one its guide declares (see _suits)
        reason = f"需进行“{procedure}”，所需时间不计入办理时限，完成后恢复计时。"
        s.add(rng.randint(0, 1), "reviewer", "suspend", procedure=procedure, reason=reason)
        if target == "suspended":
            s.anchor = s.t
            return s, (1, 8)
        paused = rng.randint(3, 8)
        s.add(paused, "reviewer", "resume", reason=f"{procedure}已完成。")
        total += paused
    if flags.get("extend") and info.limit >= 5:
        days = rng.randint(5, 10)
        s.add(rng.randint(0, 1), "approver", "extend", days=days, reason=_extension_reason(info))
        total += days
    if target in ("under_review", "pending_overdue"):
        return _open_review(s, plan, accept_t, total, rng)
    if target in ("withdrawn", "terminated"):
        if target == "withdrawn":
            s.add(rng.randint(1, 3), "applicant", "withdraw", reason=_withdraw_reason(plan, rng))
        else:
            reason = TERMINATE_ENTERPRISE if plan.applicant.is_enterprise else TERMINATE_PERSON
            s.add(rng.randint(1, 3), "approver", "terminate", reason=reason)
        s.anchor = s.t
        return s, closed
    # The decision: usually within the limit, sometimes late.
    due_gap = total + rng.randint(1, 4) if flags.get("late") else rng.randint(max(1, total * 3 // 10), total)
    decision_t = max(s.t + (1 if len(info.steps) > 1 else 0), accept_t + due_gap)
    if target == "refused" or flags.get("refuse"):
        s.add(decision_t - s.t, "step", "refuse", why="refuse", remedy=REMEDY)
    else:
        s.add(decision_t - s.t, "step", "approve", opinion=rng.choice(OPINIONS_APPROVE))
    s.anchor = s.t
    if target in ("approved", "refused"):
        return s, (1, 2)
    return s, _finish(s, plan, rng, same_day=False) or closed


def _withdraw_reason(plan: Plan, rng: random.Random) -> str:
    return rng.choice(WITHDRAW_ENTERPRISE if plan.applicant.is_enterprise else WITHDRAW_PERSON)


def _extension_reason(info: EntryInfo) -> str:
    """The entry's own joint bodies (联办机构) when it has any, else its own materials to verify."""
    bodies = [b.strip() for b in re.sub(r"[（(][^）)]*[）)]", "", info.joint_bodies).split("、") if b.strip()]
    if bodies:
        more = "等部门" if len(bodies) > 1 else ""
        return f"需会同{bodies[0]}{more}审查，经本机关负责人批准延长办理期限。"
    return f"“{info.entry.name}”申请材料反映的情况需进一步核实，经本机关负责人批准延长办理期限。"


def _open_review(s: Script, plan: Plan, accept_t: int, total: int, rng: random.Random):
    """A case under review today: how long ago it was accepted follows its urgency."""
    s.anchor = accept_t
    done = s.last - accept_t  # the steps since acceptance happened before today
    urgency = plan.flags.get("urgency", "normal")
    if urgency == "overdue":
        remaining = -rng.randint(1, 6)
    elif urgency == "due_soon" or total < 6:
        remaining = rng.randint(0, 2)
    else:
        remaining = rng.randint(4, max(4, total - 1))
    age = max(done + 1, total - remaining)
    if plan.target == "pending_overdue":
        age = max(age, 8)  # the committed date (3 to 7 days after acceptance) has passed
    return s, (age, age)


def _finish(s: Script, plan: Plan, rng: random.Random, *, same_day: bool) -> tuple[int, int] | None:
    """Completion and delivery (with the carrier's tracking for express: delivered when signed
    for); an electronic result is delivered by the system once its decision document exists (the
    loader makes it then, as the worker would). Returns the age range of a case left completed."""
    s.add(0 if same_day else rng.randint(0, 1), "completer", "complete")
    if plan.target == "completed":
        s.anchor = s.t
        return (1, 6)
    if plan.delivery == DeliveryMethod.PICKUP:
        s.add(0 if same_day else rng.randint(1, 6), "clerk", "deliver_pickup")
    elif plan.delivery == DeliveryMethod.EXPRESS:
        s.add(rng.randint(0, 1), "clerk", "deliver_express")
        s.add(0, "clerk", "track", optional=True, status="in_transit")
        s.add(1, "clerk", "track", optional=True, status="out_for_delivery")
        s.add(rng.randint(0, 1), "clerk", "track", optional=True, status="signed")
    s.anchor = s.last
    return None


# --- Planning -------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: list[tuple[Any, float]]):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _suits(info: EntryInfo, target: str, flags: dict) -> bool:
    if (target == "suspended" or flags.get("suspend")) and not info.procedures:
        return False  # a case stops only for a special procedure its guide declares
    if target == "pending_overdue" or flags.get("pending"):
        return info.tolerant
    if flags.get("commitment"):
        return info.commitment and not info.instant
    if flags.get("instant"):
        return info.instant
    review = target in OPEN_REVIEW or target in ("terminated", "refused")
    if info.instant and (
        review or any(flags.get(k) for k in ("suspend", "extend", "deemed", "late", "refuse"))
    ):
        return False
    return not (flags.get("extend") and info.limit < 5)


def _plans(
    rng: random.Random, infos: list[EntryInfo], pools: Pools, count: int, *, history: bool = False
) -> list[Plan]:
    """`count` plans: the named applicants' cases, every kind at least once, then the rest at
    random; or (`history`) `count` closed cases of the months before, at random."""
    plans: list[Plan] = []

    def pick_entry(target: str, flags: dict, audience: str | None, online: bool) -> EntryInfo | None:
        fits = [
            i
            for i in infos
            if _suits(i, target, flags)
            and (audience is None or i.audience in (audience, "both"))
            and (i.online or not online)
        ]
        return _weighted(rng, [(i, i.weight) for i in fits]) if fits else None

    def plan(target: str, flags: dict, *, applicant: Applicant | None = None, info: EntryInfo | None = None):
        if applicant is not None:
            channel = "online" if applicant.user else "window"
        else:  # withdrawing and drafts need an account; otherwise three in ten come to a window
            channel = "online" if target in ("withdrawn", "draft") or rng.random() < 0.7 else "window"
        if info is None:
            audience = None if applicant is None else ("enterprise" if applicant.is_enterprise else "person")
            info = pick_entry(target, flags, audience, channel == "online")
            if info is None:  # e.g. 容缺 without an entry that has a non-key material
                return None
        if applicant is None:
            if info.audience == "enterprise" or (info.audience == "both" and rng.random() < 0.4):
                pool = pools.online_enterprises if channel == "online" else pools.window_enterprises
            else:
                pool = pools.online_persons if channel == "online" else pools.window_persons
            applicant = min(rng.sample(pool, 3), key=lambda a: a.cases)
        applicant.cases += 1
        options = [
            (DeliveryMethod.ELECTRONIC, 4.0),
            (DeliveryMethod.PICKUP, 3.5 if channel == "online" else 8),
        ]
        if info.express:
            options.append((DeliveryMethod.EXPRESS, 2.5))
        if target == "completed":  # left awaiting delivery: electronic ones are delivered with the document
            options = options[1:]
        p = Plan(info, applicant, channel, target, _weighted(rng, options), flags, history=history)
        if info.situations:
            p.situation = rng.choice(info.situations)
        plans.append(p)
        return p

    targets = [(t, w) for t, w in TARGETS if t in CLOSED_TARGETS] if history else TARGETS
    if not history:
        # 张三: about ten cases in varied states, one awaiting his correction and one draft.
        for target, flags in [
            ("draft", {}),
            ("correction", {}),
            ("submitted", {}),
            ("under_review", {"urgency": "due_soon"}),
            ("suspended", {}),
            ("completed", {}),
            ("delivered", {"correction": True}),
            ("delivered", {}),
            ("refused", {}),
            ("withdrawn", {}),
        ]:
            plan(target, flags, applicant=pools.zhang)
        # 好味道餐饮: some cases, one filed by 张三 as its agent, one with an overdue commitment.
        food = [i for i in infos if i.tolerant and i.entry.department.name == "青山市市场监督管理局"]
        plan("pending_overdue", {}, applicant=pools.enterprise, info=food[0] if food else None)
        plan("under_review", {"urgency": "normal"}, applicant=pools.zhang_for_enterprise)
        for target in ("delivered", "delivered", "completed", "submitted", "correction", "draft"):
            plan(target, {}, applicant=pools.enterprise)
        # 李秀英 (the elderly-mode account): a few.
        for target in ("delivered", "under_review", "submitted"):
            plan(target, {"urgency": "normal"}, applicant=pools.li)
        # Every kind of case at least once or twice, then the rest at random.
        for target, flags in FORCED:
            plan(target, dict(flags))
    while len(plans) < count:
        target = _weighted(rng, targets)
        flags: dict[str, Any] = {}
        if target in OPEN_REVIEW:
            flags["urgency"] = _weighted(rng, [("normal", 50.0), ("due_soon", 32.0), ("overdue", 18.0)])
        if target in ("delivered", "completed", "approved", "refused", "not_accepted", "withdrawn"):
            flags["correction"] = rng.random() < 0.15
        if target in ("delivered", "completed", "approved") and rng.random() < 0.25:
            flags["commitment"] = True
        if target in ("delivered", "completed", "refused", "under_review"):
            flags["suspend"] = rng.random() < 0.08
            flags["extend"] = rng.random() < 0.06
            flags["late"] = target != "under_review" and rng.random() < 0.07
            flags["refuse"] = target in ("delivered", "completed") and rng.random() < 0.08
        if target in ("delivered", "completed") and rng.random() < 0.1 and any(i.tolerant for i in infos):
            flags["pending"] = True
        if not any(_suits(i, target, flags) for i in infos):
            continue
        plan(target, flags)
    return plans


FORCED: list[tuple[str, dict[str, Any]]] = [
    ("suspended", {}),
    ("suspended", {}),
    ("pending_overdue", {"urgency": "overdue"}),
    ("under_review", {"urgency": "overdue"}),
    ("under_review", {"urgency": "overdue"}),
    ("under_review", {"urgency": "due_soon"}),
    ("under_review", {"urgency": "due_soon"}),
    ("accepted", {"urgency": "due_soon"}),
    ("under_review", {"extend": True}),
    ("delivered", {"extend": True}),
    ("delivered", {"suspend": True}),
    ("delivered", {"deemed": True}),
    ("delivered", {"pending": True}),
    ("delivered", {"late": True}),
    ("delivered", {"commitment": True}),
    ("delivered", {"commitment": True}),
    ("completed", {"commitment": True}),
    ("approved", {"commitment": True}),
    ("delivered", {"instant": True}),
    ("delivered", {"instant": True}),
    ("completed", {"instant": True}),
    ("delivered", {"refuse": True}),
    ("refused", {}),
    ("not_accepted", {"correction": True}),
    ("not_accepted", {}),
    ("terminated", {}),
    ("withdrawn", {}),
]


def _place(plan: Plan, rng: random.Random, line: Line) -> None:
    """Put the script on the calendar so that its anchor step lies the chosen age before today."""
    script, (low, high) = _script(plan, rng)
    earliest = EARLIEST
    if plan.history:
        # The months before: closing EARLIEST to HISTORY working days ago, the density falling
        # linearly with age (twice as many a month ago as a year ago, as a platform grows).
        earliest = HISTORY
        age = EARLIEST + round((HISTORY - EARLIEST - script.last) * (2 - (4 - 3 * rng.random()) ** 0.5))
        low = high = max(EARLIEST, age)
    elif not low:
        low, high = 1, max(1, EARLIEST - script.last)
    age = rng.randint(low, max(low, high))
    start = max(line.today - age - script.anchor, line.today - earliest - 5)
    start = min(start, line.today - 1 - script.last)  # every step before today
    plan.start, plan.steps = start, script.steps
    plan.minute = rng.randint(8 * 60 + 40, 16 * 60 + 30)


# --- Reasons from the case's own entry ---------------------------------------------------------


def _conditions(conditions: str) -> list[str]:
    """The guide's acceptance conditions clause by clause, those a case can fail (not the generic
    "材料齐全、符合法定形式" nor "符合某法等规定的条件")."""
    clauses = []
    for part in re.split(r"[；;。\n]", conditions or ""):
        part = re.sub(r"^\s*(\d+[.、）)]|[（(]\d+[)）])\s*", "", part).strip(" ，,")
        if 4 <= len(part) <= 60 and not re.search(r"(材料齐全|法定形式|等规定的条件)", part):
            clauses.append(part)
    return clauses


def _handed_in(case: Case) -> list[Any]:
    """The checklist's materials the applicant handed in (not an e-licence the office verified)."""
    return [
        i.material
        for i in drafts.checklist(case)
        if i.provided and not all(f.licence_identifier for f in i.files)
    ]


def _not_met(case: Case, rng: random.Random) -> str:
    """A condition of the case's own guide it does not meet (or the law its guide names)."""
    clauses = _conditions(case.version.acceptance_conditions)
    if clauses:
        return f"不符合“{rng.choice(clauses)}”的条件"
    law = re.search(r"《[^》]+》", case.version.legal_basis or "")
    return f"不符合{law.group(0)}规定的条件" if law else f"不符合“{case.version.name}”的法定条件"


def refusal_reason(case: Case, rng: random.Random) -> str:
    """不予许可 for a reason of the case's own: a material it handed in (not a form, a photo or a
    certificate a government body issued), or a condition of its guide."""
    evidence = [
        m
        for m in _handed_in(case)
        if m.source != "government" and not SIGNED.search(m.name) and not PHOTO.search(m.name)
    ]
    options = [f"经审查，申请人{_not_met(case, rng)}。"]
    if evidence:
        m = rng.choice(evidence)
        options.append(f"经核查，申请人提交的“{m.name}”所载情况与实际情况不符，不予批准。")
    return rng.choice(options)


def not_accepted_reason(case: Case, why: str, rng: random.Random) -> str:
    """不予受理: the correction never answered (naming what was asked for), or a reason of the case's
    own entry: a condition of its guide, or (a licence) a matter that needs no such licence."""
    if why == "no_answer":
        correction = case.corrections.order_by("-round").first()
        labels = [str(it["label"]) for it in (correction.items if correction else []) if it.get("label")]
        if labels:
            return f"申请人未在规定期限内补正{'、'.join(f'“{label}”' for label in labels)}。"
        return "申请人未在规定期限内补正全部材料。"
    options = [f"申请人不具备申请资格：{_not_met(case, rng)}。"]
    result = case.version.result_name
    if case.entry.catalog_item.item_type.code == "01" and case.version.result_type == "licence" and result:
        options.append(f"申请人所申请的经营或活动依法不需要取得“{result}”。")
    return rng.choice(options)


def material_correction(material: Any, applicant: Applicant, rng: random.Random) -> dict[str, Any]:
    """One point of a notice to correct: what can be wrong with this kind of material."""
    name = material.name
    signed, long = bool(SIGNED.search(name)), bool(LONG.search(name))
    problems = [MATERIAL_PROBLEMS["scan"]]
    if PHOTO.search(name):
        problems.append(MATERIAL_PROBLEMS["photo"])
    elif signed:
        problems += [
            MATERIAL_PROBLEMS["signature"],
            ("inconsistent", "填写内容与所附证明材料不一致，请核对后重新提交。"),
        ]
        if material.blank_form_id:
            problems.append(MATERIAL_PROBLEMS["old_form"])
    else:
        problems.append(MATERIAL_PROBLEMS["inconsistent"])
    if not signed and not long and (material.licence_type_code or CERTIFICATE.search(name)):
        problems.append(MATERIAL_PROBLEMS["expired"])
    if long:
        problems.append(MATERIAL_PROBLEMS["pages"])
    if material.source in ("intermediary", "other") and not material.licence_type_code:
        issuer = material.source_body or "出具单位"
        problems.append(("missing_signature", f"未加盖{issuer}公章，请加盖后重新提交。"))
    elif applicant.is_enterprise and material.source == "applicant" and not PHOTO.search(name):
        problems.append(("missing_signature", "未加盖申请单位公章，请加盖公章后重新提交。"))
    code, note = rng.choice(problems)
    return {"kind": "material", "material": material.pk, "reasons": [code], "note": note}


# --- Running --------------------------------------------------------------------------------


@dataclass
class Summary:
    created: int = 0
    states: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    staff_created: int = 0
    seconds: float = 0.0


class Runner:
    """Runs the plans through the services, each step at its own frozen time."""

    def __init__(self, rng: random.Random, staffing: Staffing, files: Files, line: Line):
        self.rng, self.staffing, self.files, self.line = rng, staffing, files, line

    def who(self, plan: Plan, role: str, case: Case | None) -> User | None:
        dept = plan.info.entry.department
        window = plan.channel == "window"
        if role == "applicant":
            return plan.applicant.user if not window else self.staffing.clerk(dept)
        if role == "clerk":
            return self.staffing.clerk(dept)
        if role == "reviewer":
            return self.staffing.reviewer(dept)
        if role == "system":
            return None
        if role == "completer" and window and plan.info.instant:
            return self.staffing.clerk(dept)
        step = procedure.current_step(case) if role == "step" and case is not None else None
        if step and step.get("role") == "reviewer":
            return self.staffing.reviewer(dept)
        return self.staffing.approver(dept)

    def run(self, plan: Plan) -> Case | None:
        case: Case | None = None
        day, minute = None, plan.minute
        for step in plan.steps:
            index = plan.start + step.t
            if index >= self.line.today:
                break  # has not happened yet (only optional steps get here)
            if day is None:
                day = index
            elif index != day:
                day, minute = index, self.rng.randint(8 * 60 + 40, 16 * 60 + 50)
            else:
                minute = min(minute + self.rng.randint(4, 35), 17 * 60 + 55)
            when = timezone.make_aware(
                dt.datetime.combine(self.line.days[index], dt.time(minute // 60, minute % 60))
            )
            with clock.frozen(when):
                case = self.step(plan, step, case)
        return case

    def step(self, plan: Plan, step: Step, case: Case | None) -> Case:
        if step.do in ("draft", "apply"):
            return self.apply(plan, submit=step.do == "apply")
        assert case is not None  # the services keep it current, as a page would reload it
        user = self.who(plan, step.who, case)
        do, data = step.do, dict(step.data)
        if do == "request_correction":
            data = {"items": self.correction_items(case, plan)}
        elif do == "not_accept":
            data["reason"] = not_accepted_reason(case, data.pop("why"), self.rng)
        elif do == "refuse":
            data["reason"] = refusal_reason(case, self.rng)
            data.pop("why", None)
        elif do == "correct":
            self.correct(case, user)
            do, data = "resubmit", {}
        elif do == "accept_with_pending":
            pending = [
                i.material.pk
                for i in drafts.checklist(case)
                if i.tolerable and not i.provided and i.necessity == Necessity.REQUIRED
            ]
            commitment = clock.today() + dt.timedelta(days=self.rng.randint(3, 7))
            data = {"pending_materials": pending[:1], "commitment_date": commitment.isoformat()}
        elif do == "supply":
            materials = {m.pk: m for m in drafts.required_materials(case)}
            for pk in list(case.pending_materials):
                name = materials[pk].name
                drafts.attach_material(user, case, pk, self.files.pdf(name), f"{name}.pdf")
            return case
        elif do == "deliver_pickup":
            code = Delivery.objects.filter(case=case).values_list("pickup_code", flat=True).first() or ""
            do, data = "deliver", {"method": DeliveryMethod.PICKUP, "pickup_code": code}
        elif do == "deliver_express":
            do, data = "deliver", {"method": DeliveryMethod.EXPRESS}
        elif do == "track":
            case = Case.objects.select_related("delivery").get(pk=case.pk)
            services.record_tracking(user, case, data["status"], self.tracking_text(plan, data["status"]))
            return case
        elif do == "verify":
            note = "经现场核查，申请人承诺事项与实际情况一致。"
            services.record_verification(user, case, result="consistent", note=note)
            return case
        services.act(user, case, do, data)
        if do == "deliver" and data.get("method") == DeliveryMethod.EXPRESS:
            # The worker's part for this case, at this moment: the parcel booked with the
            # carrier, so that its tracking can follow (the worker finds it booked later).
            message = (
                OutboxMessage.objects.filter(topic="case.dispatch", payload__case=case.pk)
                .order_by("-pk")
                .first()
            )
            delivery.book_with_carrier(message)
        if do == "complete" and plan.delivery == DeliveryMethod.ELECTRONIC:
            # The worker's part for this case, at this moment: its decision document, and with it
            # the electronic delivery. (The rest of the outbox, the other documents and the
            # notices, is the worker's once the demo runs.)
            demo_licences.catch_up(case)
            documents.catch_up(case)
            # Delivered by the system meanwhile: read it again, as a page would reload it.
            case = Case.objects.select_related("version", "entry", "department").get(pk=case.pk)
        return case

    def apply(self, plan: Plan, *, submit: bool) -> Case:
        """Start, fill in, attach and (unless a draft) submit: drafting began a while before."""
        a, info, rng = plan.applicant, plan.info, self.rng
        submit_at = clock.now()
        started = submit_at - dt.timedelta(minutes=rng.randint(10, 40))
        with clock.frozen(started):
            if plan.channel == "online":
                editor = a.user
                case = drafts.start_application(
                    editor, info.entry, situation_id=plan.situation, enterprise=a.on_behalf
                )
            else:
                editor = self.staffing.clerk(info.entry.department)
                case = drafts.start_window_intake(
                    editor,
                    info.entry,
                    situation_id=plan.situation,
                    id_number="" if a.is_enterprise else a.id_number,
                    uscc=a.uscc if a.is_enterprise else "",
                    name=a.name,
                    phone=a.phone,
                )
            filler = Filler(rng, a, info, plan.delivery, clock.today())
            data = filler.form(drafts.case_schema(case))
            if not submit:  # a draft: half filled in, autosaved
                data = dict(list(data.items())[: max(1, len(data) // 2)])
            drafts.save_form(editor, case, data, contact_phone=filler.identity["agent_phone"])
            leave_out = plan.target == "pending_overdue" or bool(plan.flags.get("pending"))
            for item in drafts.checklist(case):
                m = item.material
                if leave_out and item.tolerable and m.necessity == Necessity.REQUIRED:
                    leave_out = False  # 容缺: one non-key material is brought later
                    continue
                if m.licence_type_code and plan.channel == "online" and self.reuse_licence(editor, case, m):
                    continue  # 三个凡是: the applicant ticks "use my e-licence" instead of uploading
                if (m.necessity == Necessity.REQUIRED or rng.random() < 0.1) and (
                    submit or rng.random() < 0.5
                ):
                    started += dt.timedelta(seconds=rng.randint(20, 90))
                    with clock.frozen(started):
                        drafts.attach_material(editor, case, m.pk, self.files.pdf(m.name), f"{m.name}.pdf")
            if plan.delivery == DeliveryMethod.EXPRESS:
                drafts.set_delivery(
                    editor,
                    case,
                    DeliveryMethod.EXPRESS,
                    recipient=a.agent_name or a.name,
                    phone=filler.identity["agent_phone"],
                    address=filler.address_text(),
                )
            elif submit:
                drafts.set_delivery(editor, case, plan.delivery)
        if submit:
            drafts.submit(editor, case)
        return case

    def reuse_licence(self, editor: User, case: Case, material) -> bool:
        offer = next((o for o in reuse.offers(case) if o.material.pk == material.pk), None)
        if offer is None or offer.licence is None:
            return False
        reuse.use(editor, case, material.pk, offer.licence.identifier)
        return True

    def correction_items(self, case: Case, plan: Plan) -> list[dict[str, Any]]:
        """一次性告知: every point at once — one or two materials handed in, each with what can be
        wrong with that kind of material, sometimes a form field."""
        rng = self.rng
        received = _handed_in(case)
        items: list[dict[str, Any]] = [
            material_correction(m, plan.applicant, rng)
            for m in rng.sample(received, min(len(received), rng.randint(1, 2)))
        ]
        fields = [
            f
            for f in drafts.case_schema(case).get("fields", [])
            if f["type"] in ("text", "textarea")
            and not f.get("prefill")
            and not f.get("pattern")
            and f["name"] in case.form_data
            and f["name"] not in IDENTITY_FIELDS
        ]
        if fields and (rng.random() < 0.3 or not items):
            code, note = rng.choice(FIELD_PROBLEMS)
            items.append(
                {"kind": "field", "field": rng.choice(fields)["name"], "reasons": [code], "note": note}
            )
        if not items:
            missing = [i.material for i in drafts.checklist(case) if not i.provided and not i.shared]
            if missing:
                note = "未提交该材料，请补充提交。"
                items.append(
                    {"kind": "material", "material": missing[0].pk, "reasons": ["other"], "note": note}
                )
            else:
                items.append(
                    {"kind": "other", "note": f"请补充说明“{case.version.name}”申请事项的具体情况。"}
                )
        return items

    def correct(self, case: Case, user: User | None) -> None:
        """The applicant (or the window, for a window case) answers every point."""
        correction = drafts.open_correction(case)
        schema = {f["name"]: f for f in drafts.case_schema(case).get("fields", [])}
        for item in correction.items if correction else []:
            if item.get("material"):
                name = item["label"] or "补正材料"
                drafts.attach_material(
                    user, case, item["material"], self.files.pdf(name), f"{name}（补正）.pdf"
                )
            elif item.get("field") in schema:
                old = str(case.form_data.get(item["field"], ""))
                new = f"{old}（已更正）"
                limit = schema[item["field"]].get("max_length")
                drafts.save_form(user, case, {item["field"]: new if not limit or len(new) <= limit else old})

    def tracking_text(self, plan: Plan, status: str) -> str:
        place = PLACES[plan.applicant.county]
        return {
            "in_transit": f"快件已发出，正在运往{place}",
            "out_for_delivery": f"快件已到达{place}营业部，正在派送",
            "signed": "快件已签收，签收人：本人",
        }[status]


IDENTITY_FIELDS = {
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "enterprise_name",
    "uscc",
    "legal_representative",
    "agent_name",
    "agent_id_number",
    "agent_phone",
}


def demo_cases_loaded() -> bool:
    return User.objects.filter(username=MARKER).exists()


def load_cases(*, count: int = CASES, history_count: int = HISTORY_CASES, seed: int = SEED) -> Summary:
    """Create the demo cases (nothing when they exist). Expects the region and catalog loaded."""
    started = time.monotonic()
    summary = Summary()
    if demo_cases_loaded() or not User.objects.filter(username="demo-citizen").exists():
        return summary
    infos = _entries()
    if not infos:
        return summary
    rng = random.Random(seed)
    line = Line(timezone.localdate())
    pools = _pools(rng)
    staffing = Staffing(rng)
    plans = _plans(rng, infos, pools, count)
    for plan in plans:
        _place(plan, rng, line)
    # The months before, from a generator of their own: the recent cases stay as they were.
    past = random.Random(seed + 1)
    for plan in (history := _plans(past, infos, pools, history_count, history=True)):
        _place(plan, past, line)
    plans += history
    plans.sort(key=lambda p: (p.start, p.minute))  # case numbers follow the submission order
    runner = Runner(rng, staffing, Files(), line)
    for plan in plans:
        case = runner.run(plan)
        if case is not None:
            summary.created += 1
            summary.states[Case.objects.values_list("state", flat=True).get(pk=case.pk)] += 1
            summary.channels[case.channel] += 1
    # The worker's sweep at the end of the last working day: flag the 容缺 commitments past due.
    last = line.days[line.today - 1]
    with clock.frozen(timezone.make_aware(dt.datetime.combine(last, dt.time(18, 0)))):
        sweeps.flag_overdue_commitments(on=last)
    summary.staff_created = staffing.created
    summary.seconds = time.monotonic() - started
    return summary
