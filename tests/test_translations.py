"""The English catalogue is complete and the committed .mo is compiled from the committed .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import yiwang

LOCALE = Path(yiwang.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def read_po(path: Path) -> dict[str, str]:
    """A minimal .po reader: msgid/msgstr pairs, continuation lines joined, header skipped."""
    entries: dict[str, str] = {}
    current: dict[str, list[str]] = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = re.match(r"^(msgid|msgstr) (\".*\")$", line)
        if match:
            key = match.group(1)
            current[key] = [ast.literal_eval(match.group(2))]
        elif line.startswith('"') and key:
            current[key].append(ast.literal_eval(line))
        elif not line.strip():
            if current.get("msgid") and "".join(current["msgid"]):
                entries["".join(current["msgid"])] = "".join(current.get("msgstr", []))
            current, key = {}, None
    return entries


def test_every_message_has_an_english_translation():
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    fuzzy = [
        line for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines() if "fuzzy" in line
    ]
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    entries = read_po(LOCALE / "django.po")
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in entries.items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages` to recompile the catalogue"
