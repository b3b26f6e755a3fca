"""Writes for orders: create, settle a payment, cancel, reconcile — and the one transition.

Every status change goes through `order_transition`, always under the order's row lock inside
a transaction. Every fact from Alipay (callback or query answer) is kept as a PaymentEvent.
"""
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.course.models import Course, UserCourse
from apps.course.selectors import course_ids_owned
from apps.user.models import User
from lib.al_pay import client as alipay
from lib.al_pay.errors import AlipayError
from lib.al_pay.times import BEIJING, from_alipay_time, parse_amount
from utils.bounded import bounded_excerpt
from utils.exceptions import Conflict, LuffyError
from utils.logging import get_logger

from .constants import PAID_TRADE_STATUSES, TRANSITIONS, EventKind, OrderStatus
from .models import Order, OrderDetail, PaymentEvent

logger = get_logger("pay")


def event_record(*, kind, outcome, order=None, out_trade_no="", params=None, verified=None,
                 detail="", flagged=False, notify_id="", from_status=None, to_status=None,
                 actor=None):
    """Append one payment event (the audit trail of everything that touched a payment).

    Unverified input (anyone can post it) is kept only as a bounded excerpt with size and digest.
    """
    return PaymentEvent.objects.create(
        kind=kind, outcome=outcome, order=order,
        out_trade_no=_clip("out_trade_no", order.out_trade_no if order else out_trade_no),
        params=bounded_excerpt(params) if verified is False else (params or {}), verified=verified, detail=_clip("detail", detail), flagged=flagged,
        notify_id=_clip("notify_id", notify_id), from_status=from_status, to_status=to_status,
        actor=actor)


def _clip(field, value) -> str:
    """A value cut to the length of its PaymentEvent column (callback values are untrusted)."""
    return str(value or "")[:PaymentEvent._meta.get_field(field).max_length]


