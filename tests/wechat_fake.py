"""Plays WeChat Pay in tests: notifies signed with the test platform key whose public half
(WECHATPAY_PUBLIC_KEY_FILE, WECHATPAY_PUBLIC_KEY_ID) we trust, encrypted with our APIv3 key."""
import json
import time

from cryptography.hazmat.primitives import serialization
from django.conf import settings

from lib.wx_pay.money import yuan_to_fen
from lib.wx_pay.sandbox import signing

NOTIFY_PATH = "/api/order/notify/wechat/"


def transaction(order, **overrides) -> dict:
    """The decrypted resource of a TRANSACTION.SUCCESS notify for `order`."""
    data = {"appid": settings.WECHATPAY_APPID, "mchid": settings.WECHATPAY_MCHID,
            "out_trade_no": order.out_trade_no, "transaction_id": "4200002026120400000000000001",
            "trade_type": "NATIVE", "trade_state": "SUCCESS", "trade_state_desc": "支付成功",
            "bank_type": "OTHERS", "attach": "", "success_time": "2026-12-04T20:30:05+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {"total": yuan_to_fen(order.total_amount),
                       "payer_total": yuan_to_fen(order.total_amount), "currency": "CNY",
                       "payer_currency": "CNY"}}
    data.update(overrides)
    return data


def refund(order, line, *, status="SUCCESS", **overrides) -> dict:
    data = {"mchid": settings.WECHATPAY_MCHID, "out_trade_no": order.out_trade_no,
            "transaction_id": order.trade_no or "4200002026120400000000000001",
            "out_refund_no": f"{order.out_trade_no}-{line.pk}",
            "refund_id": "50300002026120400000000000001", "refund_status": status,
            "success_time": "2026-12-04T21:00:00+08:00", "user_received_account": "支付用户零钱",
            "amount": {"total": yuan_to_fen(order.total_amount),
                       "refund": yuan_to_fen(line.real_price),
                       "payer_total": yuan_to_fen(order.total_amount),
                       "payer_refund": yuan_to_fen(line.real_price)}}
    data.update(overrides)
    return data


def body_of(resource, event_type="TRANSACTION.SUCCESS", *, apiv3_key=None,
            notify_id="EV-2026120420300500001") -> bytes:
    sealed = signing.encrypt(apiv3_key or settings.WECHATPAY_APIV3_KEY,
                             json.dumps(resource, ensure_ascii=False).encode(),
                             "transaction" if event_type.startswith("TRANS") else "refund")
    return json.dumps({
        "id": notify_id, "create_time": "2026-12-04T20:30:06+08:00",
        "resource_type": "encrypt-resource", "event_type": event_type, "summary": "支付成功",
        "resource": {**sealed, "original_type": "transaction" if event_type.startswith("TRANS")
                     else "refund"}}, ensure_ascii=False).encode()


def headers_for(body: bytes, *, key_file=None, serial=None, timestamp=None,
                nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS") -> dict:
    """Django test-client headers (HTTP_WECHATPAY_*) signing TS\\nNONCE\\nBODY\\n."""
    key = serialization.load_pem_private_key(
        open(key_file or settings.WECHATPAY_TEST_PLATFORM_PRIVATE_KEY_FILE, "rb").read(), None)
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return {"HTTP_WECHATPAY_TIMESTAMP": timestamp, "HTTP_WECHATPAY_NONCE": nonce,
            "HTTP_WECHATPAY_SIGNATURE": signing.sign(key, message),
            "HTTP_WECHATPAY_SERIAL": serial or settings.WECHATPAY_PUBLIC_KEY_ID,
            "HTTP_WECHATPAY_SIGNATURE_TYPE": "WECHATPAY2-SHA256-RSA2048"}


def post_wechat_notify(client, body: bytes, headers: dict):
    """POST a notify the way WeChat does: JSON, no credentials, Wechatpay-* headers."""
    return client.generic("POST", NOTIFY_PATH, body, content_type="application/json", **headers)
