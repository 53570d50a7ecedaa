"""Yiwang as an OpenID Connect provider (统一身份认证): department systems and the mobile app sign
users in through the authorisation code flow with PKCE. Built on django-oauth-toolkit."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from yiwang.accounts.models import AccountKind


class YiwangOIDCValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "preferred_username": "profile",
        "account_kind": "profile",
        "real_name_level": "profile",
        "phone_number": "phone",
        "uscc": "profile",
    }

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "name": user.display_name,
            "preferred_username": user.username,
            "account_kind": user.kind,
            "real_name_level": user.real_name_level,
            "phone_number": user.phone,
        }
        if user.kind == AccountKind.ENTERPRISE and hasattr(user, "enterprise"):
            claims["uscc"] = user.enterprise.uscc
        return claims
