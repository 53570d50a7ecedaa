"""The demo's 一件事 (bundles): seven published bundles over the demo catalog of 城关区 and a few
applications in flight, so the portal, the workbench and the supervisors' figures show 一件事一次办
and 一链通办 at work.

Each bundle takes the entries of one area: the 城关区 departments' (159902) where the district has
its own copy of an item, else the city's (159900). A definition is written here with symbolic
entry keys (department, basic code), resolved to the entry codes when loading; its one combined
form (`fields`) is derived from the members' forms the way `bundles.rules.derive_fields` does,
with a field required when any member's field it feeds is required, and relabelled or narrowed
(a choice offering only the options this bundle needs) where the bundle says so. Duplicate person
and enterprise fields map onto one combined field (经办人 → 申请人; the shop's name, its premises),
and downstream forms take what only the upstream licence knows (the 统一社会信用代码 assigned with
the 营业执照, the child's data on the electronic 出生医学证明) with `licence.<field>`. Each bundle is
drafted by the market regulator's item administrator (demo-itemadmin) and published by the
platform administrator (demo-admin), only through `bundles.services`.

The applications are 张三's (demo-citizen), made through `bundles.services.apply` with real PDF
files, dated in the past with `cases.clock.frozen` and moved on by staff through
`cases.services.act`; after a decision the chain moves as the outbox worker would
(`chain.ensure_licences`, then `chain.advance`; the worker's later delivery changes nothing):

- 我要开饭店 as a company: the registration accepted and in review, its downstream cases waiting;
- 我要开饭店 as an individual business: registered on the spot, the food business permit, the
  signboard approval and the fire check started by themselves with the 营业执照 attached;
- 我要开饭店 stopped: the registration not accepted (with reason and remedy), the food business
  permit stopped with that reason;
- 新生儿出生: the birth certificate issued, the birth registration and the maternity benefit
  started by the chain with it, medical insurance and the social security card waiting.

Running it again changes nothing: a bundle whose code exists is left alone, and each application
carries an Idempotency-Key.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Staff, StaffRole, User
from yiwang.bundles import chain, queries, rules, services
from yiwang.bundles.definition import Definition, EntryFacts
from yiwang.bundles.models import Bundle, BundleApplication
from yiwang.cases import clock
from yiwang.cases import services as case_services
from yiwang.cases.models import Case
from yiwang.catalog import form_schema
from yiwang.catalog.models import Entry
from yiwang.core.models import Department, Division
from yiwang.demo import region as demo_region
from yiwang.demo.bundle_specs import (
    BIRTH_CERTIFICATE,
    BUNDLES,
    FOOD,
    REGISTER_COMPANY,
    REGISTER_SHOP,
    Key,
    Spec,
)
from yiwang.licences import issuing

# --- Resolving and deriving ----------------------------------------------------------------------


def _departments() -> dict[str, Department]:
    names = {key: name for key, name, _division, _nature in demo_region.DEPARTMENTS}
    by_name = {d.name: d for d in Department.objects.filter(name__in=names.values())}
    return {key: by_name[name] for key, name in names.items() if name in by_name}


def entry_codes() -> dict[Key, str]:
    """Each entry key of the bundles, as the entry code of the demo catalog."""
    departments = _departments()
    keys = {m["entry"] for spec in BUNDLES for m in spec.members}
    codes = {}
    for key in keys:
        department = departments.get(key[0])
        entry = (
            Entry.objects.filter(department=department, catalog_item__basic_code=key[1]).first()
            if department
            else None
        )
        if entry is not None:
            codes[key] = entry.code
    return codes


def combined_fields(
    document: dict[str, Any], facts: dict[str, EntryFacts], overrides: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The one form as `rules.derive_fields` makes it, with this bundle's overrides (a label, a
    choice narrowed to the options it needs), without the fields only a removed option showed."""
    definition = Definition.model_validate(document)
    fields = [{**f, **overrides.get(f["name"], {})} for f in rules.derive_fields(definition, facts)]
    return form_schema.without_never_shown(fields)


def definition_of(spec: Spec, codes: dict[Key, str]) -> dict[str, Any]:
    """The definition document of a bundle, with entry codes and its one form."""
    members = []
    for m in spec.members:
        member = {**m, "entry": codes[m["entry"]]}
        if "after" in m:
            member["after"] = [codes[a] for a in m["after"]]
        members.append(member)
    document: dict[str, Any] = {
        "questions": spec.questions,
        "members": members,
        "map": {codes[key]: mapping for key, mapping in spec.map.items()},
        "same_materials": spec.same_materials,
        "joint_extension": spec.joint_extension,
    }
    facts = queries.entry_facts([m["entry"] for m in members])
    document["fields"] = combined_fields(document, facts, spec.fields)
    return document


