"""Yiwang as an OpenID Connect provider: discovery, keys, the authorisation code flow with PKCE up to
a verified ID token, and the requests it must refuse."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from oauth2_provider.models import AccessToken, Grant, get_application_model

from yiwang.accounts import services
from yiwang.accounts.models import User
from yiwang.accounts.oidc import phone_e164
from yiwang.core.identifiers import ric_check_digit, uscc_with_check
from yiwang.demo.oidc_client import DEMO_CLIENT_ID, DEMO_REDIRECT_URIS, ensure_demo_client

Application = get_application_model()

ISSUER = "http://testserver/o"
REDIRECT_URI = "https://dept.example.cn/oidc/callback"
PASSWORD = "Qingshan#2025"
ID_BODY = "11010519491231002"
ID_NUMBER = ID_BODY + ric_check_digit(ID_BODY)
USCC = uscc_with_check("91159902MA0T4321X")


# --- Fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _issuer_from_the_request(settings) -> None:
    """The tests expect the issuer derived from the test host, whatever the environment says."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": ""}


@pytest.fixture
def person(db) -> User:
    return services.register_person(
        username="zhangsan",
        password=PASSWORD,
        name="张三",
        id_number=ID_NUMBER,
        phone="13800138000",
    )


@pytest.fixture
def enterprise(db) -> User:
    return services.register_enterprise(
        username="haoweidao",
        password=PASSWORD,
        name="青山市好味道餐饮有限公司",
        uscc=USCC,
        phone="0471-5556666",
        legal_representative="张三",
    )


@pytest.fixture
def dept_app(db):
    """A registered public client (a department system using PKCE, no secret)."""
    return Application.objects.create(
        name="青山市不动产登记系统",
        client_id="qingshan-budongchan",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )


@dataclass
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


class _FormInputs(HTMLParser):
    """The named inputs of one form (by id) in a page, as a browser would submit them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.found, self.values = form_id, False, False, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form" and attr.get("id") == self.form_id:
            self.inside = self.found = True
        elif tag == "input" and self.inside and attr.get("name"):
            self.values[attr["name"]] = attr.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def consent_form(html: str) -> dict[str, str]:
    parser = _FormInputs("authorizationForm")
    parser.feed(html)
    assert parser.found, "the consent form is missing"
    return parser.values


def authorize_query(app, pkce: Pkce | None, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
    }
    if pkce is not None:
        params |= {"code_challenge": pkce.challenge, "code_challenge_method": "S256"}
    params |= overrides
    return params


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def get_code(client: Client, app, pkce: Pkce, **overrides: str) -> tuple[str, dict[str, str]]:
    """Ask for authorisation, agree on the consent page, return the code and the request sent."""
    params = authorize_query(app, pkce, **overrides)
    page = client.get("/o/authorize/", params)
    assert page.status_code == 200, page.content.decode()[:500]
    answer = client.post("/o/authorize/", consent_form(page.content.decode()) | {"allow": "1"})
    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == params["redirect_uri"]
    returned = query_of(answer["Location"])
    assert returned["state"] == params["state"]
    assert returned["iss"] == ISSUER  # RFC 9207 mix-up defence
    return returned["code"], params


def token_request(client: Client, data: dict[str, str], **extra: str):
    return client.post(
        "/o/token/", urlencode(data), content_type="application/x-www-form-urlencoded", **extra
    )


def exchange(client: Client, app, code: str, verifier: str, redirect_uri: str = REDIRECT_URI):
    return token_request(
        client,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )


def verified_claims(client: Client, id_token: str, *, audience: str, issuer: str = ISSUER) -> dict:
    """Check the ID token's signature against the published JWKS and its iss, aud and exp."""
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    token = jwt.JWT(
        jwt=id_token,
        key=keys,
        algs=["RS256"],
        check_claims={"iss": issuer, "aud": audience, "exp": None, "iat": None},
    )
    return json.loads(token.claims)