def order_transition(*, order, to_status, reason, flagged=False, **fields):
    """Move `order` to `to_status` if TRANSITIONS allows it; the caller holds its row lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_transition must run inside the transaction holding the lock")
    from_status = order.order_status
    if to_status not in TRANSITIONS[from_status]:
        raise Conflict(f"订单状态不允许从「{OrderStatus(from_status).label}」变为"
                       f"「{OrderStatus(to_status).label}」")
    order.order_status = to_status
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["order_status", "updated_time", *fields])
    event_record(kind=EventKind.TRANSITION, order=order, outcome=f"{from_status}->{to_status}",
                 detail=reason, flagged=flagged, from_status=from_status, to_status=to_status)
    logger.info("order %s: %s -> %s (%s)", order.out_trade_no, from_status, to_status, reason)
    return order


def _new_out_trade_no() -> str:
    """28 digits: Beijing time to the microsecond, then 8 random digits.

    Time-ordered as text, and unique across processes and hosts without a coordinator
    (two orders would need the same microsecond and the same 1-in-10^8 draw; the unique
    index is the last line of defence).
    """
    now = timezone.now().astimezone(BEIJING)
    return now.strftime("%Y%m%d%H%M%S%f") + f"{secrets.randbelow(10 ** 8):08d}"


def _lock_order(**lookup):
    return Order.objects.select_for_update().filter(**lookup).first()


def order_create(*, user, course_ids, subject, total_amount: Decimal, pay_type) -> tuple:
    """Write an unpaid order and its lines, or return the open order for exactly these courses.

    Returns (order, created). A constant number of queries however many courses.
    """
    course_ids = sorted(set(course_ids))
    course_key = ",".join(str(i) for i in course_ids)
    now = timezone.now()
    with transaction.atomic():
        # Serialise one student's purchases, so two tabs cannot open two orders at once.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
        courses = Course.objects.in_bulk(course_ids)
        _check_courses(user=user, course_ids=course_ids, courses=courses)
        expected = sum((courses[i].price for i in course_ids), Decimal("0.00"))
        if total_amount != expected:
            raise LuffyError(f"订单金额不正确：应付 ¥{expected}", code="amount_mismatch",
                             errors={"total_amount": [f"应为 {expected}"]})

        open_order = (Order.objects.select_for_update()
                      .filter(user=user, course_key=course_key, order_status=OrderStatus.UNPAID)
                      .order_by("-created_time").first())
        if open_order is not None:
            if open_order.expire_time > now and open_order.total_amount == expected:
                return open_order, False
            reason = "支付截止时间已过" if open_order.expire_time <= now else "价格变动，由新订单取代"
            order_transition(order=open_order, reason=reason,
                             to_status=OrderStatus.TIMED_OUT if open_order.expire_time <= now
                             else OrderStatus.CANCELLED)

        _check_no_open_order_overlaps(user=user, course_ids=course_ids, course_key=course_key,
                                      now=now)
        order = Order.objects.create(
            user=user, subject=subject, total_amount=expected, pay_type=pay_type,
            out_trade_no=_new_out_trade_no(), course_key=course_key,
            expire_time=now + timedelta(minutes=settings.ORDER_TIMEOUT_MINUTES))
        OrderDetail.objects.bulk_create([
            OrderDetail(order=order, course_id=i, price=courses[i].price,
                        real_price=courses[i].price) for i in course_ids])
    logger.info("order %s created for user %s: %s ¥%s", order.out_trade_no, user.pk,
                course_key, expected)
    return order, True


def order_place(*, user, course_ids, subject, total_amount: Decimal, pay_type) -> tuple:
    """Buy now: a new order, or the open one for the same courses if Alipay can still take it.

    Before an open order is handed out again, Alipay is asked about it: its trade may have been
    paid (then buying again would charge twice) or closed (then its pay URL would only show an
    error) since we last heard.
    """
    order, created = order_create(user=user, course_ids=course_ids, subject=subject,
                                  total_amount=total_amount, pay_type=pay_type)
    if created:
        return order, True
    outcome = payment_sync(order=order)
    if outcome in {"paid", "paid_after_close", "duplicate"}:
        raise Conflict("该订单已支付，请到「我的课程」开始学习", code="already_paid")
    if outcome == "closed":
        return order_create(user=user, course_ids=course_ids, subject=subject,
                            total_amount=total_amount, pay_type=pay_type)
    return order, False


def _check_no_open_order_overlaps(*, user, course_ids, course_key, now):
    """Refuse a second payable order for a course: paying both would charge for it twice."""
    line = (OrderDetail.objects.select_related("order", "course")
            .filter(order__user=user, order__order_status=OrderStatus.UNPAID,
                    order__expire_time__gt=now, course_id__in=course_ids)
            .exclude(order__course_key=course_key).first())
    if line is not None:
        message = (f"「{line.course.name}」已在未支付订单 {line.order.out_trade_no} 中，"
                   "请先支付或取消该订单")
        raise Conflict(message, code="course_in_open_order", errors={"courses": [message]})


def _check_courses(*, user, course_ids, courses):
    missing = [i for i in course_ids if i not in courses]
    if missing:
        raise LuffyError("课程不存在", code="course_not_found",
                         errors={"courses": [f"课程 {i} 不存在" for i in missing]})
    off_sale = [courses[i].name for i in course_ids if not courses[i].is_on_sale]
    if off_sale:
        raise LuffyError(f"课程已下架：{'、'.join(off_sale)}", code="course_off_sale",
                         errors={"courses": [f"{name} 已下架" for name in off_sale]})
    owned = course_ids_owned(user=user, course_ids=course_ids)
    if owned:
        names = [courses[i].name for i in course_ids if i in owned]
        raise LuffyError(f"您已购买过：{'、'.join(names)}", code="course_owned",
                         errors={"courses": [f"{name} 已购买" for name in names]})


def payment_settle(*, out_trade_no, trade_no, amount, paid_at, kind, params, notify_id=""):
    """Apply "Alipay has the money" exactly once, under the order's row lock.

    Shared by the notify and every query answer. Returns the outcome:
    "paid", "paid_after_close", "duplicate", "paid_by_another_trade", "amount_mismatch",
    "trade_no_of_another_order", "unknown_order".
    """
    with transaction.atomic():
        order = _lock_order(out_trade_no=out_trade_no)
        common = dict(kind=kind, params=params, verified=True, notify_id=notify_id)
        if order is None:
            event_record(out_trade_no=out_trade_no, outcome="unknown_order", **common)
            return "unknown_order"
        if amount != order.total_amount:
            event_record(order=order, outcome="amount_mismatch", flagged=True,
                         detail=f"alipay says {amount}, order is {order.total_amount}", **common)
            return "amount_mismatch"
        if order.is_paid:
            if order.trade_no == trade_no:
                event_record(order=order, outcome="duplicate", **common)
                return "duplicate"
            # Authentic money for an order another trade already paid: a refund case.
            event_record(order=order, outcome="paid_by_another_trade", flagged=True,
                         detail=f"trade {trade_no}; order paid by {order.trade_no}", **common)
            logger.error("order %s paid twice: %s and %s", out_trade_no, order.trade_no, trade_no)
            return "paid_by_another_trade"

        if Order.objects.filter(trade_no=trade_no).exclude(pk=order.pk).exists():
            event_record(order=order, outcome="trade_no_of_another_order", flagged=True,
                         detail=f"trade {trade_no} already settled another order", **common)
            return "trade_no_of_another_order"
        late = order.order_status != OrderStatus.UNPAID
        outcome = "paid_after_close" if late else "paid"
        event_record(order=order, outcome=outcome, flagged=late, **common)
        order_transition(order=order, to_status=OrderStatus.PAID, flagged=late,
                         reason=f"{kind}: trade {trade_no}" + (" (订单已关闭后到账)" if late else ""),
                         trade_no=trade_no, pay_time=paid_at)
        course_ids = list(order.lines.values_list("course_id", flat=True))
        owned = course_ids_owned(user=order.user_id, course_ids=course_ids)
        if owned:  # bought meanwhile through another order: money to give back
            event_record(order=order, kind=kind, outcome="course_already_owned", flagged=True,
                         detail=f"courses {sorted(owned)} were already owned", verified=True)
        UserCourse.objects.bulk_create(
            [UserCourse(user_id=order.user_id, course_id=course_id, order=order)
             for course_id in course_ids if course_id not in owned])
    return outcome


def _paid_at(params, *fields):
    for field in fields:
        try:
            return from_alipay_time(params[field])
        except (KeyError, ValueError, TypeError):
            continue
    return timezone.now()


def _reject(params, outcome, *, verified, order=None, detail=""):
    event_record(kind=EventKind.NOTIFY, order=order, out_trade_no=params.get("out_trade_no", ""),
                 params=params, verified=verified, outcome=outcome, detail=detail,
                 notify_id=params.get("notify_id", ""))
    logger.warning("notify rejected (%s) for %r", outcome, params.get("out_trade_no"))
    return False


def payment_notify_unparsable(*, content_type, reason):
    """Keep a POST to the notify URL that is not a readable form (it cannot be authentic)."""
    event_record(kind=EventKind.NOTIFY, verified=False, outcome="unparsable",
                 detail=f"{reason}; content type {content_type!r}")
    logger.warning("notify refused: unreadable body (%s, %r)", reason, content_type)


def payment_notify_handle(*, params: dict) -> bool:
    """Handle Alipay's async notify. True: answer `success`; False: answer `failure`.

    Alipay's rules, in order: verify the signature, then app_id, seller_id, out_trade_no and
    total_amount; only then act. Anything inauthentic or inconsistent changes no order.
    """
    if not alipay.verify_callback(params):
        return _reject(params, "bad_signature", verified=False)
    if params.get("app_id") != settings.ALIPAY_APP_ID:
        return _reject(params, "foreign_app_id", verified=True)
    if settings.ALIPAY_SELLER_ID and params.get("seller_id") != settings.ALIPAY_SELLER_ID:
        return _reject(params, "foreign_seller_id", verified=True)
    order = Order.objects.filter(out_trade_no=params.get("out_trade_no", "")).first()
    if order is None:
        return _reject(params, "unknown_order", verified=True)
    if parse_amount(params.get("total_amount")) != order.total_amount:
        return _reject(params, "amount_mismatch", verified=True, order=order,
                       detail=f"notify says {params.get('total_amount')}")

    trade_status = params.get("trade_status")
    if trade_status in PAID_TRADE_STATUSES:
        if not params.get("trade_no"):
            return _reject(params, "missing_trade_no", verified=True, order=order)
        outcome = payment_settle(
            out_trade_no=order.out_trade_no, trade_no=params["trade_no"],
            amount=order.total_amount, paid_at=_paid_at(params, "gmt_payment", "notify_time"),
            kind=EventKind.NOTIFY, params=params, notify_id=params.get("notify_id", ""))
        return outcome in {"paid", "paid_after_close", "duplicate", "paid_by_another_trade"}
    if trade_status == "TRADE_CLOSED":
        _apply_trade_closed(order=order, kind=EventKind.NOTIFY, params=params)
        return True
    if trade_status == "WAIT_BUYER_PAY":
        event_record(kind=EventKind.NOTIFY, order=order, params=params, verified=True,
                     outcome="wait_buyer_pay", notify_id=params.get("notify_id", ""))
        return True
    return _reject(params, "unknown_trade_status", verified=True, order=order)


def _apply_trade_closed(*, order, kind, params):
    """Alipay closed the trade: an unpaid order closes too; a paid one never moves back.

    Closed after the deadline it timed out; before it, the buyer gave up at the cashier.
    """
    with transaction.atomic():
        order = _lock_order(pk=order.pk)
        if order.order_status == OrderStatus.UNPAID:
            event_record(kind=kind, order=order, params=params, verified=True, outcome="closed")
            overdue = order.expire_time <= timezone.now()
            order_transition(order=order, reason=f"{kind}: 支付宝交易已关闭",
                             to_status=OrderStatus.TIMED_OUT if overdue else OrderStatus.CANCELLED)
        elif order.is_paid:
            # e.g. fully refunded at Alipay; the order stays paid, a human looks at it.
            event_record(kind=kind, order=order, params=params, verified=True,
                         outcome="closed_after_paid", flagged=True)
        else:
            event_record(kind=kind, order=order, params=params, verified=True, outcome="closed")


def _claim_query_slot(order) -> bool:
    """True for at most one caller per interval per order, across every process and host."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.ALIPAY_QUERY_INTERVAL_SECONDS)
    return bool(Order.objects.filter(pk=order.pk)
                .filter(Q(last_query_time__isnull=True) | Q(last_query_time__lt=cutoff))
                .update(last_query_time=now))


