"""Alipay's facts applied to orders: notify, settle, sync (query), return, poll, close, refund.

No network call runs under a row lock: Alipay is asked first, then the order is locked and
written. Every fact from Alipay (callback or answer) is kept as a PaymentEvent.
"""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.course.models import UserCourse
from lib.al_pay import client as alipay
from lib.al_pay.errors import AlipayError
from lib.al_pay.notify import (
    PAID_TRADE_STATUSES,
    NotifyRefused,
    alipay_time_of,
    notify_authenticate,
)
from lib.al_pay.times import parse_amount
from utils.exceptions import LuffyError
from utils.logging import get_logger
from utils.prepared import PreparedQuery

from ..constants import SETTLED_OUTCOMES, EventKind, OrderStatus, Outcome
from ..models import Order, OrderDetail, PaymentEvent
from .events import event_record, order_lock, order_transition

logger = get_logger("pay")


# An order's lines, each saying whether its buyer owns the course already and (the same on
# every line) whether the trade_no paid another order: what settling reads, in one statement.
# A plain read (the order's row is locked by the ORM before it), prepared: utils.prepared.
_lines_owned = PreparedQuery(
    "order.lines_owned", lambda order_id, user_id, trade_no: OrderDetail.objects
    .filter(order_id=order_id).only("course_id").annotate(
        owned=Exists(UserCourse.objects.filter(user_id=user_id, course_id=OuterRef("course_id"))),
        trade_no_taken=Exists(Order.objects.filter(trade_no=trade_no).exclude(pk=order_id)))
    .order_by("pk"), constants=[1], order_id=0, user_id=0, trade_no="")


def payment_settle(*, out_trade_no, trade_no, amount, paid_at, kind, params,
                   notify_id="", locked=None) -> Outcome:
    """Apply "Alipay has the money" exactly once, under the order's row lock.

    Shared by the notify and every query answer; returns what happened as an Outcome.
    `locked`: the order, already locked by the caller in the transaction it is in.
    """
    paid_at = paid_at or timezone.now()
    with transaction.atomic(savepoint=locked is None):  # locked: inside the caller's already
        order = locked or order_lock(out_trade_no=out_trade_no)
        common = dict(kind=kind, params=params, verified=True, notify_id=notify_id)
        if order is None:
            event_record(out_trade_no=out_trade_no, outcome=Outcome.UNKNOWN_ORDER, **common)
            return Outcome.UNKNOWN_ORDER
        if amount != order.total_amount:
            event_record(order=order, outcome=Outcome.AMOUNT_MISMATCH, flagged=True,
                         detail=f"alipay says {amount}, order is {order.total_amount}", **common)
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

        lines = _lines_owned(order_id=order.pk, user_id=order.user_id, trade_no=trade_no)
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


def _notify_reject(params, outcome, *, verified, order=None, detail="", flagged=False) -> bool:
    event_record(kind=EventKind.NOTIFY, order=order, out_trade_no=params.get("out_trade_no", ""),
                 params=params, verified=verified, outcome=outcome, detail=detail,
                 notify_id=params.get("notify_id", ""), flagged=flagged)
    logger.warning("notify rejected (%s) for %r", outcome, params.get("out_trade_no"))
    return False


def payment_notify_unparsable(*, content_type, reason):
    """Keep a POST to the notify URL that is not a readable form (it cannot be authentic)."""
    event_record(kind=EventKind.NOTIFY, verified=False, outcome=Outcome.UNPARSABLE,
                 detail=f"{reason}; content type {content_type!r}")
    logger.warning("notify refused: unreadable body (%s, %r)", reason, content_type)


def payment_notify_handle(*, params: dict) -> bool:
    """Handle Alipay's async notify. True: answer `success`; False: answer `failure`.

    lib.al_pay checks the signature, app_id and seller_id; here out_trade_no and total_amount
    are checked against the order. Anything inauthentic or inconsistent changes no order.
    """
    try:
        notify = notify_authenticate(params)
    except NotifyRefused as refused:
        # Signed by Alipay but with money text we cannot read: a human reviews it.
        bad_amount = refused.reason == Outcome.BAD_AMOUNT
        return _notify_reject(params, Outcome(refused.reason), verified=refused.verified,
                              flagged=bad_amount, detail=(
                                  f"total_amount {str(params.get('total_amount'))[:40]!r}"
                                  if bad_amount else ""))
    with transaction.atomic():  # the order is read once, under its lock, for every check
        return _notify_apply(notify, order_lock(out_trade_no=notify.out_trade_no), params)


