"""Electronic seals: SM2 signatures with the SM3 digest (GB/T 32918, GB/T 32905), as Chinese
electronic licences and seals require, and the at-rest encryption of the seals' private keys.

Signatures are computed and checked by Tongsuo (`tongsuopy`, C), with the default distinguishing
ID "1234567812345678" that GB/T 35276 prescribes when none is agreed, so any conforming SM2
implementation checks them; the tests cross-check against `gmalg`, an independent pure-Python
implementation (`sign_reference`, `verify_reference`; a development dependency only).

Wire formats are raw, not DER: a public key is the 65-byte uncompressed X9.62 point, a private key
its 32-byte big-endian scalar, a signature r‖s (32 + 32 bytes, big-endian), as COSE carries ECDSA
signatures; that keeps the QR payload small and the formats independent of any library.

`verify` is on the hot path (every QR a hall scans, thousands per second in the benchmark). It
answers False, never raising, for anything that is not a valid signature, since both the signature
and (in the offline verifier) the key come from outside. Its expensive step, u*G + v*P, runs in the
project's own C extension `_sm2` with fixed-base tables for the generator and for each public key,
built once per key and cached (ADR 0017): about five times faster than Tongsuo, which computes the
same sum from scratch each time. Where the extension was not compiled (no C compiler at install) or
Python's hashlib lacks SM3, `verify` is Tongsuo's (`verify_tongsuo`), which the tests also use as the
cross-check.

Pure: no Django. The caller passes the master key (from settings or an environment variable).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import importlib
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.asymciphers.utils import encode_dss_signature
from tongsuopy.crypto.exceptions import InvalidSignature

# COSE algorithm identifier for "SM2 signature with SM3, default distinguishing ID". COSE has no
# registered value for SM2, so a private-use one (below -65536) is used, as the IANA registry allows.
ALGORITHM = -65537
ALGORITHM_NAME = "SM2-SM3"
DISTINGUISHING_ID = b"1234567812345678"

# The order n of the SM2 curve's base point (GB/T 32918.5). Scalars and signature values outside
# [1, n-1] are refused before reaching the library; an SM2 private key must also differ from n-1,
# since signing divides by 1+d.
CURVE_ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123

PRIVATE_SIZE = 32
PUBLIC_SIZE = 65
SIGNATURE_SIZE = 64
MASTER_KEY_SIZE = 32
NONCE_SIZE = 12
SEALED_SIZE = NONCE_SIZE + PRIVATE_SIZE + 16  # nonce, ciphertext, GCM tag

_SIGNATURE_ALGORITHM = ec.ECDSA(hashes.SM3())  # Tongsuo signs SM2 when the key is on the SM2 curve


class SealError(Exception):
    """A seal operation failed: a private key that cannot be used, a sealed private key that does
    not open (wrong master key, wrong key id, or altered), or a master key in the wrong form."""


@dataclass(frozen=True)
class KeyPair:
    """An SM2 key pair: the private scalar (32 bytes, big-endian) and the public point (65 bytes,
    uncompressed X9.62: 0x04, x, y)."""

    private: bytes
    public: bytes


def generate() -> KeyPair:
    """A new SM2 key pair from Tongsuo's generator (the operating system's random source)."""
    while True:
        key = ec.generate_private_key(ec.SM2())
        scalar = key.private_numbers().private_value
        if 1 <= scalar <= CURVE_ORDER - 2:
            break
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return KeyPair(scalar.to_bytes(PRIVATE_SIZE, "big"), public)


def key_id(public: bytes) -> bytes:
    """The key's id (COSE "kid"): the first 8 bytes of SHA-256 of the 65-byte public key. Short, as
    it rides in every QR code, and derived, so a trust list's kid can be checked against its key."""
    return hashlib.sha256(bytes(public)).digest()[:8]


@functools.lru_cache(maxsize=16)
def _private_key(private: bytes) -> ec.EllipticCurvePrivateKey:
    if len(private) != PRIVATE_SIZE:
        raise SealError("签章私钥应为32字节")
    scalar = int.from_bytes(private, "big")
    if not 1 <= scalar <= CURVE_ORDER - 2:
        raise SealError("签章私钥超出 SM2 私钥取值范围")
    return ec.derive_private_key(scalar, ec.SM2())