def payment_sync(*, order) -> str:
    """Ask Alipay (alipay.trade.query) about an order and settle it if the money arrived."""
    try:
        answer = alipay.trade_query(out_trade_no=order.out_trade_no)
    except AlipayError as exc:
        outcome = "trade_not_exist" if exc.trade_not_exist else ("unknown" if exc.unknown else "error")
        event_record(kind=EventKind.QUERY, order=order, outcome=outcome, detail=str(exc),
                     params={"code": exc.code, "sub_code": exc.sub_code})
        return outcome
    trade_status = answer.get("trade_status", "")
    if answer.get("out_trade_no") not in (None, order.out_trade_no):
        event_record(kind=EventKind.QUERY, order=order, params=answer, verified=True,
                     outcome="foreign_answer", flagged=True)
        return "foreign_answer"
    if trade_status in PAID_TRADE_STATUSES:
        return payment_settle(
            out_trade_no=order.out_trade_no, trade_no=answer.get("trade_no", ""),
            amount=parse_amount(answer.get("total_amount")), kind=EventKind.QUERY,
            paid_at=_paid_at(answer, "send_pay_date"), params=answer)
    if trade_status == "TRADE_CLOSED":
        _apply_trade_closed(order=order, kind=EventKind.QUERY, params=answer)
        return "closed"
    event_record(kind=EventKind.QUERY, order=order, params=answer, verified=True,
                 outcome=trade_status.lower() or "no_status")
    return trade_status.lower()


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
                     outcome="verified" if ok else "bad_signature")
    return ok


