"""Verifying a licence's QR code with no server and no database: only the published trust list (the
seals' public keys) and the issuers' signed status lists, downloaded beforehand.

Trust list document (`keys.trust_list` publishes it):

    {"type": "YiwangTrustList", "issued_at": ISO,
     "keys": [{"kid": hex, "alg": "SM2-SM3", "public_key": hex (65 bytes), "issuer_code": USCC,
               "issuer": name, "valid_from": ISO, "valid_until": ISO | None,
               "withdrawn_at": ISO | None, "withdrawn_reason": text}]}

Status lists: issuer code → the issuer's status list document (`status_list.make_document`).

The checks run in the order that gives the most useful answer to the person holding the scanner:

    decode → key in trust list → signature → identifier → issuer matches key → seal not withdrawn
    → validity dates → status list (its own signature, freshness, the licence's entry) → valid

`Verdict.genuine` is true when a trust-listed seal of the named issuer signed exactly this content
and has not been withdrawn — whatever the licence's status (expired, revoked, status unknown…).
Claims are returned whenever a trust-listed key's signature verified (with `genuine` false for a
withdrawn seal or another issuer's seal, so a screen must label them), and never for content whose
signature failed or whose key is unknown: a screen must not show a forger's text as licence data.

`Verifier` parses the trust list once (public keys loaded, kids checked against their keys) and
each status list once, on first use (signature checked, bitstring decoded), so a verifier that
scans all day pays for the documents once; the module function `verify` keeps the last Verifier for
the same two document objects. Documents are treated as immutable: pass new objects to update.

Pure: no Django.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from typing import Any

from yiwang.licences import identifiers, qr_payload, seal, status_list

TRUST_LIST_TYPE = "YiwangTrustList"

MESSAGES = {
    "malformed": "无法识别：二维码内容不是有效的电子证照数据，可能不是电子证照二维码或已损坏",
    "bad_identifier": "证照标识无效：签章正确，但证照标识不符合规范，请联系发证机关核实",
    "unknown_key": "无法核验：签发证照的电子印章不在信任列表中，证照可能是伪造的，或需要更新信任列表",
    "bad_signature": "签章验证失败：证照内容与电子印章不符，证照系伪造或已被篡改",
    "seal_withdrawn": "电子印章已撤销：签发该证照的印章已被撤销，其签发的证照不再作为有效凭证，请联系发证机关",
    "issuer_mismatch": "发证机关不符：证照所载发证机关与签章的印章所属机关不一致，证照不可信",
    "not_yet_valid": "证照尚未生效：未到有效期起始日期",
    "expired": "证照已过有效期",
    "suspended": "证照已被暂扣，暂扣期间不能作为有效凭证使用",
    "revoked": "证照已被撤销（吊销），不再有效",
    "cancelled": "证照已注销或失效，不再有效",
    "status_unknown": "证照真实，但无法离线确认当前状态：缺少发证机关有效的状态列表，请更新状态列表或联网核验",
    "valid": "证照真实有效",
}

ENGLISH = {
    "malformed": "Unreadable: the QR code does not hold valid licence data; it may not be a licence QR code, or it is damaged.",
    "bad_identifier": "Invalid identifier: the seal is correct but the licence identifier is malformed; contact the issuer.",
    "unknown_key": "Cannot verify: the seal that signed this licence is not in the trust list; the licence may be forged, or the trust list needs updating.",
    "bad_signature": "Signature check failed: the content does not match the seal; the licence is forged or has been altered.",
    "seal_withdrawn": "Seal withdrawn: the seal that signed this licence has been withdrawn and its licences no longer count; contact the issuer.",
    "issuer_mismatch": "Issuer mismatch: the issuer named on the licence is not the owner of the seal that signed it; the licence cannot be trusted.",
    "not_yet_valid": "Not yet valid: the licence's validity has not begun.",
    "expired": "Expired: the licence is past its validity.",
    "suspended": "Suspended: the licence has been suspended and cannot be used meanwhile.",
    "revoked": "Revoked: the licence has been revoked and is no longer valid.",
    "cancelled": "Cancelled: the licence has been cancelled or has lapsed and is no longer valid.",
    "status_unknown": "Genuine, but its current status cannot be confirmed offline: no current status list from the issuer; update the status lists or verify online.",
    "valid": "Genuine and valid.",
}

CODES = tuple(MESSAGES)

_STATUS_CODES = {
    status_list.SUSPENDED: "suspended",
    status_list.REVOKED: "revoked",
    status_list.INVALID: "cancelled",
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Verdict:
    """The answer for one QR code: `code` (one of CODES), whether the licence is genuine, the
    Chinese message to show (`ENGLISH[code]` for the English one), the claims when they may be
    shown, and the trust list's entry for the signing key when the key is known."""

    code: str
    genuine: bool
    message: str
    claims: dict | None
    key: dict | None


