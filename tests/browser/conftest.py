"""A live site (Django + built SPA) wired to a sandbox process, and a Chromium page to drive it."""
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings

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


@pytest.fixture
def site(shop, live_server):
    """The live site's URL; it pays through the sandbox, which calls back into it."""
    return live_server.url


class PageErrors(list):
    """Console errors and uncaught exceptions raised by our own pages."""

    def watch(self, page, origin):
        def on_console(message):
            if message.type == "error" and message.location.get("url", "").startswith(origin):
                self.append(f"console: {message.text} @ {message.location.get('url')}")
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.append(f"pageerror: {error}"))


# Every page reports each Content-Security-Policy violation to the test (across navigations).
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) =>
  window.reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`
                            + ` on ${location.pathname} (${e.sourceFile}:${e.lineNumber})`))"""


def watch_csp(context):
    """A list that fills with every CSP violation any page of `context` reports."""
    violations = []
    context.expose_function("reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    return violations


@contextmanager
def checked_page(browser, site, **context_options):
    """A page in a context of its own; page errors and CSP violations are collected."""
    context = browser.new_context(locale="zh-CN", **context_options)
    context.set_default_timeout(15000)
    csp_violations = watch_csp(context)
    page = context.new_page()
    page.errors = PageErrors()
    page.errors.watch(page, site)
    yield page
    context.close()
    # Our Content-Security-Policy must let the SPA and Element Plus work as they are.
    assert csp_violations == [], csp_violations


DESKTOP = {"viewport": {"width": 1280, "height": 860}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture
def page(browser, site):
    with checked_page(browser, site, **DESKTOP) as page:
        yield page


@pytest.fixture
def phone(browser, site):
    """A phone: 375 px wide, touch."""
    with checked_page(browser, site, **PHONE) as page:
        yield page


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
