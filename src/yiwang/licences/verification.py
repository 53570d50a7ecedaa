"""Online verification (证照核验): by identifier or by the QR's payload, answering whether the
licence is genuine (signed by a trust-listed seal of its issuer), its status now, and whether the
record is unchanged since it was signed. The public answer masks a person's name and ID number.

Every failure has its own answer and never a 500: a malformed payload, a wrong check character,
an unknown seal, another key's signature, altered data, a withdrawn seal, an identifier nobody
issued, and each status (suspended, revoked, cancelled, expired).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from yiwang.core import masking, rows
from yiwang.licences import identifiers, issuing, qr_payload, seal
from yiwang.licences.models import HolderKind, Licence, SealKey, Status

MESSAGES = {
    "valid": gettext_noop("证照真实有效：由发证机关电子印章签名，内容未被改动，当前状态有效。"),
    "suspended": gettext_noop("证照真实，但已被暂扣，暂扣期间不能使用。"),
    "revoked": gettext_noop("证照真实，但已被撤销或吊销，不能再使用。"),
    "cancelled": gettext_noop("证照真实，但已注销，不能再使用。"),
    "expired": gettext_noop("证照真实，但已过有效期或已失效，不能再使用。"),
    "seal_withdrawn": gettext_noop("签发该证照的电子印章已被撤销，证照不能作为有效凭证，请向发证机关核实。"),
    "bad_signature": gettext_noop("签名验证失败：证照内容被改动过，或不是由发证机关签发的，请勿采信。"),
    "unknown_key": gettext_noop("签名所用的电子印章不在本平台的信任列表中，无法确认真伪，请勿采信。"),
    "altered": gettext_noop("平台记录与签名内容不一致，证照数据可能被篡改，请向发证机关核实。"),
    "not_found": gettext_noop("标识格式正确，但本平台没有签发过该证照，可能是伪造，请勿采信。"),
    "bad_identifier": gettext_noop("证照标识不正确（格式或校验位有误），请核对后重新输入。"),
    "malformed": gettext_noop("无法识别二维码内容：请扫描电子证照上的核验二维码，或完整粘贴其内容。"),
}
STATUS_CODES = {
    Status.VALID: "valid",
    Status.SUSPENDED: "suspended",
    Status.REVOKED: "revoked",
    Status.WITHDRAWN: "revoked",
    Status.CANCELLED: "cancelled",
    Status.EXPIRED: "expired",
    Status.TRANSFERRED: "cancelled",
    Status.OTHER: "cancelled",
}


@dataclass
class Answer:
    code: str
    genuine: bool
    message: str
    unchanged: bool | None = None
    status: str | None = None  # GB/T 36903 code
    status_text: str = ""
    status_reason: str = ""
    licence: dict[str, Any] | None = None
    checked_at: str = field(default_factory=lambda: timezone.now().isoformat())

    @property
    def valid(self) -> bool:
        return self.code == "valid"

    def as_dict(self) -> dict[str, Any]:
        # Shallow: `licence` is built afresh for each answer (dataclasses.asdict deep-copies it,
        # which cost a tenth of a verification request).
        return {f.name: getattr(self, f.name) for f in fields(self)}


@functools.lru_cache(maxsize=16)
def _texts(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Every answer's message and every status's label in `language`: translated once per
    language instead of twice per verification (two `gettext` calls and a lazy label were a
    tenth of a verification's own work). The catalogs do not change while the process runs."""
    with translation.override(language):
        return (
            {code: translation.gettext(text) for code, text in MESSAGES.items()},
            {status.value: str(status.label) for status in Status},
        )


def _answer(code: str, **kwargs: Any) -> Answer:
    messages, _labels = _texts(translation.get_language())
    return Answer(code=code, genuine=kwargs.pop("genuine", False), message=messages[code], **kwargs)


def public_view(licence: Licence) -> dict[str, Any]:
    """What a verifier is shown: the licence's facts, a person's name and ID masked."""
    person = licence.holder_kind == HolderKind.PERSON
    return {
        "identifier": licence.identifier,
        "type": licence.type_name,
        "number": licence.number,
        "version": licence.version,
        "holder": masking.mask_name(licence.holder_name) if person else licence.holder_name,
        "holder_id": issuing.masked_holder_id(licence.holder_kind, licence.holder_id),
        "issuer": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "data": {} if person else licence.shown,
        "kid": licence.seal_key.kid,
    }


