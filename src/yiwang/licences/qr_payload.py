"""The signed payload in a licence's QR code, built like the EU digital COVID certificate's:
claims → CBOR → COSE_Sign1 (SM2 seal) → zlib → Base45 → "YWL1:" prefix.

Why this shape: the QR must be verifiable by a hall's scanner with no network (the trust list and
status lists are enough, `offline`), so it carries the licence's essential data and the issuer's
signature, not just a link. CBOR and compact claim keys keep it small; zlib removes the repetition
(the identifier recurs in the URL); Base45 (RFC 9285) uses exactly the QR alphanumeric alphabet,
which QR codes store at 5.5 bits a character instead of 8, so the code stays at a version a phone
or a cheap scanner reads from a printed page. The "YWL1:" prefix (also alphanumeric) says what the
text is and which version of this format, so a scanner can tell a licence from any other QR code.

Unlike the EU certificate, the zlib stream uses a preset dictionary (RFC 1950 FDICT, `DICTIONARY`):
Chinese text is three bytes a character in UTF-8 and a few hundred bytes give deflate little to
match, so a plain zlib stream barely shrinks a licence (a business licence with eight shown fields
is ~930 QR characters plain, ~600 with the dictionary). The dictionary holds the words licences
repeat (licence names, field labels, enterprise types, place and department words), the claim keys
and the COSE header, and is part of format version 1: it must never change while the prefix is
"YWL1:" (its Adler-32 is pinned by the tests and written in every stream's header, so a
mismatched decoder fails cleanly). A stream without a dictionary decodes too.

    COSE_Sign1 = #6.18([protected: bstr .cbor {1: alg, 4: kid}, unprotected: {},
                        payload: bstr .cbor claims, signature: bstr (r‖s, 64 bytes)])

signed over the COSE Sig_structure ["Signature1", protected, h'', payload] (RFC 9052 §4.4).

`decode` reads text from any QR code a member of the public holds up, so it refuses — with
`PayloadError` and nothing else — anything that is not exactly this: over-long text, bad Base45,
zlib that inflates past 8 KiB (bombs), CBOR of the wrong shape or types. It does not check the
signature: that needs the trust list (`offline.verify`) or the database (online verification).

Pure: no Django.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import base45
import cbor2

from yiwang.licences import seal

PREFIX = "YWL1:"
ALGORITHM = seal.ALGORITHM
MAX_TEXT = 4000  # characters of QR text accepted (a version 40 QR holds 4,296 alphanumerics)
MAX_INFLATED = 8 * 1024  # bytes of CBOR accepted after decompression
COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
MAX_KID = 32


def _cbor_text(text: str) -> bytes:
    """CBOR encoding of a short text string (as the claim keys are written)."""
    data = text.encode()
    return bytes([0x60 + len(data)]) + data


# The zlib preset dictionary of format version 1. FROZEN: changing a byte makes every issued QR code
# undecodable; a new dictionary needs a new prefix. Deflate reaches back into it for matches, and
# nearer matches cost fewer bits, so the most frequent pieces come last.
_WORDS = (
    # Province-level divisions, then the words of addresses.
    "北京市天津市河北省山西省内蒙古自治区辽宁省吉林省黑龙江省上海市江苏省浙江省安徽省福建省江西省"
    "山东省河南省湖北省湖南省广东省广西壮族自治区海南省重庆市四川省贵州省云南省西藏自治区陕西省"
    "甘肃省青海省宁夏回族自治区新疆维吾尔自治区台湾省香港特别行政区澳门特别行政区"
    "经济技术开发区高新技术产业开发区工业园区开发区自治州自治县街道办事处社区居民委员会村民委员会"
    "大道大街路街巷弄号院栋幢楼单元层室"
    # People.
    "姓名性别男女民族汉族出生日期公民身份号码住址"
    # Licences, their labels and issuers.
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动）一般项目：许可项目："
    "农民专业合作社个体工商户合伙企业股份有限公司分公司有限责任公司（自然人投资或控股）"
    "有限责任公司（自然人独资）有限责任公司法定代表人（负责人）执行事务合伙人经营者"
    "注册资本出资额万元人民币成立日期营业期限经营期限长期住所主要经营场所经营场所经营范围"
    "餐饮服务食品销售预包装食品散装食品热食类食品制售冷食类食品制售技术服务技术开发技术咨询"
    "主体业态经营项目许可类别许可范围日常监督管理机构投诉举报电话"
    "卫生许可证食品经营许可证营业执照许可证登记证证明证书"
    "证书编号许可证编号统一社会信用代码名称类型登记机关发证机关发证日期签发日期有效期限有效期至"
    "人民政府政务服务中心行政审批局卫生健康委员会公安局民政局人力资源和社会保障局自然资源局"
    "住房和城乡建设局交通运输局生态环境局市场监督管理局"
    "年月日"
)
_CLAIM_KEYS = ("url", "sl", "t", "u", "f", "ic", "is", "d", "hi", "h", "no", "n", "id", "v")
DICTIONARY = (
    _WORDS.encode("utf-8")
    + b"https://http:///licences/verify/?id=1.2.156.3005.2."
    + b"".join(_cbor_text(key) for key in _CLAIM_KEYS)
    # COSE_Sign1: tag 18, array of 4, protected header bstr(17) of {1: -65537, 4: h'<8-byte kid>'}.
    + bytes.fromhex("d28451a2013a000100000448")
)

# --- Claims ----------------------------------------------------------------------------------------
# Short keys: each is written in every QR code. All are optional to the format (decode checks the
# type of those present); `offline.verify` requires the ones it needs.
VERSION = "v"  # int: payload version, 1
IDENTIFIER = "id"  # str: the licence identifier (GB/T 36904, `identifiers`)
TYPE_NAME = "n"  # str: licence type name, e.g. 营业执照
NUMBER = "no"  # str: the licence number (证照编号) printed on it, may be ""
HOLDER = "h"  # str: holder name
HOLDER_ID = "hi"  # str: holder's ID number or USCC, masked (e.g. 1101**********1234)
DATA = "d"  # map str → str: the data fields shown on the licence, label → text
ISSUER = "is"  # str: issuing department's name
ISSUER_CODE = "ic"  # str: issuing department's USCC (must be the signing key's issuer)
VALID_FROM = "f"  # str: valid from, YYYY-MM-DD
VALID_UNTIL = "u"  # str | None: valid until (inclusive), YYYY-MM-DD; None = long-term (长期)
ISSUED_ON = "t"  # str: issued on, YYYY-MM-DD
STATUS_INDEX = "sl"  # int: the licence's index in its issuer's status list (`status_list`)
URL = "url"  # str: the online verification address

PAYLOAD_VERSION = 1

_STR = (str,)
# Exact types (`check_claims`): a subclass, such as bool for int, is refused.
CLAIM_TYPES: dict[str, tuple[type, ...]] = {
    VERSION: (int,),
    IDENTIFIER: _STR,
    TYPE_NAME: _STR,
    NUMBER: _STR,
    HOLDER: _STR,
    HOLDER_ID: _STR,
    DATA: (dict,),
    ISSUER: _STR,
    ISSUER_CODE: _STR,
    VALID_FROM: _STR,
    VALID_UNTIL: (str, type(None)),
    ISSUED_ON: _STR,
    STATUS_INDEX: (int,),
    URL: _STR,
}

# Values a claim may hold at all (unknown claims included): plain data, nested at most this deep.
# Tagged CBOR (dates, regular expressions, shared references that can even make cycles) is refused.
_PLAIN = (str, int, float, bool, bytes, type(None))
_MAX_DEPTH = 4


class PayloadError(ValueError):
    """The QR text is not a licence payload. `code` is "format"; the message is Chinese, for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _malformed(detail: str) -> PayloadError:
    return PayloadError("format", f"二维码内容不是有效的电子证照数据（{detail}）")


