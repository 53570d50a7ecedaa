"""Uploads: size limit, type sniffed from the content (never the name), stored under a generated
name outside the static tree. Serving goes through each domain's authorised view.

`check` is the one gate every file passes (the API's JSON and multipart paths, the portal, the
workbench, generated documents), so its hygiene holds for all of them:
- the name: control, format (bidi overrides, zero-width) and path characters removed, the
  extension made to agree with the sniffed type (`scan.html` holding a PNG is kept as
  `scan.png`), a long stem shortened so the extension survives the 200-character limit;
- the content: no web page or script in a file's first bytes (a polyglot), no active PDF content
  (JavaScript, automatic actions, launching programs, embedded files, rich media, XFA; names
  compared after their `#xx` escapes, compressed object streams inflated up to a cap), no
  archive bomb in an Office or OFD file (member count, declared and actual sizes, ratios, nested
  archives).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.core import rows
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
# The extensions a stored name may keep for each kind (the first is given when it has none of them).
EXTENSIONS = {
    "pdf": ("pdf",),
    "png": ("png",),
    "jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "doc": ("doc",),
    "xls": ("xls",),
    "ofd": ("ofd",),
}
DOCUMENT_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls", "ofd")
IMAGE_AND_PDF = ("pdf", "png", "jpeg")
ZIP_KINDS = ("docx", "xlsx", "ofd")
DEFAULT_MAX_BYTES = settings.MAX_UPLOAD_BYTES
MAX_NAME_LENGTH = 200  # StoredFile.original_name

MIB = 1024 * 1024
# Archives (docx, xlsx, ofd; the catalog import): a real document stays far below each of these.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_TOTAL_BYTES = 100 * MIB  # all members, nested archives included, uncompressed
ZIP_MAX_RATIO = 100  # uncompressed : compressed, judged for members (and archives) above …
ZIP_RATIO_FLOOR_BYTES = 5 * MIB
ZIP_MAX_DEPTH = 2  # a document, and a workbook embedded in it (a chart's data); no deeper
# PDFs: the compressed object streams inflated to look for active content, at most this much.
PDF_MAX_INFLATED_BYTES = 32 * MIB


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
        except (zipfile.BadZipFile, ValueError, EOFError, OSError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
    return None


# --- Names ---------------------------------------------------------------------------------------

_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co"}  # controls; format (bidi, zero-width); surrogates; private
_LINE_BREAKS = {"Zl", "Zp"}
_PATH_CHARACTERS = str.maketrans({c: "_" for c in '<>:"|?*'})
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def clean_text(text: str, limit: int | None = MAX_NAME_LENGTH) -> str:
    """`text` (a file name, a material's label) with no control or format characters: a bidi
    override (U+202E) or isolate, zero-width characters, NUL and other controls are removed, line
    breaks and runs of white space become one space. NFC-normalised, trimmed, at most `limit`."""
    out = []
    for ch in unicodedata.normalize("NFC", text or ""):
        category = unicodedata.category(ch)
        if ch in "\t\n\r\x0b\x0c" or category in _LINE_BREAKS:
            out.append(" ")
        elif category not in _DROPPED_CATEGORIES:
            out.append(ch)
    cleaned = " ".join("".join(out).split())
    return cleaned if limit is None else cleaned[:limit].rstrip()


def split_name(name: str) -> tuple[str, str]:
    """(stem, extension without the dot); the extension is "" when the name has none."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem.strip(" .") and _EXTENSION.fullmatch(ext):
        return stem, ext
    return name, ""


def clean_name(original_name: str, kind: str) -> str:
    """The name a file is kept and offered under: its last path part, cleaned (`clean_text`, no
    characters a file system refuses), with an extension of its sniffed `kind` (the one it has
    when it agrees, else the kind's own: `scan.html` holding a PNG becomes `scan.png`), the stem
    shortened so that the whole fits MAX_NAME_LENGTH and the extension survives."""
    name = (original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = clean_text(name, limit=None).translate(_PATH_CHARACTERS).strip(" .")
    stem, ext = split_name(name)
    accepted = EXTENSIONS[kind]
    if ext.lower() not in accepted:
        ext = accepted[0]
    stem = stem.strip(" .")[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") or "file"
    return f"{stem}.{ext}"


# --- Content -------------------------------------------------------------------------------------

# A web page or script in a file's first bytes: what a browser (or an old one's sniffing) would
# run if the file were ever served as something other than its type.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|base|link|style|form)"
    rb"[\s>/]",
    re.IGNORECASE,
)
POLYGLOT_WINDOW = 1024


def _polyglot_problem(data: bytes, kind: str) -> str | None:
    if _MARKUP.search(data[:POLYGLOT_WINDOW]):
        return _("文件开头含有网页代码（HTML 或脚本），不能作为 %(kind)s 文件接收。") % {
            "kind": KIND_NAMES[kind]
        }
    return None


# PDF names (ISO 32000-1, 7.3.5): a solidus, then regular characters; `#xx` is an escaped byte.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_OBJ = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")
PDF_ACTIVE = {
    b"JavaScript": gettext_lazy("JavaScript 脚本"),
    b"JS": gettext_lazy("JavaScript 脚本"),
    b"AA": gettext_lazy("触发时自动执行的动作（/AA）"),
    b"OpenAction": gettext_lazy("打开文件时自动执行的动作（/OpenAction）"),
    b"Launch": gettext_lazy("启动外部程序（/Launch）"),
    b"EmbeddedFile": gettext_lazy("嵌入的文件（/EmbeddedFile）"),
    b"EmbeddedFiles": gettext_lazy("嵌入的文件（/EmbeddedFile）"),
    b"RichMedia": gettext_lazy("富媒体（/RichMedia）"),
    b"XFA": gettext_lazy("XFA 动态表单（/XFA）"),
}


def _unescape_names(text: bytes) -> bytes:
    """`text` with every name's `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`)."""
    if b"#" not in text:
        return text
    return _PDF_NAME.sub(lambda m: b"/" + _PDF_HEX.sub(lambda h: bytes([int(h[1], 16)]), m[1]), text)


def _names(text: bytes) -> list[bytes]:
    return [_PDF_HEX.sub(lambda h: bytes([int(h[1], 16)]), m[1]) for m in _PDF_NAME.finditer(text)]


class _Refused(Exception):
    pass


def _pdf_parts(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """(the file without its stream bodies, [(stream dictionary, body)]). A body ends where its
    direct (or indirect, resolvable) /Length says when `endstream` follows there, else at the
    next `endstream`: the binary data of images and page content is never read as names."""
    outside: list[bytes] = []
    streams: list[tuple[bytes, bytes]] = []
    pos = 0
    integers: dict[tuple[bytes, bytes], int] = {}
    while (m := _PDF_STREAM.search(data, pos)) is not None:
        start = m.end()
        outside.append(data[pos : m.start()])
        obj = data.rfind(b"obj", pos, m.start())
        head = _unescape_names(data[obj + 3 if obj >= 0 else max(pos, m.start() - 4096) : m.start()])
        end = next_pos = None
        length = _pdf_length(head, data, integers)
        if length is not None and start + length <= len(data):
            after = data[start + length : start + length + 16].lstrip(b"\r\n \t\x00\x0c")
            if after.startswith(b"endstream"):
                end = start + length
                next_pos = data.index(b"endstream", end) + len(b"endstream")
        if end is None:
            found = data.find(b"endstream", start)
            end = found if found >= 0 else len(data)
            next_pos = found + len(b"endstream") if found >= 0 else len(data)
        streams.append((head, data[start:end]))
        pos = next_pos
    outside.append(data[pos:])
    return b"\n".join(outside), streams


_PDF_INTEGER_OBJ = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj")


def _pdf_length(head: bytes, data: bytes, integers: dict[tuple[bytes, bytes], int]) -> int | None:
    """A stream's /Length: direct, or an indirect integer object (indexed once per file)."""
    m = re.search(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?", head)
    if m is None:
        return None
    if m[2] is None:
        return int(m[1])
    if not integers:
        integers.update({(i[1], i[2]): int(i[3]) for i in _PDF_INTEGER_OBJ.finditer(data)})
        integers.setdefault((b"", b""), 0)  # indexed, even when there is none
    return integers.get((m[1], m[2]))


def _inflate(body: bytes, budget: int) -> bytes:
    """A Flate stream's content, at most `budget` bytes (_Refused beyond); a damaged tail ends it."""
    out = bytearray()
    inflater = zlib.decompressobj()
    for i in range(0, len(body), 65536):
        try:
            out += inflater.decompress(body[i : i + 65536], budget + 1 - len(out))
            while inflater.unconsumed_tail and len(out) <= budget:
                out += inflater.decompress(inflater.unconsumed_tail, budget + 1 - len(out))
        except zlib.error:
            break
        if len(out) > budget:
            raise _Refused(
                _("PDF 的压缩对象流解压后超过 %(max).0f MB，无法检查其内容，不能接收。")
                % {"max": PDF_MAX_INFLATED_BYTES / MIB}
            )
        if inflater.eof:
            break
    return bytes(out)


def _filters(head: bytes) -> list[bytes] | None:
    """The stream's filter names, or None when they cannot be read (an indirect /Filter)."""
    m = re.search(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+|\d+\s+\d+\s+R)?", head)
    if m is None:
        return []
    value = m[1] or b""
    if value.endswith(b"R"):
        return None
    return _names(value)


def _object_streams(streams: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """[(dictionary, content)] of the object streams: /Type /ObjStm, or any stream with /First
    (which only an object stream has), inflated within PDF_MAX_INFLATED_BYTES altogether."""
    out, budget = [], PDF_MAX_INFLATED_BYTES
    for head, body in streams:
        names = set(_names(head))
        if b"ObjStm" not in names and b"First" not in names:
            continue
        filters = _filters(head)
        if filters == []:
            content = body
        elif filters == [b"FlateDecode"] and b"DecodeParms" not in names:
            content = _inflate(body, budget)
        else:
            raise _Refused(_("PDF 的对象流使用了无法检查的编码，不能接收：请另存为标准 PDF 后再上传。"))
        budget -= len(content)
        out.append((head, content))
    return out


def _stream_objects(head: bytes, content: bytes) -> dict[bytes, bytes]:
    """The objects of one object stream by number (its header: pairs of number and offset)."""
    first = re.search(rb"/First\s+(\d+)", head)
    if first is None:
        return {}
    start = int(first[1])
    numbers = re.findall(rb"\d+", content[:start])
    pairs = [(numbers[i], int(numbers[i + 1])) for i in range(0, len(numbers) - 1, 2)]
    objects = {}
    for i, (number, offset) in enumerate(pairs):
        end = pairs[i + 1][1] if i + 1 < len(pairs) else len(content) - start
        objects[number] = content[start + offset : start + end]
    return objects


def _harmless_open_action(value: bytes, objects: Callable[[], dict[bytes, bytes]], depth: int = 0) -> bool:
    """An /OpenAction that only shows a page (a destination array, or a GoTo action) is harmless.
    `objects()`: the file's objects by number, for an indirect one (indexed only when needed)."""
    value = value.lstrip()
    if value.startswith(b"["):
        return True
    if value.startswith(b"<<"):
        end = value.find(b">>")
        names = _names(value[: end if end >= 0 else len(value)])
        return b"S" in names and names[names.index(b"S") + 1 : names.index(b"S") + 2] == [b"GoTo"]
    ref = re.match(rb"(\d+)\s+\d+\s+R", value)
    if ref and depth < 3 and ref[1] in objects():
        return _harmless_open_action(objects()[ref[1]], objects, depth + 1)
    return False


def _pdf_problem(data: bytes) -> str | None:
    """What active content a PDF holds (named for the message), or None."""
    try:
        outside, streams = _pdf_parts(data)
        object_streams = _object_streams(streams)
    except _Refused as exc:
        return str(exc)
    texts = [_unescape_names(outside)] + [_unescape_names(content) for _head, content in object_streams]
    index: dict[bytes, bytes] = {}

    def objects() -> dict[bytes, bytes]:
        if not index:
            for head, content in object_streams:
                index.update(_stream_objects(head, content))
            for m in _PDF_OBJ.finditer(texts[0]):
                end = texts[0].find(b"endobj", m.end())
                index.setdefault(m[1], texts[0][m.end() : end if end >= 0 else len(texts[0])])
            index.setdefault(b"", b"")  # indexed, even when there is nothing
        return index

    found: set[bytes] = set()
    for text in texts:
        for m in _PDF_NAME.finditer(text):
            name = m[1]
            if name not in PDF_ACTIVE or name in found:
                continue
            if name == b"OpenAction" and _harmless_open_action(text[m.end() : m.end() + 4096], objects):
                continue
            found.add(name)
    if not found:
        return None
    features = dict.fromkeys(str(label) for name, label in PDF_ACTIVE.items() if name in found)
    return _("PDF 含有活动内容（%(features)s），不能接收：请另存或打印为普通 PDF 后再上传。") % {
        "features": _("、").join(features)
    }


def archive_problem(data: bytes, *, depth: int = 0, budget: list[int] | None = None) -> str | None:
    """Why a zip container (docx, xlsx, ofd, a catalog import) must not be opened, or None: too
    many members, more than ZIP_MAX_TOTAL_BYTES uncompressed (declared, and as actually read: a
    member is read only up to its declared size, whose CRC must then agree), a member or the
    whole compressed more than ZIP_MAX_RATIO to 1 above ZIP_RATIO_FLOOR_BYTES, archives nested
    deeper than ZIP_MAX_DEPTH (their sizes count towards the same total)."""
    budget = budget if budget is not None else [ZIP_MAX_TOTAL_BYTES]
    too_large = _("文件解压后超过 %(max).0f MB，疑似压缩炸弹，不能接收。") % {
        "max": ZIP_MAX_TOTAL_BYTES / MIB
    }
    damaged = _("文件已损坏，无法读取其中的内容。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
        return damaged
    if len(members) > ZIP_MAX_MEMBERS:
        return _("压缩包内文件过多（%(n)d 个，上限 %(max)d 个），不能接收。") % {
            "n": len(members),
            "max": ZIP_MAX_MEMBERS,
        }
    declared = sum(m.file_size for m in members)
    if declared > budget[0]:
        return too_large
    if declared > ZIP_RATIO_FLOOR_BYTES and declared > ZIP_MAX_RATIO * max(len(data), 1):
        return _("文件的压缩比异常（%(ratio).0f:1），疑似压缩炸弹，不能接收。") % {
            "ratio": declared / len(data)
        }
    for member in members:
        if member.file_size > ZIP_RATIO_FLOOR_BYTES and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            return _("文件的压缩比异常（%(ratio).0f:1），疑似压缩炸弹，不能接收。") % {
                "ratio": member.file_size / max(member.compress_size, 1)
            }
    for member in members:
        if member.is_dir():
            continue
        try:
            with archive.open(member) as stream:
                first = stream.read(4)
                nested = first == b"PK\x03\x04"
                parts = [first] if nested else []
                size = len(first)
                while chunk := stream.read(MIB):
                    size += len(chunk)
                    if nested:
                        parts.append(chunk)
        except (
            zipfile.BadZipFile,
            ValueError,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
            zlib.error,
        ):
            return damaged
        budget[0] -= size
        if budget[0] < 0:
            return too_large
        if nested:
            if depth + 1 >= ZIP_MAX_DEPTH:
                return _("文件内嵌套的压缩包层数过多，不能接收。")
            if problem := archive_problem(b"".join(parts), depth=depth + 1, budget=budget):
                return problem
    return None


def content_problem(data: bytes, kind: str) -> str | None:
    """Why a file of the sniffed `kind` must not be kept, or None."""
    if problem := _polyglot_problem(data, kind):
        return problem
    if kind == "pdf":
        return _pdf_problem(data)
    if kind in ZIP_KINDS:
        return archive_problem(data)
    return None


def files_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "files"


def _invalid(field: str, message: str, code: str) -> ValidationError:
    """{field: [message]} whose one error keeps its code (`too_large` answers 413)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def check(
    data: bytes,
    original_name: str,
    *,
    allowed: Iterable[str] = DOCUMENT_KINDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    user=None,
    field: str = "file",
) -> StoredFile:
    """Check one file (size, type sniffed from its content, the content's hygiene) and describe it
    as an unsaved row with a generated id and a clean name (`clean_name`); raises ValidationError
    keyed by `field` with a clear message. Writes nothing."""
    allowed = tuple(allowed)
    if len(data) > max_bytes:
        raise _invalid(
            field,
            _("文件过大：%(size).1f MB，上限为 %(max).0f MB。")
            % {"size": len(data) / 1048576, "max": max_bytes / 1048576},
            "too_large",
        )
    if not data:
        raise _invalid(field, _("文件为空。"), "empty")
    kind = sniff(data[:16], data)
    if kind == "doc" and "xls" in allowed:
        # An OLE file is a doc or an xls: the name decides between the two allowed ones.
        ext = split_name(clean_text(original_name or "", limit=None))[1].lower()
        if "doc" not in allowed or ext == "xls":
            kind = "xls"
    if kind not in allowed:
        raise _invalid(
            field,
            _("文件内容不是允许的格式（允许：%(kinds)s）。")
            % {"kinds": "、".join(KIND_NAMES[k] for k in allowed)},
            "bad_type",
        )
    if problem := content_problem(data, kind):
        raise _invalid(field, problem, "unsafe")
    return rows.new(
        StoredFile,
        id=uuid.uuid4(),
        original_name=clean_name(original_name, kind),
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
        raise _invalid(
            kwargs.get("field", "file"),
            _("文件过大：%(size).1f MB，上限为 %(max).0f MB。")
            % {"size": upload.size / 1048576, "max": max_bytes / 1048576},
            "too_large",
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
        # Cleaned again: a row kept before names were cleaned on the way in is offered clean too.
        filename=clean_name(stored.original_name, stored.kind) if stored.kind in EXTENSIONS else "file",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
