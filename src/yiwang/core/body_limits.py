"""How large a request body may be, and reading one without a Content-Length only up to that.

The limits are one set of settings (see `settings.py`, "Request and upload sizes"): a JSON (or any
non-form) body may carry `MAX_FILES_PER_REQUEST` files of `MAX_UPLOAD_BYTES` in Base64 beside the
form; a multipart body the same files as they are (or one catalog import); a urlencoded form
`MAX_FORM_BODY_BYTES`. `core.request_guard` refuses a larger body with 413 by its Content-Length,
before reading a byte of it.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest
from django.utils.translation import gettext as _

CHUNK = 64 * 1024


def limit_for(request: HttpRequest) -> int:
    content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return settings.MAX_MULTIPART_BODY_BYTES
    if content_type == "application/x-www-form-urlencoded":
        return settings.MAX_FORM_BODY_BYTES
    return settings.MAX_JSON_BODY_BYTES


def largest_limit() -> int:
    return max(settings.MAX_MULTIPART_BODY_BYTES, settings.MAX_FORM_BODY_BYTES, settings.MAX_JSON_BODY_BYTES)


def message(limit: int) -> str:
    return _("请求内容过大，上限为 %(max).0f MB。") % {"max": limit / 1048576}


def declared_length(request: HttpRequest) -> int | None:
    """The Content-Length, or None when there is none (a chunked body) or it is not a number."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def _spool(read: Any, limit: int) -> IO[bytes] | None:
    """Copy a stream into a temporary file (memory first, then disk), stopping as soon as it passes
    `limit`: None then, having read at most one chunk more than the limit."""
    spooled = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")  # noqa: SIM115 - the request closes it
    total = 0
    while chunk := read(CHUNK):
        total += len(chunk)
        if total > limit:
            spooled.close()
            return None
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


def within_limit(request: HttpRequest, limit: int) -> bool:
    """Whether a body without a Content-Length fits `limit`; a fitting one is buffered so that
    Django reads it like any other.

    Under WSGI Django reads nothing of such a body (it trusts only Content-Length); a server that
    marks its input as terminated (gunicorn, for `Transfer-Encoding: chunked`) lets us read it to
    its end, which we do only up to the limit. Under ASGI the body was read before the request was
    made (by `CappedASGIHandler`, at most to the largest limit), so its size is simply measured.
    """
    stream = getattr(request, "_stream", None)
    if getattr(stream, "too_large", False):
        return False
    if stream is not None and hasattr(stream, "seekable") and stream.seekable():
        size = stream.seek(0, 2)
        stream.seek(0)
        return size <= limit
    environ = getattr(request, "environ", {})
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not (chunked and environ.get("wsgi.input_terminated")):
        return True
    spooled = _spool(environ["wsgi.input"].read, limit)
    if spooled is None:
        return False
    size = spooled.seek(0, 2)
    spooled.seek(0)
    request._stream = LimitedStream(spooled, size)  # type: ignore[attr-defined]
    request.META["CONTENT_LENGTH"] = str(size)
    return True


class _Receive:
    """An ASGI `receive` that tells `read_body` whether the declared length is over the limit, and
    once the body is refused, receives nothing more: Django's disconnect listener would otherwise
    get the unread body's messages (an assertion error) or read them all."""

    def __init__(self, receive: Any, declared_too_large: bool):
        self.receive, self.declared_too_large, self.refused = receive, declared_too_large, False

    async def __call__(self) -> dict:
        if self.refused:
            await asyncio.Future()  # cancelled when the response (413) has been sent
        return await self.receive()


class CappedASGIHandler(ASGIHandler):
    """Django's ASGI handler reads the whole body before any middleware runs; this one reads none
    of a body whose Content-Length is over the largest limit, and stops reading one that grows past
    it, marking the file `too_large` for the request guard to answer 413."""

    async def handle(self, scope, receive, send):  # type: ignore[no-untyped-def]
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > largest_limit()
        return await super().handle(scope, _Receive(receive, too_large), send)

    async def read_body(self, receive):  # type: ignore[no-untyped-def]
        body_file = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")  # noqa: SIM115 - the request closes it
        if getattr(receive, "declared_too_large", False):
            receive.refused = body_file.too_large = True  # type: ignore[attr-defined]
            return body_file
        limit, total = largest_limit(), 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                body_file.close()
                raise RequestAborted()
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                receive.refused = body_file.too_large = True  # type: ignore[attr-defined]
                break  # the rest is never read
            body_file.write(chunk)
            if not message.get("more_body", False):
                break
        body_file.seek(0)
        return body_file
