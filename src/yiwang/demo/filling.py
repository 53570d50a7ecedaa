"""What a demo application is filled in with: form values for one applicant (`Filler`: identity
fields from the applicant, the rest from the demo catalog's sample answers or made up within the
field's bounds) and small scanned-material PDFs (`Files`).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from typing import Any

from django.core.exceptions import ValidationError

from yiwang.catalog import form_schema
from yiwang.demo.case_plans import EntryInfo
from yiwang.demo.people import (
    BRANDS,
    PLACES,
    STREETS,
    Applicant,
    random_id_number,
    random_mobile,
    random_name,
    random_uscc,
)


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
            "applicant_phone": a.phone if not a.is_enterprise else random_mobile(rng),
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
        return phone if form_schema.PHONE_RE.match(phone) else random_mobile(self.rng)

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
            return random_id_number(rng, self.a.county, rng.random() < 0.5, set())
        if kind == "uscc":
            return self.a.uscc or random_uscc(rng, self.a.county, set())
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
            text = random_name(rng, rng.random() < 0.5)
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
                    row[column["name"]] = name if name != text else random_name(self.rng, True)
                else:
                    row[column["name"]] = self.personal(text)
            for name in ids:
                mine = me in row.values()
                row[name] = (
                    self.a.id_number if mine else random_id_number(self.rng, self.a.county, True, set())
                )
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
            from yiwang.demo.catalog_forms import sample_value

            value = sample_value(self.info.spec, f)
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
