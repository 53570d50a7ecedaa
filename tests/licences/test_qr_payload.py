"""The QR payload: COSE_Sign1 over CBOR claims, zlib (preset dictionary), Base45; its size; that any
change to a signed claim breaks the seal; and that no QR text makes decode raise anything but
PayloadError."""

from __future__ import annotations

import zlib

import base45
import cbor2
import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.licences import identifiers, qr_payload, seal
from yiwang.licences.qr_payload import PREFIX, PayloadError

PAIR = seal.generate()
OTHER = seal.generate()
KID = seal.key_id(PAIR.public)
ISSUER_CODE = "11159900MB1234567X"
IDENTIFIER = identifiers.make("11100000000013127D001", ISSUER_CODE, 42, 1)


def signer(private: bytes = PAIR.private):
    return lambda data: seal.sign(private, data)


# A business licence (营业执照) as the demo enterprise's would be, the eight fields it prints in `d`.
BUSINESS = {
    "v": 1,
    "id": IDENTIFIER,
    "n": "营业执照",
    "no": "",
    "h": "青山市好味道餐饮有限公司",
    "hi": "91159900MA********",
    "d": {
        "类型": "有限责任公司（自然人独资）",
        "法定代表人": "张三",
        "注册资本": "伍拾万元整",
        "成立日期": "2024年03月15日",
        "营业期限": "长期",
        "住所": "内蒙古自治区青山市城关区迎宾路18号",
        "经营范围": "餐饮服务；食品销售；烟草制品零售",
        "登记机关": "青山市市场监督管理局",
    },
    "is": "青山市市场监督管理局",
    "ic": ISSUER_CODE,
    "f": "2024-03-15",
    "u": None,
    "t": "2024-03-15",
    "sl": 12345,
    "url": "https://zwfw.qingshan.gov.cn/licences/verify/?id=" + IDENTIFIER,
}


# --- Independent helpers: the format written out with the libraries directly ------------------------


def unpack(text: str) -> cbor2.CBORTag:
    inflater = zlib.decompressobj(zdict=qr_payload.DICTIONARY)
    return cbor2.loads(inflater.decompress(base45.b45decode(text.strip()[len(PREFIX) :])))


def pack(obj, *, dictionary: bool = True, raw: bytes | None = None) -> str:
    data = raw if raw is not None else cbor2.dumps(obj)
    if dictionary:
        deflater = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, qr_payload.DICTIONARY)
        compressed = deflater.compress(data) + deflater.flush()
    else:
        compressed = zlib.compress(data, 9)
    return PREFIX + base45.b45encode(compressed).decode()


def cose(protected, unprotected, payload, signature, tag=18) -> cbor2.CBORTag:
    return cbor2.CBORTag(tag, [protected, unprotected, payload, signature])


def resigned(text: str, claims: dict) -> str:
    """The same protected header and signature around different claims: what a forger can make."""
    protected, unprotected, _payload, signature = unpack(text).value
    return pack(cose(protected, dict(unprotected), cbor2.dumps(claims), signature))


def protected_header(alg=seal.ALGORITHM, kid=KID) -> bytes:
    return cbor2.dumps({1: alg, 4: kid})


# --- Round trip and format ----------------------------------------------------------------------------


def test_round_trip_and_the_signature_covers_the_sig_structure():
    text = qr_payload.encode(BUSINESS, KID, signer())
    assert text.startswith("YWL1:") and text.isascii()
    decoded = qr_payload.decode(text)
    assert decoded.claims == BUSINESS
    assert decoded.kid == KID and decoded.alg == seal.ALGORITHM == -65537
    protected, unprotected, payload, signature = unpack(text).value
    assert unpack(text).tag == 18 and dict(unprotected) == {}
    assert cbor2.loads(protected) == {1: -65537, 4: KID}
    assert cbor2.loads(payload) == BUSINESS and signature == decoded.signature and len(signature) == 64
    assert decoded.signed_bytes == cbor2.dumps(["Signature1", protected, b"", payload])
    assert seal.verify(PAIR.public, decoded.signed_bytes, decoded.signature)
    assert seal.verify_reference(PAIR.public, decoded.signed_bytes, decoded.signature)
    assert qr_payload.decode(f"  {text}\r\n") == decoded  # as scanners hand it over


