"""The guide editor page as one object: binds the scalar form and every formset, stores the
uploaded blank and sample forms, builds the guide document for `services.save_draft`, and puts
the services' validation errors and the audit findings back next to the element they concern."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext as _

from yiwang.catalog.guide_document import version_to_document
from yiwang.catalog.models import EntryVersion, Material
from yiwang.catalog.rules import ERROR, Finding
from yiwang.core import uploads
from yiwang.core.models import StoredFile
from yiwang.workbench.catalog_forms import (
    ELEMENT_SECTION,
    FORMSETS,
    SECTIONS,
    SPEC_BY_ELEMENT,
    SPEC_BY_PREFIX,
    UPLOAD_KINDS,
    UPLOAD_MAX_BYTES,
    Element,
    FormsetView,
    GuideForm,
    MaterialForm,
    Row,
    RowFormSet,
    SituationForm,
    anchor_for,
)

FILE_KEY = re.compile(r"^materials-(\d+)-(blank_form|sample_form)_upload$")
FILE_KINDS = ("blank_form", "sample_form")
MAX_ROWS = 300


def entry_file_ids(entry_id: int) -> set[str]:
    """Files attached to any version of an entry (the only ones its rows may point at, besides the
    editor's own fresh uploads)."""
    ids = set()
    for blank, sample in Material.objects.filter(version__entry_id=entry_id).values_list(
        "blank_form_id", "sample_form_id"
    ):
        ids.update(str(x) for x in (blank, sample) if x)
    return ids


class GuideEditor:
    def __init__(self, version: EntryVersion, data=None, user=None):
        self.version = version
        self.user = user
        self.doc = version_to_document(version)
        self.bound = data is not None
        self.data = data
        self.upload_errors: dict[tuple[int, str], list[str]] = {}
        self.list_errors: dict[str, list[str]] = defaultdict(list)  # element → messages
        self.general_errors: list[str] = []
        self.index_maps: dict[str, list[int]] = {}
        self.situation_choices = [
            (s["seq"], _("情形%(seq)s：%(name)s") % {"seq": s["seq"], "name": s["name"]})
            for s in self.doc["situations"]
        ]
        self._bind()

    # --- Binding ---------------------------------------------------------------------------
    def _bind(self) -> None:
        doc = self.doc
        if self.bound:
            self.form = GuideForm(self.data, prefix="guide")
        else:
            self.form = GuideForm(initial=GuideForm.initial_from(doc), prefix="guide")
        self.formsets: dict[str, Any] = {}
        for spec in FORMSETS:
            factory = formset_factory(
                spec.form_class, formset=RowFormSet, extra=0, can_delete=True, max_num=MAX_ROWS
            )
            factory.row_title = spec.row_title
            kwargs: dict[str, Any] = {"prefix": spec.prefix}
            if spec.form_class is MaterialForm:
                kwargs["form_kwargs"] = {"situation_choices": self.situation_choices}
            if self.bound:
                formset = factory(self.data, **kwargs)
            else:
                rows = doc.get(spec.element) or []
                if spec.form_class is SituationForm:
                    initial = [
                        {
                            "seq": r["seq"],
                            "orig_seq": r["seq"],
                            "name": r["name"],
                            "name_en": r.get("name_en", ""),
                            "description": r["description"],
                        }
                        for r in rows
                    ]
                else:
                    initial = [spec.form_class.initial_from(r) for r in rows]
                formset = factory(initial=initial, **kwargs)
            self.formsets[spec.prefix] = formset

    @staticmethod
    def add_row(data, prefix: str) -> bool:
        """The no-script "add a row" button: one more empty form in the posted formset."""
        if prefix not in SPEC_BY_PREFIX:
            return False
        key = f"{prefix}-TOTAL_FORMS"
        try:
            total = int(data.get(key) or 0)
        except ValueError:
            return False
        if total >= MAX_ROWS:
            return False
        data[key] = str(total + 1)
        return True

    def store_uploads(self, files) -> None:
        """Store uploaded blank/sample forms (type sniffed, 10 MB) and point their rows at them, so a
        later error elsewhere never loses an upload. Also refuse file ids that are not this entry's
        or the user's own uploads."""
        data = self.data
        for key in files:
            match = FILE_KEY.match(key)
            if not match:
                continue
            i, which = int(match[1]), match[2]
            if data.get(f"materials-{i}-DELETE"):
                continue
            try:
                stored = uploads.store_upload(
                    files[key], allowed=UPLOAD_KINDS, max_bytes=UPLOAD_MAX_BYTES, user=self.user, field=which
                )
            except ValidationError as exc:
                self.upload_errors[(i, which)] = [m for ms in exc.message_dict.values() for m in ms]
            else:
                data[f"materials-{i}-{which}_id"] = str(stored.pk)
                data.pop(f"materials-{i}-{which}_clear", None)
        posted = {}
        for key, value in data.items():
            match = re.match(r"^materials-(\d+)-(blank_form|sample_form)_id$", key)
            if match and value:
                posted[(int(match[1]), match[2])] = value
        if not posted:
            return
        valid_ids = set()
        for value in posted.values():
            with contextlib.suppress(ValueError):
                valid_ids.add(str(uuid.UUID(value)))
        allowed = entry_file_ids(self.version.entry_id) & valid_ids
        if self.user is not None and valid_ids - allowed:
            allowed |= {
                str(pk)
                for pk in StoredFile.objects.filter(
                    pk__in=valid_ids - allowed, uploaded_by=self.user
                ).values_list("pk", flat=True)
            }
        for (i, which), value in posted.items():
            if value not in allowed:
                data[f"materials-{i}-{which}_id"] = ""
                self.upload_errors.setdefault((i, which), []).append(_("引用的文件不可用，请重新上传。"))
        self._bind()

    # --- Validation and the document -----------------------------------------------------------
    def is_valid(self) -> bool:
        ok = self.form.is_valid()
        for formset in self.formsets.values():
            ok = formset.is_valid() and ok
        if self.upload_errors:
            formset = self.formsets["materials"]
            for (i, which), messages in self.upload_errors.items():
                if i < len(formset.forms):
                    for message in messages:
                        formset.forms[i].add_error(f"{which}_upload", message)
            ok = False
        return ok

    def _live_forms(self, prefix: str) -> list[tuple[int, Any]]:
        formset = self.formsets[prefix]
        out = []
        for i, form in enumerate(formset.forms):
            if not hasattr(form, "cleaned_data"):
                continue
            if form.cleaned_data.get("DELETE") or (form.empty_permitted and not form.has_changed()):
                continue
            out.append((i, form))
        return out

    def document(self) -> dict[str, Any]:
        doc = self.form.document()
        existing = {s["seq"]: s for s in self.doc["situations"]}
        for spec in FORMSETS:
            live = self._live_forms(spec.prefix)
            self.index_maps[spec.element] = [i for i, _f in live]
            if spec.form_class is SituationForm:
                used = {f.cleaned_data.get("seq") for _i, f in live} | set(existing)
                next_seq = max([s for s in used if s] or [0]) + 1
                rows = []
                for _i, form in live:
                    data = form.cleaned_data
                    seq = data.get("seq")
                    if not seq:
                        seq, next_seq = next_seq, next_seq + 1
                    source = existing.get(data.get("orig_seq")) or {}
                    rows.append(
                        {
                            "seq": seq,
                            "name": data["name"],
                            "name_en": data.get("name_en") or "",
                            "description": data.get("description") or "",
                            "form_schema": source.get("form_schema") or {},
                        }
                    )
                doc["situations"] = rows
            elif hasattr(spec.form_class, "row"):
                doc[spec.element] = [form.row() for _i, form in live]
            else:
                doc[spec.element] = [{k: form.cleaned_data.get(k) for k in spec.fields} for _i, form in live]
        return doc

    def apply_errors(self, message_dict: dict[str, list[str]]) -> None:
        """Put `guide_document` errors (keyed `promised_limit`, `materials.2.name` ...) on fields."""
        for key, messages in message_dict.items():
            head, *rest = key.split(".")
            spec = SPEC_BY_ELEMENT.get(head)
            if spec is None:
                for message in messages:
                    if head in self.form.fields:
                        self.form.add_error(head, message)
                    elif head == "__all__":
                        self.general_errors.append(message)
                    else:
                        self.list_errors[head].append(message)
                continue
            form = self._form_at(head, rest[0] if rest else None)
            target = rest[1] if len(rest) > 1 else None
            if target in FILE_KINDS:
                target = f"{target}_upload"
            for message in messages:
                if form is None:
                    self.list_errors[head].append(message)
                else:
                    form.add_error(target if target in form.fields else None, message)

    def _form_at(self, element: str, index: str | None):
        if index is None or not index.isdigit():
            return None
        mapping = self.index_maps.get(element)
        i = int(index)
        form_index = mapping[i] if mapping is not None and i < len(mapping) else i
        spec = SPEC_BY_ELEMENT[element]
        forms_ = self.formsets[spec.prefix].forms
        return forms_[form_index] if form_index < len(forms_) else None

    # --- What the template gets -----------------------------------------------------------------
    def error_count(self) -> int:
        count = len(self.form.errors) + len(self.general_errors) + sum(map(len, self.list_errors.values()))
        for formset in self.formsets.values():
            count += sum(len(f.errors) for f in formset.forms if f.is_bound)
        return count

    def view(self, findings: list[Finding]) -> dict[str, Any]:
        """Sections with their elements and formsets, findings attached where they belong."""
        by_element: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            by_element[f.element].append(f)
        placed: set[int] = set()

        def take(element: str) -> list[Finding]:
            found = by_element.get(element, [])
            placed.update(id(f) for f in found)
            return found

        formset_views = {}
        for spec in FORMSETS:
            formset_views[spec.prefix] = self._formset_view(spec, by_element, placed)
        sections = []
        for key, title, names, prefixes in SECTIONS:
            elements = [Element(self.form[name], anchor_for(name), take(name)) for name in names]
            sections.append(
                {
                    "key": key,
                    "title": title,
                    "anchor": f"section-{key}",
                    "elements": elements,
                    "formsets": [formset_views[p] for p in prefixes],
                    "findings": [],
                }
            )
        # Findings not placed on a field or a row go to the top of their section.
        by_key = {s["key"]: s for s in sections}
        for f in findings:
            if id(f) in placed:
                continue
            section = ELEMENT_SECTION.get(f.element.split(".")[0], "basic")
            by_key[section]["findings"].append(f)
        for s in sections:
            s["error_findings"] = sum(1 for f in self._section_findings(s) if f.severity == ERROR)
        return {
            "form": self.form,
            "sections": sections,
            "list_errors": dict(self.list_errors),
            "general_errors": self.general_errors,
            "summary": [
                {"finding": f, "anchor": self._anchor_of(f.element), "label": self._label_of(f.element)}
                for f in sorted(findings, key=lambda f: (f.severity != ERROR, f.element))
            ],
            "error_findings": sum(1 for f in findings if f.severity == ERROR),
            "warning_findings": sum(1 for f in findings if f.severity != ERROR),
        }

    @staticmethod
    def _section_findings(section) -> list[Finding]:
        out = list(section["findings"])
        for el in section["elements"]:
            out += el.findings
        for fv in section["formsets"]:
            out += fv.findings
            for row in fv.rows:
                out += row.findings
                out += [f for el in row.elements for f in el.findings]
                out += [f for slot in row.files.values() for f in slot["upload"].findings]
        return out

    def _label_of(self, element: str) -> str:
        """A finding's element as people say it: “材料 2 · 示例样表”."""
        head, *rest = element.split(".")
        spec = SPEC_BY_ELEMENT.get(head)
        if spec is None:
            if head in self.form.fields:
                return str(self.form.fields[head].label)
            return head
        if not rest or not rest[0].isdigit():
            return str(spec.title)
        mapping = self.index_maps.get(head)
        i = int(rest[0])
        number = (mapping[i] if mapping is not None and i < len(mapping) else i) + 1
        label = f"{spec.row_title} {number}"
        if len(rest) > 1:
            name = rest[1]
            if name in FILE_KINDS:
                label += " · " + (_("空白表格") if name == "blank_form" else _("示例样表"))
            else:
                form = self.formsets[spec.prefix].empty_form
                if name in form.fields:
                    label += f" · {form.fields[name].label}"
        return label

    def _anchor_of(self, element: str) -> str:
        head, *rest = element.split(".")
        if head in SPEC_BY_ELEMENT and rest and rest[0].isdigit():
            mapping = self.index_maps.get(head)
            i = int(rest[0])
            form_index = mapping[i] if mapping is not None and i < len(mapping) else i
            return anchor_for(".".join([head, str(form_index), *rest[1:]]))
        if head in SPEC_BY_ELEMENT or head in self.form.fields:
            return anchor_for(head)
        return f"section-{ELEMENT_SECTION.get(head, 'basic')}"

    def _formset_view(self, spec, by_element, placed) -> FormsetView:
        formset = self.formsets[spec.prefix]
        mapping = self.index_maps.get(spec.element)
        doc_index_of = (
            {form_i: doc_i for doc_i, form_i in enumerate(mapping)} if mapping is not None else None
        )
        file_ids = set()
        for form in formset.forms if spec.form_class is MaterialForm else []:
            for key in FILE_KINDS:
                value = self._value(form, f"{key}_id")
                if value:
                    file_ids.add(value)
        files = {}
        if file_ids:
            valid = []
            for value in file_ids:
                with contextlib.suppress(ValueError):
                    valid.append(uuid.UUID(value))
            files = {str(f.pk): f for f in StoredFile.objects.filter(pk__in=valid)}
        rows = []
        for form_i, form in enumerate(formset.forms):
            doc_i = doc_index_of.get(form_i) if doc_index_of is not None else form_i
            row_findings: list[Finding] = []
            per_field: dict[str, list[Finding]] = defaultdict(list)
            if doc_i is not None:
                prefix = f"{spec.element}.{doc_i}"
                for element, found in by_element.items():
                    if element == prefix or element.startswith(prefix + "."):
                        placed.update(id(f) for f in found)
                        name = element[len(prefix) + 1 :] if element != prefix else ""
                        if name in spec.fields or name in FILE_KINDS:
                            per_field[name].extend(found)
                        else:
                            row_findings.extend(found)
            elements = [
                Element(form[name], anchor_for(f"{spec.element}.{form_i}.{name}"), per_field.get(name, []))
                for name in spec.fields
            ]
            row_files = {}
            if spec.form_class is MaterialForm:
                for key in FILE_KINDS:
                    value = self._value(form, f"{key}_id")
                    row_files[key] = {
                        "key": key,
                        "label": _("空白表格") if key == "blank_form" else _("示例样表"),
                        "stored": files.get(value) if value else None,
                        "upload": Element(
                            form[f"{key}_upload"],
                            anchor_for(f"{spec.element}.{form_i}.{key}"),
                            per_field.get(key, []),
                        ),
                        "clear": form[f"{key}_clear"],
                    }
            rows.append(Row(form, form_i + 1, elements, row_findings, row_files))
        empty = formset.empty_form
        empty_elements = [
            Element(empty[name], anchor_for(f"{spec.element}.__prefix__.{name}")) for name in spec.fields
        ]
        empty_files = {}
        if spec.form_class is MaterialForm:
            for key in FILE_KINDS:
                empty_files[key] = {
                    "key": key,
                    "label": _("空白表格") if key == "blank_form" else _("示例样表"),
                    "stored": None,
                    "upload": Element(empty[f"{key}_upload"], anchor_for(f"{spec.element}.__prefix__.{key}")),
                    "clear": None,
                }
        list_findings = by_element.get(spec.element, [])
        placed.update(id(f) for f in list_findings)
        return FormsetView(
            spec=spec,
            formset=formset,
            rows=rows,
            findings=list(list_findings),
            empty_row=Row(empty, 0, empty_elements, [], empty_files),
            errors=list(self.list_errors.get(spec.element, [])),
        )

    @staticmethod
    def _value(form, name: str) -> str:
        if form.is_bound:
            return str(form[name].value() or "")
        return str(form.initial.get(name) or "")
