"""Uploads: size limit, type sniffed from the content (never the name), stored under a generated
name outside the static tree. Serving goes through each domain's authorised view."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.core.models import StoredFile

KIND_NAMES = {
    "pdf": "PDF",
    "png": "PNG",
    "jpeg": "JPEG",
    "docx": "Word (docx)",
    "xlsx": "Excel (xlsx)",
    "doc": "Word (doc)",
    "xls": "Excel (xls)",
    "ofd": "OFD",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ofd": "application/ofd",
}
DOCUMENT_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls", "ofd")
IMAGE_AND_PDF = ("pdf", "png", "jpeg")
DEFAULT_MAX_BYTES = settings.MAX_UPLOAD_BYTES


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The kind of a file from its first bytes (and, for zip containers, its member names)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE compound file: doc or xls; the distinction needs a full parse
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
    return None


def files_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "files"


def check(
    data: bytes,
    original_name: str,
    *,
    allowed: Iterable[str] = DOCUMENT_KINDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    user=None,
    field: str = "file",
) -> StoredFile:
    """Check one file (size, type sniffed from its content) and describe it as an unsaved row with
    a generated id; raises ValidationError keyed by `field` with a clear message. Writes nothing."""
    allowed = tuple(allowed)
    if len(data) > max_bytes:
        raise ValidationError(
            {
                field: [
                    _("文件过大：%(size).1f MB，上限为 %(max).0f MB。")
                    % {"size": len(data) / 1048576, "max": max_bytes / 1048576}
                ]
            },
            code="too_large",
        )
    if not data:
        raise ValidationError({field: [_("文件为空。")]})
    kind = sniff(data[:16], data)
    if kind == "doc" and "xls" in allowed and "doc" not in allowed:
        kind = "xls"
    if kind not in allowed:
        raise ValidationError(
            {
                field: [
                    _("文件内容不是允许的格式（允许：%(kinds)s）。")
                    % {"kinds": "、".join(KIND_NAMES[k] for k in allowed)}
                ]
            },
            code="bad_type",
        )
    return StoredFile(
        id=uuid.uuid4(),
        original_name=Path(original_name or "file").name[:200],
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        uploaded_at=timezone.now(),
    )


def write(stored: StoredFile, data: bytes) -> None:
    """Put a checked file's bytes in place (before the row that names it is inserted)."""
    path = files_root() / stored.storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def discard(stored: StoredFile) -> None:
    """Remove the bytes of a file whose row was never committed."""
    (files_root() / stored.storage_name).unlink(missing_ok=True)


def store_bytes(data: bytes, original_name: str, **kwargs) -> StoredFile:
    """Check and store one file; raises ValidationError keyed by `field` with a clear message."""
    stored = check(data, original_name, **kwargs)
    write(stored, data)
    stored.save(force_insert=True)  # a new generated id: no UPDATE attempt first
    return stored


def store_upload(upload: UploadedFile, **kwargs) -> StoredFile:
    max_bytes = kwargs.get("max_bytes", DEFAULT_MAX_BYTES)
    if upload.size is not None and upload.size > max_bytes:
        field = kwargs.get("field", "file")
        raise ValidationError(
            {
                field: [
                    _("文件过大：%(size).1f MB，上限为 %(max).0f MB。")
                    % {"size": upload.size / 1048576, "max": max_bytes / 1048576}
                ]
            },
            code="too_large",
        )
    return store_bytes(upload.read(), upload.name or "file", **kwargs)


def read_bytes(stored: StoredFile) -> bytes:
    return (files_root() / stored.storage_name).read_bytes()


def serve(stored: StoredFile | None, *, inline: bool = False) -> FileResponse:
    """`file_response` for a file the caller found through an access-checked object, or 404 when
    there is none (or its bytes are gone)."""
    if stored is None:
        raise Http404
    try:
        return file_response(stored, inline=inline)
    except FileNotFoundError:
        raise Http404 from None


def file_response(stored: StoredFile, *, inline: bool = False) -> FileResponse:
    """Serve a stored file; the caller has already checked access to the object it belongs to."""
    response = FileResponse(
        open(files_root() / stored.storage_name, "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type=stored.content_type,
        as_attachment=not inline,
        filename=stored.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
