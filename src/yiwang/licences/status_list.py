"""Licence status for offline verification, in the manner of the W3C Bitstring Status List.

Each issuer publishes one signed list of LENGTH entries, BITS (2) bits each; a licence has a random
index in its issuer's list (claim "sl" in its QR code) and its entry says:

    0 VALID       有效
    1 SUSPENDED   暂扣
    2 REVOKED     撤销 / 吊销
    3 INVALID     注销 / 失效 / 转出 / 其他

Why a list rather than asking the server per licence: a hall's verifier that downloaded the lists
in the morning answers without a network, and the server never learns which licence was checked
(the whole list is fetched, not the entry). Random indexes (not issue order) keep the list from
telling anyone how many licences were issued when, or which ones were issued together. 131,072
entries give room for an issuer's licences; all-valid compresses to a few hundred bytes, and even a
list with many set entries stays a small download.

Bit order follows the W3C specification: index 0 is the most significant bits of byte 0. The
encoded form is the W3C `encodedList`: the bitstring gzip-compressed, base64url without padding,
with the multibase prefix "u".

A signed status list *document* (JSON) carries the list with its issuer, issue time and expiry
("valid_until": a verifier refuses a stale list, so a revocation reaches offline verifiers within
the time to live), and the issuer's SM2 signature over its canonical JSON (`document_signing_bytes`).

Pure: no Django.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import secrets
import zlib
from collections.abc import Callable
from typing import Any

LENGTH = 131072
BITS = 2
SIZE = LENGTH * BITS // 8  # bytes of the bitstring: 32 KiB
_PER_BYTE = 8 // BITS
_MASK = (1 << BITS) - 1

VALID = 0
SUSPENDED = 1
REVOKED = 2
INVALID = 3

MESSAGES = {
    VALID: "有效",
    SUSPENDED: "已暂扣",
    REVOKED: "已撤销（吊销）",
    INVALID: "已失效（注销、失效、转出或其他原因）",
}

DOCUMENT_TYPE = "YiwangStatusList"
MULTIBASE_BASE64URL = "u"
# Longest encodedList accepted: an incompressible 32 KiB bitstring in gzip and base64url is about
# 43,750 characters; anything much longer is not a list of this size.
MAX_ENCODED = 48_000
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
RANDOM_TRIES = 64


class StatusListError(ValueError):
    """A status list that cannot be read (malformed, wrong size) or a list too full to place a new
    licence in."""


def new() -> bytearray:
    """An all-valid list."""
    return bytearray(SIZE)


def _place(index: int) -> tuple[int, int]:
    """(byte, shift) of an entry; IndexError outside 0..LENGTH-1."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < LENGTH:
        raise IndexError(f"status list index {index!r} outside 0..{LENGTH - 1}")
    byte, slot = divmod(index, _PER_BYTE)
    return byte, 8 - BITS * (slot + 1)


def get_status(bits: bytes, index: int) -> int:
    """The status value of entry `index`."""
    byte, shift = _place(index)
    return (bits[byte] >> shift) & _MASK


def set_status(bits: bytearray, index: int, value: int) -> None:
    """Set entry `index` to `value` (0..3), leaving its neighbours alone."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MASK:
        raise ValueError(f"status value {value!r} outside 0..{_MASK}")
    byte, shift = _place(index)
    bits[byte] = (bits[byte] & ~(_MASK << shift) & 0xFF) | (value << shift)


def encode(bits: bytes) -> str:
    """The W3C encodedList: "u" + base64url (no padding) of the gzip-compressed bitstring. The gzip
    header's time is zero so the same list always encodes the same."""
    if len(bits) != SIZE:
        raise StatusListError(f"a status list has {SIZE} bytes, not {len(bits)}")
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip wrapper, mtime 0
    compressed = compressor.compress(bytes(bits)) + compressor.flush()
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(text: str) -> bytes:
    """The bitstring of an encodedList. StatusListError for anything but a gzip-compressed
    bitstring of exactly SIZE bytes; decompression stops one byte past SIZE, so a gzip bomb costs
    no more than a real list."""
    if not isinstance(text, str) or len(text) > MAX_ENCODED:
        raise StatusListError("状态列表编码无效（不是文字或过长）")
    if not text.startswith(MULTIBASE_BASE64URL) or not _BASE64URL.fullmatch(text, 1):
        raise StatusListError("状态列表编码无效（应为 u 开头的 base64url）")
    body = text[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise StatusListError("状态列表编码无效（base64url）") from None
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, SIZE + 1)
    except zlib.error:
        raise StatusListError("状态列表编码无效（gzip）") from None
    if len(bits) != SIZE or not inflater.eof or inflater.unused_data:
        raise StatusListError(f"状态列表长度不正确（应为 {SIZE} 字节）")
    return bits


def random_index(taken: Callable[[int], bool]) -> int:
    """A uniformly random free index: drawn from the operating system's random source until
    `taken(index)` is false. StatusListError after RANDOM_TRIES draws, which (short of bad luck
    smaller than 2^-64 at half full) means the issuer's list is nearly full."""
    for _ in range(RANDOM_TRIES):
        index = secrets.randbelow(LENGTH)
        if not taken(index):
            return index
    raise StatusListError("状态列表已接近满额，无法分配新的位置")


# --- Signed documents --------------------------------------------------------------------------


def iso(moment: dt.datetime) -> str:
    """A UTC time as the documents write it: ISO 8601 with "Z". Naive times are refused, since
    guessing their zone would shift a list's expiry by hours."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def document_signing_bytes(doc: dict[str, Any]) -> bytes:
    """What the issuer signs: the document without "signature" as canonical JSON (keys sorted, no
    spaces, UTF-8 text unescaped), so any JSON library re-serialising the parsed document gets the
    same bytes."""
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def make_document(
    issuer_code: str,
    issuer: str,
    bits: bytes,
    issued_at: dt.datetime,
    ttl_seconds: int,
    kid: bytes,
    sign: Callable[[bytes], bytes],
) -> dict[str, Any]:
    """The issuer's signed status list document, valid for `ttl_seconds` from `issued_at` (an
    aware datetime). `sign` gets `document_signing_bytes` and returns the seal's signature."""
    doc: dict[str, Any] = {
        "type": DOCUMENT_TYPE,
        "issuer_code": issuer_code,
        "issuer": issuer,
        "bits": BITS,
        "length": LENGTH,
        "encoded_list": encode(bits),
        "issued_at": iso(issued_at),
        "valid_until": iso(issued_at + dt.timedelta(seconds=ttl_seconds)),
        "kid": bytes(kid).hex(),
    }
    doc["signature"] = bytes(sign(document_signing_bytes(doc))).hex()
    return doc