def publish(spec: Spec, codes: dict[Key, str]) -> Bundle:
    """Draft (the item administrator), submit and publish (the platform administrator)."""
    drafter = User.objects.get(username="demo-itemadmin")
    reviewer = User.objects.get(username="demo-admin")
    division = Division.objects.get(code=spec.division.ljust(12, "0"))
    version = services.create_bundle(drafter, code=spec.code, name=spec.name, division=division)
    problems = services.save_draft(
        version,
        drafter,
        plain_title=spec.plain_title,
        aliases=spec.aliases,
        summary=spec.summary,
        audience=spec.audience,
        definition=definition_of(spec, codes),
    )
    if problems:
        raise RuntimeError(f"一件事“{spec.name}”不能发布：" + "；".join(problems))
    services.submit_version(version, drafter)
    services.publish_version(version, reviewer, "演示数据：审核通过")
    version.bundle.refresh_from_db()
    return version.bundle


# --- Applications in flight ------------------------------------------------------------------------

APPLICANT = "demo-citizen"
PHONE = "13800138000"
LI_NA = demo_region.person_id_number("19870606", "159902", "246", female=True)
REMEDY = (
    "如对本决定不服，可以自收到本决定之日起六十日内向青山市城关区人民政府申请行政复议，"
    "或者自收到本决定之日起六个月内向青山市城关区人民法院提起行政诉讼。"
)
FOOD_FORM = {
    "main_form": "restaurant",
    "items": ["hot", "cold"],
    "cold_note": "凉拌菜",
    "safety_manager": "张三",
    "safety_manager_phone": PHONE,
    "commitment": "yes",
    "delivery": "online",
    "floors": "1层",
    "method": "commitment",
    "place_type": "hotel",
    "material": "acrylic",
    "lighting": "yes",
    "sign_width": 4,
    "sign_height": 0.8,
}


def _shop(name: str, address: str, *, area: int, scope: str) -> dict[str, Any]:
    return {
        "shop_name": name,
        "shop_address": {"division": "159902001001", "detail": address},
        "business_scope": scope,
        "area": area,
        "sign_text": name.removeprefix("城关区").removeprefix("青山市"),
    }


@dataclass
class BundlesSummary:
    bundles: int = 0  # published by this run
    applications: int = 0  # applied for by this run
    seconds: float = 0.0