@dataclass(frozen=True)
class Decoded:
    """A decoded payload, signature not yet checked: `seal.verify(public, signed_bytes, signature)`."""

    kid: bytes
    alg: int
    claims: dict
    signed_bytes: bytes
    signature: bytes


def _plain(value: Any, depth: int) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if depth >= _MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str | int) and _plain(v, depth + 1) for k, v in value.items())
    return False


def check_claims(claims: Any) -> dict:
    """The claims map if it has the documented types, else PayloadError: a map of text keys to
    plain values; the known claims of their types (`CLAIM_TYPES`, no booleans for integers); the
    version, if present, 1; the shown data text → text.

    Every scan runs this over untrusted input, so the known claims are checked by their exact
    type (cbor2 builds plain str, int, dict and None, and a bool's type is not int) and only the
    rest walk `_plain`: it was a third of an offline verification's own work."""
    if not isinstance(claims, dict):
        raise _malformed("内容不是以文字为键的映射")
    for key, value in claims.items():
        if type(key) is not str:
            raise _malformed("内容不是以文字为键的映射")
        expected = CLAIM_TYPES.get(key)
        if expected is None:
            if not _plain(value, 0):
                raise _malformed(f"字段 {key} 的值不是简单数据")
        elif type(value) not in expected:
            raise _malformed(f"字段 {key} 的类型不正确")
    if VERSION in claims and claims[VERSION] != PAYLOAD_VERSION:
        raise _malformed("版本不受支持")
    data = claims.get(DATA)
    if data is not None:
        for label, text in data.items():
            if type(label) is not str or type(text) is not str:
                raise _malformed("证照数据应为文字")
    return claims


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes COSE_Sign1 signs: ["Signature1", protected, external_aad = h'', payload]."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def encode(claims: dict, kid: bytes, sign: Callable[[bytes], bytes]) -> str:
    """The QR text for `claims` signed by `sign` (given the Sig_structure, returns r‖s) under the
    key `kid`. Raises PayloadError for claims `decode` would refuse, ValueError when the result
    would be too large to decode."""
    check_claims(claims)
    kid = bytes(kid)
    if not 1 <= len(kid) <= MAX_KID:
        raise ValueError("kid must be 1 to 32 bytes")
    protected = cbor2.dumps({HEADER_ALG: ALGORITHM, HEADER_KID: kid})
    # Canonical CBOR: the same claims always give the same bytes, whatever their dict order.
    payload = cbor2.dumps(claims, canonical=True)
    signature = bytes(sign(sig_structure(protected, payload)))
    if len(signature) != seal.SIGNATURE_SIZE:
        raise ValueError("sign must return a 64-byte r‖s signature")
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    if len(cose) > MAX_INFLATED:
        raise ValueError(f"payload of {len(cose)} bytes exceeds {MAX_INFLATED}")
    deflater = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
    compressed = deflater.compress(cose) + deflater.flush()
    text = PREFIX + base45.b45encode(compressed).decode("ascii")
    if len(text) > MAX_TEXT:
        raise ValueError(f"QR text of {len(text)} characters exceeds {MAX_TEXT}")
    return text