def test_same_claims_in_another_order_sign_the_same_payload():
    reordered = dict(reversed(list(BUSINESS.items())))
    first = qr_payload.decode(qr_payload.encode(BUSINESS, KID, signer()))
    second = qr_payload.decode(qr_payload.encode(reordered, KID, signer()))
    assert first.signed_bytes == second.signed_bytes


def test_a_typical_business_licence_fits_a_small_qr_code():
    text = qr_payload.encode(BUSINESS, KID, signer())
    report = qr_payload.size_report(text)
    qr = segno.make(text, error="m")
    plain = pack(unpack(text), dictionary=False)
    print(
        f"\nbusiness licence QR: {report['cbor_bytes']} bytes CBOR, {report['compressed_bytes']} compressed, "
        f"{report['qr_chars']} characters (without the preset dictionary: {len(plain)}), "
        f"QR version {qr.version}, error level {qr.error}, {qr.mode} mode"
    )
    assert report["qr_chars"] == len(text) < 700
    assert qr.mode == "alphanumeric" and not qr.is_micro and qr.version <= 20
    assert qr_payload.decode(plain).claims == BUSINESS  # a stream without the dictionary decodes too


def test_the_dictionary_is_frozen():
    # Every issued QR code names this dictionary by its Adler-32; changing it needs a new prefix.
    assert zlib.adler32(qr_payload.DICTIONARY) == 306319640
    text = qr_payload.encode(BUSINESS, KID, signer())
    header = base45.b45decode(text[len(PREFIX) :])
    assert header[1] & 0x20  # FDICT
    assert int.from_bytes(header[2:6], "big") == zlib.adler32(qr_payload.DICTIONARY)


def test_claim_keys_are_documented_constants():
    keys = [
        qr_payload.VERSION,
        qr_payload.IDENTIFIER,
        qr_payload.TYPE_NAME,
        qr_payload.NUMBER,
        qr_payload.HOLDER,
        qr_payload.HOLDER_ID,
        qr_payload.DATA,
        qr_payload.ISSUER,
        qr_payload.ISSUER_CODE,
        qr_payload.VALID_FROM,
        qr_payload.VALID_UNTIL,
        qr_payload.ISSUED_ON,
        qr_payload.STATUS_INDEX,
        qr_payload.URL,
    ]
    assert keys == ["v", "id", "n", "no", "h", "hi", "d", "is", "ic", "f", "u", "t", "sl", "url"]
    assert set(keys) == set(qr_payload.CLAIM_TYPES) == set(BUSINESS)


def test_size_report_refuses_what_decode_refuses():
    with pytest.raises(PayloadError):
        qr_payload.size_report("hello")


# --- Tampering -------------------------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8"), max_size=40)
data_dicts = st.dictionaries(texts, texts, max_size=8)


def altered_value(key: str, value, draw):
    if key == "d":
        if value and draw(st.booleans()):
            label = draw(st.sampled_from(sorted(value)))
            return {**value, label: value[label] + draw(st.text(min_size=1, max_size=5))}
        return {**value, "新增": draw(st.text(max_size=5))} if "新增" not in value else {}
    if key in ("v",):
        return None  # drop the version claim
    if isinstance(value, int):
        return value + draw(st.integers(1, 1000))
    if value is None:
        return "2030-01-01"
    return value + draw(st.text(min_size=1, max_size=5)) if draw(st.booleans()) else value[:-1]


@settings(max_examples=60)
@given(data_dicts, st.sampled_from(sorted(BUSINESS)), st.data())
def test_changing_any_signed_claim_breaks_the_seal(shown, key, data):
    claims = {**BUSINESS, "d": shown}
    text = qr_payload.encode(claims, KID, signer())
    assert seal.verify(PAIR.public, qr_payload.decode(text).signed_bytes, qr_payload.decode(text).signature)
    changed = dict(claims)
    new = altered_value(key, claims[key], data.draw)
    if new is None:
        del changed[key]
    else:
        changed[key] = new
    if changed == claims:
        return
    forged = qr_payload.decode(resigned(text, changed))
    assert forged.claims == changed
    assert not seal.verify(PAIR.public, forged.signed_bytes, forged.signature)


def test_changing_the_protected_header_breaks_the_seal():
    text = qr_payload.encode(BUSINESS, KID, signer())
    _protected, _unprotected, payload, signature = unpack(text).value
    other_kid = seal.key_id(OTHER.public)
    forged = qr_payload.decode(pack(cose(protected_header(kid=other_kid), {}, payload, signature)))
    assert forged.kid == other_kid
    assert not seal.verify(PAIR.public, forged.signed_bytes, forged.signature)
    # Headers in the unprotected map are not signed, and are not read either.
    moved = qr_payload.decode(pack(cose(protected_header(), {4: other_kid}, payload, signature)))
    assert moved.kid == KID and seal.verify(PAIR.public, moved.signed_bytes, moved.signature)


