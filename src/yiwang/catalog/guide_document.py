"""A guide version as one plain document (dict), and back.

The same document is what `GET /api/v1/items/{code}` returns, what JSON and Excel import/export
carry, and what the edit page and the API save. `apply_document` validates everything first and
writes nothing unless all of it is valid; its errors are keyed by path (`materials.2.name`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.catalog import form_schema
from yiwang.catalog.models import (
    EntryVersion,
    Faq,
    Fee,
    Material,
    Situation,
    TimeUnit,
    Topic,
)

# Scalar guide elements, validated by their model fields (choices, lengths, types).
SCALAR_FIELDS = [
    "name",
    "plain_title",
    "name_en",  # English (optional, issue 13): blank falls back to the Chinese
    "plain_title_en",
    "legal_basis",
    "entrusted_body",
    "joint_bodies",
    "intermediary_services",
    "legal_limit",
    "legal_limit_unit",
    "legal_limit_note",
    "promised_limit",
    "promised_limit_unit",
    "promised_limit_note",
    "case_kind",
    "audience",
    "acceptance_conditions",
    "visits_required",
    "visit_reasons",
    "location",
    "hours",
    "consult_phone",
    "complaint_phone",
    "online_depth",
    "express_delivery",
    "online_payment",
    "appointment",
    "self_service_terminal",
    "in_hall",
    "cross_region_scope",
    "tolerance_acceptance",
    "notification_commitment",
    "is_free",
    "result_type",
    "result_name",
]
LIST_FIELDS = ["aliases", "procedure", "special_procedures", "review_steps", "handling_forms"]
MATERIAL_FIELDS = [
    "name",
    "name_en",
    "kind",
    "media_format",
    "necessity",
    "condition",
    "is_key",
    "source",
    "source_body",
    "licence_type_code",
    "paper_copies",
    "paper_size",
    "fill_instructions",
    "acceptance_standard",
    "legal_basis",
]
FEE_FIELDS = ["name", "standard", "basis", "reductions"]
FAQ_FIELDS = ["question", "answer"]
HANDLING_FORMS = {"window", "online", "mail"}
REVIEW_ROLES = {"window_clerk", "reviewer", "approver"}


def version_to_document(version: EntryVersion) -> dict[str, Any]:
    """Every element of a version, children included (prefetch them when listing many)."""
    entry = version.entry
    doc: dict[str, Any] = {
        "code": entry.code,
        "basic_code": entry.catalog_item.basic_code,
        "item_type": entry.catalog_item.item_type.code,
        "item_type_name": entry.catalog_item.item_type.name,
        "initiation": entry.catalog_item.initiation,
        "department": entry.department.name,
        "department_uscc": entry.department.uscc,
        "department_nature": entry.department.nature,
        "division_code": entry.department.division.code,
        "version": version.number,
        "state": version.state,
    }
    for name in SCALAR_FIELDS:
        doc[name] = getattr(version, name)
    for name in LIST_FIELDS:
        doc[name] = list(getattr(version, name) or [])
    doc["topics"] = [t.code for t in version.topics.all()]
    doc["form_schema"] = version.form_schema or {}
    doc["result_sample"] = str(version.result_sample_id) if version.result_sample_id else None
    situations = list(version.situations.all())
    by_situation = {s.pk: s.seq for s in situations}
    doc["situations"] = [
        {
            "seq": s.seq,
            "name": s.name,
            "name_en": s.name_en,
            "description": s.description,
            "form_schema": s.form_schema or {},
        }
        for s in situations
    ]
    doc["materials"] = [
        {
            **{f: getattr(m, f) for f in MATERIAL_FIELDS},
            "situation": by_situation.get(m.situation_id),
            "blank_form": str(m.blank_form_id) if m.blank_form_id else None,
            "sample_form": str(m.sample_form_id) if m.sample_form_id else None,
        }
        for m in version.materials.all()
    ]
    doc["fees"] = [{f: getattr(x, f) for f in FEE_FIELDS} for x in version.fees.all()]
    doc["faqs"] = [{f: getattr(x, f) for f in FAQ_FIELDS} for x in version.faqs.all()]
    return doc


def _clean_scalar(model, name: str, value: Any, errors: dict[str, list[str]], path: str) -> Any:
    field = model._meta.get_field(name)
    if value is None and not field.null:
        value = field.get_default()
    if isinstance(value, str) and field.get_internal_type() in ("CharField", "TextField"):
        value = value.strip()
    try:
        return field.clean(value, None)
    except ValidationError as exc:
        errors.setdefault(path, []).extend(exc.messages)
        return None


def _check_lists(doc: dict, errors: dict[str, list[str]]) -> None:
    for name in LIST_FIELDS:
        value = doc.get(name, [])
        if not isinstance(value, list):
            errors.setdefault(name, []).append(_("应为列表。"))
    for i, step in enumerate(doc.get("procedure") or []):
        if not isinstance(step, dict) or not str(step.get("name", "")).strip():
            errors.setdefault(f"procedure.{i}.name", []).append(_("每个办理步骤都需要名称。"))
    for i, sp in enumerate(doc.get("special_procedures") or []):
        if not isinstance(sp, dict) or not str(sp.get("name", "")).strip():
            errors.setdefault(f"special_procedures.{i}.name", []).append(_("特别程序需要名称。"))
        elif sp.get("unit") not in (None, "", *TimeUnit.values):
            errors.setdefault(f"special_procedures.{i}.unit", []).append(_("时限单位不正确。"))
    for i, step in enumerate(doc.get("review_steps") or []):
        if not isinstance(step, dict) or step.get("role") not in REVIEW_ROLES:
            errors.setdefault(f"review_steps.{i}.role", []).append(
                _("审查环节的角色应为 window_clerk（窗口人员）、reviewer（审查人）或 approver（审批人）。")
            )
    bad_forms = [f for f in doc.get("handling_forms") or [] if f not in HANDLING_FORMS]
    if bad_forms:
        errors.setdefault("handling_forms", []).append(
            _("办理形式只能是 window（窗口）、online（网上）、mail（邮寄）。")
        )
    aliases = doc.get("aliases") or []
    if any(not isinstance(a, str) or not a.strip() or len(a) > 50 for a in aliases):
        errors.setdefault("aliases", []).append(_("别名应为不超过50字的文字。"))


def _check_limits(cleaned: dict, errors: dict[str, list[str]]) -> None:
    """A promised limit longer than the legal one (in the same unit) is refused at save."""
    legal, promised = cleaned.get("legal_limit"), cleaned.get("promised_limit")
    if legal is None or promised is None:
        return
    if cleaned.get("legal_limit_unit") == cleaned.get("promised_limit_unit") and promised > legal:
        errors.setdefault("promised_limit", []).append(
            _("承诺时限（%(promised)s）不能长于法定时限（%(legal)s）。")
            % {"promised": promised, "legal": legal}
        )


def validate_document(doc: dict[str, Any], known_situations: set[int] | None = None) -> dict[str, Any]:
    """Clean a whole document; raise ValidationError keyed by path if anything is wrong.

    `known_situations`: the version's situation numbers, which materials may refer to when the
    document carries materials without situations."""
    if not isinstance(doc, dict):
        raise ValidationError({"__all__": [_("指南数据应为对象。")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        if name in doc:
            cleaned[name] = _clean_scalar(EntryVersion, name, doc[name], errors, name)
    if "name" in doc and not cleaned.get("name"):
        errors.setdefault("name", []).append(_("请填写事项名称。"))
    _check_limits(cleaned, errors)
    _check_lists(doc, errors)
    for name in LIST_FIELDS:
        if name in doc and name not in errors:
            cleaned[name] = doc[name]
    if "topics" in doc:
        codes = list(doc["topics"] or [])
        known = set(Topic.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.setdefault("topics", []).append(
                _("未知的主题分类：%(codes)s。") % {"codes": "、".join(unknown)}
            )
        cleaned["topics"] = codes
    for key in ("form_schema",):
        if key in doc:
            problems = form_schema.schema_errors(doc[key] or {})
            if problems:
                errors.setdefault(key, []).extend(problems)
            cleaned[key] = doc[key] or {}
    seqs = set(known_situations or ()) if "situations" not in doc else set()
    if "situations" in doc:
        cleaned["situations"] = []
        for i, row in enumerate(doc["situations"] or []):
            seq = row.get("seq") or i + 1
            if not str(row.get("name", "")).strip():
                errors.setdefault(f"situations.{i}.name", []).append(_("请填写情形名称。"))
            if seq in seqs:
                errors.setdefault(f"situations.{i}.seq", []).append(_("情形序号重复。"))
            seqs.add(seq)
            problems = form_schema.schema_errors(row.get("form_schema") or {})
            if problems:
                errors.setdefault(f"situations.{i}.form_schema", []).extend(problems)
            cleaned["situations"].append(
                {
                    "seq": seq,
                    "name": str(row.get("name", "")).strip(),
                    "name_en": _clean_scalar(
                        Situation, "name_en", row.get("name_en"), errors, f"situations.{i}.name_en"
                    ),
                    "description": row.get("description", ""),
                    "form_schema": row.get("form_schema") or {},
                }
            )
    for key, model, fields in (
        ("materials", Material, MATERIAL_FIELDS),
        ("fees", Fee, FEE_FIELDS),
        ("faqs", Faq, FAQ_FIELDS),
    ):
        if key not in doc:
            continue
        rows = []
        for i, row in enumerate(doc[key] or []):
            if not isinstance(row, dict):
                errors.setdefault(f"{key}.{i}", []).append(_("应为对象。"))
                continue
            clean_row = {
                f: _clean_scalar(model, f, row.get(f), errors, f"{key}.{i}.{f}")
                for f in fields
                if f in row or not model._meta.get_field(f).has_default()
            }
            if key == "materials":
                situation = row.get("situation")
                if situation not in (None, "") and situation not in seqs:
                    errors.setdefault(f"materials.{i}.situation", []).append(
                        _("材料所属情形 %(seq)s 不存在。") % {"seq": situation}
                    )
                clean_row["situation"] = situation or None
                clean_row["blank_form"] = row.get("blank_form") or None
                clean_row["sample_form"] = row.get("sample_form") or None
            rows.append(clean_row)
        cleaned[key] = rows
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def apply_document(version: EntryVersion, doc: dict[str, Any]) -> EntryVersion:
    """Write a validated document into an editable version (children replaced wholesale)."""
    from yiwang.core.models import StoredFile

    situations = {s.seq: s for s in version.situations.all()}
    cleaned = validate_document(doc, known_situations=set(situations))
    # Situations replaced without materials: their materials stay, re-attached by number.
    kept: dict[int, int] = {}
    if "situations" in cleaned and "materials" not in cleaned:
        kept = dict(version.materials.filter(situation__isnull=False).values_list("pk", "situation__seq"))
        new_seqs = {row["seq"] for row in cleaned["situations"]}
        orphaned = sorted({seq for seq in kept.values() if seq not in new_seqs})
        if orphaned:
            raise ValidationError(
                {
                    "situations": [
                        _("情形 %(seqs)s 还有申请材料，不能删除；请先调整材料。")
                        % {"seqs": "、".join(map(str, orphaned))}
                    ]
                }
            )
    for name in SCALAR_FIELDS + LIST_FIELDS + ["form_schema"]:
        if name in cleaned:
            setattr(version, name, cleaned[name])
    if "result_sample" in doc:
        sample_id = str(doc["result_sample"] or "") or None
        try:
            sample = StoredFile.objects.filter(pk=uuid.UUID(sample_id)).first() if sample_id else None
        except ValueError:
            sample = None
        if sample_id and sample is None:
            raise ValidationError({"result_sample": [_("引用的文件不存在：%(ids)s。") % {"ids": sample_id}]})
        version.result_sample = sample
    version.save()
    if "topics" in cleaned:
        version.topics.set(Topic.objects.filter(code__in=cleaned["topics"]))
    if "situations" in cleaned:
        version.materials.filter(pk__in=kept).update(situation=None)
        version.situations.all().delete()  # their own materials go with them (unless kept above)
        situations = {
            row["seq"]: Situation.objects.create(version=version, **row) for row in cleaned["situations"]
        }
        for pk, seq in kept.items():
            Material.objects.filter(pk=pk).update(situation=situations[seq])
    if "materials" in cleaned:
        file_ids = {r[k] for r in cleaned["materials"] for k in ("blank_form", "sample_form") if r[k]}
        files = {str(f.pk): f for f in StoredFile.objects.filter(pk__in=file_ids)} if file_ids else {}
        missing = sorted(file_ids - set(files))
        if missing:
            raise ValidationError(
                {"materials": [_("引用的文件不存在：%(ids)s。") % {"ids": "、".join(missing)}]}
            )
        version.materials.all().delete()
        objs = []
        for i, row in enumerate(cleaned["materials"]):
            row = dict(row)
            seq, blank, sample = row.pop("situation"), row.pop("blank_form"), row.pop("sample_form")
            objs.append(
                Material(
                    version=version,
                    order=i,
                    situation=situations.get(seq) if seq else None,
                    blank_form=files.get(blank) if blank else None,
                    sample_form=files.get(sample) if sample else None,
                    **row,
                )
            )
        Material.objects.bulk_create(objs)
    for key, model in (("fees", Fee), ("faqs", Faq)):
        if key in cleaned:
            getattr(version, key).all().delete()
            model.objects.bulk_create(
                model(version=version, order=i, **row) for i, row in enumerate(cleaned[key])
            )
    return version
