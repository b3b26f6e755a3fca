"""A statement day's page speaks its provider's words: a WeChat day never says 支付宝."""
import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from apps.finance.constants import LineKind, MismatchKind
from apps.finance.models import StatementDay, StatementLine, StatementMismatch
from lib.al_pay.times import BEIJING

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 1, 20, 30, tzinfo=BEIJING)
# What each provider calls the provider's trade number, its amount, our refund number and its own.
ALIPAY = ("支付宝交易号", "支付宝金额", "退款请求号")
WECHAT = ("微信支付订单号", "微信支付金额", "商户退款单号", "微信退款单号")


def a_day(provider, trade_no, refund_raw):
    day = StatementDay.objects.create(provider=provider, bill_date=date(2026, 12, 1))
    trade = StatementLine.objects.create(
        day=day, kind=LineKind.TRADE, trade_no=trade_no, out_trade_no="GHOST1", subject="课程",
        finished_at=AT, amount=Decimal("66.00"), receipt_amount=Decimal("66.00"))
    refund = StatementLine.objects.create(
        day=day, kind=LineKind.REFUND, trade_no=trade_no, out_trade_no="GHOST1",
        out_request_no="GHOST1-7", subject="课程", finished_at=AT, amount=Decimal("66.00"),
        receipt_amount=Decimal("-66.00"), raw=refund_raw)
    for kind, line in [(MismatchKind.PAID_NOT_RECORDED, trade), (MismatchKind.TRADE_NO_MISMATCH,
                       trade), (MismatchKind.REFUND_NOT_RECORDED, refund)]:
        StatementMismatch.objects.create(day=day, kind=kind, key=f"{kind}", line=line,
                                         out_trade_no="GHOST1", trade_no=trade_no,
                                         provider_amount=Decimal("66.00"))
    return day


def headers(page, table):
    head = re.search(rf'<table id="{table}">\s*<thead>(.*?)</thead>', page, re.S).group(1)
    return re.findall(r"<th>(.*?)</th>", head)


def kinds(page):
    return re.findall(r'<tr data-kind="[a-z_]+"><td>(.*?)(?: ✔ 已补单)?</td>', page)


def test_a_wechat_day_says_wechat_words_and_never_alipay(admin_client):
    day = a_day("wechat", "4200002026120100000000000001",
                {"微信退款单号": "50300002026120100000000000009", "商户退款单号": "GHOST1-7"})

    page = admin_client.get(f"/admin/finance/statementday/{day.pk}/change/").content.decode()

    assert "支付宝" not in page
    assert headers(page, "statement-mismatches")[1:4] == ["商户订单号", *WECHAT[:2]]
    assert headers(page, "statement-lines")[1:5] == [WECHAT[0], "商户订单号", *WECHAT[2:]]
    assert "50300002026120100000000000009" in page  # WeChat's own refund number, from the bill
    assert kinds(page) == ["微信支付已收款，本地未支付", "微信支付订单号不一致",
                           "微信支付有退款，本地没有"]
    assert "微信支付 对账单 2026-12-01" in page  # the title

    listing = admin_client.get(f"/admin/finance/statementmismatch/?day__id__exact={day.pk}")
    assert "支付宝" not in listing.content.decode()
    assert "微信支付订单号不一致" in listing.content.decode()


def test_an_alipay_day_keeps_its_words(admin_client):
    day = a_day("alipay", "2026120122000001", {"退款批次号/请求号": "GHOST1-7"})

    page = admin_client.get(f"/admin/finance/statementday/{day.pk}/change/").content.decode()

    assert "微信" not in page
    assert headers(page, "statement-mismatches")[1:4] == ["商户订单号", *ALIPAY[:2]]
    assert headers(page, "statement-lines")[1:4] == [ALIPAY[0], "商户订单号", ALIPAY[2]]
    assert kinds(page) == ["支付宝已收款，本地未支付", "支付宝交易号不一致", "支付宝有退款，本地没有"]

    listing = admin_client.get(f"/admin/finance/statementmismatch/?day__id__exact={day.pk}")
    assert "支付宝交易号不一致" in listing.content.decode()


def test_the_day_list_names_each_provider(admin_client):
    a_day("wechat", "4200002026120100000000000001", {})
    page = admin_client.get("/admin/finance/statementday/").content.decode()
    assert re.search(r'<td class="field-provider_name">微信支付</td>', page)