def _judge(
    licence: Licence, decoded: qr_payload.Decoded | None, today: dt.date, *, signature_checked: bool = False
) -> Answer:
    """The answer for a licence whose kept payload (or the scanned one) was decoded."""
    key = licence.seal_key
    if decoded is None:
        try:
            decoded = qr_payload.decode(licence.payload)
        except qr_payload.PayloadError:
            return _answer("altered")
    if decoded.kid.hex() != key.kid:
        return _answer("bad_signature")
    if not signature_checked and not seal.verify(
        bytes(key.public_key), decoded.signed_bytes, decoded.signature
    ):
        return _answer("bad_signature")
    signed = {k: v for k, v in decoded.claims.items() if k != qr_payload.URL}
    unchanged = signed == issuing.record_claims(licence)
    view = public_view(licence)
    if not unchanged:
        return _answer("altered", genuine=True, unchanged=False, licence=view)
    if key.withdrawn_at is not None:
        return _answer("seal_withdrawn", unchanged=True, licence=view, status_reason=key.withdrawn_reason)
    status = licence.status
    if status == Status.VALID and licence.valid_until is not None and licence.valid_until < today:
        status = Status.EXPIRED
    return _answer(
        STATUS_CODES[Status(status)],
        genuine=True,
        unchanged=True,
        status=status,
        status_text=_texts(translation.get_language())[1][status],
        status_reason=licence.status_reason if status == licence.status else "",
        licence=view,
    )


def _parses(identifier: str) -> bool:
    try:
        identifiers.parse(identifier)
    except identifiers.InvalidIdentifier:
        return False
    return True


# What a verification reads, and only that: not the licence's full data (personal data the public
# answer does not show), nor the seal's sealed private key, nor timestamps nobody looks at.
_LICENCE_COLUMNS = (
    "identifier",
    "number",
    "version",
    "type_name",
    "issuer_name",
    "issuer_code",
    "holder_kind",
    "holder_name",
    "holder_id",
    "shown",
    "issued_on",
    "valid_from",
    "valid_until",
    "status",
    "status_reason",
    "seal_key_id",
    "payload",
    "status_index",
)
_KEY_COLUMNS = ("kid", "public_key", "withdrawn_at", "withdrawn_reason")


@functools.cache
def _licence_sql(vendor: str) -> str:
    del vendor  # part of the cache key: quoting differs by database
    qn = connection.ops.quote_name
    return (
        f"SELECT {rows.columns(Licence, 'l', _LICENCE_COLUMNS)}, {rows.columns(SealKey, 'k', _KEY_COLUMNS)} "
        f"FROM {qn(Licence._meta.db_table)} l JOIN {qn(SealKey._meta.db_table)} k "
        f"ON k.{qn('id')} = l.{qn('seal_key_id')} WHERE l.{qn('identifier')} = %s"
    )


def _licence(identifier: str) -> Licence | None:
    """The licence with its seal, in one hand-written statement (ADR 7): verification is the
    public's hot path (every scan at a hall), and everything it answers is on these two rows."""
    found = rows.fetch(_licence_sql(connection.vendor), [identifier])
    if found is None:
        return None
    licence, key = rows.build_all((Licence, SealKey), found, (_LICENCE_COLUMNS, _KEY_COLUMNS))
    licence.seal_key = key
    return licence


def _bad_identifier(identifier: str) -> Answer | None:
    """The answer for an identifier that does not parse, naming the rule it breaks; else None."""
    try:
        identifiers.parse(identifier)
    except identifiers.InvalidIdentifier as error:
        answer = _answer("bad_identifier")
        answer.message = f"{answer.message}（{error}）"
        return answer
    return None


def by_identifier(identifier: str, *, today: dt.date | None = None) -> Answer:
    # Looked up once it has the identifier's shape; the check character is computed only when no
    # record has it (`identifiers.well_shaped`): a record's identifier was made with one, and it
    # is among the signed claims `_judge` compares with the record.
    licence = _licence(identifier.strip()) if identifiers.well_shaped(identifier) else None
    if licence is None:
        return _bad_identifier(identifier) or _answer("not_found")
    return _judge(licence, None, today or timezone.localdate())


def by_payload(text: str, *, today: dt.date | None = None) -> Answer:
    """A scanned QR: the signature is checked against the seal it names, then the record."""
    try:
        decoded = qr_payload.decode(text)
    except qr_payload.PayloadError:
        return _answer("malformed")
    identifier = str(decoded.claims.get("id", ""))
    # As `by_identifier`: the check character is computed only when no record has the identifier.
    licence = _licence(identifier) if identifiers.well_shaped(identifier) else None
    if licence is not None and licence.seal_key.kid == decoded.kid.hex():
        key = licence.seal_key  # the usual scan: the record and its seal in one statement
    else:
        key = SealKey.objects.filter(kid=decoded.kid.hex()).first()
        if key is None:
            return _answer("unknown_key")
    if not seal.verify(bytes(key.public_key), decoded.signed_bytes, decoded.signature):
        return _answer("bad_signature")
    if licence is None:
        return _answer("not_found" if _parses(identifier) else "bad_identifier")
    return _judge(
        licence, decoded, today or timezone.localdate(), signature_checked=key.pk == licence.seal_key_id
    )
