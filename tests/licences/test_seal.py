"""SM2 seals: Tongsuo against the independent gmalg implementation, hostile input, sealed keys."""

from __future__ import annotations

import base64
import hashlib

import gmalg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.licences import seal
from yiwang.licences.seal import CURVE_ORDER, SealError

PAIR = seal.generate()
OTHER = seal.generate()
MASTER = bytes(range(32))
messages = st.binary(max_size=512)


def test_generate_gives_raw_keys_that_gmalg_agrees_on():
    assert len(PAIR.private) == 32 and len(PAIR.public) == 65 and PAIR.public[0] == 0x04
    assert 1 <= int.from_bytes(PAIR.private, "big") <= CURVE_ORDER - 2
    # gmalg derives the public point from the private scalar on its own.
    assert gmalg.SM2().generate_pk(PAIR.private) == PAIR.public
    assert PAIR != OTHER


def test_key_id_is_the_first_8_bytes_of_sha256_of_the_public_key():
    assert seal.key_id(PAIR.public) == hashlib.sha256(PAIR.public).digest()[:8]
    assert len(seal.key_id(PAIR.public)) == 8
    assert seal.key_id(PAIR.public) != seal.key_id(OTHER.public)


def test_constants():
    assert seal.ALGORITHM == -65537 and seal.ALGORITHM_NAME == "SM2-SM3"
    assert seal.DISTINGUISHING_ID == b"1234567812345678"


@given(messages)
def test_sign_then_verify(message):
    signature = seal.sign(PAIR.private, message)
    assert len(signature) == 64
    assert seal.verify(PAIR.public, message, signature)
    assert not seal.verify(OTHER.public, message, signature)  # another seal's key


@settings(max_examples=20)
@given(messages)
def test_tongsuo_signatures_verify_with_gmalg(message):
    assert seal.verify_reference(PAIR.public, message, seal.sign(PAIR.private, message))


@settings(max_examples=20)
@given(messages)
def test_gmalg_signatures_verify_with_tongsuo(message):
    signature = seal.sign_reference(PAIR.private, message)
    assert len(signature) == 64
    assert seal.verify(PAIR.public, message, signature)
    assert not seal.verify(PAIR.public, message + b"\0", signature)


def test_gmalg_refuses_what_tongsuo_refuses():
    signature = seal.sign(PAIR.private, b"licence")
    assert not seal.verify_reference(PAIR.public, b"licencf", signature)
    assert not seal.verify_reference(OTHER.public, b"licence", signature)
    assert not seal.verify_reference(PAIR.public, b"licence", b"\0" * 64)
    assert not seal.verify_reference(b"\x04" + b"\1" * 64, b"licence", signature)


def test_signatures_are_randomised_but_all_verify():
    first, second = seal.sign(PAIR.private, b"x"), seal.sign(PAIR.private, b"x")
    assert first != second
    assert seal.verify(PAIR.public, b"x", first) and seal.verify(PAIR.public, b"x", second)


