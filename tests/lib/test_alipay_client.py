"""Pins the python-alipay-sdk facts our wrapper relies on (ALIPAY.md), and the wrapper itself."""
import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from alipay import AliPay
from django.utils import timezone

from apps.order.providers.alipay import alipay_config
from lib.al_pay import client as alipay
from lib.al_pay.times import BEIJING, format_amount, from_alipay_time, parse_amount, to_alipay_time
from tests.alipay_fake import sign_params


def test_the_sdk_refuses_a_decimal_amount_so_we_send_a_string():
    with pytest.raises(TypeError):
        alipay.get_client(alipay_config()).api_alipay_trade_page_pay(
            subject="x", out_trade_no="1", total_amount=Decimal("1.00"))
    assert format_amount(Decimal("99.9")) == "99.90"
    assert format_amount(Decimal("0.005")) == "0.01"


def test_sdk_verify_pops_sign_type_and_fails_while_sign_is_present():
    params = sign_params({"out_trade_no": "1", "total_amount": "9.00"})
    data = dict(params)
    assert alipay.get_client(alipay_config()).verify(data, params["sign"]) is False  # sign still inside
    assert "sign_type" not in data
    assert alipay.verify_callback(alipay_config(), params) is True


def test_our_openssl_signature_is_byte_identical_to_the_sdks():
    client = alipay.get_client(alipay_config())
    message = "a=1&b=中文&c=99.00"
    assert client._sign(message) == AliPay._sign(client, message)
    assert client._verify(message, AliPay._sign(client, message)) is False  # our key ≠ Alipay's


def test_request_timestamp_is_beijing_time_not_server_local():
    body = alipay.get_client(alipay_config()).build_body("alipay.trade.query", {"out_trade_no": "1"})
    stamp = from_alipay_time(body["timestamp"])
    assert abs(stamp - timezone.now()) < timedelta(seconds=5)


def test_pay_url_uses_the_configured_gateway_and_beijing_time_expire(settings):
    settings.ALIPAY_GATEWAY = "http://127.0.0.1:9/custom/gateway.do"
    deadline = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    url = alipay.page_pay_url(alipay_config(), out_trade_no="X1", subject="课", total_amount=Decimal("5"),
                              time_expire=deadline)
    assert url.startswith("http://127.0.0.1:9/custom/gateway.do?")
    biz = parse_qs(urlsplit(url).query)["biz_content"][0]
    assert '"time_expire":"2026-11-26 20:00:00"' in biz and '"total_amount":"5.00"' in biz


def test_empty_return_url_is_left_out_rather_than_signed_empty(settings):
    settings.ALIPAY_RETURN_URL = ""
    url = alipay.page_pay_url(alipay_config(), out_trade_no="X2", subject="课", total_amount=Decimal("5"),
                              time_expire=timezone.now())
    assert "return_url" not in parse_qs(urlsplit(url).query)


def test_bare_base64_keys_from_alipays_console_are_accepted(tmp_path, settings):
    for name in ("ALIPAY_APP_PRIVATE_KEY_FILE", "ALIPAY_PUBLIC_KEY_FILE"):
        pem = open(getattr(settings, name)).read()
        body = "".join(line for line in pem.splitlines() if "-----" not in line)
        (tmp_path / name).write_text(body)
        setattr(settings, name, str(tmp_path / name))
    assert alipay.verify_callback(alipay_config(), sign_params({"a": "1"})) is True


def test_alipay_times_are_converted_explicitly():
    assert to_alipay_time(datetime(2026, 1, 1, 0, 0, tzinfo=UTC)) == "2026-01-01 08:00:00"
    assert from_alipay_time("2026-01-01 08:00:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert from_alipay_time("2026-01-01 08:00:00").tzinfo == BEIJING
    with pytest.raises(ValueError):
        to_alipay_time(datetime(2026, 1, 1))


@pytest.mark.parametrize("text, value", [("9.90", Decimal("9.90")), ("10", Decimal("10")),
                                         ("9.999", None), ("abc", None), ("NaN", None), ("", None)])
def test_parse_amount(text, value):
    assert parse_amount(text) == value


def test_unreachable_gateway_is_an_unknown_alipay_error():
    from lib.al_pay.errors import AlipayError
    with pytest.raises(AlipayError) as caught:
        alipay.trade_query(alipay_config(), out_trade_no="nothing")
    assert caught.value.unknown


def test_signature_is_base64(settings):
    assert base64.b64decode(alipay.get_client(alipay_config())._sign("x"), validate=True)


def test_an_authentic_notify_is_handed_over_typed(settings):
    from lib.al_pay.notify import NotifyRefused, TradeNotify, notify_authenticate
    params = sign_params({"app_id": settings.ALIPAY_APP_ID, "seller_id": settings.ALIPAY_SELLER_ID,
                          "out_trade_no": "T1", "trade_no": "2026", "total_amount": "9.90",
                          "trade_status": "TRADE_SUCCESS", "gmt_payment": "2026-01-01 08:00:00",
                          "notify_id": "n1"})
    notify = notify_authenticate(alipay_config(), params)
    assert isinstance(notify, TradeNotify) and notify.is_paid
    assert notify.total_amount == Decimal("9.90")
    assert notify.paid_at == datetime(2026, 1, 1, tzinfo=UTC)
    for changed, reason in [({"total_amount": "0.01"}, "bad_signature"),
                            ({"app_id": "2021000000009999"}, "foreign_app_id"),
                            ({"seller_id": "2088999999999999"}, "foreign_seller_id")]:
        tampered = {**params, **changed}
        if reason != "bad_signature":
            tampered = sign_params(tampered)
        with pytest.raises(NotifyRefused) as caught:
            notify_authenticate(alipay_config(), tampered)
        assert caught.value.reason == reason
