"""The provider's facts applied to orders: settle, sync (query), return, poll, close.

The same rules for every provider (apps/order/providers): the amount must equal the order's
total exactly, the order moves once under its row lock, every fact is an append-only
PaymentEvent, and what cannot be explained is flagged. No network call runs under a row lock:
the provider is asked first, then the order is locked and written.
"""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.course.models import UserCourse
from utils.exceptions import LuffyError
from utils.logging import get_logger
from utils.prepared import PreparedQuery

from .. import providers
from ..constants import EventKind, OrderStatus, Outcome
from ..models import Order, OrderDetail, PaymentEvent
from ..providers.base import ProviderError, TradeState
from .events import event_record, order_lock, order_transition

logger = get_logger("pay")

# An order's lines, each saying whether its buyer owns the course already and (the same on
# every line) whether the trade_no paid another order of the same provider: what settling
# reads, in one statement. A plain read (the order's row is locked by the ORM before it),
# prepared: utils.prepared.
_lines_owned = PreparedQuery(
    "order.lines_owned", lambda order_id, user_id, pay_type, trade_no: OrderDetail.objects
    .filter(order_id=order_id).only("course_id").annotate(
        owned=Exists(UserCourse.objects.filter(user_id=user_id, course_id=OuterRef("course_id"))),
        trade_no_taken=Exists(Order.objects.filter(pay_type=pay_type, trade_no=trade_no)
                              .exclude(pk=order_id)))
    .order_by("pk"), constants=[1], order_id=0, user_id=0, pay_type=0, trade_no="")


def payment_settle(*, out_trade_no, trade_no, amount, paid_at, kind, params,
                   notify_id="", locked=None, provider="") -> Outcome:
    """Apply "the provider has the money" exactly once, under the order's row lock.

    Shared by the notifies, every query answer and the statement; returns what happened.
    `locked`: the order, already locked by the caller in the transaction it is in.
    """
    paid_at = paid_at or timezone.now()
    with transaction.atomic(savepoint=locked is None):  # locked: inside the caller's already
        order = locked or order_lock(out_trade_no=out_trade_no)
        common = dict(kind=kind, params=params, verified=True, notify_id=notify_id)
        if order is None:
            event_record(out_trade_no=out_trade_no, outcome=Outcome.UNKNOWN_ORDER,
                         provider=provider, **common)
            return Outcome.UNKNOWN_ORDER
        if amount != order.total_amount:
            event_record(order=order, outcome=Outcome.AMOUNT_MISMATCH, flagged=True,
                         detail=f"provider says {amount}, order is {order.total_amount}",
                         **common)
            return Outcome.AMOUNT_MISMATCH
        if order.is_paid:
            if order.trade_no == trade_no:
                event_record(order=order, outcome=Outcome.DUPLICATE, **common)
                return Outcome.DUPLICATE
            # Authentic money for an order another trade already paid: a refund case.
            event_record(order=order, outcome=Outcome.PAID_BY_ANOTHER_TRADE, flagged=True,
                         detail=f"trade {trade_no}; order paid by {order.trade_no}", **common)
            logger.error("order %s paid twice: %s and %s", out_trade_no, order.trade_no, trade_no)
            return Outcome.PAID_BY_ANOTHER_TRADE

        lines = _lines_owned(order_id=order.pk, user_id=order.user_id, pay_type=order.pay_type,
                             trade_no=trade_no)
        if any(line.trade_no_taken for line in lines):
            event_record(order=order, outcome=Outcome.TRADE_NO_OF_ANOTHER_ORDER, flagged=True,
                         detail=f"trade {trade_no} already settled another order", **common)
            return Outcome.TRADE_NO_OF_ANOTHER_ORDER
        late = order.order_status != OrderStatus.UNPAID
        outcome = Outcome.PAID_AFTER_CLOSE if late else Outcome.PAID
        paid = event_record(order=order, outcome=outcome, flagged=late, write=False, **common)
        order_transition(order=order, to_status=OrderStatus.PAID, flagged=late, after=paid,
                         reason=f"{kind}: trade {trade_no}" + (" (订单已关闭后到账)" if late else ""),
                         trade_no=trade_no, pay_time=paid_at)
        course_ids = [line.course_id for line in lines]
        owned = {line.course_id for line in lines if line.owned}
        if owned:  # bought meanwhile through another order: money to give back
            event_record(order=order, kind=kind, outcome=Outcome.COURSE_ALREADY_OWNED,
                         flagged=True, detail=f"courses {sorted(owned)} were already owned",
                         verified=True)
        grants = [UserCourse(user_id=order.user_id, course_id=course_id, order=order)
                  for course_id in course_ids if course_id not in owned]
        UserCourse.objects.bulk_create(grants)
    return outcome


def trade_no_taken(*, order, trade_no) -> bool:
    """Another order of the same provider holds this trade number (unique per provider)."""
    return Order.objects.filter(pay_type=order.pay_type, trade_no=trade_no).exclude(
        pk=order.pk).exists()


