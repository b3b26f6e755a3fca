"""Notifies from every provider: authenticate through the provider, then apply the same rules.

The provider checks the signature and that the notify is for our merchant (and app); here the
order is looked up under its row lock and the amount compared with the order's total exactly.
Anything inauthentic, foreign or inconsistent changes no order and is kept as an event
(unverified input only as a bounded excerpt).
"""
from dataclasses import dataclass

from django.db import transaction

from utils.logging import get_logger

from ..constants import SETTLED_OUTCOMES, EventKind, Outcome
from ..providers.base import NotifyRefused, NotifyRequest, RefundFact, TradeState
from .events import event_record, order_lock
from .payments import payment_settle, trade_closed_apply
from .refunds import refund_apply

logger = get_logger("pay")


@dataclass(frozen=True)
class NotifyResult:
    """Whether the notify was handled (the provider stops re-sending), and why not."""

    handled: bool
    reason: str = ""


def _reject(provider, params, outcome, *, verified, order=None, detail="", notify_id="",
            out_trade_no="", flagged=False) -> NotifyResult:
    event_record(kind=EventKind.NOTIFY, order=order, out_trade_no=out_trade_no,
                 params=params, verified=verified, outcome=outcome, detail=detail,
                 notify_id=notify_id, provider=provider.name, flagged=flagged)
    logger.warning("%s notify rejected (%s) for %r", provider.name, outcome, out_trade_no)
    return NotifyResult(False, str(outcome))


def payment_notify_unparsable(*, provider, content_type, reason):
    """Keep a POST to a notify URL that is not a readable body (it cannot be authentic)."""
    event_record(kind=EventKind.NOTIFY, verified=False, outcome=Outcome.UNPARSABLE,
                 detail=f"{reason}; content type {content_type!r}", provider=provider.name)
    logger.warning("%s notify refused: unreadable body (%s, %r)", provider.name, reason,
                   content_type)


def payment_notify_handle(*, provider, request: NotifyRequest) -> NotifyResult:
    """Handle a provider's async notify (payment or refund); the view answers as the provider
    expects (Alipay `success`/`failure`, WeChat 204 / 4xx)."""
    try:
        fact = provider.notify_authenticate(request)
    except NotifyRefused as refused:
        params = provider.notify_params(request)
        return _reject(provider, params, Outcome(refused.reason), verified=refused.verified,
                       detail=refused.detail, out_trade_no=str(params.get("out_trade_no", "")),
                       notify_id=str(params.get("notify_id", "")))
    if isinstance(fact, RefundFact):
        return _refund_notify_apply(provider, fact)
    with transaction.atomic():  # the order is read once, under its lock, for every check
        return _notify_apply(provider, fact, order_lock(out_trade_no=fact.out_trade_no))


def _notify_apply(provider, trade, order) -> NotifyResult:
    params, common = trade.params, dict(notify_id=trade.notify_id,
                                        out_trade_no=trade.out_trade_no)
    if order is None:
        return _reject(provider, params, Outcome.UNKNOWN_ORDER, verified=True, **common)
    if order.pay_type != provider.pay_type:  # our order, but meant for another provider
        return _reject(provider, params, Outcome.UNKNOWN_ORDER, verified=True, order=order,
                       flagged=True, detail=f"order is for pay_type {order.pay_type}", **common)
    if trade.amount != order.total_amount:
        return _reject(provider, params, Outcome.AMOUNT_MISMATCH, verified=True, order=order,
                       detail=f"notify says {trade.amount}", **common)
    if trade.state == TradeState.PAID:
        if not trade.trade_no:
            return _reject(provider, params, Outcome.MISSING_TRADE_NO, verified=True,
                           order=order, **common)
        outcome = payment_settle(
            out_trade_no=order.out_trade_no, trade_no=trade.trade_no, amount=order.total_amount,
            paid_at=trade.paid_at, kind=EventKind.NOTIFY, params=params,
            notify_id=trade.notify_id, locked=order)
        # Money for an order paid by another trade is acknowledged too: flagged for a human.
        handled = outcome in SETTLED_OUTCOMES or outcome == Outcome.PAID_BY_ANOTHER_TRADE
        return NotifyResult(handled, "" if handled else str(outcome))
    if trade.state == TradeState.CLOSED:
        trade_closed_apply(order=order, kind=EventKind.NOTIFY, params=params)
        return NotifyResult(True)
    if trade.state == TradeState.WAITING:
        event_record(kind=EventKind.NOTIFY, order=order, params=params, verified=True,
                     outcome=Outcome.WAIT_BUYER_PAY, notify_id=trade.notify_id)
        return NotifyResult(True)
    return _reject(provider, params, Outcome.UNKNOWN_TRADE_STATUS, verified=True, order=order,
                   **common)


def _refund_notify_apply(provider, fact: RefundFact) -> NotifyResult:
    with transaction.atomic():
        order = order_lock(out_trade_no=fact.out_trade_no)
        if order is None or order.pay_type != provider.pay_type:
            return _reject(provider, fact.params, Outcome.UNKNOWN_ORDER, verified=True,
                           order=order, notify_id=fact.notify_id, out_trade_no=fact.out_trade_no,
                           flagged=order is not None)
        outcome = refund_apply(order=order, fact=fact, kind=EventKind.NOTIFY, locked=True)
    if outcome in (Outcome.UNKNOWN_REFUND, Outcome.AMOUNT_MISMATCH):
        return NotifyResult(False, str(outcome))
    return NotifyResult(True)
