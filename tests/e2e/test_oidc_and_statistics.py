"""A department system signs a citizen in through Yiwang (OpenID Connect consent page), and a
supervisor opens the catalog statistics; axe-checked like every page."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def region(live_server):
    from yiwang.demo.region import load_region

    return load_region()


@pytest.fixture
def department_system():
    """A department system's callback on another origin (its own port on 127.0.0.1)."""

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self):  # the http.server API names it so
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client_app(region, department_system):
    from oauth2_provider.models import get_application_model

    model = get_application_model()
    return model.objects.create(
        name="部门业务系统（测试）",
        client_id="e2e-dept",
        client_type=model.CLIENT_PUBLIC,
        authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=department_system,
        algorithm=model.RS256_ALGORITHM,
        skip_authorization=False,
    )


def test_department_system_signs_a_citizen_in_after_consent(journey, client_app, department_system):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_app.client_id,
            "redirect_uri": department_system,
            "scope": "openid profile",
            "state": "s-123",
            "nonce": "n-456",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    j = journey()
    page = j.page
    j.goto(f"/o/authorize/?{query}")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    j.sign_in("demo-citizen", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("授权登录")
    expect(page.locator("main")).to_contain_text("部门业务系统（测试）")
    j.check("oidc-consent")
    # The consent form's answer is a redirect to another origin: the page's CSP must allow it.
    with page.expect_navigation(url=re.compile(re.escape(department_system))):
        page.get_by_role("button", name="同意授权并登录").click()
    returned = parse_qs(urlsplit(page.url).query)
    assert returned["state"] == ["s-123"]
    assert returned["code"][0]


def test_supervisor_opens_catalog_statistics(journey, region):
    j = journey()
    page = j.page
    j.goto("/accounts/login/")
    j.sign_in("demo-supervisor", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="事项统计").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("事项统计")
    expect(page.locator("#stat-published")).to_have_text("0")
    j.check("catalog-statistics")
