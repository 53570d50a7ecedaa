"""Browser tests: Playwright (sync API) driving Debian's /usr/bin/chromium against `live_server`.

Never `playwright install`: it downloads a browser from outside, and government intranets have no
internet. Each xdist worker starts one Chromium for its session and one fresh browser context (no
cookies) per test. Every page a journey looks at goes through `Journey.check`, which saves a
screenshot under test-artifacts/e2e/ and fails on any axe-core accessibility violation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("YIWANG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
TIMEOUT_MS = 15_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium per test process (each xdist worker has its own)."""
    if not CHROMIUM.exists():
        message = (
            f"browser tests need Debian's Chromium at {CHROMIUM} "
            "(apt-get install chromium; never `playwright install`)"
        )
        if _in_ci():
            pytest.fail(message + "; CI=true, so this is a failure, not a skip", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # A loaded CI machine is slow; `expect` retries until this, the test fails only after it.
    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API keeps an asyncio loop running on this thread, so Django would refuse
    # ORM calls from the tests (services, fixtures, the database flush after each test) as "async
    # unsafe". Allowed only while that loop is alive, so the rest of the suite keeps the check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class AccessibilityViolations(AssertionError):
    pass


def format_violations(label: str, url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} accessibility violation(s) on {label!r} ({url}):"]
    for v in violations:
        lines.append(f"\n- [{v.get('impact') or 'n/a'}] {v['id']}: {v['help']}\n  {v.get('helpUrl', '')}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            html = re.sub(r"\s+", " ", node.get("html", ""))[:300]
            lines.append(f"    at {target}\n      {html}")
            summary = (node.get("failureSummary") or "").strip()
            for line in summary.splitlines():
                lines.append(f"      {line.strip()}")
    return "\n".join(lines)


_axe = None


def axe_violations(page) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python, nothing downloaded) on the page as it is:
    every default rule, WCAG 2.x A/AA and best practices."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe.run(page).response["violations"]


def seed_food_permit_item(settings, tmp_path):
    """The demo region and the basic-catalog item 食品经营许可 (with its item type, which the flush
    after an earlier live-server test removed), forms under a temporary media root."""
    from yiwang.catalog import services
    from yiwang.catalog.models import ItemType
    from yiwang.demo.region import load_region

    settings.MEDIA_ROOT = tmp_path / "media"
    region = load_region()
    ItemType.objects.get_or_create(code="01", defaults={"name": "行政许可"})
    services.create_catalog_item(
        basic_code="150100123000",
        name="食品经营许可",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels=[2, 3],
    )
    return region


class Clicks:
    """A person's clicks and the pages they load, counted: every click of a measured journey goes
    through here, and `pages` counts each navigation (a full page load, not an in-place update)."""

    def __init__(self, j):
        self.j = j
        self.log: list[str] = []
        self.pages = 0

    def click(self, locator, what: str) -> None:
        self.log.append(what)
        locator.click()

    def navigate(self, locator, what: str) -> None:
        """A click that leads to another page (a link or a submit button)."""
        self.log.append(what)
        self.pages += 1
        with self.j.page.expect_navigation():
            locator.click()
        self.j.page.wait_for_load_state("load")

    def choose_file(self, trigger, path, what: str) -> None:
        """Click a file input and pick the file in the chooser, as a person does."""
        self.log.append(what)
        with self.j.page.expect_file_chooser() as chooser:
            trigger.click()
        chooser.value.set_files(path)


class Journey:
    """A user's browser session with the helpers every journey needs."""

    def __init__(self, browser, base_url: str, name: str, locale: str = "zh-CN"):
        self.base_url = base_url
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
        self.context = browser.new_context(
            base_url=base_url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.set_default_navigation_timeout(TIMEOUT_MS)
        # The browser's automatic favicon fetch would hit Django in parallel with the page's own
        # request; on in-memory SQLite the live server shares one connection between its threads.
        self.context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        self.page = self.context.new_page()
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.checked: list[str] = []
        self._shots = 0
        for stale in ARTIFACTS.glob(f"{self.name}--*.png"):
            stale.unlink(missing_ok=True)

    # --- Navigation ---------------------------------------------------------------------
    def goto(self, path: str):
        return self.page.goto(path)

    def submit(self, button):
        """Click a button that submits a form; return the response of the page it leads to."""
        with self.page.expect_navigation() as navigation:
            button.click()
        self.page.wait_for_load_state("load")
        return navigation.value

    def sign_in(self, username: str, password: str):
        if not self.page.url.split("?")[0].endswith("/accounts/login/"):
            self.goto("/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        return self.submit(self.page.locator("main").get_by_role("button", name="登录"))

    def sign_out(self):
        return self.submit(self.page.locator("header").get_by_role("button", name="退出", exact=True))

    def toggle_elderly(self):
        return self.submit(self.page.locator("#elderly-toggle"))

    # --- What the user sees -------------------------------------------------------------
    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()

    def body_font_px(self) -> float:
        return float(self.page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))

    def body_is_elderly(self) -> bool:
        return bool(self.page.evaluate("document.body.classList.contains('elderly')"))

    # --- Screenshot and accessibility on every page looked at ---------------------------
    def check(self, label: str) -> None:
        """Save a screenshot for humans and fail on any axe violation or script error."""
        self._shots += 1
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.name}--{self._shots:02d}-{slug}.png"), full_page=True
        )
        assert not self.page_errors, f"script errors on {label!r}: {self.page_errors}"
        violations = axe_violations(self.page)
        self.checked.append(label)
        if violations:
            raise AccessibilityViolations(format_violations(label, self.page.url, violations))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def journey(request, browser, live_server) -> Iterator:
    """A factory of browser sessions (each its own cookie jar), closed after the test.

    `live_server` makes the test transactional: the database is flushed afterwards, working-day
    calendar included. Pages that compute deadlines need the `workday_calendar` fixture
    (tests/conftest.py), which re-seeds it; it is not done for every test as it takes seconds."""
    opened: list[Journey] = []

    def open_journey(locale: str = "zh-CN") -> Journey:
        suffix = f"-{len(opened) + 1}" if opened else ""
        j = Journey(browser, live_server.url, request.node.name + suffix, locale=locale)
        opened.append(j)
        return j

    yield open_journey
    for j in opened:
        j.close()


@pytest.fixture
def published_catalog(live_server, settings, tmp_path):
    """The demo region and the portal tests' published catalog (29 entries), forms in a temp dir."""
    from portal.catalog_data import build_catalog
    from yiwang.demo.region import load_region

    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_catalog(load_region())
