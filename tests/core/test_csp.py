"""The Content-Security-Policy header (issue 9, item 4): nothing from the request reaches it. On the
OpenID Connect consent page only a registered client's registered redirect origin, rebuilt from
validated parts, is added to `form-action`."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pytest
from oauth2_provider.models import get_application_model

from yiwang.accounts import services
from yiwang.core.middleware import CONTENT_SECURITY_POLICY, origin_of

Application = get_application_model()
PROBE = "/o/authorize/?client_id=nosuch&redirect_uri=https://evil.example;%20report-uri%20https://x"
REDIRECT_URI = "https://dept.example.cn/oidc/callback"


@pytest.fixture
def person(db, id_number):
    return services.register_person(
        username="csp.person",
        password="Qingshan#2025",
        name="张三",
        id_number=id_number(),
        phone="13800138000",
    )


def make_app(client_id: str = "qingshan-budongchan", redirect_uris: str = REDIRECT_URI):
    return Application.objects.create(
        name="青山市不动产登记系统",
        client_id=client_id,
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uris,
        algorithm=Application.RS256_ALGORITHM,
    )


def authorize(client, client_id: str, **overrides: str):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    } | overrides
    return client.get("/o/authorize/", {k: v for k, v in params.items() if v is not None})


def form_action(response) -> str:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    return directives["form-action"]


@pytest.mark.django_db
def test_the_probe_puts_nothing_of_its_own_in_the_header(client, person):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(person)
        response = client.get(PROBE)
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, signed_in
        assert "evil" not in response["Content-Security-Policy"]
        assert "report-uri" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_registered_client_with_its_registered_uri_gets_its_origin(client, person):
    make_app()
    client.force_login(person)
    response = authorize(client, "qingshan-budongchan")
    assert response.status_code == 200
    assert 'id="authorizationForm"' in response.content.decode()
    assert form_action(response) == "'self' https://dept.example.cn"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' https://dept.example.cn"
    )
    # Without a redirect_uri the only registered one is used, so its origin is allowed.
    response = authorize(client, "qingshan-budongchan", redirect_uri=None)
    assert form_action(response) == "'self' https://dept.example.cn"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example;%20report-uri%20https://x",
        "https://evil.example; report-uri https://x",
        "https://evil.example/oidc/callback",
        REDIRECT_URI + "/../../elsewhere",
        "https://dept.example.cn;script-src *",
    ],
)
def test_a_registered_client_with_another_uri_gets_the_plain_policy(client, person, redirect_uri):
    make_app()
    client.force_login(person)
    response = authorize(client, "qingshan-budongchan", redirect_uri=redirect_uri)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_an_odd_registered_uri_enters_only_as_a_validated_origin(client, person):
    make_app("with-port", "https://Dept.Example.cn:8443/cb?x=1")
    client.force_login(person)
    response = authorize(client, "with-port", redirect_uri="https://Dept.Example.cn:8443/cb?x=1")
    assert form_action(response) == "'self' https://dept.example.cn:8443"


def test_origin_of_rebuilds_only_valid_origins():
    assert origin_of("https://dept.example.cn/oidc/callback") == "https://dept.example.cn"
    assert origin_of("http://127.0.0.1:8001/cb") == "http://127.0.0.1:8001"
    assert origin_of("https://[2001:db8::1]:444/cb") == "https://[2001:db8::1]:444"
    assert origin_of("https://user:pw@dept.example.cn/cb") == "https://dept.example.cn"
    for bad in (
        "https://evil.example; report-uri https://x",
        "https://evil.example;%20report-uri%20https://x",
        "https://dept.example.cn:99999/cb",
        "https://dept.example.cn:80x/cb",
        "javascript://dept.example.cn/%0aalert(1)",
        "data:text/html,hi",
        "https:///cb",
        "https://a b/cb",
        "https://'unsafe-inline'/cb",
        "",
    ):
        assert origin_of(bad) is None, bad
