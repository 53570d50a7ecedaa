"""Request parsing that refuses NUL characters.

PostgreSQL cannot store or even compare a string containing NUL (U+0000): psycopg raises before
the query is sent, which would surface as a 500. Django's form fields refuse NUL for the pages;
this does the same for the API's query strings, forms and JSON bodies, as a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from ninja.errors import ValidationError
from ninja.parser import Parser

NUL = "\x00"


def _nul_paths(value: Any, path: tuple) -> list[tuple]:
    """Where in a parsed request a string (or a key) holds a NUL character."""
    if isinstance(value, str):
        return [path] if NUL in value else []
    if isinstance(value, dict):
        paths = []
        for key, item in value.items():
            key_path = (*path, str(key))
            if NUL in str(key):
                paths.append(key_path)
            paths.extend(_nul_paths(item, key_path))
        return paths
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_paths(item, (*path, i))]
    return []


def _refuse(paths: list[tuple], where: str) -> None:
    if paths:
        raise ValidationError(
            [{"loc": (where, *p), "type": "null_character", "msg": "NUL character"} for p in paths]
        )


class NulSafeParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        _refuse(_nul_paths(data, ()), "body")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse(_nul_paths(result, ()), "query")
        return result