def signed_in_flow(client: Client, app, scope: str = "openid profile") -> tuple[dict, dict, dict]:
    """The whole flow for a signed-in client: (token response, verified ID token claims, request)."""
    pkce = Pkce.new()
    code, params = get_code(client, app, pkce, scope=scope)
    response = exchange(client, app, code, pkce.verifier)
    assert response.status_code == 200, response.content
    tokens = response.json()
    claims = verified_claims(client, tokens["id_token"], audience=app.client_id)
    return tokens, claims, params


# --- Discovery and keys -----------------------------------------------------------------------


@pytest.mark.django_db
def test_discovery_document_lists_endpoints_and_s256(client):
    response = client.get("/o/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == f"{ISSUER}/authorize/"
    assert doc["token_endpoint"] == f"{ISSUER}/token/"
    assert doc["userinfo_endpoint"] == f"{ISSUER}/userinfo/"
    assert doc["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    assert set(doc["scopes_supported"]) == {"openid", "profile", "phone"}
    assert "none" in doc["token_endpoint_auth_methods_supported"]  # public clients (mobile app)
    assert {"sub", "name", "preferred_username", "account_kind", "real_name_level", "uscc"} <= set(
        doc["claims_supported"]
    )
    assert doc["authorization_response_iss_parameter_supported"] is True


@pytest.mark.django_db
def test_jwks_publishes_the_public_signing_key_only(client):
    response = client.get("/o/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) >= 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)  # no private parts


@pytest.mark.django_db
def test_configured_issuer_is_used_in_discovery_and_id_token(client, settings, person, dept_app):
    issuer = "https://zwfw.qingshan.gov.cn/o"
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": issuer}
    assert client.get("/o/.well-known/openid-configuration").json()["issuer"] == issuer
    client.force_login(person)
    pkce = Pkce.new()
    params = authorize_query(dept_app, pkce)
    page = client.get("/o/authorize/", params)
    answer = client.post("/o/authorize/", consent_form(page.content.decode()) | {"allow": "1"})
    returned = query_of(answer["Location"])
    assert returned["iss"] == issuer
    tokens = exchange(client, dept_app, returned["code"], pkce.verifier).json()
    claims = verified_claims(client, tokens["id_token"], audience=dept_app.client_id, issuer=issuer)
    assert claims["iss"] == issuer


@pytest.mark.django_db
def test_key_rotation_keeps_earlier_id_tokens_verifiable(client, settings, person, dept_app):
    client.force_login(person)
    before, _claims, _params = signed_in_flow(client, dept_app)
    old_pem = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    new_key = jwk.JWK.generate(kty="RSA", size=2048)
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": new_key.export_to_pem(private_key=True, password=None).decode(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old_pem],
    }
    kids = {key["kid"] for key in client.get("/o/.well-known/jwks.json").json()["keys"]}
    assert new_key.thumbprint() in kids and len(kids) == 2
    assert verified_claims(client, before["id_token"], audience=dept_app.client_id)["sub"] == str(person.pk)
    after, _claims, _params = signed_in_flow(client, dept_app)
    header = json.loads(base64.urlsafe_b64decode(after["id_token"].split(".")[0] + "=="))
    assert header["kid"] == new_key.thumbprint()


# --- The whole flow -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_flow_to_a_verified_id_token_and_userinfo(client, person, dept_app):
    client.force_login(person)
    pkce = Pkce.new()
    params = authorize_query(dept_app, pkce)

    page = client.get("/o/authorize/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>授权登录</h1>" in html
    assert "青山市不动产登记系统" in html
    assert "同意授权并登录" in html and "拒绝" in html
    assert REDIRECT_URI in html  # the user sees where they will be sent
    form = consent_form(html)
    assert form["code_challenge"] == pkce.challenge and form["nonce"] == params["nonce"]

    answer = client.post("/o/authorize/", form | {"allow": "1"})
    assert answer.status_code == 302
    assert answer["Location"].startswith(REDIRECT_URI + "?")
    returned = query_of(answer["Location"])
    assert returned["state"] == params["state"]

    response = exchange(client, dept_app, returned["code"], pkce.verifier)
    assert response.status_code == 200, response.content
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert {"access_token", "id_token", "refresh_token"} <= set(tokens)
    assert tokens["scope"].split() == ["openid", "profile"]

    claims = verified_claims(client, tokens["id_token"], audience=dept_app.client_id)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == dept_app.client_id
    assert claims["nonce"] == params["nonce"]
    assert claims["sub"] == str(person.pk)
    assert claims["name"] == "张三"
    assert claims["preferred_username"] == "zhangsan"
    assert claims["account_kind"] == "person"
    assert claims["real_name_level"] == 1
    assert "uscc" not in claims
    assert "phone_number" not in claims  # the phone scope was not asked for
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert info.status_code == 200
    userinfo = info.json()
    assert userinfo["sub"] == str(person.pk)
    assert userinfo["name"] == "张三"
    assert userinfo["account_kind"] == "person"
    assert userinfo["real_name_level"] == 1
    assert "phone_number" not in userinfo


@pytest.mark.django_db
def test_phone_scope_releases_the_number_in_e164(client, person, dept_app):
    client.force_login(person)
    tokens, claims, _params = signed_in_flow(client, dept_app, scope="openid profile phone")
    assert claims["phone_number"] == "+8613800138000"
    assert claims["phone_number_verified"] is False
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()
    assert info["phone_number"] == "+8613800138000"


@pytest.mark.django_db
def test_openid_scope_alone_gives_only_the_subject(client, person, dept_app):
    client.force_login(person)
    _tokens, claims, _params = signed_in_flow(client, dept_app, scope="openid")
    assert claims["sub"] == str(person.pk)
    assert not {"name", "preferred_username", "account_kind", "phone_number"} & set(claims)


@pytest.mark.django_db
def test_enterprise_id_token_carries_uscc(client, enterprise, dept_app):
    client.force_login(enterprise)
    _tokens, claims, _params = signed_in_flow(client, dept_app, scope="openid profile phone")
    assert claims["account_kind"] == "enterprise"
    assert claims["uscc"] == USCC
    assert claims["name"] == "青山市好味道餐饮有限公司"
    assert claims["phone_number"] == "+864715556666"  # registered as 0471-5556666


def test_phone_e164():
    assert phone_e164("13800138000") == "+8613800138000"
    assert phone_e164("0471-5556666") == "+864715556666"
    assert phone_e164("04715556666") == "+864715556666"
    assert phone_e164("") == ""
    assert phone_e164("12345") == "12345"


@pytest.mark.django_db
def test_tampered_id_token_fails_verification(client, person, dept_app):
    client.force_login(person)
    tokens, _claims, _params = signed_in_flow(client, dept_app)
    header, payload, signature = tokens["id_token"].split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["sub"] = str(person.pk + 1000)  # someone else
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(JWException):
        verified_claims(client, f"{header}.{forged_payload}.{signature}", audience=dept_app.client_id)
    with pytest.raises(JWException):
        verified_claims(client, tokens["id_token"], audience="another-client")


@pytest.mark.django_db
def test_confidential_client_must_present_its_secret(client, person):
    app = Application.objects.create(
        name="青山市公积金系统",
        client_id="qingshan-gjj",
        client_secret="gjj-secret-for-tests-only",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        algorithm=Application.RS256_ALGORITHM,
    )
    client.force_login(person)
    pkce = Pkce.new()
    code, _params = get_code(client, app, pkce)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": app.client_id,
        "code_verifier": pkce.verifier,
    }
    wrong = token_request(client, data | {"client_secret": "guessed"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    basic = base64.b64encode(b"qingshan-gjj:gjj-secret-for-tests-only").decode()
    right = token_request(client, data, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert right.status_code == 200, right.content
    claims = verified_claims(client, right.json()["id_token"], audience=app.client_id)
    assert claims["sub"] == str(person.pk)


@pytest.mark.django_db
def test_refresh_token_rotates_and_a_replay_is_refused(client, person, dept_app):
    client.force_login(person)
    tokens, _claims, _params = signed_in_flow(client, dept_app)
    data = {"grant_type": "refresh_token", "client_id": dept_app.client_id}
    first = token_request(client, data | {"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200, first.content
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    replay = token_request(client, data | {"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


@pytest.mark.django_db
def test_tokens_are_stored_hashed(client, person, dept_app):
    client.force_login(person)
    tokens, _claims, _params = signed_in_flow(client, dept_app)
    stored = AccessToken.objects.get(user=person)
    assert stored.token == ""
    assert stored.token_checksum == hashlib.sha256(tokens["access_token"].encode()).hexdigest()


# --- Requests that must be refused -----------------------------------------------------------


@pytest.mark.django_db
def test_missing_code_challenge_is_refused(client, person, dept_app):
    client.force_login(person)
    params = authorize_query(dept_app, pkce=None)
    response = client.get("/o/authorize/", params)
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    returned = query_of(response["Location"])
    assert returned["error"] == "invalid_request"
    assert returned["state"] == params["state"]
    assert "code" not in returned
    assert not Grant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", [{"code_challenge_method": "plain"}, {}], ids=["plain", "no-method"])
def test_only_s256_is_accepted_before_the_consent_page(client, person, dept_app, method):
    client.force_login(person)
    params = authorize_query(dept_app, None, code_challenge=secrets.token_urlsafe(48), **method)
    response = client.get("/o/authorize/", params)
    assert response.status_code == 302  # straight back to the client: no consent page shown
    returned = query_of(response["Location"])
    assert returned["error"] == "invalid_request"
    assert returned["state"] == params["state"]
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_wrong_code_verifier_is_refused(client, person, dept_app):
    client.force_login(person)
    pkce = Pkce.new()
    code, _params = get_code(client, dept_app, pkce)
    response = exchange(client, dept_app, code, Pkce.new().verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "access_token" not in response.json()
    assert not AccessToken.objects.exists()


@pytest.mark.django_db
def test_code_used_twice_is_refused(client, person, dept_app):
    client.force_login(person)
    pkce = Pkce.new()
    code, _params = get_code(client, dept_app, pkce)
    assert exchange(client, dept_app, code, pkce.verifier).status_code == 200
    again = exchange(client, dept_app, code, pkce.verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert AccessToken.objects.count() == 1


@pytest.mark.django_db
def test_code_is_bound_to_its_client(client, person, dept_app):
    other = Application.objects.create(
        name="另一个系统",
        client_id="another-system",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        algorithm=Application.RS256_ALGORITHM,
    )
    client.force_login(person)
    pkce = Pkce.new()
    code, _params = get_code(client, dept_app, pkce)
    response = exchange(client, other, code, pkce.verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.django_db
def test_unregistered_redirect_uri_is_refused_without_redirecting(client, person, dept_app):
    client.force_login(person)
    evil = "https://evil.example.com/steal"
    response = client.get("/o/authorize/", authorize_query(dept_app, Pkce.new(), redirect_uri=evil))
    assert response.status_code == 400
    assert "Location" not in response
    html = response.content.decode()
    assert "<h1>无法完成授权</h1>" in html
    assert 'id="authorizationForm"' not in html
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_redirect_uri_tampered_on_the_consent_form_is_refused(client, person, dept_app):
    client.force_login(person)
    page = client.get("/o/authorize/", authorize_query(dept_app, Pkce.new()))
    form = consent_form(page.content.decode()) | {"redirect_uri": "https://evil.example.com/steal"}
    response = client.post("/o/authorize/", form | {"allow": "1"})
    assert response.status_code == 400
    assert "Location" not in response
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_unknown_client_is_refused(client, person):
    client.force_login(person)
    response = client.get("/o/authorize/", {**authorize_query(Application(client_id="nobody"), Pkce.new())})
    assert response.status_code == 400
    assert "Location" not in response
    assert "无法完成授权" in response.content.decode()


@pytest.mark.django_db
def test_denying_consent_returns_access_denied(client, person, dept_app):
    client.force_login(person)
    params = authorize_query(dept_app, Pkce.new())
    page = client.get("/o/authorize/", params)
    response = client.post("/o/authorize/", consent_form(page.content.decode()))
    assert response.status_code == 302
    returned = query_of(response["Location"])
    assert returned["error"] == "access_denied"
    assert returned["state"] == params["state"]
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_our_sign_in_page_and_back(client, person, dept_app):
    pkce = Pkce.new()
    params = authorize_query(dept_app, pkce)
    response = client.get("/o/authorize/", params)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/accounts/login/?next=")
    next_url = query_of(location)["next"]
    assert next_url.startswith("/o/authorize/?")
    assert query_of(next_url) == params

    login_page = client.get(location)
    assert login_page.status_code == 200
    signed_in = client.post(location, {"username": "zhangsan", "password": PASSWORD, "next": next_url})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == next_url
    consent = client.get(next_url)
    assert consent.status_code == 200
    assert "青山市不动产登记系统" in consent.content.decode()


@pytest.mark.django_db
def test_bearer_token_in_the_query_string_is_refused(client, person, dept_app):
    client.force_login(person)
    tokens, _claims, _params = signed_in_flow(client, dept_app)
    response = Client().get("/o/userinfo/", {"access_token": tokens["access_token"]})
    assert response.status_code == 401


@pytest.mark.django_db
def test_userinfo_without_a_token_is_refused(client):
    assert client.get("/o/userinfo/").status_code == 401
    assert client.get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


# --- Granted applications ---------------------------------------------------------------------


@pytest.mark.django_db
def test_user_sees_and_revokes_a_granted_application(client, person, dept_app):
    client.force_login(person)
    tokens, _claims, _params = signed_in_flow(client, dept_app)
    page = client.get("/o/authorized_tokens/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>已授权的应用</h1>" in html and "青山市不动产登记系统" in html
    token = AccessToken.objects.get(user=person)
    confirm = client.get(f"/o/authorized_tokens/{token.pk}/delete/")
    assert confirm.status_code == 200 and "确定撤销" in confirm.content.decode()
    assert client.post(f"/o/authorized_tokens/{token.pk}/delete/").status_code == 302
    info = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert info.status_code == 401
    refresh = token_request(
        client,
        {
            "grant_type": "refresh_token",
            "client_id": dept_app.client_id,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert refresh.status_code == 400


# --- The demo client ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_client_is_registered_idempotently(client, person):
    app = ensure_demo_client()
    assert ensure_demo_client().pk == app.pk
    assert Application.objects.filter(client_id=DEMO_CLIENT_ID).count() == 1
    assert app.name == "部门业务系统（演示）"
    assert app.client_type == Application.CLIENT_PUBLIC
    assert app.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert app.redirect_uris.split() == list(DEMO_REDIRECT_URIS)
    assert app.algorithm == "RS256" and app.skip_authorization is False

    Application.objects.filter(pk=app.pk).update(redirect_uris="https://changed.example.cn/cb")
    assert ensure_demo_client().redirect_uris.split() == list(DEMO_REDIRECT_URIS)

    client.force_login(person)
    pkce = Pkce.new()
    for redirect_uri in DEMO_REDIRECT_URIS:
        code, _params = get_code(client, app, pkce, redirect_uri=redirect_uri)
        response = exchange(client, app, code, pkce.verifier, redirect_uri=redirect_uri)
        assert response.status_code == 200, response.content
        claims = verified_claims(client, response.json()["id_token"], audience=DEMO_CLIENT_ID)
        assert claims["preferred_username"] == "zhangsan"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/o/authorized_tokens/", "已授权的应用"),
        ("/o/device/", "设备登录"),
    ],
)
def test_toolkit_pages_use_our_layout_in_chinese(client, person, path, heading):
    """Every toolkit page a user can reach renders inside our layout, in Chinese."""
    client.force_login(person)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert f"<h1>{heading}</h1>" in html
    assert 'class="skip-link"' in html  # our base.html, not the toolkit's bare page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/o/applications/", "/o/applications/register/"])
def test_client_registration_is_not_open_to_users(client, person, path):
    """Only administrators register department systems (in the admin): a citizen who could name a
    client could put a trusted-looking name on a consent page."""
    client.force_login(person)
    assert client.get(path).status_code == 404