def order_poll(*, order, return_params: dict):
    """The success page's poll: check the return signature, ask Alipay while still unpaid."""
    returned = bool(return_params.get("sign"))
    if returned and not payment_return_verify(order=order, params=return_params):
        raise LuffyError("支付结果签名无效", code="bad_signature")
    should_ask = order.order_status == OrderStatus.UNPAID or returned
    if not order.is_paid and should_ask and _claim_query_slot(order):
        payment_sync(order=order)
        order.refresh_from_db()
    return order


def _close_at_alipay(order):
    """alipay.trade.close, kept as an event; the AlipayError if it did not close, else None."""
    try:
        answer = alipay.trade_close(out_trade_no=order.out_trade_no)
    except AlipayError as exc:
        event_record(kind=EventKind.CLOSE, order=order, outcome=exc.sub_code or exc.code or "error",
                     detail=str(exc))
        return exc
    event_record(kind=EventKind.CLOSE, order=order, params=answer, verified=True, outcome="closed")
    return None


def order_cancel(*, order, reason="学生取消"):
    """Cancel an unpaid order: closed at Alipay first, so it cannot be paid after."""
    if order.order_status != OrderStatus.UNPAID:
        raise Conflict("只能取消未支付的订单")
    failure = _close_at_alipay(order)
    if failure is not None:
        if failure.sub_code == "ACQ.TRADE_STATUS_ERROR":  # paid at Alipay meanwhile
            payment_sync(order=order)
            order.refresh_from_db()
            if order.is_paid:
                raise Conflict("订单已支付，无法取消")
        # Not created at Alipay, or Alipay unreachable: cancel here; a late payment is still
        # accepted (2 -> 1) and flagged, so no money is lost.
    with transaction.atomic():
        order = _lock_order(pk=order.pk)
        if order.order_status != OrderStatus.UNPAID:
            raise Conflict("只能取消未支付的订单")
        order_transition(order=order, to_status=OrderStatus.CANCELLED, reason=reason)
    return order