def trade_closed_apply(*, order, kind, params):
    """The provider closed the trade: an unpaid order closes too; a paid one never moves back.

    Closed after the deadline it timed out; before it, the buyer gave up at the cashier.
    """
    with transaction.atomic():
        order = order_lock(pk=order.pk)
        if order.order_status == OrderStatus.UNPAID:
            event_record(kind=kind, order=order, params=params, verified=True,
                         outcome=Outcome.CLOSED)
            overdue = order.expire_time <= timezone.now()
            order_transition(order=order, reason=f"{kind}: 支付平台交易已关闭",
                             to_status=OrderStatus.TIMED_OUT if overdue else OrderStatus.CANCELLED)
        elif order.is_paid:
            # Fully refunded at Alipay: expected after our own full refund; otherwise a human looks.
            event_record(kind=kind, order=order, params=params, verified=True,
                         outcome=Outcome.CLOSED_AFTER_PAID,
                         flagged=order.refund_amount != order.total_amount)
        else:
            event_record(kind=kind, order=order, params=params, verified=True,
                         outcome=Outcome.CLOSED)


def query_slot_claim(order) -> bool:
    """True for at most one caller per interval per order, across every process and host."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.ALIPAY_QUERY_INTERVAL_SECONDS)
    return bool(Order.objects.filter(pk=order.pk)
                .filter(Q(last_query_time__isnull=True) | Q(last_query_time__lt=cutoff))
                .update(last_query_time=now))


def failure_outcome(exc: ProviderError) -> Outcome:
    if exc.not_exist:
        return Outcome.TRADE_NOT_EXIST
    return Outcome.UNKNOWN if exc.unknown else Outcome.ERROR


def payment_sync(*, order) -> Outcome:
    """Ask the order's provider about it (query) and settle it if the money arrived."""
    try:
        trade = providers.for_pay_type(order.pay_type).query(out_trade_no=order.out_trade_no)
    except ProviderError as exc:
        outcome = failure_outcome(exc)
        event_record(kind=EventKind.QUERY, order=order, outcome=outcome, detail=str(exc),
                     params=exc.params)
        return outcome
    return trade_apply(order=order, trade=trade, kind=EventKind.QUERY)


def trade_apply(*, order, trade, kind) -> Outcome:
    """Apply a query answer about `order`: settle, close, or keep it as an event."""
    if trade.out_trade_no != order.out_trade_no:
        event_record(kind=kind, order=order, params=trade.params, verified=True,
                     outcome=Outcome.FOREIGN_ANSWER, flagged=True)
        return Outcome.FOREIGN_ANSWER
    if trade.state == TradeState.PAID:
        return payment_settle(
            out_trade_no=order.out_trade_no, trade_no=trade.trade_no, amount=trade.amount,
            kind=kind, paid_at=trade.paid_at, params=trade.params)
    if trade.state == TradeState.CLOSED:
        trade_closed_apply(order=order, kind=kind, params=trade.params)
        return Outcome.CLOSED
    outcome = (Outcome.WAIT_BUYER_PAY if trade.state == TradeState.WAITING
               else Outcome.UNKNOWN_TRADE_STATUS)
    event_record(kind=kind, order=order, params=trade.params, verified=True, outcome=outcome)
    return outcome


def payment_return_verify(*, order, params: dict) -> bool:
    """Check the signed parameters the provider put on the browser's return URL (never proof)."""
    try:
        provider = providers.for_pay_type(order.pay_type)
    except ProviderError:
        provider = None
    ok = (provider is not None and provider.return_verify(params)
          and params.get("out_trade_no") == order.out_trade_no)
    # A verified return is kept once (the page polls with it again and again); every failed
    # one is kept, since each may be a different forgery.
    seen = ok and PaymentEvent.objects.filter(order=order, kind=EventKind.RETURN, verified=True,
                                              params__sign=params.get("sign", "")).exists()
    if not seen:
        event_record(kind=EventKind.RETURN, order=order, params=params, verified=ok,
                     outcome=Outcome.VERIFIED if ok else Outcome.BAD_SIGNATURE)
    return ok


_PAYMENT_FIELDS = ["order_status", "trade_no", "pay_time", "refund_amount", "refund_time",
                   "last_query_time", "updated_time"]


def order_poll(*, order, return_params: dict):
    """The success page's poll: check a return signature, ask the provider while still unpaid.

    Returns the same order object, its status fresh (its prefetched lines stay valid).
    """
    returned = bool(return_params.get("sign"))
    if returned and not payment_return_verify(order=order, params=return_params):
        raise LuffyError("支付结果签名无效", code="bad_signature")
    should_ask = order.order_status == OrderStatus.UNPAID or returned
    if not order.is_paid and should_ask and query_slot_claim(order):
        payment_sync(order=order)
        order.refresh_from_db(fields=_PAYMENT_FIELDS)  # keeps the prefetched lines
    return order


def trade_close_at_provider(*, order) -> ProviderError | None:
    """Close the order's trade at its provider, kept as an event; the error if it did not."""
    try:
        answer = providers.for_pay_type(order.pay_type).close(out_trade_no=order.out_trade_no)
    except ProviderError as exc:
        event_record(kind=EventKind.CLOSE, order=order, outcome=failure_outcome(exc),
                     detail=str(exc), params=exc.params)
        return exc
    event_record(kind=EventKind.CLOSE, order=order, params=answer, verified=True,
                 outcome=Outcome.CLOSED)
    return None
