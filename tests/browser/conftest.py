"""A live site (Django + built SPA) wired to a sandbox process, and a Chromium page to drive it."""
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from lib.al_pay.sandbox.testing import run_sandbox

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--lang=zh-CN"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never download a browser)")
    if not (django_settings.SPA_DIST_DIR / "index.html").exists():
        pytest.fail("the SPA is not built: run `make spa` (make test does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    with run_sandbox(data_dir=tmp_path_factory.mktemp("sandbox"),
                     app_id=django_settings.ALIPAY_APP_ID,
                     app_public_key_file=django_settings.ALIPAY_APP_PUBLIC_KEY_FILE,
                     seller_id=django_settings.ALIPAY_SELLER_ID, time_scale=0.0005) as running:
        yield running


@pytest.fixture
def site(live_server, sandbox, settings):
    """The live site's URL, paying through the sandbox, which calls back into the site."""
    settings.ALIPAY_GATEWAY = sandbox.gateway
    settings.ALIPAY_PUBLIC_KEY_FILE = str(sandbox.public_key_file)
    settings.ALIPAY_NOTIFY_URL = f"{live_server.url}/api/order/success/"
    settings.ALIPAY_RETURN_URL = f"{live_server.url}/course/paysuccess"
    settings.ALIPAY_QUERY_INTERVAL_SECONDS = 0
    sandbox.reset_faults()
    return live_server.url


class PageErrors(list):
    """Console errors and uncaught exceptions raised by our own pages."""

    def watch(self, page, origin):
        def on_console(message):
            if message.type == "error" and message.location.get("url", "").startswith(origin):
                self.append(f"console: {message.text} @ {message.location.get('url')}")
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.append(f"pageerror: {error}"))


@pytest.fixture
def page(browser, site):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.errors = PageErrors()
    page.errors.watch(page, site)
    yield page
    context.close()


def shot(page, name):
    """Save a full-page screenshot under var/screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fill(page, name, value):
    """Type into the form field marked data-test=name (the input, or the input inside it)."""
    field = page.locator(f"[data-test={name}]")
    if field.evaluate("element => element.tagName") != "INPUT":
        field = field.locator("input")
    field.fill(value)
