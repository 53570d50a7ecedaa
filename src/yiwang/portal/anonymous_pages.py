"""Pages kept whole for anonymous readers (the guide, `guide_cache`; search, `views.items`).

What such a page holds is the same for every anonymous reader with no message waiting, but for
its CSRF tokens. So it is rendered once with a random placeholder where the tokens go, kept as the
pieces between them, and each request joins the pieces with a fresh token of its own reader's
secret (ADR 14, ADR 15)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token


def served_whole(request: HttpRequest) -> bool:
    """Whether this request may get a kept page: an anonymous reader with no message waiting."""
    return not request.user.is_authenticated and not len(get_messages(request))


def split(render: Callable[[str], HttpResponse]) -> tuple[bytes, ...]:
    """The page `render(csrf_token)` gives, in the pieces its CSRF tokens go between."""
    placeholder = f"csrf{secrets.token_hex(16)}"  # what no page's text can know to spell
    return tuple(render(placeholder).content.split(placeholder.encode()))


def joined(request: HttpRequest, pieces: tuple[bytes, ...]) -> bytes:
    """The kept page with this reader's own fresh token in every place."""
    return get_token(request).encode().join(pieces)