def _notify_apply(notify, order, params) -> bool:
    if order is None:
        return _notify_reject(params, Outcome.UNKNOWN_ORDER, verified=True)
    if notify.total_amount != order.total_amount:
        return _notify_reject(params, Outcome.AMOUNT_MISMATCH, verified=True, order=order,
                              detail=f"notify says {params.get('total_amount')}")
    if notify.is_paid:
        if not notify.trade_no:
            return _notify_reject(params, Outcome.MISSING_TRADE_NO, verified=True, order=order)
        outcome = payment_settle(
            out_trade_no=order.out_trade_no, trade_no=notify.trade_no, amount=order.total_amount,
            paid_at=notify.paid_at, kind=EventKind.NOTIFY, params=params,
            notify_id=notify.notify_id, locked=order)
        # Money for an order paid by another trade is acknowledged too: it is flagged for a human.
        return outcome in SETTLED_OUTCOMES or outcome == Outcome.PAID_BY_ANOTHER_TRADE
    if notify.trade_status == "TRADE_CLOSED":
        trade_closed_apply(order=order, kind=EventKind.NOTIFY, params=params)
        return True
    if notify.trade_status == "WAIT_BUYER_PAY":
        event_record(kind=EventKind.NOTIFY, order=order, params=params, verified=True,
                     outcome=Outcome.WAIT_BUYER_PAY, notify_id=notify.notify_id)
        return True
    return _notify_reject(params, Outcome.UNKNOWN_TRADE_STATUS, verified=True, order=order)


def trade_closed_apply(*, order, kind, params):
    """Alipay closed the trade: an unpaid order closes too; a paid one never moves back.

    Closed after the deadline it timed out; before it, the buyer gave up at the cashier.
    """
    with transaction.atomic():
        order = order_lock(pk=order.pk)
        if order.order_status == OrderStatus.UNPAID:
            event_record(kind=kind, order=order, params=params, verified=True,
                         outcome=Outcome.CLOSED)
            overdue = order.expire_time <= timezone.now()
            order_transition(order=order, reason=f"{kind}: 支付宝交易已关闭",
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


def _failure_outcome(exc: AlipayError) -> Outcome:
    if exc.trade_not_exist:
        return Outcome.TRADE_NOT_EXIST
    return Outcome.UNKNOWN if exc.unknown else Outcome.ERROR


def _failure_params(exc: AlipayError) -> dict:
    return {"code": exc.code, "sub_code": exc.sub_code}


def payment_sync(*, order) -> Outcome:
    """Ask Alipay (alipay.trade.query) about an order and settle it if the money arrived."""
    try:
        answer = alipay.trade_query(out_trade_no=order.out_trade_no)
    except AlipayError as exc:
        outcome = _failure_outcome(exc)
        event_record(kind=EventKind.QUERY, order=order, outcome=outcome, detail=str(exc),
                     params=_failure_params(exc))
        return outcome
    trade_status = answer.get("trade_status", "")
    if answer.get("out_trade_no") not in (None, order.out_trade_no):
        event_record(kind=EventKind.QUERY, order=order, params=answer, verified=True,
                     outcome=Outcome.FOREIGN_ANSWER, flagged=True)
        return Outcome.FOREIGN_ANSWER
    if trade_status in PAID_TRADE_STATUSES:
        return payment_settle(
            out_trade_no=order.out_trade_no, trade_no=answer.get("trade_no", ""),
            amount=parse_amount(answer.get("total_amount")), kind=EventKind.QUERY,
            paid_at=alipay_time_of(answer, "send_pay_date"), params=answer)
    if trade_status == "TRADE_CLOSED":
        trade_closed_apply(order=order, kind=EventKind.QUERY, params=answer)
        return Outcome.CLOSED
    outcome = (Outcome.WAIT_BUYER_PAY if trade_status == "WAIT_BUYER_PAY"
               else Outcome.UNKNOWN_TRADE_STATUS)
    event_record(kind=EventKind.QUERY, order=order, params=answer, verified=True, outcome=outcome)
    return outcome


def payment_return_verify(*, order, params: dict) -> bool:
    """Check the signed parameters Alipay put on the browser's return URL (never proof of pay)."""
    ok = (alipay.verify_callback(params) and params.get("app_id") == settings.ALIPAY_APP_ID
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
    """The success page's poll: check the return signature, ask Alipay while still unpaid.

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


def trade_close_at_alipay(*, order) -> AlipayError | None:
    """alipay.trade.close, kept as an event; the AlipayError if it did not close, else None."""
    try:
        answer = alipay.trade_close(out_trade_no=order.out_trade_no)
    except AlipayError as exc:
        event_record(kind=EventKind.CLOSE, order=order, outcome=_failure_outcome(exc),
                     detail=str(exc), params=_failure_params(exc))
        return exc
    event_record(kind=EventKind.CLOSE, order=order, params=answer, verified=True,
                 outcome=Outcome.CLOSED)
    return None
