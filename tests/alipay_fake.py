"""Plays Alipay in tests: signs callbacks with the test key pair whose public half we trust."""
import base64
from datetime import datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings

from lib.al_pay.times import format_amount, to_alipay_time


def sign_params(params: dict, private_key_file=None) -> dict:
    """Return params plus `sign`/`sign_type`, signed the way Alipay signs callbacks."""
    key = serialization.load_pem_private_key(
        open(private_key_file or settings.ALIPAY_TEST_PRIVATE_KEY_FILE, "rb").read(), None)
    unsigned = {k: v for k, v in params.items() if k not in ("sign", "sign_type")}
    message = "&".join(f"{k}={v}" for k, v in sorted(unsigned.items()))
    signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return {**unsigned, "sign_type": "RSA2", "sign": base64.b64encode(signature).decode()}


def notify_params(order, *, trade_no="2026112622001400000000000001",
                  trade_status="TRADE_SUCCESS", paid_at: datetime | None = None, **overrides):
    """A realistic, unsigned async notify for `order` (override any field)."""
    moment = to_alipay_time(paid_at) if paid_at else "2026-11-26 20:30:00"
    params = {
        "notify_time": moment, "notify_type": "trade_status_sync", "notify_id": f"nid-{trade_no}",
        "app_id": settings.ALIPAY_APP_ID, "auth_app_id": settings.ALIPAY_APP_ID,
        "charset": "utf-8", "version": "1.0", "trade_no": trade_no,
        "out_trade_no": order.out_trade_no, "total_amount": format_amount(order.total_amount),
        "receipt_amount": format_amount(order.total_amount),
        "buyer_pay_amount": format_amount(order.total_amount),
        "seller_id": settings.ALIPAY_SELLER_ID, "buyer_id": "2088102000000001",
        "trade_status": trade_status, "gmt_create": moment, "gmt_payment": moment,
        "subject": order.subject,
    }
    params.update(overrides)
    return params


def signed_notify(order, **overrides) -> dict:
    return sign_params(notify_params(order, **overrides))
