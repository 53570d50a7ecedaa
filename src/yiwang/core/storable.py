"""Text a database can store: no NUL (U+0000) and no lone surrogate (U+D800–U+DFFF).

PostgreSQL refuses both (NUL in any text; a surrogate is not valid UTF-8) with an error that would
surface as a 500; SQLite stores them, and every later read that encodes the row fails. So they are
refused where text enters, in two places rather than in each view: the request guard (paths,
query strings, form posts, file names: `core.request_guard`) and the API's JSON parser.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


# How such a character can arrive in a JSON body: as an escape (`\u0000`, `\ud800`), as the
# UTF-8 bytes of a surrogate (json.loads decodes with "surrogatepass"), or as a raw NUL.
_JSON_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def json_may_hold(body: bytes) -> bool:
    """False when a JSON body cannot hold an unstorable character, so parsing need not walk it.

    Three single-byte scans (memchr, ~2 µs over a submission's 175 KB) instead of a walk over
    every parsed string: its Base64 materials can never hold one. Only a body with a backslash
    (an escape somewhere) is searched for the escapes themselves; a two-byte `b"\\u" in body`
    cost 140 µs, as CPython searches longer needles without memchr.
    """
    if b"\x00" in body or b"\xed" in body:
        return True
    first = body.find(b"\\")
    return first >= 0 and _JSON_ESCAPE.search(body, first) is not None


def problem(text: str) -> str | None:
    """The error type of the first unstorable character (`null_character` or
    `surrogate_character`, worded by `core.validation.message_for`), or None when all is well."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    return "null_character" if match.group() == "\x00" else "surrogate_character"


def problems(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """`(path, error type)` of every string or key in a parsed JSON value that cannot be stored;
    a path names a key by its `shown` form, so the answer itself can be encoded."""
    if isinstance(value, str):
        kind = problem(value)
        return [(path, kind)] if kind else []
    found: list[tuple[tuple, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            key_path = (*path, shown(str(key)))
            kind = problem(str(key))
            if kind:
                found.append((key_path, kind))
            found.extend(problems(item, key_path))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(problems(item, (*path, index)))
    return found


def shown(text: str) -> str:
    """`text` safe to echo back (as a field name): each unstorable character as a `\\uXXXX` escape."""
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
