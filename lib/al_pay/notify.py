"""Alipay's async notify checked at the gateway level (signature, app_id, seller_id) and typed.

The app receives a `TradeNotify` or a `NotifyRefused`; whether the order exists, and whether
the amount is the order's, is the app's business (this package knows no models).
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .client import AlipayConfig, verify_callback
from .times import from_alipay_time, parse_amount

# Alipay trade statuses that mean the money arrived.
PAID_TRADE_STATUSES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})


class NotifyRefused(Exception):
    """Not a notify from Alipay for our app and merchant; `reason` names the failed check."""

    def __init__(self, reason: str, *, verified: bool):
        super().__init__(reason)
        self.reason = reason
        self.verified = verified


@dataclass(frozen=True)
class TradeNotify:
    """An authentic notify for our app: the fields the app acts on, and every raw field."""

    out_trade_no: str
    trade_no: str
    trade_status: str
    total_amount: Decimal | None  # None when Alipay's text is not a plain 2-decimal amount
    paid_at: datetime | None      # gmt_payment, else notify_time, else None
    notify_id: str
    params: dict = field(repr=False)

    @property
    def is_paid(self) -> bool:
        return self.trade_status in PAID_TRADE_STATUSES


def alipay_time_of(params: dict, *fields) -> datetime | None:
    """The first of `fields` that holds a valid Alipay time, as an aware datetime."""
    for name in fields:
        try:
            return from_alipay_time(params[name])
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
    return None


def notify_authenticate(config: AlipayConfig, params: dict) -> TradeNotify:
    """Alipay's rules in order: the signature, then app_id, then seller_id (if configured)."""
    if not verify_callback(config, params):
        raise NotifyRefused("bad_signature", verified=False)
    if params.get("app_id") != config.app_id:
        raise NotifyRefused("foreign_app_id", verified=True)
    if config.seller_id and params.get("seller_id") != config.seller_id:
        raise NotifyRefused("foreign_seller_id", verified=True)
    return TradeNotify(
        out_trade_no=str(params.get("out_trade_no", "")), trade_no=str(params.get("trade_no", "")),
        trade_status=str(params.get("trade_status", "")),
        total_amount=parse_amount(params.get("total_amount")),
        paid_at=alipay_time_of(params, "gmt_payment", "notify_time"),
        notify_id=str(params.get("notify_id", "")), params=params)