def test_another_seals_signature_fails():
    text = qr_payload.encode(BUSINESS, KID, signer(OTHER.private))
    decoded = qr_payload.decode(text)
    assert decoded.kid == KID and not seal.verify(PAIR.public, decoded.signed_bytes, decoded.signature)


# --- Hostile input -----------------------------------------------------------------------------------


def _decode_or_payload_error(text: str) -> None:
    try:
        decoded = qr_payload.decode(text)
    except PayloadError as exc:
        assert exc.code == "format" and str(exc) == exc.message and exc.message
    else:
        assert isinstance(decoded.claims, dict) and isinstance(decoded.kid, bytes)


@given(st.text())
def test_any_text_decodes_or_raises_payload_error(text):
    _decode_or_payload_error(text)
    _decode_or_payload_error(PREFIX + text)


@given(st.text(base45.BASE45_CHARSET, max_size=600))
def test_any_base45_text_decodes_or_raises_payload_error(text):
    _decode_or_payload_error(PREFIX + text)


@given(st.binary(max_size=600), st.booleans())
def test_any_compressed_bytes_decode_or_raise_payload_error(data, dictionary):
    _decode_or_payload_error(pack(None, raw=data, dictionary=dictionary))


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5) | st.integers(), children)
    ),
    max_leaves=12,
)


@given(cbor_values, cbor_values, cbor_values, cbor_values, st.sampled_from([18, 17, 98]))
def test_any_cose_shaped_cbor_decodes_or_raises_payload_error(
    protected, unprotected, payload, signature, tag
):
    _decode_or_payload_error(pack(cose(protected, unprotected, payload, signature, tag)))
    wrapped = cose(cbor2.dumps(protected), {}, cbor2.dumps(payload), b"\0" * 64, tag)
    _decode_or_payload_error(pack(wrapped))


@given(st.dictionaries(st.sampled_from(sorted(BUSINESS)), cbor_values))
def test_any_claims_decode_or_raise_payload_error(claims):
    _decode_or_payload_error(pack(cose(protected_header(), {}, cbor2.dumps(claims), b"\1" * 64)))


def _good_parts():
    return protected_header(), {}, cbor2.dumps(BUSINESS), b"\1" * 64


def _claims_with(**changes):
    return cbor2.dumps({**BUSINESS, **changes})


