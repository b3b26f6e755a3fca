"""Two tabs whose access token expired renew it together: one refresh, nobody logged out."""
import threading
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.user import services
from tests.browser.conftest import PageErrors
from tests.factories import UserFactory
from tests.user.test_tokens import ACCESS_LIFETIME, minted_ago

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS_API = "/api/order/"
REFRESH_API = "/api/user/token/refresh/"
STORE_SESSION = """([token, refresh, username]) => {
  localStorage.setItem('luffy.token', token)
  localStorage.setItem('luffy.refresh', refresh)
  localStorage.setItem('luffy.username', username)
}"""
READ_SESSION = "() => [localStorage.getItem('luffy.token'), localStorage.getItem('luffy.refresh')]"


def refreshes(api_answers):
    """The refresh answers expected: one success, and at most one refusal that changed nothing.

    Chromium hands one tab's localStorage writes to the others asynchronously, so the tab that
    waited for the lock may still read the old session, spend the refresh token the other tab
    just rotated, and be refused; it then takes the other tab's session from storage (the unit
    tests pin both paths down). What must never happen is a second rotation or a logout.
    """
    seen = sorted(answer for answer in api_answers if answer[0] == REFRESH_API)
    assert seen in ([(REFRESH_API, 200)], [(REFRESH_API, 200), (REFRESH_API, 401)]), seen
    return seen


@pytest.fixture
def refresh_gate(monkeypatch):
    """Refreshes wait on the server until the event is set, so both tabs' 401s come first."""
    release = threading.Event()
    rotate = services.user_token_refresh

    def gated(**kwargs):
        release.wait(timeout=20)  # a bound: without both 401s the assertions below say why
        return rotate(**kwargs)

    monkeypatch.setattr(services, "user_token_refresh", gated)
    return release


def test_two_tabs_with_an_expired_token_refresh_once_and_stay_logged_in(page, site, make_order,
                                                                        courses, refresh_gate):
    student = UserFactory(username="xiaoli")
    make_order(student, courses[:1])
    refresh = RefreshToken.for_user(student)
    with minted_ago(ACCESS_LIFETIME + timedelta(minutes=1)):
        expired = str(AccessToken.for_user(student))

    api_answers = []  # (path, status) of every orders and refresh call, from both tabs

    def on_response(response):
        path = response.url.removeprefix(site).split("?")[0]
        if path in (ORDERS_API, REFRESH_API):
            api_answers.append((path, response.status))
        if api_answers.count((ORDERS_API, 401)) == 2:
            refresh_gate.set()  # both tabs were refused: now let the refresh finish

    context = page.context
    context.on("response", on_response)
    # Both tabs start from a stored session whose access token expired a minute ago.
    page.goto(site + "/login")
    page.evaluate(STORE_SESSION, [expired, str(refresh), student.username])
    assert page.evaluate("() => typeof navigator.locks?.request") == "function"  # Web Locks
    other = context.new_page()
    other.errors = PageErrors()
    other.errors.watch(other, site)

    page.goto(site + "/my/orders")  # its 401 starts a refresh, which the server holds...
    other.goto(site + "/my/orders")  # ...until this tab's 401 too

    for tab in (page, other):
        expect(tab.locator("[data-test=order-row]")).to_have_count(1)
        expect(tab.locator("[data-test=header-username]")).to_have_text("xiaoli")
    assert sorted(api_answers) == [(ORDERS_API, 200), (ORDERS_API, 200),
                                   (ORDERS_API, 401), (ORDERS_API, 401), *refreshes(api_answers)]
    token, rotated = page.evaluate(READ_SESSION)
    assert other.evaluate(READ_SESSION) == [token, rotated]
    assert token != expired and rotated != str(refresh)
    assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).count() == 1
    for tab in (page, other):  # the two refused calls are expected; nothing else went wrong
        assert [e for e in tab.errors if "status of 401" not in e] == []