@settings(max_examples=30)
@given(messages, st.data())
def test_any_flipped_bit_fails(message, data):
    signature = seal.sign(PAIR.private, message)
    bit = data.draw(st.integers(0, 64 * 8 - 1))
    altered = bytearray(signature)
    altered[bit // 8] ^= 1 << (bit % 8)
    assert not seal.verify(PAIR.public, message, bytes(altered))
    if message:
        bit = data.draw(st.integers(0, len(message) * 8 - 1))
        changed = bytearray(message)
        changed[bit // 8] ^= 1 << (bit % 8)
        assert not seal.verify(PAIR.public, bytes(changed), signature)


@given(st.binary(max_size=80), messages, st.binary(max_size=80))
def test_verify_never_raises_on_garbage(public, message, signature):
    assert seal.verify(public, message, signature) is False


@given(st.binary(min_size=64, max_size=64), st.binary(min_size=64, max_size=64))
def test_verify_never_raises_on_garbage_of_the_right_sizes(point, signature):
    assert seal.verify(b"\x04" + point, b"m", signature) is False
    assert seal.verify(PAIR.public, b"m", signature) is False


def _rs(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@pytest.mark.parametrize(
    "signature",
    [
        _rs(0, 1),
        _rs(1, 0),
        _rs(0, 0),
        _rs(CURVE_ORDER, 1),
        _rs(1, CURVE_ORDER),
        b"\xff" * 64,
        b"",
        b"\x30\x06\x02\x01\x01\x02\x01\x01",  # DER is not the wire form
    ],
)
def test_out_of_range_signatures_fail(signature):
    assert seal.verify(PAIR.public, b"m", signature) is False
    assert seal.verify_reference(PAIR.public, b"m", signature) is False


def test_the_right_signature_with_a_wrong_form_of_the_key_fails():
    signature = seal.sign(PAIR.private, b"m")
    compressed = bytes([2 + PAIR.public[64] % 2]) + PAIR.public[1:33]
    assert not seal.verify(compressed, b"m", signature)
    assert not seal.verify(PAIR.public[:64], b"m", signature)
    assert not seal.verify(b"\x05" + PAIR.public[1:], b"m", signature)
    for weird in (None, "text", 42):
        assert seal.verify(weird, b"m", signature) is False
        assert seal.verify(PAIR.public, weird, signature) is False
        assert seal.verify(PAIR.public, b"m", weird) is False
    assert seal.verify(bytearray(PAIR.public), memoryview(b"m"), bytearray(signature))


@pytest.mark.parametrize(
    "private",
    [b"", b"\1" * 31, b"\0" * 32, (CURVE_ORDER - 1).to_bytes(32, "big"), b"\xff" * 32],
)
def test_unusable_private_keys_are_refused(private):
    with pytest.raises(SealError):
        seal.sign(private, b"m")


def test_loaded_keys_are_cached():
    seal.sign(PAIR.private, b"warm")
    before = seal._private_key.cache_info().hits
    seal.sign(PAIR.private, b"again")
    assert seal._private_key.cache_info().hits == before + 1
    signature = seal.sign(PAIR.private, b"m")
    # The extension's tables (generator and key) where it is compiled, Tongsuo's loaded key otherwise.
    cached = seal._fast_key if seal.FAST else seal._public_key
    seal.verify(PAIR.public, b"m", signature)
    before = cached.cache_info()
    assert seal.verify(PAIR.public, b"m", signature)
    after = cached.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


# --- Private keys at rest ----------------------------------------------------------------------


def test_seal_and_open_round_trip():
    kid = seal.key_id(PAIR.public)
    blob = seal.seal_private(PAIR.private, MASTER, kid)
    assert len(blob) == 12 + 32 + 16 and PAIR.private not in blob
    assert seal.open_private(blob, MASTER, kid) == PAIR.private
    assert seal.seal_private(PAIR.private, MASTER, kid) != blob  # a fresh nonce each time


def test_open_refuses_a_wrong_master_key_a_wrong_key_id_and_any_change():
    kid = seal.key_id(PAIR.public)
    blob = seal.seal_private(PAIR.private, MASTER, kid)
    with pytest.raises(SealError):
        seal.open_private(blob, bytes(32), kid)
    with pytest.raises(SealError):
        seal.open_private(blob, MASTER, seal.key_id(OTHER.public))
    for position in range(len(blob)):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(SealError):
            seal.open_private(bytes(altered), MASTER, kid)
    with pytest.raises(SealError):
        seal.open_private(blob[:-1], MASTER, kid)
    with pytest.raises(SealError):
        seal.open_private(blob, MASTER[:31], kid)


@pytest.mark.parametrize("master", [b"", b"\0" * 16, b"\0" * 33, "0" * 32, None])
def test_master_key_must_be_32_bytes(master):
    with pytest.raises(SealError):
        seal.seal_private(PAIR.private, master, b"kid")


@given(st.binary(min_size=32, max_size=32))
def test_master_key_from_each_written_form(key):
    standard = base64.b64encode(key).decode()
    urlsafe = base64.urlsafe_b64encode(key).decode()
    for text in (key.hex(), key.hex().upper(), standard, standard.rstrip("="), urlsafe, urlsafe.rstrip("=")):
        assert seal.master_key_from_text(f" {text}\n") == key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "secret",
        "0" * 63,
        "0" * 65,
        "g" * 64,
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        base64.b64encode(bytes(32)).decode()[:-2] + "!=",
        None,
    ],
)
def test_master_key_from_bad_text(text):
    with pytest.raises(SealError, match="签章主密钥格式不正确"):
        seal.master_key_from_text(text)


def test_without_the_extension_verify_is_tongsuos(monkeypatch):
    # A machine that could not compile `_sm2` (no C compiler at install) verifies with Tongsuo.
    signature = seal.sign(PAIR.private, b"m")
    monkeypatch.setattr(seal, "_sm2", None)
    monkeypatch.setattr(seal, "_fast_key", None)  # would raise if it were still reached
    assert seal.verify(PAIR.public, b"m", signature)
    assert not seal.verify(PAIR.public, b"n", signature)
    assert not seal.verify(OTHER.public, b"m", signature)