def _loads(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(data)
    except Exception:  # cbor2 raises decode errors, and ValueError/TypeError/OverflowError from tags
        raise _malformed(f"{what}无法解析") from None


_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES = bytes(_B45.index(chr(c)) if chr(c) in _B45 else 255 for c in range(256))


def b45decode(text: str) -> bytes:
    """RFC 9285 Base45, without a Python loop over the groups: characters become their values by
    one `bytes.translate`; the first, second and third digits of every group are spread into
    32-bit slots of three big integers, so a + 45·b + 2025·c computes every group at once (a
    group is below 45³ = 91,125, so no slot carries into the next); the slots' low 16 bits are the
    output. A third of a scan's CPU was the `base45` package's character loop; a comprehension over
    strided slices took 33 µs a payload, this 7. The tests check both agree on every valid text and
    refuse the same invalid ones (ValueError)."""
    try:
        digits = text.encode("ascii").translate(_B45_VALUES)
    except UnicodeEncodeError:
        raise ValueError("not the Base45 alphabet") from None
    if 255 in digits:
        raise ValueError("not the Base45 alphabet")
    size = len(digits)
    if size % 3 == 1:
        raise ValueError("a lone trailing Base45 character")
    whole = size - size % 3
    groups = whole // 3
    slots = bytearray(4 * groups)
    slots[3::4] = digits[0:whole:3]
    first = int.from_bytes(slots, "big")
    slots[3::4] = digits[1:whole:3]
    second = int.from_bytes(slots, "big")
    slots[3::4] = digits[2:whole:3]
    third = int.from_bytes(slots, "big")
    values = (first + 45 * second + 2025 * third).to_bytes(4 * groups, "big")
    if values[0::4].count(0) != groups or values[1::4].count(0) != groups:
        raise ValueError("a Base45 group out of range")
    decoded = bytearray(2 * groups)
    decoded[0::2] = values[2::4]
    decoded[1::2] = values[3::4]
    if size > whole:
        tail = digits[whole] + digits[whole + 1] * 45
        if tail > 0xFF:
            raise ValueError("a Base45 group out of range")
        decoded.append(tail)
    return bytes(decoded)


def _inflate(text: str) -> tuple[bytes, bytes]:
    """(compressed, inflated) bytes of the QR text, after the checks on its form."""
    if not isinstance(text, str):
        raise _malformed("不是文字")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise _malformed("内容过长")
    if not text.startswith(PREFIX):
        raise _malformed("前缀不是 YWL1:")
    try:
        compressed = b45decode(text[len(PREFIX) :])
    except (ValueError, TypeError):
        raise _malformed("Base45 编码无效") from None
    # The dictionary is used only by a stream whose header asks for it (and names its Adler-32).
    inflater = zlib.decompressobj(zdict=DICTIONARY)
    try:
        inflated = inflater.decompress(compressed, MAX_INFLATED)
    except zlib.error:
        raise _malformed("压缩数据无效") from None
    if inflater.unconsumed_tail:
        raise _malformed("解压后过大")
    if not inflater.eof or inflater.unused_data:
        raise _malformed("压缩数据不完整或有多余内容")
    return compressed, inflated


def decode(text: str) -> Decoded:
    """Read QR text into its parts (signature unchecked). PayloadError, and nothing else, for any
    text that is not a well-formed payload."""
    _compressed, inflated = _inflate(text)
    cose = _loads(inflated, "签名结构")
    if not isinstance(cose, cbor2.CBORTag) or cose.tag != COSE_SIGN1_TAG:
        raise _malformed("不是 COSE_Sign1 签名结构")
    parts = cose.value  # cbor2 gives a tagged array as a tuple and a map inside it as a frozendict
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise _malformed("签名结构应有4项")
    protected, unprotected, payload, signature = parts
    if not (isinstance(protected, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise _malformed("签名结构的项类型不正确")
    if not isinstance(unprotected, Mapping):
        raise _malformed("非保护头应为映射")
    header = _loads(protected, "保护头")
    if not isinstance(header, dict):
        raise _malformed("保护头应为映射")
    alg, kid = header.get(HEADER_ALG), header.get(HEADER_KID)
    if not isinstance(alg, int) or isinstance(alg, bool):
        raise _malformed("缺少签名算法")
    if not isinstance(kid, bytes) or not 1 <= len(kid) <= MAX_KID:
        raise _malformed("缺少密钥标识")
    claims = check_claims(_loads(payload, "证照数据"))
    return Decoded(kid, alg, claims, sig_structure(protected, payload), signature)


def size_report(text: str) -> dict[str, int]:
    """Sizes at each stage, for the benchmark: the COSE CBOR, its zlib compression, the QR text."""
    compressed, inflated = _inflate(text)
    return {"cbor_bytes": len(inflated), "compressed_bytes": len(compressed), "qr_chars": len(text.strip())}
