"""The English catalogue is complete and the committed .mo is compiled from the committed .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import yiwang

LOCALE = Path(yiwang.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def read_po(path: Path) -> dict[str, list[str]]:
    """A minimal .po reader: msgid → its msgstr forms (one, or one per plural form); continuation
    lines joined; the header skipped. Plural entries are keyed by their singular msgid."""
    entries: dict[str, list[str]] = {}
    current: dict[str, list[str]] = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$", line)
        if match:
            key = match.group(1)
            current[key] = [ast.literal_eval(match.group(2))]
        elif line.startswith('"') and key:
            current[key].append(ast.literal_eval(line))
        elif not line.strip():
            msgid = "".join(current.get("msgid", []))
            if msgid:
                forms = sorted(k for k in current if k.startswith("msgstr"))
                entries[msgid] = ["".join(current[k]) for k in forms]
            current, key = {}, None
    return entries


def test_every_message_has_an_english_translation():
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [msgid for msgid, forms in entries.items() if not all(forms)]
    assert untranslated == []
    fuzzy = [
        line for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines() if "fuzzy" in line
    ]
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    entries = read_po(LOCALE / "django.po")
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, forms in entries.items() if compiled.gettext(msgid) != forms[0]]
    assert stale == [], "run `make messages` to recompile the catalogue"