@functools.lru_cache(maxsize=1024)
def _public_key(public: bytes) -> ec.EllipticCurvePublicKey | None:
    # Only the uncompressed form is a seal's public key; Tongsuo also checks the point is on the
    # curve. None (cached too) for anything else.
    if len(public) != PUBLIC_SIZE or public[0] != 0x04:
        return None
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SM2(), public)
    except (ValueError, TypeError):
        return None


def sign(private: bytes, message: bytes) -> bytes:
    """SM2-sign `message` (SM3, default ID): 64 bytes r‖s. Raises SealError for an unusable key."""
    der = _private_key(bytes(private)).sign(bytes(message), _SIGNATURE_ALGORITHM)
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _split(signature: bytes) -> tuple[int, int] | None:
    if len(signature) != SIGNATURE_SIZE:
        return None
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < CURVE_ORDER and 0 < s < CURVE_ORDER):
        return None
    return r, s


# The curve's prime, a, b and generator (GB/T 32918.5); a, b and G are part of the user's hash Z.
_PRIME = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_CURVE_A = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
_CURVE_B = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
GENERATOR = bytes.fromhex(
    "04"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


def _load_extension():  # -> the `_sm2` module, or None where it cannot serve
    if "sm3" not in hashlib.algorithms_available:
        return None
    try:
        return importlib.import_module("yiwang.licences._sm2")
    except ImportError:
        return None


_sm2 = _load_extension()
FAST = _sm2 is not None  # whether `verify` uses the extension (the benchmark prints it)


@functools.lru_cache(maxsize=64)
def _fast_key(public: bytes) -> tuple[bytes, hashlib._Hash] | None:
    """A public key's fixed-base table (270,336 bytes, ~3 ms to build) and an SM3 state that has
    absorbed the key's Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ G ‖ P), ready for the message. None for a key
    that is not an uncompressed point on the curve. The 64 keys most recently used stay (about
    17 MB): a county's or city's issuers all fit; a province's verifiers mostly see their own."""
    table = _sm2.table(public)
    if table is None:
        return None
    z = hashlib.new(
        "sm3",
        (8 * len(DISTINGUISHING_ID)).to_bytes(2, "big")
        + DISTINGUISHING_ID
        + _CURVE_A
        + _CURVE_B
        + GENERATOR[1:]
        + public[1:],
    ).digest()
    digest = hashlib.new("sm3")
    digest.update(z)
    return table, digest


def _verify_fast(public: bytes, message: bytes, signature: bytes) -> bool:
    # GB/T 32918.2 §7.1: e = SM3(Z ‖ M), t = (r + s) mod n ≠ 0, (x1, y1) = sG + tP,
    # valid when (e + x1) mod n = r.
    parts = _split(signature)
    if parts is None:
        return False
    r, s = parts
    t = (r + s) % CURVE_ORDER
    if t == 0:
        return False
    key = _fast_key(public)
    if key is None:
        return False
    table, prefix = key
    digest = prefix.copy()
    digest.update(message)
    generator = _fast_key(GENERATOR)[0]  # built on first use, not at import
    point = _sm2.mul2(generator, signature[32:], table, t.to_bytes(32, "big"))
    if point is None:
        return False
    u = (r - int.from_bytes(digest.digest(), "big")) % CURVE_ORDER
    return _x_is(int.from_bytes(point[:32], "big"), int.from_bytes(point[32:], "big"), u)


def _x_is(x: int, zz: int, u: int) -> bool:
    """Whether the affine x1 = X / Z² of a Jacobian point satisfies x1 mod n = u. As x1 < p < 2n,
    that is x1 = u or, where u + n < p, x1 = u + n (probability ~2⁻¹²⁸ for a genuine signature,
    so its own test builds the case). Comparing X with x1·Z² mod p avoids inverting Z."""
    return (x - u * zz) % _PRIME == 0 or (
        u + CURVE_ORDER < _PRIME and (x - (u + CURVE_ORDER) * zz) % _PRIME == 0
    )


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` (r‖s) is `public`'s SM2 signature of `message`. False, never an
    exception, for a key, signature or message of the wrong form."""
    if _sm2 is None:
        return verify_tongsuo(public, message, signature)
    try:
        return _verify_fast(bytes(public), bytes(message), bytes(signature))
    except (ValueError, TypeError):
        return False


def verify_tongsuo(public: bytes, message: bytes, signature: bytes) -> bool:
    """`verify` by Tongsuo alone: the fallback without the extension, and the tests' cross-check."""
    try:
        parts = _split(bytes(signature))
        if parts is None:
            return False
        key = _public_key(bytes(public))
        if key is None:
            return False
        key.verify(encode_dss_signature(*parts), bytes(message), _SIGNATURE_ALGORITHM)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def sign_reference(private: bytes, message: bytes) -> bytes:
    """`sign` by gmalg (pure Python, slow): the independent implementation the tests compare with."""
    import gmalg

    r, s = gmalg.SM2(sk=bytes(private), uid=DISTINGUISHING_ID).sign(bytes(message))
    return bytes(r).rjust(32, b"\0") + bytes(s).rjust(32, b"\0")


def verify_reference(public: bytes, message: bytes, signature: bytes) -> bool:
    """`verify` by gmalg (pure Python, slow), for the tests' cross-check."""
    import gmalg

    try:
        if _split(bytes(signature)) is None or len(public) != PUBLIC_SIZE or public[0] != 0x04:
            return False
        checker = gmalg.SM2(pk=bytes(public), uid=DISTINGUISHING_ID)
        return bool(checker.verify(bytes(message), bytes(signature[:32]), bytes(signature[32:])))
    except Exception:  # gmalg raises its own errors for points off the curve and the like
        return False


# --- Private keys at rest ----------------------------------------------------------------------


def _check_master(master_key: bytes) -> AESGCM:
    if not isinstance(master_key, bytes | bytearray) or len(master_key) != MASTER_KEY_SIZE:
        raise SealError("签章主密钥应为32字节（AES-256）")
    return AESGCM(bytes(master_key))


def seal_private(private: bytes, master_key: bytes, key_id: bytes) -> bytes:
    """Encrypt a private key for the database: AES-256-GCM under the master key with a fresh
    12-byte nonce, the key id as associated data (so a sealed key copied onto another key's row does
    not open). Returns nonce ‖ ciphertext ‖ tag (60 bytes)."""
    aead = _check_master(master_key)
    if len(private) != PRIVATE_SIZE:
        raise SealError("签章私钥应为32字节")
    nonce = os.urandom(NONCE_SIZE)
    return nonce + aead.encrypt(nonce, bytes(private), bytes(key_id))


def open_private(blob: bytes, master_key: bytes, key_id: bytes) -> bytes:
    """Decrypt what `seal_private` made. SealError for a wrong master key, wrong key id or any
    alteration."""
    aead = _check_master(master_key)
    blob = bytes(blob)
    if len(blob) != SEALED_SIZE:
        raise SealError("加密的签章私钥长度不正确")
    try:
        return aead.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], bytes(key_id))
    except InvalidTag:
        raise SealError("无法解密签章私钥：主密钥不正确，或密文已被改动") from None


_HEX = re.compile(r"[0-9a-fA-F]{64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{43}=?")


def master_key_from_text(text: str) -> bytes:
    """The 32-byte master key from its written form in configuration: 64 hex digits, or base64 or
    base64url (padding optional). SealError, saying what is expected, for anything else — a
    truncated or mistyped key must stop the platform from starting, not seal keys under a weak one.
    Generate one with `python -c "import secrets; print(secrets.token_urlsafe(32))"`."""
    value = (text or "").strip() if isinstance(text, str) else ""
    if _HEX.fullmatch(value):
        return bytes.fromhex(value)
    if _BASE64.fullmatch(value):
        standard = value.rstrip("=").replace("-", "+").replace("_", "/") + "="
        try:
            key = base64.b64decode(standard, validate=True)
        except binascii.Error:
            key = b""
        if len(key) == MASTER_KEY_SIZE:
            return key
    raise SealError(
        "签章主密钥格式不正确：应为32字节密钥的 base64、base64url 或64位十六进制写法，"
        '可用 python -c "import secrets; print(secrets.token_urlsafe(32))" 生成'
    )
