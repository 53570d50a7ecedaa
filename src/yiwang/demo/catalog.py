"""The demo catalog of 青山市: catalog items claimed by city, county and township bodies, each
compiled into an implementation list entry with a complete guide, reviewed and published.

Built only through the catalog services (create_catalog_item, claim_item, compile_entry,
submit_version, publish_version ...) and the documented guide document format, from the plain
data in `catalog_data` (in one shape: `catalog_specs`; as guide documents: `catalog_documents`).
Running it again changes nothing: an entry whose claim already exists is left alone.

A few entries are deliberately imperfect so the guide audit (找茬) has real findings, and some
show the rest of the workflow (`catalog_plans`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from yiwang.catalog import services
from yiwang.catalog.models import CatalogItem, Claim, Entry, EntryStatus, VersionState
from yiwang.core.models import Department
from yiwang.demo import region as demo_region
from yiwang.demo.catalog_data import english as demo_english
from yiwang.demo.catalog_documents import build_document
from yiwang.demo.catalog_plans import FIRST_VERSION_PLANS, NEW_DRAFTS, SUSPENDED, second_version, with_plan
from yiwang.demo.catalog_specs import ItemSpec, item_specs
from yiwang.demo.files import FormFiles


@dataclass
class CatalogSummary:
    items: int = 0
    created_entries: int = 0
    published: int = 0
    files_generated: int = 0
    seconds: float = 0.0
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)


def _departments(region_result: demo_region.Region | None) -> dict[str, Department]:
    if region_result is not None:
        return region_result.departments
    names = {key: name for key, name, _division, _nature in demo_region.DEPARTMENTS}
    by_name = {d.name: d for d in Department.objects.filter(name__in=names.values())}
    return {key: by_name[name] for key, name in names.items() if name in by_name}


def _catalog_item(spec: ItemSpec, departments: dict[str, Department]) -> CatalogItem:
    item = CatalogItem.objects.filter(basic_code=spec.code).first()
    if item is not None:
        return item
    levels = sorted({departments[key].division.level for key in spec.claims})
    return services.create_catalog_item(
        basic_code=spec.code,
        name=spec.name,
        item_type=spec.type,
        legal_basis=spec.guide["legal_basis"],
        levels=levels,
    )


def load_catalog(region_result: demo_region.Region | None = None) -> CatalogSummary:
    """Create the demo catalog; running it again changes nothing."""
    started = time.monotonic()
    departments = _departments(region_result)
    files = FormFiles()
    summary = CatalogSummary()
    for spec in item_specs():
        item = _catalog_item(spec, departments)
        summary.items += 1
        for dept_key in spec.claims:
            department = departments[dept_key]
            claim = Claim.objects.filter(department=department, catalog_item=item).first()
            existing = Entry.objects.filter(claim=claim).first() if claim else None
            if existing is not None:
                summary.entries[(dept_key, spec.code)] = existing
                continue
            claim = claim or services.claim_item(department, item)
            plan = FIRST_VERSION_PLANS.get((dept_key, spec.code), {})
            doc = with_plan(build_document(spec, dept_key, department, files), spec, plan)
            doc = demo_english.with_english(doc, spec.code)  # issue 13: English names
            entry = services.compile_entry(claim, None, doc)
            summary.entries[(dept_key, spec.code)] = entry
            summary.created_entries += 1
            version = entry.versions.get()
            state = plan.get("state", VersionState.PUBLISHED)
            if state == VersionState.DRAFT:
                services.record_audit(version)
                continue
            services.submit_version(version, None)
            if state == VersionState.RETURNED:
                services.return_version(version, None, plan["comment"])
            elif state == VersionState.PUBLISHED:
                services.publish_version(version, None, "演示数据：审核通过")
                summary.published += 1
                if (dept_key, spec.code) in NEW_DRAFTS:
                    second_version(entry, NEW_DRAFTS[(dept_key, spec.code)])
                if (dept_key, spec.code) in SUSPENDED:
                    services.set_entry_status(
                        entry, None, EntryStatus.SUSPENDED, SUSPENDED[(dept_key, spec.code)]
                    )
    summary.files_generated = files.generated
    summary.seconds = time.monotonic() - started
    return summary
