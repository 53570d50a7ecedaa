"""The demo's electronic licences: a licence type for every licence its published entries issue
(营业执照, 食品经营许可证, …), a seal for every issuing department, licences for the demo cases
that were approved, and a wallet that is not empty for demo-citizen and the demo enterprise (their
business licences, already in the licence library before the demo's cases began, so that the food
business permit application reuses the business licence instead of an upload)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yiwang.accounts.models import Enterprise, Person, User
from yiwang.cases.models import Case
from yiwang.catalog.models import Entry, EntryVersion, ResultType, VersionState
from yiwang.core.models import Department
from yiwang.licences import documents, issuing, keys
from yiwang.licences.models import HolderKind, Licence, LicenceType

# Form field types a licence shows; identity numbers and phones stay off the licence.
SHOWN_TYPES = {"text", "number", "money", "date", "choice", "address"}
HIDDEN_WORDS = ("phone", "id_number", "mobile", "contact", "agent", "request", "reason", "note")
BUSINESS_LICENCE = "营业执照"
BUSINESS_SCHEMA = {
    "fields": [
        {
            "name": "name",
            "label": "名称",
            "type": "text",
            "prefill": "enterprise_name",
            "from": "company_name",
        },
        {"name": "uscc", "label": "统一社会信用代码", "type": "text", "assign": "uscc"},
        {"name": "company_type", "label": "类型", "type": "text"},
        {
            "name": "legal_representative",
            "label": "法定代表人",
            "type": "text",
            "prefill": "legal_representative",
        },
        {"name": "registered_capital", "label": "注册资本（万元）", "type": "text"},
        {"name": "business_scope", "label": "经营范围", "type": "text"},
        {"name": "address", "label": "住所", "type": "text", "prefill": "address"},
    ]
}


@dataclass
class LicenceSummary:
    types: int = 0
    keys: int = 0
    issued: int = 0


def _licence_name(result: str) -> str:
    """The licence type a result names: the first of a list of documents (机动车号牌、机动车行驶证…),
    but a name whose 、 joins words of one document stays whole (…投入使用、营业前消防安全检查合格证)."""
    name = result.replace("（电子证照）", "").strip()
    first = name.split("、")[0].strip()
    return first if first.endswith(("证", "书", "牌", "照", "卡")) else name


def _fields_from_form(schema: dict) -> list[dict]:
    fields = []
    for field in (schema or {}).get("fields", []):
        if field.get("type") not in SHOWN_TYPES or any(w in field["name"] for w in HIDDEN_WORDS):
            continue
        shown = {"name": field["name"], "label": field["label"], "type": "text"}
        if field.get("type") == "choice":
            shown = {**shown, "type": "choice", "options": field.get("options", [])}
        if field.get("prefill") in ("name", "enterprise_name", "legal_representative", "address"):
            shown["prefill"] = field["prefill"]
        fields.append(shown)
        if len(fields) == 6:
            break
    return fields


def _address_text(value) -> str:
    return value.get("detail", "") if isinstance(value, dict) else str(value or "")


def load_licence_types() -> LicenceSummary:
    """Types and seals, before the demo's cases run (idempotent)."""
    summary = LicenceSummary()
    versions = (
        EntryVersion.objects.filter(state=VersionState.PUBLISHED, result_type=ResultType.LICENCE)
        .select_related("entry__department__division")
        .order_by("entry__department__division__level", "entry__code")
    )
    by_name: dict[str, list[EntryVersion]] = {}
    for version in versions:
        name = _licence_name(version.result_name or version.name)
        by_name.setdefault(name, []).append(version)
    sequence: dict[int, int] = {}
    for name, group in sorted(by_name.items()):
        agency = group[0].entry.department
        licence_type = LicenceType.objects.filter(name=name).first()
        if licence_type is None:
            sequence[agency.pk] = sequence.get(agency.pk, 0) + 1
            code = f"{agency.uscc}{sequence[agency.pk]:03d}"
            while LicenceType.objects.filter(code=code).exists():
                sequence[agency.pk] += 1
                code = f"{agency.uscc}{sequence[agency.pk]:03d}"
            schema = (
                BUSINESS_SCHEMA
                if name == BUSINESS_LICENCE
                else {"fields": _fields_from_form(group[0].form_schema)}
            )
            audience = group[0].audience
            licence_type = LicenceType.objects.create(
                code=code,
                name=name,
                agency=agency,
                holder_kind=HolderKind.PERSON if audience == "person" else HolderKind.ENTERPRISE,
                schema=schema,
                validity_years=None if name in (BUSINESS_LICENCE, "不动产权证书", "结婚证") else 5,
                layout={"title": name},
            )
            summary.types += 1
        licence_type.entries.add(*[v.entry for v in group])
    issuing_departments = Department.objects.filter(entries__licence_types__isnull=False).distinct()
    admin = User.objects.filter(username="demo-admin").first()
    for department in issuing_departments:
        if keys.current_key(department) is None:
            keys.create_key(department, admin)
            summary.keys += 1
    _seed_wallets(summary)
    return summary


def _seed_wallets(summary: LicenceSummary) -> None:
    """Business licences issued before the demo began (存量证照入库): the demo enterprise's, and
    张三's 个体工商户 licence."""
    business = LicenceType.objects.filter(name=BUSINESS_LICENCE).first()
    if business is None:
        return
    issuer = business.agency
    today = timezone.localdate()
    enterprise = Enterprise.objects.filter(user__username="demo-enterprise").first()
    if (
        enterprise is not None
        and not Licence.objects.filter(holder_enterprise=enterprise, licence_type=business).exists()
    ):
        issuing.issue(
            licence_type=business,
            issuer=issuer,
            holder=issuing.enterprise_holder(enterprise),
            data={
                "name": enterprise.name,
                "company_type": "有限责任公司（自然人投资或控股）",
                "legal_representative": enterprise.legal_representative,
                "registered_capital": "100",
                "business_scope": "餐饮服务；食品销售（仅销售预包装食品）",
                "address": enterprise.address or "青山市青城区迎宾路18号",
            },
            issued_on=today - dt.timedelta(days=400),
            related_item="存量证照入库",
        )
        summary.issued += 1
    person = Person.objects.filter(user__username="demo-citizen").first()
    if (
        person is not None
        and not Licence.objects.filter(holder_person=person, licence_type=business).exists()
    ):
        issuing.issue(
            licence_type=business,
            issuer=issuer,
            holder=issuing.person_holder(person),
            data={
                "name": "青山市青城区张三小吃店",
                "company_type": "个体工商户",
                "legal_representative": person.name,
                "business_scope": "小吃服务",
                "address": person.address or "青山市青城区新华街6号",
            },
            issued_on=today - dt.timedelta(days=200),
            related_item="存量证照入库",
        )
        summary.issued += 1


def catch_up(case: Case) -> None:
    """The worker's part for one demo case at this moment: its licence issued and rendered (the
    demo loader moves cases through weeks in seconds; the outbox delivery later changes nothing)."""
    licence = issuing.issue_for_case(case)
    if licence is not None:
        documents.attach(licence)


def issue_for_demo_cases() -> int:
    """Licences for every approved demo case that has none yet (signed now, PDF by the worker)."""
    approved = Case.objects.filter(
        state__in=["approved", "completed", "delivered"],
        entry__in=Entry.objects.filter(licence_types__isnull=False),
        licences__isnull=True,
    ).order_by("pk")
    issued = 0
    for case in approved:
        if issuing.issue_for_case(case) is not None:
            issued += 1
    return issued
