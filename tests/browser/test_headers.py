"""The Content-Security-Policy lets the admin and the API docs work; nothing frames our pages."""
import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_works_under_the_policy(page, site, order):
    UserFactory(username="boss", password="boss-pass-2026", is_staff=True, is_superuser=True)
    page.goto(site + "/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-2026")
    page.click("input[type=submit]")
    page.goto(site + "/admin/order/order/")
    expect(page.locator("#result_list")).to_contain_text(order.out_trade_no)
    page.locator("input.action-select").first.check()  # admin's own JavaScript reacts
    expect(page.locator(".action-counter")).to_contain_text("1")
    page.goto(f"{site}/admin/order/order/{order.pk}/change/")
    expect(page.locator("body")).to_contain_text(order.out_trade_no)
    assert [e for e in page.errors if "/favicon.ico" not in e] == []  # the admin has no icon


def test_api_docs_render_under_the_policy(page, site):
    page.goto(site + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Luffy course shop API")
    expect(page.locator(".opblock").first).to_be_visible()


def test_our_pages_cannot_be_framed(page, site):
    page.set_content(f'<iframe id="f" src="{site}/"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    expect(frame.locator("#app")).to_have_count(0)
