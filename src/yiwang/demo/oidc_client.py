"""The demo relying party: a department system that signs users in through Yiwang's OpenID Connect
provider (统一身份认证). A public client, so it proves itself with PKCE rather than a secret."""

from __future__ import annotations

from oauth2_provider.models import Application, get_application_model

DEMO_CLIENT_ID = "yiwang-demo-dept"
DEMO_CLIENT_NAME = "部门业务系统（演示）"
DEMO_REDIRECT_URIS = (
    "http://127.0.0.1:8000/oidc-demo/callback",
    "http://localhost:8000/oidc-demo/callback",
)


def ensure_demo_client() -> Application:
    """Register the demo client, or bring it back to its declared settings; running it again
    changes nothing."""
    model = get_application_model()
    wanted = {
        "name": DEMO_CLIENT_NAME,
        "client_type": model.CLIENT_PUBLIC,
        "authorization_grant_type": model.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": " ".join(DEMO_REDIRECT_URIS),
        "algorithm": model.RS256_ALGORITHM,
        "skip_authorization": False,
    }
    app = model.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if app is None:
        app = model(client_id=DEMO_CLIENT_ID, **wanted)
    elif all(getattr(app, field) == value for field, value in wanted.items()):
        return app
    else:
        for field, value in wanted.items():
            setattr(app, field, value)
    app.full_clean()
    app.save()
    return app
