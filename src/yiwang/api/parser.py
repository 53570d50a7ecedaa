"""Request parsing that refuses text no database can store.

A NUL (U+0000) or a lone surrogate (U+D800–U+DFFF, e.g. a JSON `"\\ud800"`) anywhere in a JSON
body, as a value or a key, answers 422 naming the field path (`form_data.x`) before any view runs;
see `core.storable` for why. The request guard middleware covers query strings, forms and paths
for every page; query strings and forms are checked here too, so the API names them the same way
whichever sees them first.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser

from yiwang.core import storable


def _refuse(found: list[tuple[tuple, str]], where: str) -> None:
    if found:
        raise ValidationError(
            [{"loc": (where, *path), "type": kind, "msg": "unstorable text"} for path, kind in found]
        )


class StorableTextParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if storable.json_may_hold(request.body):
            _refuse(storable.problems(data), "body")
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        _refuse(storable.problems(result), "query")
        return result