MALFORMED_PAYLOADS = [
    "",
    "YWL1:",
    "YWL2:" + pack(cose(*_good_parts()))[5:],
    "ywl1:" + pack(cose(*_good_parts()))[5:],
    pack(cose(*_good_parts()))[5:],  # no prefix
    "YWL1:ABCD",  # bad Base45 length
    "YWL1:::::",  # Base45 value out of range
    "YWL1:abc",  # not the Base45 alphabet
    "YWL1:" + base45.b45encode(b"not zlib at all").decode(),
    pack(cose(*_good_parts()))[:-6],  # truncated
    PREFIX + base45.b45encode(base45.b45decode(pack(cose(*_good_parts()))[5:]) + b"junk").decode(),
    pack(None, raw=b"\0" * 1_000_000),  # a zip bomb: 1 MB of zeros in under 2,000 characters
    pack(None, raw=cbor2.dumps(cose(*_good_parts())) + b"\0" * 9000),
    pack(None, raw=b"\x81" * 5000 + b"\0"),  # deep nesting
    pack([b"a", {}, b"b", b"c"]),  # untagged
    pack(cose(*_good_parts(), tag=98)),  # COSE_Sign, not COSE_Sign1
    pack(cbor2.CBORTag(18, list(_good_parts())[:3])),
    pack(cbor2.CBORTag(18, "text")),
    pack(cose("not bytes", {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(protected_header(), [], cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(protected_header(), {}, BUSINESS, b"\1" * 64)),  # payload not a bstr
    pack(cose(protected_header(), {}, cbor2.dumps(BUSINESS), "sig")),
    pack(cose(b"\xff", {}, cbor2.dumps(BUSINESS), b"\1" * 64)),  # protected not CBOR
    pack(cose(cbor2.dumps([1, 2]), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(cbor2.dumps({4: KID}), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),  # no alg
    pack(cose(protected_header(alg=True), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(protected_header(alg="SM2"), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(cbor2.dumps({1: -65537}), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),  # no kid
    pack(cose(protected_header(kid="kid"), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(protected_header(kid=b""), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(protected_header(kid=b"k" * 33), {}, cbor2.dumps(BUSINESS), b"\1" * 64)),
    pack(cose(protected_header(), {}, b"\xff\xff", b"\1" * 64)),  # claims not CBOR
    pack(cose(protected_header(), {}, cbor2.dumps([1, 2]), b"\1" * 64)),
    pack(cose(protected_header(), {}, cbor2.dumps({1: "x"}), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(sl="12"), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(sl=True), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(u=20300101), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(id=None), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(d={"a": 1}), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(d=["a"]), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(v=2), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(x=cbor2.CBORTag(0, "2024-01-01T00:00:00Z")), b"\1" * 64)),
    pack(cose(protected_header(), {}, _claims_with(x=cbor2.CBORTag(99, 1)), b"\1" * 64)),
    # A shared reference that makes a cycle: [x] where x is the array itself.
    pack(
        cose(
            protected_header(),
            {},
            cbor2.dumps({"x": 1})[:1] + b"\x61x\xd8\x1c\x81\xd8\x1d\x00",
            b"\1" * 64,
        )
    ),
    "YWL1:" + "0" * 4000,  # too long
]


@pytest.mark.parametrize("text", MALFORMED_PAYLOADS, ids=[f"case{i}" for i in range(len(MALFORMED_PAYLOADS))])
def test_malformed_payloads(text):
    with pytest.raises(PayloadError) as caught:
        qr_payload.decode(text)
    assert caught.value.code == "format"
    assert caught.value.message.startswith("二维码内容不是有效的电子证照数据")


def test_unknown_claims_and_partial_claims_are_the_format_s_business_of_the_verifier():
    decoded = qr_payload.decode(
        pack(cose(protected_header(), {}, cbor2.dumps({"x": [1, {"y": b"z"}]}), b"\1"))
    )
    assert decoded.claims == {"x": [1, {"y": b"z"}]} and decoded.signature == b"\1"


@pytest.mark.parametrize(
    "claims",
    [
        {**BUSINESS, "sl": "1"},
        {**BUSINESS, "d": {"a": 1}},
        {**BUSINESS, "v": 2},
        {1: "x"},
        "claims",
    ],
)
def test_encode_refuses_claims_decode_would_refuse(claims):
    with pytest.raises(PayloadError):
        qr_payload.encode(claims, KID, signer())


def test_encode_refuses_bad_signatures_kids_and_oversize_payloads():
    with pytest.raises(ValueError, match="64-byte"):
        qr_payload.encode(BUSINESS, KID, lambda data: b"\0" * 70)
    with pytest.raises(ValueError, match="kid"):
        qr_payload.encode(BUSINESS, b"", signer())
    with pytest.raises(ValueError, match="exceeds"):
        qr_payload.encode({**BUSINESS, "d": {f"字段{i}": "数据" * 50 for i in range(60)}}, KID, signer())


@given(st.binary(max_size=2000))
def test_the_table_base45_decoder_agrees_with_the_base45_package(data):
    text = base45.b45encode(data).decode("ascii")
    assert qr_payload.b45decode(text) == base45.b45decode(text) == data


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:abc~\u00e9", max_size=12))
def test_the_table_base45_decoder_refuses_what_the_package_refuses(text):
    try:
        expected = base45.b45decode(text)
    except ValueError:
        with pytest.raises(ValueError):
            qr_payload.b45decode(text)
    else:
        assert qr_payload.b45decode(text) == expected


@given(st.binary(min_size=2, max_size=900), st.integers(min_value=0), st.sampled_from(["::.", ":::", "ZZ:"]))
def test_one_group_out_of_range_anywhere_in_a_long_text_is_refused(data, where, group):
    # Values 65,536 and up fit the decoder's 32-bit slots; the refusal must find one in any slot.
    text = base45.b45encode(data).decode("ascii")
    groups = len(text) // 3
    at = 3 * (where % groups)
    spoiled = text[:at] + group + text[at + 3 :]
    with pytest.raises(ValueError):
        base45.b45decode(spoiled)
    with pytest.raises(ValueError):
        qr_payload.b45decode(spoiled)