def _verdict(
    code: str, *, genuine: bool = False, claims: dict | None = None, key: dict | None = None
) -> Verdict:
    return Verdict(code, genuine, MESSAGES[code], claims, key)


def _moment(value: Any) -> dt.datetime | None:
    """An aware datetime from ISO text (None for anything else, naive times included)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None and moment.utcoffset() is not None else None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Key:
    entry: dict
    public: bytes
    issuer_code: str
    withdrawn_at: dt.datetime | None


@dataclass(frozen=True)
class _List:
    bits: bytes | None  # None: the list is unusable (bad signature, not this issuer's, malformed)
    valid_until: dt.datetime | None


def _load_key(entry: Any) -> tuple[bytes, _Key] | None:
    if not isinstance(entry, dict) or entry.get("alg") != seal.ALGORITHM_NAME:
        return None
    try:
        kid = bytes.fromhex(entry["kid"])
        public = bytes.fromhex(entry["public_key"])
    except (KeyError, TypeError, ValueError):
        return None
    issuer_code = entry.get("issuer_code")
    if seal.key_id(public) != kid or not isinstance(issuer_code, str):
        return None
    withdrawn = entry.get("withdrawn_at")
    withdrawn_at = _moment(withdrawn)
    if withdrawn is not None and withdrawn_at is None:
        return None  # a withdrawal we cannot read must not leave the key trusted
    return kid, _Key(entry, public, issuer_code, withdrawn_at)


class Verifier:
    """Verification against one trust list and one set of status lists, prepared once.

    Malformed trust list entries (unreadable, or whose kid is not the key's id) are skipped and
    listed in `skipped`, so the licences they signed verify as "unknown_key" instead of the whole
    list being refused.
    """

    def __init__(self, trust: dict, status_lists: dict[str, dict]) -> None:
        if not isinstance(trust, dict) or trust.get("type") != TRUST_LIST_TYPE:
            raise ValueError("not a YiwangTrustList document")
        entries = trust.get("keys")
        if not isinstance(entries, list):
            raise ValueError("the trust list has no keys list")
        self.trust = trust
        self.status_lists = status_lists
        self.keys: dict[bytes, _Key] = {}
        self.skipped: list[Any] = []
        for entry in entries:
            loaded = _load_key(entry)
            if loaded is None or loaded[0] in self.keys:
                self.skipped.append(entry)
                continue
            self.keys[loaded[0]] = loaded[1]
        self._lists: dict[str, _List] = {}
        self._lock = threading.Lock()

    # --- status lists --------------------------------------------------------------------------

    def _prepare_list(self, issuer_code: str) -> _List:
        doc = self.status_lists.get(issuer_code) if isinstance(self.status_lists, dict) else None
        if not isinstance(doc, dict):
            return _List(None, None)
        valid_until = _moment(doc.get("valid_until"))
        if (
            doc.get("type") != status_list.DOCUMENT_TYPE
            or doc.get("issuer_code") != issuer_code
            or doc.get("bits") != status_list.BITS
            or doc.get("length") != status_list.LENGTH
            or valid_until is None
        ):
            return _List(None, None)
        try:
            key = self.keys.get(bytes.fromhex(doc["kid"]))
            signature = bytes.fromhex(doc["signature"])
        except (KeyError, TypeError, ValueError):
            return _List(None, None)
        # Signed by a seal of this issuer that has not been withdrawn (a withdrawn seal may be in
        # the wrong hands, who could otherwise vouch for revoked licences).
        if key is None or key.issuer_code != issuer_code or key.withdrawn_at is not None:
            return _List(None, None)
        try:
            signed = status_list.document_signing_bytes(doc)
        except (TypeError, ValueError):
            return _List(None, None)
        if not seal.verify(key.public, signed, signature):
            return _List(None, None)
        try:
            bits = status_list.decode(doc.get("encoded_list"))
        except status_list.StatusListError:
            return _List(None, None)
        return _List(bits, valid_until)

    def _list(self, issuer_code: str) -> _List:
        prepared = self._lists.get(issuer_code)
        if prepared is None:
            with self._lock:
                prepared = self._lists.get(issuer_code)
                if prepared is None:
                    prepared = self._lists[issuer_code] = self._prepare_list(issuer_code)
        return prepared

    # --- verification ----------------------------------------------------------------------------

    def verify(self, text: str, today: dt.date, now: dt.datetime) -> Verdict:
        """The verdict for QR text `text` on `today` at `now` (aware: status lists expire by it).
        Raises only for a naive `now`; any text gets a Verdict."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be an aware datetime")
        try:
            decoded = qr_payload.decode(text)
        except qr_payload.PayloadError:
            return _verdict("malformed")

        key = self.keys.get(decoded.kid)
        if key is None:
            return _verdict("unknown_key")
        if decoded.alg != seal.ALGORITHM or not seal.verify(
            key.public, decoded.signed_bytes, decoded.signature
        ):
            return _verdict("bad_signature", key=key.entry)

        claims = decoded.claims
        # Any recorded withdrawal counts, even one stamped later than this computer's clock says it
        # is: a verifier's clock running slow must not revive a withdrawn seal.
        withdrawn = key.withdrawn_at is not None
        try:
            identifiers.parse(claims.get(qr_payload.IDENTIFIER))
        except identifiers.InvalidIdentifier:
            return _verdict("bad_identifier", genuine=not withdrawn, claims=claims, key=key.entry)
        if claims.get(qr_payload.ISSUER_CODE) != key.issuer_code:
            return _verdict("issuer_mismatch", claims=claims, key=key.entry)
        if withdrawn:
            return _verdict("seal_withdrawn", claims=claims, key=key.entry)

        genuine = {"genuine": True, "claims": claims, "key": key.entry}
        valid_from = _date(claims.get(qr_payload.VALID_FROM))
        until_text = claims.get(qr_payload.VALID_UNTIL)
        valid_until = _date(until_text)
        index = claims.get(qr_payload.STATUS_INDEX)
        if (
            valid_from is None
            or qr_payload.VALID_UNTIL not in claims  # absent is not long-term: None says that
            or (until_text is not None and valid_until is None)
            or not isinstance(index, int)
        ):
            # Signed by the issuer, but without what verification needs: an issuer's fault.
            return _verdict("malformed", **genuine)
        if today < valid_from:
            return _verdict("not_yet_valid", **genuine)
        if valid_until is not None and valid_until < today:
            return _verdict("expired", **genuine)

        listed = self._list(key.issuer_code)
        if listed.bits is None or listed.valid_until is None or listed.valid_until <= now:
            return _verdict("status_unknown", **genuine)
        try:
            value = status_list.get_status(listed.bits, index)
        except IndexError:
            return _verdict("status_unknown", **genuine)
        return _verdict(_STATUS_CODES.get(value, "valid"), **genuine)


_last: tuple[dict, dict, Verifier] | None = None


def verify(
    text: str, trust: dict, status_lists: dict[str, dict], today: dt.date, now: dt.datetime
) -> Verdict:
    """Verify QR text against a trust list and status lists (see `Verifier`). The prepared Verifier
    is kept for the same two document objects, so repeated calls cost only the QR's own work."""
    global _last
    last = _last
    if last is not None and last[0] is trust and last[1] is status_lists:
        verifier = last[2]
    else:
        verifier = Verifier(trust, status_lists)
        _last = (trust, status_lists, verifier)
    return verifier.verify(text, today, now)
