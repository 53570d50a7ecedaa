"""Offline verification: every verdict reached from documents built here, with no database."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zlib

import base45
import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.licences import identifiers, offline, qr_payload, seal, status_list

NOW = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
ISSUER_A = "11159900MB1234567X"
ISSUER_B = "11159900MB7654321Y"
TYPE = "11100000000013127D001"

KEY_A = seal.generate()  # issuer A's current seal
KEY_B = seal.generate()  # issuer B's seal
KEY_WITHDRAWN = seal.generate()  # issuer A's earlier seal, withdrawn
KEY_STRAY = seal.generate()  # in no trust list


def kid(pair: seal.KeyPair) -> bytes:
    return seal.key_id(pair.public)


def entry(pair: seal.KeyPair, issuer_code: str, issuer: str, *, withdrawn: bool = False) -> dict:
    return {
        "kid": kid(pair).hex(),
        "alg": "SM2-SM3",
        "public_key": pair.public.hex(),
        "issuer_code": issuer_code,
        "issuer": issuer,
        "valid_from": "2024-01-01T00:00:00Z",
        "valid_until": "2025-01-01T00:00:00Z" if withdrawn else None,
        "withdrawn_at": "2025-01-01T00:00:00Z" if withdrawn else None,
        "withdrawn_reason": "印章遗失" if withdrawn else "",
    }


TRUST = {
    "type": "YiwangTrustList",
    "issued_at": "2025-06-01T00:00:00Z",
    "keys": [
        entry(KEY_A, ISSUER_A, "青山市市场监督管理局"),
        entry(KEY_B, ISSUER_B, "北河县市场监督管理局"),
        entry(KEY_WITHDRAWN, ISSUER_A, "青山市市场监督管理局", withdrawn=True),
    ],
}

# Status-list entries of the licences below.
INDEX_VALID, INDEX_SUSPENDED, INDEX_REVOKED, INDEX_CANCELLED = 100, 101, 102, 103


def status_doc(
    issuer_code: str = ISSUER_A,
    signer: seal.KeyPair = KEY_A,
    *,
    issued_at: dt.datetime = NOW - dt.timedelta(hours=1),
    ttl: int = 86400,
) -> dict:
    bits = status_list.new()
    status_list.set_status(bits, INDEX_SUSPENDED, status_list.SUSPENDED)
    status_list.set_status(bits, INDEX_REVOKED, status_list.REVOKED)
    status_list.set_status(bits, INDEX_CANCELLED, status_list.INVALID)
    return status_list.make_document(
        issuer_code,
        "发证机关",
        bits,
        issued_at,
        ttl,
        kid(signer),
        lambda data: seal.sign(signer.private, data),
    )


LISTS = {ISSUER_A: status_doc(), ISSUER_B: status_doc(ISSUER_B, KEY_B)}


def claims(issuer_code: str = ISSUER_A, **changes) -> dict:
    identifier = identifiers.make(TYPE, issuer_code, 42, 1)
    base = {
        "v": 1,
        "id": identifier,
        "n": "食品经营许可证",
        "no": "JY11599020000123",
        "h": "青山市好味道餐饮有限公司",
        "hi": "91159900MA********",
        "d": {"经营场所": "青山市城关区迎宾路18号", "主体业态": "餐饮服务经营者"},
        "is": "青山市市场监督管理局",
        "ic": issuer_code,
        "f": "2025-01-01",
        "u": "2029-12-31",
        "t": "2025-01-01",
        "sl": INDEX_VALID,
        "url": "https://zwfw.qingshan.gov.cn/licences/verify/?id=" + identifier,
    }
    return {**base, **changes}


def qr(signer: seal.KeyPair = KEY_A, key_of: seal.KeyPair | None = None, **changes) -> str:
    """QR text of claims(**changes) signed by `signer`, naming the kid of `key_of` (default: signer)."""
    issuer = changes.pop("issuer_code", ISSUER_A)
    return qr_payload.encode(
        claims(issuer, **changes), kid(key_of or signer), lambda data: seal.sign(signer.private, data)
    )


def verify(
    text: str, trust: dict = TRUST, lists: dict = LISTS, today: dt.date = TODAY, now: dt.datetime = NOW
):
    return offline.verify(text, trust, lists, today, now)


def assert_verdict(verdict: offline.Verdict, code: str, genuine: bool, *, has_claims: bool) -> None:
    assert verdict.code == code, verdict
    assert verdict.genuine is genuine
    assert verdict.message == offline.MESSAGES[code]
    assert (verdict.claims is not None) is has_claims


# --- Each verdict -------------------------------------------------------------------------------------


def test_valid():
    verdict = verify(qr())
    assert_verdict(verdict, "valid", True, has_claims=True)
    assert verdict.claims == claims() and verdict.key == TRUST["keys"][0]
    assert verdict.message == "证照真实有效"


def test_valid_for_issuer_b_and_on_the_last_day():
    assert verify(qr(KEY_B, issuer_code=ISSUER_B)).code == "valid"
    assert verify(qr(u="2025-06-01")).code == "valid"  # valid until is inclusive
    assert verify(qr(f="2025-06-01")).code == "valid"
    assert verify(qr(u=None)).code == "valid"  # long-term


@pytest.mark.parametrize(
    "text", ["", "hello", "YWL1:", "YWL1:%%%", "https://example.com/?id=1", "x" * 100_000]
)
def test_malformed(text):
    assert_verdict(verify(text), "malformed", False, has_claims=False)


@given(st.text())
def test_any_text_gets_a_verdict(text):
    assert verify(text).code in offline.CODES


def test_unknown_key():
    verdict = verify(qr(KEY_STRAY))
    assert_verdict(verdict, "unknown_key", False, has_claims=False)
    assert verdict.key is None


def _tampered(text: str, **changes) -> str:
    """The claims changed, the old signature kept (what a forger who edits a QR code gets)."""
    inflater = zlib.decompressobj(zdict=qr_payload.DICTIONARY)
    tag = cbor2.loads(inflater.decompress(base45.b45decode(text[len(qr_payload.PREFIX) :])))
    protected, _unprotected, payload, signature = tag.value
    altered = cbor2.dumps({**cbor2.loads(payload), **changes})
    data = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, altered, signature]))
    return qr_payload.PREFIX + base45.b45encode(zlib.compress(data, 9)).decode()


def test_bad_signature_when_a_field_is_changed():
    original = qr()
    tampered = _tampered(original, h="别人的公司")
    assert verify(_tampered(original)).code == "valid"  # the helper itself changes nothing else
    verdict = verify(tampered)
    assert_verdict(verdict, "bad_signature", False, has_claims=False)
    assert verdict.key == TRUST["keys"][0]
    for change in ({"u": "2099-12-31"}, {"sl": INDEX_VALID + 1}, {"d": {}}, {"ic": ISSUER_B}):
        assert verify(_tampered(original, **change)).code == "bad_signature"


def test_bad_signature_from_another_key_under_the_right_kid():
    assert_verdict(verify(qr(KEY_STRAY, key_of=KEY_A)), "bad_signature", False, has_claims=False)
    assert verify(qr(KEY_B, key_of=KEY_A)).code == "bad_signature"


def test_bad_identifier():
    good = claims()["id"]
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    verdict = verify(qr(id=wrong_check))
    assert_verdict(verdict, "bad_identifier", True, has_claims=True)
    assert verify(qr(id="not an identifier")).code == "bad_identifier"
    no_id = claims()
    del no_id["id"]
    text = qr_payload.encode(no_id, kid(KEY_A), lambda data: seal.sign(KEY_A.private, data))
    assert verify(text).code == "bad_identifier"


def test_issuer_mismatch():
    # Issuer A's seal on a licence naming issuer B.
    verdict = verify(qr(KEY_A, issuer_code=ISSUER_B))
    assert_verdict(verdict, "issuer_mismatch", False, has_claims=True)


def test_seal_withdrawn():
    verdict = verify(qr(KEY_WITHDRAWN))
    assert_verdict(verdict, "seal_withdrawn", False, has_claims=True)
    assert verdict.key["withdrawn_reason"] == "印章遗失"


def test_withdrawal_counts_whatever_the_clock_says():
    assert (
        verify(qr(KEY_WITHDRAWN), today=dt.date(2024, 6, 1), now=NOW.replace(year=2024)).code
        == "seal_withdrawn"
    )


def test_not_yet_valid_and_expired():
    assert_verdict(verify(qr(f="2025-06-02")), "not_yet_valid", True, has_claims=True)
    assert_verdict(verify(qr(u="2025-05-31")), "expired", True, has_claims=True)


@pytest.mark.parametrize(
    ("index", "code"),
    [(INDEX_SUSPENDED, "suspended"), (INDEX_REVOKED, "revoked"), (INDEX_CANCELLED, "cancelled")],
)
def test_status_from_the_list(index, code):
    assert_verdict(verify(qr(sl=index)), code, True, has_claims=True)


def test_status_unknown_without_a_list():
    assert_verdict(verify(qr(), lists={}), "status_unknown", True, has_claims=True)
    assert verify(qr(), lists={ISSUER_B: LISTS[ISSUER_B]}).code == "status_unknown"


def test_status_unknown_with_a_stale_list():
    stale = {ISSUER_A: status_doc(issued_at=NOW - dt.timedelta(days=2))}
    assert_verdict(verify(qr(sl=INDEX_REVOKED), lists=stale), "status_unknown", True, has_claims=True)
    ends_now = {ISSUER_A: status_doc(issued_at=NOW - dt.timedelta(seconds=60), ttl=60)}
    assert verify(qr(), lists=ends_now).code == "status_unknown"


def test_status_unknown_when_the_list_is_not_the_issuer_s():
    cases = {
        "another issuer's seal": status_doc(ISSUER_A, KEY_B),
        "a seal in no trust list": status_doc(ISSUER_A, KEY_STRAY),
        "a withdrawn seal": status_doc(ISSUER_A, KEY_WITHDRAWN),
        "filed under the wrong issuer": status_doc(ISSUER_B, KEY_B),
    }
    for why, doc in cases.items():
        assert verify(qr(sl=INDEX_REVOKED), lists={ISSUER_A: doc}).code == "status_unknown", why


def test_status_unknown_when_the_list_was_altered():
    doc = status_doc()
    cleared = status_list.encode(status_list.new())  # someone "un-revokes" everything
    for change in (
        {"encoded_list": cleared},
        {"valid_until": "2099-01-01T00:00:00Z"},
        {"signature": "00" * 64},
        {"signature": "not hex"},
        {"kid": None},
        {"bits": 1},
        {"length": 1024},
        {"type": "Other"},
        {"encoded_list": "u" + "A" * 10},
        {"valid_until": "tomorrow"},
    ):
        verdict = verify(qr(sl=INDEX_REVOKED), lists={ISSUER_A: {**doc, **change}})
        assert verdict.code == "status_unknown", change
    assert verify(qr(sl=INDEX_REVOKED), lists={ISSUER_A: "not a document"}).code == "status_unknown"


def test_status_unknown_for_an_index_outside_the_list():
    assert verify(qr(sl=status_list.LENGTH)).code == "status_unknown"
    assert verify(qr(sl=-1)).code == "status_unknown"


def test_signed_claims_missing_what_verification_needs_are_malformed():
    for change in ({"f": "2025/01/01"}, {"u": "someday"}, {"f": "2025-02-30"}):
        verdict = verify(qr(**change))
        assert verdict.code == "malformed" and verdict.genuine, change
    for missing in ("sl", "f", "u"):
        partial = claims()
        del partial[missing]
        text = qr_payload.encode(partial, kid(KEY_A), lambda data: seal.sign(KEY_A.private, data))
        assert verify(text).code == "malformed", missing


def test_documents_survive_json():
    trust, lists = json.loads(json.dumps(TRUST)), json.loads(json.dumps(LISTS))
    assert verify(qr(sl=INDEX_SUSPENDED), trust=trust, lists=lists).code == "suspended"


# --- Messages -----------------------------------------------------------------------------------------


def test_every_code_has_a_chinese_and_an_english_message():
    codes = {
        "malformed",
        "bad_identifier",
        "unknown_key",
        "bad_signature",
        "seal_withdrawn",
        "issuer_mismatch",
        "not_yet_valid",
        "expired",
        "suspended",
        "revoked",
        "cancelled",
        "status_unknown",
        "valid",
    }
    assert set(offline.MESSAGES) == set(offline.ENGLISH) == set(offline.CODES) == codes
    assert len(set(offline.MESSAGES.values())) == len(codes)
    assert all(any("\u4e00" <= c <= "\u9fff" for c in text) for text in offline.MESSAGES.values())
    assert all(text.isascii() for text in offline.ENGLISH.values())


# --- The trust list and the Verifier ------------------------------------------------------------------


def test_malformed_trust_entries_are_skipped():
    forged_kid = {**entry(KEY_A, ISSUER_A, "x"), "kid": kid(KEY_B).hex()}  # kid not the key's id
    unreadable_withdrawal = {**entry(KEY_B, ISSUER_B, "y"), "withdrawn_at": "yesterday"}
    trust = {
        **TRUST,
        "keys": [forged_kid, unreadable_withdrawal, {"kid": "zz"}, "text", {**TRUST["keys"][0]}],
    }
    verifier = offline.Verifier(trust, LISTS)
    assert len(verifier.skipped) == 4 and set(verifier.keys) == {kid(KEY_A)}
    assert verifier.verify(qr(), TODAY, NOW).code == "valid"
    assert verifier.verify(qr(KEY_B, issuer_code=ISSUER_B), TODAY, NOW).code == "unknown_key"
    duplicate = {**TRUST, "keys": [TRUST["keys"][0], {**TRUST["keys"][0], "issuer_code": ISSUER_B}]}
    assert offline.Verifier(duplicate, LISTS).keys[kid(KEY_A)].issuer_code == ISSUER_A


@pytest.mark.parametrize("trust", [{}, {"type": "YiwangTrustList"}, {"type": "Other", "keys": []}, []])
def test_a_document_that_is_no_trust_list_is_refused(trust):
    with pytest.raises(ValueError):
        offline.Verifier(trust, LISTS)


def test_now_must_be_aware():
    with pytest.raises(ValueError):
        offline.Verifier(TRUST, LISTS).verify(qr(), TODAY, NOW.replace(tzinfo=None))


def test_the_module_function_reuses_the_verifier_for_the_same_documents():
    verify(qr())
    first = offline._last[2]
    verify(qr(sl=INDEX_REVOKED))
    assert offline._last[2] is first
    assert verify(qr(sl=INDEX_REVOKED), lists=dict(LISTS)).code == "revoked"
    assert offline._last[2] is not first


def test_a_verifier_decodes_each_status_list_once(monkeypatch):
    verifier = offline.Verifier(TRUST, LISTS)
    calls = []
    original = status_list.decode
    monkeypatch.setattr(status_list, "decode", lambda text: calls.append(1) or original(text))
    for index in (INDEX_VALID, INDEX_REVOKED, INDEX_SUSPENDED):
        verifier.verify(qr(sl=index), TODAY, NOW)
    assert len(calls) == 1


def test_the_offline_modules_need_no_django():
    code = (
        "import sys; import yiwang.licences.offline, yiwang.licences.identifiers;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