class Runner:
    """Moves the demo applications: 张三 applies, staff act, the chain follows each decision."""

    def __init__(self, today: dt.date):
        from yiwang.demo.filling import Files
        from yiwang.demo.workdays import Line

        self.files = Files()
        self.line = Line(today)
        self.applicant = User.objects.select_related("person").get(username=APPLICANT)
        self.departments = _departments()
        self.clerk = User.objects.get(username="demo-clerk-chengguan")  # 城关区政务服务中心
        self.city_clerk = User.objects.get(username="demo-clerk")  # 青山市市民中心

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        """A moment `days_ago` working days before today (never today or later)."""
        day = self.line.days[self.line.today - max(1, days_ago)]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def officer(self, department_key: str, role: str) -> User:
        """A staff member of the department holding `role`: one of the demo's, else a handling
        officer created for it (reviewer and approver, no usable password, as `demo.cases` does)."""
        department = self.departments[department_key]
        staff = (
            Staff.objects.filter(department=department, role_grants__role=role)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if staff is not None:
            return staff.user
        username = f"demo-officer-{department_key.replace('_', '-')}"
        existing = User.objects.filter(username=username).first()
        return existing or accounts.create_staff(
            username=username,
            password=None,  # type: ignore[arg-type]  # a handling officer who never signs in
            name=OFFICER_NAMES.get(department_key, "王建军"),
            department=department,
            roles=[StaffRole.REVIEWER, StaffRole.APPROVER],
            phone="13704719901",
            enforce_password_rules=False,
        )

    def apply(self, scenario: Scenario) -> BundleApplication | None:
        """张三's application, or None when it was made before (the key answers it)."""
        if services.by_key(self.applicant, scenario.key) is not None:
            return None
        bundle = Bundle.objects.select_related("published").get(code=scenario.bundle)
        guide = queries.guide(bundle, scenario.answers)
        person = self.applicant.person
        born = self.at(scenario.day, 9).date() - dt.timedelta(days=5)
        values = {
            "applicant_name": person.name,
            "applicant_id_number": person.id_number,
            "father_id_number": person.id_number,
            "baby_birth_date": born.isoformat(),
            **FOOD_FORM,
            **copy.deepcopy(scenario.form),
        }
        for row in values.get("shareholders", []):
            row.setdefault("holder_id", person.id_number)
        wanted = {f["name"] for f in rules.form_for(guide.definition, guide.selected, guide.facts)}
        files = [
            services.FileIn(m.key, f"{m.name}.pdf", self.files.pdf(m.name))
            for m in guide.materials
            if m.required and not m.from_upstream
        ]
        with clock.frozen(self.at(scenario.day, 9, 20)):
            application, _created = services.apply(
                self.applicant,
                services.ApplicationIn(
                    bundle=bundle,
                    answers=scenario.answers,
                    form_data={k: v for k, v in values.items() if k in wanted},
                    files=files,
                    delivery={"method": "electronic"},
                    contact_phone=PHONE,
                ),
                idempotency_key=scenario.key,
            )
        return application

    def case_of(self, application: BundleApplication, entry: Key) -> Case:
        department = self.departments[entry[0]]
        code = Entry.objects.get(department=department, catalog_item__basic_code=entry[1]).code
        return Case.objects.get(bundle_member__application=application, bundle_member__entry_code=code)

    def act(
        self,
        application: BundleApplication,
        entry: Key,
        user: User,
        action: str,
        at: dt.datetime,
        **payload: Any,
    ) -> Case:
        """A staff action on one member's case, then the chain as the outbox worker moves it: the
        upstream licence issued and rendered, the waiting cases started or stopped."""
        case = self.case_of(application, entry)
        with clock.frozen(at):
            case = case_services.act(user, case, action, payload)
        with clock.frozen(at + dt.timedelta(minutes=2)):
            chain.ensure_licences(application)
            chain.advance(application)
        return case


OFFICER_NAMES = {"chengguan_market": "韩志刚", "city_health": "冯晓雯"}


def _not_accepted(r: Runner, application: BundleApplication, day: int) -> None:
    """(c) The window does not accept the registration: the food business permit stops."""
    r.act(
        application,
        REGISTER_SHOP,
        r.clerk,
        "not_accept",
        r.at(day - 1, 10, 30),
        reason="经营场所位于居民住宅楼内，依据《青山市住所（经营场所）登记管理规定》，"
        "住宅不得用于从事产生油烟、噪声的烧烤类餐饮服务。",
        remedy=f"可更换符合条件的经营场所后重新申请。{REMEDY}",
    )


def _registered_on_the_spot(r: Runner, application: BundleApplication, day: int) -> None:
    """(b) Registered on the spot (the approver fills in the licence's name and 经营者 first):
    the permits start with the 营业执照; the window accepts the food business permit next day."""
    officer = r.officer("chengguan_market", StaffRole.APPROVER)
    registration = r.case_of(application, REGISTER_SHOP)
    form = registration.form_data
    issuing.save_draft(
        officer,
        registration,
        {
            "name": form.get("shop_name") or registration.applicant_name,
            "company_type": "个体工商户（家庭经营）"
            if form.get("form_of_business") == "family"
            else "个体工商户（个人经营）",
            "legal_representative": registration.applicant_name,
            "business_scope": form.get("business_scope", ""),
            "address": f"青山市城关区{form.get('shop_address', {}).get('detail', '')}",
        },
    )
    opinion = "材料齐全，符合登记条件，当场登记。"
    r.act(application, REGISTER_SHOP, officer, "decide_on_the_spot", r.at(day, 10, 5), opinion=opinion)
    r.act(application, FOOD, r.clerk, "accept", r.at(day - 1, 9, 40))


def _birth_certificate_issued(r: Runner, application: BundleApplication, day: int) -> None:
    """(d) The birth certificate accepted, checked and approved: its licence starts the birth
    registration and the maternity benefit; medical insurance and the card wait for 落户."""
    reviewer = r.officer("city_health", StaffRole.REVIEWER)
    approver = r.officer("city_health", StaffRole.APPROVER)
    r.act(application, BIRTH_CERTIFICATE, r.city_clerk, "accept", r.at(day, 10, 10))
    opinion = "新生儿及父母身份信息核对无误，父母已签字确认。"
    r.act(application, BIRTH_CERTIFICATE, reviewer, "pass_step", r.at(day - 1, 9, 30), opinion=opinion)
    opinion = "准予签发出生医学证明。"
    r.act(application, BIRTH_CERTIFICATE, approver, "approve", r.at(day - 2, 9, 15), opinion=opinion)


def _registration_accepted(r: Runner, application: BundleApplication, day: int) -> None:
    """(a) The company registration accepted and in review: the permits wait for it."""
    r.act(application, REGISTER_COMPANY, r.clerk, "accept", r.at(day - 1, 9, 50))


@dataclass(frozen=True)
class Scenario:
    key: str  # the Idempotency-Key of 张三's application
    bundle: str
    answers: dict[str, Any]
    form: dict[str, Any]  # the combined form (张三's identity and dates are added)
    day: int  # submitted this many working days before today
    then: Callable[[Runner, BundleApplication, int], None]  # what staff did since


SCENARIOS = [
    # (c) the registration not accepted: the food business permit stops with the reason.
    Scenario(
        "demo-bundle-restaurant-refused",
        "open-restaurant",
        {"business_form": "individual", "prepacked_only": "no", "seats": 30, "signboard": "no"},
        {
            **_shop("城关区张三烧烤店", "和平街12号1楼", area=45, scope="餐饮服务（烧烤类食品制售）"),
            "form_of_business": "personal",
            "capital": "3.00",
            "staff": 2,
            "items": ["hot"],
        },
        day=6,
        then=_not_accepted,
    ),
    # (b) registered on the spot: the permits start by themselves with the 营业执照.
    Scenario(
        "demo-bundle-restaurant-started",
        "open-restaurant",
        {"business_form": "individual", "prepacked_only": "no", "seats": 60, "signboard": "yes"},
        {
            **_shop("城关区张三面馆", "光明路18号", area=120, scope="餐饮服务（热食类、冷食类食品制售）"),
            "form_of_business": "family",
            "family_members": "李娜（配偶）",
            "capital": "10.00",
            "staff": 5,
        },
        day=4,
        then=_registered_on_the_spot,
    ),
    # (d) the birth certificate issued: the birth registration started with it, the rest waits.
    Scenario(
        "demo-bundle-newborn",
        "newborn",
        {"maternity": "yes", "social_card": "yes"},
        {
            "baby_name": "张思远",
            "baby_sex": "m",
            "birth_weight": 3400,
            "mother_name": "李娜",
            "mother_id_number": LI_NA,
            "father_name": "张三",
            "delivery": "online",
            "follow": "father",
            "parents_married": "yes",
            "insured_type": "newborn",
            "household_address": {"division": "159902001001", "detail": "光明路8号幸福小区3号楼2单元501室"},
            "apply_type": "first",
            "bank": "中国工商银行青山分行",
        },
        day=3,
        then=_birth_certificate_issued,
    ),
    # (a) a company: the registration accepted and in review, the permits waiting for it.
    Scenario(
        "demo-bundle-restaurant-waiting",
        "open-restaurant",
        {"business_form": "company", "prepacked_only": "no", "seats": 120, "signboard": "yes"},
        {
            **_shop("青山市张记餐饮管理有限公司", "育才街66号", area=380, scope="餐饮服务；食品销售"),
            "company_type": "one_person",
            "capital": "50.00",
            "shareholders": [
                {
                    "holder_name": "张三",
                    "holder_amount": "50.00",
                    "holder_method": "cash",
                    "holder_date": "2031-12-31",
                }
            ],
            "has_board": "no",
            "need_seal": "yes",
            "need_invoice": "yes",
        },
        day=2,
        then=_registration_accepted,
    ),
]


def _run_scenarios(summary: BundlesSummary) -> None:
    runner = Runner(timezone.localdate())
    for scenario in SCENARIOS:
        application = runner.apply(scenario)
        if application is not None:
            summary.applications += 1
            scenario.then(runner, application, scenario.day)


def load_bundles() -> BundlesSummary:
    """Publish the demo bundles and make the applications in flight; running it again changes
    nothing. Expects the region, the catalog and the licence types loaded."""
    started = time.monotonic()
    summary = BundlesSummary()
    if not User.objects.filter(username="demo-itemadmin").exists():
        return summary
    codes = entry_codes()
    for spec in BUNDLES:
        if Bundle.objects.filter(code=spec.code).exists():
            continue
        publish(spec, codes)
        summary.bundles += 1
    if User.objects.filter(username=APPLICANT).exists():
        _run_scenarios(summary)
    summary.seconds = time.monotonic() - started
    return summary
