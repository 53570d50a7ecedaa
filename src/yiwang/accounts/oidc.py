"""Yiwang as an OpenID Connect provider (统一身份认证): department systems and the mobile app sign
users in through the authorisation code flow with PKCE. Built on django-oauth-toolkit (DOT).

The claims a client receives depend on the scopes the user granted:

- ``openid``: ``sub`` (the account's stable id);
- ``profile``: ``name``, ``preferred_username``, ``account_kind``, ``real_name_level`` and, for an
  enterprise (法人) account, ``uscc``;
- ``phone``: ``phone_number`` (E.164, e.g. ``+8613800138000``) and ``phone_number_verified``.

A claim with no value (a staff account without a phone, ``uscc`` for a person) is left out rather
than sent as null, as OpenID Connect Core 5.3.2 asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from yiwang.accounts.models import AccountKind, User

_NON_DIGITS = re.compile(r"\D")


def phone_e164(phone: str) -> str:
    """A mainland number in E.164: ``13800138000`` → ``+8613800138000``, ``0471-1234567`` →
    ``+864711234567``. Anything else is returned trimmed, unchanged."""
    phone = (phone or "").strip()
    digits = _NON_DIGITS.sub("", phone)
    if len(digits) == 11 and digits.startswith("1"):
        return f"+86{digits}"
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return f"+86{digits[1:]}"
    return phone


def _uscc(user: User) -> str | None:
    if user.kind == AccountKind.ENTERPRISE and hasattr(user, "enterprise"):
        return user.enterprise.uscc
    return None


def _phone(user: User) -> str | None:
    return phone_e164(user.phone) or None


Claim = Callable[[Any], Any]

# Claim name → (scope that releases it, how to read it from the oauthlib request's user).
CLAIMS: dict[str, tuple[str, Claim]] = {
    "name": ("profile", lambda request: request.user.display_name),
    "preferred_username": ("profile", lambda request: request.user.username),
    "account_kind": ("profile", lambda request: str(request.user.kind)),
    "real_name_level": ("profile", lambda request: int(request.user.real_name_level)),
    "uscc": ("profile", lambda request: _uscc(request.user)),
    "phone_number": ("phone", lambda request: _phone(request.user)),
    # No SMS check proves the holder owns the number yet; say so rather than stay silent.
    "phone_number_verified": ("phone", lambda request: False if request.user.phone else None),
}


class YiwangOIDCValidator(OAuth2Validator):
    """DOT's validator with Yiwang's claims, each released only under its scope."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        **{claim: scope for claim, (scope, _read) in CLAIMS.items()},
    }

    def get_additional_claims(self) -> dict[str, Claim]:
        """Claims as callables. Taking no request makes DOT list them in the discovery
        document's ``claims_supported``; DOT calls each with the request when issuing."""
        return {claim: read for claim, (_scope, read) in CLAIMS.items()}

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        """The granted claims (for the ID token and userinfo), without empty ones."""
        claims = super().get_oidc_claims(token, token_handler, request)
        return {key: value for key, value in claims.items() if value not in (None, "")}

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        """PKCE is required (settings), and only with S256. A challenge sent with ``plain`` or
        without a method (which RFC 7636 reads as ``plain``) is refused here, while the
        authorisation request is checked, so the user never agrees to a request that would fail
        afterwards. DOT alone refuses ``plain`` only when it creates the code."""
        if request.code_challenge is not None and request.code_challenge_method != "S256":
            raise errors.UnsupportedCodeChallengeMethodError(
                description='Only the "S256" code_challenge_method is supported.', request=request
            )
        return super().is_pkce_required(client_id, request)

    def validate_bearer_token(self, token: str, scopes: list[str], request: Any) -> bool:
        """Refuse an access token carried in the URL query (RFC 9700 4.3.2: it leaks into logs
        and Referer headers). DOT enforces this for protected resources but not for its own
        userinfo endpoint; the header and, for userinfo, a form body remain accepted."""
        if token and token in parse_qs(urlsplit(request.uri or "").query).get("access_token", []):
            return False
        return super().validate_bearer_token(token, scopes, request)
