"""notify_authenticate: authentic notifies become typed results; every failed check is named."""
import base64
import json
import time
from decimal import Decimal

import pytest
from wechatpayv3 import WeChatPay, WeChatPayType

from lib.wx_pay.keys import platform_certificate_pem
from lib.wx_pay.notify import NotifyRefused, PaymentNotify, RefundNotify, notify_authenticate

from .helpers import (
    APPID,
    MCHID,
    PUBLIC_KEY_ID,
    config,
    envelope,
    key_pair,
    notify,
    refund_resource,
    signed,
    transaction_resource,
)

CONFIG = config()


def refused(headers, body, **kwargs) -> NotifyRefused:
    with pytest.raises(NotifyRefused) as caught:
        notify_authenticate(headers, body, config=kwargs.pop("config", CONFIG), **kwargs)
    return caught.value


def test_payment_notify_is_typed():
    headers, body = notify()
    result = notify_authenticate(headers, body, config=CONFIG)
    assert isinstance(result, PaymentNotify)
    assert (result.out_trade_no, result.transaction_id, result.total_fen, result.amount) == (
        "LUFFY20240101000001", "4200000001202401010000000001", 9900, Decimal("99.00"))
    assert result.paid_at.isoformat() == "2024-01-01T10:00:05+08:00"
    assert (result.notify_id, result.event_type, result.trade_state) == (
        "EV-2018022511223320873", "TRANSACTION.SUCCESS", "SUCCESS")


@pytest.mark.parametrize("status", ["SUCCESS", "ABNORMAL", "CLOSED"])
def test_refund_notify_is_typed(status):
    headers, body = notify(refund_resource(refund_status=status), f"REFUND.{status}")
    result = notify_authenticate(headers, body, config=CONFIG)
    assert isinstance(result, RefundNotify)
    assert (result.out_refund_no, result.refund_status, result.refund_fen, result.total_fen) == (
        "R1", status, 100, 9900)


def test_the_sdk_agrees_with_our_reading():
    """The unmodified SDK's callback() accepts what we accept and decrypts the same resource."""
    headers, body = notify()
    sdk = WeChatPay(wechatpay_type=WeChatPayType.NATIVE, mchid=MCHID,
                    private_key=key_pair("merchant")[0].decode(), cert_serial_no="1",
                    appid=APPID, apiv3_key=CONFIG.apiv3_key,
                    public_key=key_pair("platform")[1].decode(), public_key_id=PUBLIC_KEY_ID)
    assert sdk.callback(headers, body)["resource"] == transaction_resource()


@pytest.mark.parametrize("style", ["lower", "upper", "django_meta"])
def test_header_names_in_any_case_and_django_meta(style):
    headers, body = notify()
    if style == "lower":
        headers = {k.lower(): v for k, v in headers.items()}
    elif style == "upper":
        headers = {k.upper(): v for k, v in headers.items()}
    else:
        headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        headers["CONTENT_TYPE"] = "application/json"
    assert isinstance(notify_authenticate(headers, body, config=CONFIG), PaymentNotify)


def test_bad_signature():
    headers, body = notify(key="merchant")  # signed with a key that is not WeChat's
    error = refused(headers, body)
    assert (error.reason, error.verified) == ("bad_signature", False)


def test_body_changed_after_signing():
    headers, body = notify()
    assert refused(headers, body.replace(b"TRANSACTION", b"TRANSACTION ", 1)).reason == \
        "bad_signature"


def test_reserialised_body_fails_only_raw_bytes_verify():
    headers, body = notify()
    reserialised = json.dumps(json.loads(body)).encode()  # \\u escapes: same JSON, other bytes
    assert reserialised != body
    assert refused(headers, reserialised).reason == "bad_signature"


def test_unknown_serial():
    headers, body = notify(serial="PUB_KEY_ID_SOMEONE_ELSE")
    assert refused(headers, body).reason == "unknown_serial"


@pytest.mark.parametrize("age, accepted", [(0, True), (299, True), (-299, True), (300, False),
                                           (-300, False), (86400, False)])
def test_timestamp_window_is_below_300_seconds(age, accepted):
    now = 1_700_000_000
    headers, body = notify(timestamp=now - age)
    if accepted:
        assert notify_authenticate(headers, body, config=CONFIG, now=now)
    else:
        assert refused(headers, body, now=now).reason == "stale_timestamp"


@pytest.mark.parametrize("value", [None, "", "WECHATPAY2-SHA256-RSA4096", "HMAC-SHA256"])
def test_signature_type_required(value):
    headers, body = notify()
    if value is None:
        del headers["Wechatpay-Signature-Type"]
    else:
        headers["Wechatpay-Signature-Type"] = value
    assert refused(headers, body).reason == "bad_signature_type"


def test_probe_notify_is_refused():
    headers, body = notify()
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]
    assert refused(headers, body).reason == "probe"