def order_refund(*, order) -> str:
    """Refund a paid order in full at Alipay and take back the courses it granted.

    The refund's out_request_no is derived from the order, so pressing "refund" twice
    refunds once (Alipay answers the repeat with fund_change "N").
    """
    if not order.is_paid:
        raise Conflict("只能退款已支付的订单")
    try:
        answer = alipay.trade_refund(out_trade_no=order.out_trade_no,
                                     refund_amount=order.total_amount,
                                     out_request_no=f"{order.out_trade_no}-full")
    except AlipayError as exc:
        event_record(kind=EventKind.REFUND, order=order, outcome=exc.sub_code or exc.code,
                     detail=str(exc), flagged=exc.unknown)
        raise Conflict(f"退款失败：{exc.msg or exc.sub_code or exc.code}") from exc
    outcome = "refunded" if answer.get("fund_change") == "Y" else "already_refunded"
    with transaction.atomic():
        order = _lock_order(pk=order.pk)
        event_record(kind=EventKind.REFUND, order=order, params=answer, verified=True,
                     outcome=outcome, detail=f"refund_fee {answer.get('refund_fee')}")
        if order.refund_amount != order.total_amount:
            order.refund_amount = order.total_amount
            order.refund_time = timezone.now()
            order.save(update_fields=["refund_amount", "refund_time", "updated_time"])
        UserCourse.objects.filter(order=order).delete()
    logger.info("order %s refunded (%s)", order.out_trade_no, outcome)
    return outcome


def orders_reconcile(*, limit=200) -> dict:
    """Periodic job: settle unpaid orders Alipay says are paid; time out the overdue ones."""
    now = timezone.now()
    counts = {"checked": 0, "paid": 0, "timed_out": 0}
    stale = now - timedelta(minutes=1)  # give the notify a minute before asking
    for order in (Order.objects.filter(order_status=OrderStatus.UNPAID, created_time__lt=stale)
                  .order_by("expire_time")[:limit]):
        if not _claim_query_slot(order):
            continue
        counts["checked"] += 1
        outcome = payment_sync(order=order)
        if outcome in {"paid", "paid_after_close"}:
            counts["paid"] += 1
        elif order.expire_time <= now and outcome in {"trade_not_exist", "wait_buyer_pay"}:
            if _expire(order):
                counts["timed_out"] += 1
    return counts


def _expire(order) -> bool:
    """Close an overdue trade at Alipay, then time the order out; False if Alipay is unsure."""
    failure = _close_at_alipay(order)
    if failure is not None and not failure.trade_not_exist:
        return False  # paid meanwhile, or unknown: the next run looks again
    with transaction.atomic():
        order = _lock_order(pk=order.pk)
        if order.order_status != OrderStatus.UNPAID:
            return False
        order_transition(order=order, to_status=OrderStatus.TIMED_OUT, reason="支付超时")
    return True