def _tamper(field, change):
    data = envelope(transaction_resource())
    data["resource"][field] = change(data["resource"][field])
    body = json.dumps(data).encode()
    return signed(body), body  # signed after tampering: only the AEAD check can catch it


def _flip_last_byte(text):
    raw = bytearray(base64.b64decode(text))
    raw[-1] ^= 1
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("field, change", [
    ("ciphertext", _flip_last_byte),
    ("nonce", lambda n: n[:-1] + ("A" if n[-1] != "A" else "B")),
    ("associated_data", lambda a: a + "x"),
    ("ciphertext", lambda c: "not base64!!"),
])
def test_tampered_resource_is_undecryptable(field, change):
    headers, body = _tamper(field, change)
    error = refused(headers, body)
    assert (error.reason, error.verified) == ("undecryptable", True)


def test_wrong_apiv3_key_is_undecryptable():
    headers, body = notify()
    assert refused(headers, body, config=config(apiv3_key="z" * 32)).reason == "undecryptable"


def test_foreign_mchid_and_appid():
    headers, body = notify(transaction_resource(mchid="1230000109"))
    assert refused(headers, body).reason == "foreign_mchid"
    headers, body = notify(transaction_resource(appid="wx0000000000000000"))
    assert refused(headers, body).reason == "foreign_appid"
    # Refund notifies carry no appid, so only the mchid is checked there.
    headers, body = notify(refund_resource(mchid="1230000109"), "REFUND.SUCCESS")
    assert refused(headers, body).reason == "foreign_mchid"


@pytest.mark.parametrize("body", [b"not json", b"[]", b"\xff\xfe", b'{"id": 1}',
                                  b'{"id":"x","event_type":"TRANSACTION.SUCCESS"}'])
def test_malformed_json_after_a_good_signature(body):
    error = refused(signed(body), body)
    assert (error.reason, error.verified) == ("malformed", True)


@pytest.mark.parametrize("resource", [
    transaction_resource(amount={"total": "9900"}),
    transaction_resource(amount={"total": 0}),
    transaction_resource(trade_state="NOTPAY"),
    transaction_resource(out_trade_no=None),
    transaction_resource(success_time="yesterday"),
])
def test_malformed_resource(resource):
    headers, body = notify(resource)
    assert refused(headers, body).reason == "malformed"


def test_refund_status_must_match_event_type():
    headers, body = notify(refund_resource(refund_status="SUCCESS"), "REFUND.CLOSED")
    assert refused(headers, body).reason == "malformed"


def test_unknown_event_type():
    headers, body = notify(event_type="TRANSACTION.FAIL")
    error = refused(headers, body)
    assert (error.reason, error.verified) == ("unknown_event_type", True)


@pytest.mark.parametrize("headers", [
    None, {}, [], "headers", {"Wechatpay-Signature-Type": 7},
    {"Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048", "Wechatpay-Serial": PUBLIC_KEY_ID,
     "Wechatpay-Timestamp": "1" * 10_000, "Wechatpay-Nonce": "n", "Wechatpay-Signature": "s"},
    {"Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048", "Wechatpay-Serial": PUBLIC_KEY_ID,
     "Wechatpay-Timestamp": "１２３", "Wechatpay-Nonce": "n", "Wechatpay-Signature": "s"},
    {"Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048", "Wechatpay-Serial": PUBLIC_KEY_ID,
     "Wechatpay-Timestamp": str(int(time.time())), "Wechatpay-Nonce": "n",
     "Wechatpay-Signature": "A" * 100_000},
    {"x" * 100_000: "y", 5: b"\xff", "Wechatpay-Serial": b"\xff" * 10},
])
def test_garbage_headers_only_ever_refuse(headers):
    assert isinstance(refused(headers, b"{}"), NotifyRefused)


@pytest.mark.parametrize("body", ["str body", None, b"x" * 1_000_000])
def test_garbage_body_only_ever_refuses(body):
    headers, _ = notify()
    assert refused(headers, body).reason == "malformed"


def test_certificate_mode_picks_the_key_by_certificate_serial(tmp_path):
    serial = 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1
    (tmp_path / "platform.pem").write_bytes(
        platform_certificate_pem(key_pair("platform")[0], serial))
    cert_mode = config(public_key_pem=None, public_key_id=None, cert_dir=str(tmp_path))
    headers, body = notify(serial=f"{serial:X}")
    assert isinstance(notify_authenticate(headers, body, config=cert_mode), PaymentNotify)
    headers, body = notify(serial=PUBLIC_KEY_ID)  # a public key id means nothing here
    assert refused(headers, body, config=cert_mode).reason == "unknown_serial"
    headers, body = notify(serial="ZZZ")
    assert refused(headers, body, config=cert_mode).reason == "unknown_serial"
