"""Buy now and cancel: create an order, hand out an open one again, supersede a stale one.

An open order is retired (cancelled, timed out or superseded) the way cancel does it: closed
at its provider first, outside any lock, so a cashier tab still open on it cannot be paid after.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from rest_framework import status

from apps.course.models import Course, UserCourse
from apps.user.models import User
from lib.al_pay.times import BEIJING
from utils.exceptions import Conflict, LuffyError
from utils.logging import get_logger
from utils.prepared import PreparedQuery

from .. import providers
from ..constants import SETTLED_OUTCOMES, OrderStatus, Outcome
from ..models import Order, OrderDetail
from ..providers.base import Checkout, ProviderError
from .events import order_lock, order_transition
from .payments import payment_sync, trade_close_at_provider

logger = get_logger("pay")

ALREADY_PAID = "该订单已支付，请到「我的课程」开始学习"


@dataclass(frozen=True)
class PlacedOrder:
    """What buy-now answers: the order, whether it is new, and where to pay it."""

    order: Order
    created: bool
    checkout: Checkout


class StaleOpenOrder(Exception):
    """The open order for these courses is overdue, priced differently or for another pay type:
    retire it first."""

    def __init__(self, order):
        super().__init__(order.out_trade_no)
        self.order = order


# The courses asked for, each saying whether the student owns it already (`owned`). A plain
# read, prepared (utils.prepared: compiled once per number of courses, proven equal to the ORM).
_courses_with_owned = PreparedQuery(
    "order.courses_with_owned", lambda user_id, ids: Course.objects.filter(pk__in=ids).annotate(
        owned=Exists(UserCourse.objects.filter(user_id=user_id, course_id=OuterRef("pk")))),
    constants=[1], user_id=0, ids=[0])


# The student's unpaid orders for exactly these courses (by course_key) or sharing a course
# with them: a plain read, prepared (utils.prepared, proven equal to the ORM), run after the
# student's row is locked. Those rows are then locked by primary key through the ORM.
_open_orders = PreparedQuery(
    "order.open_orders", lambda user_id, course_key, course_ids: Order.objects.filter(
        user_id=user_id, order_status=OrderStatus.UNPAID).filter(
        Q(course_key=course_key) | Exists(
            OrderDetail.objects.filter(order_id=OuterRef("pk"), course_id__in=course_ids)))
    .order_by("-created_time", "-pk"),
    constants=[int(OrderStatus.UNPAID), 1], user_id=0, course_key="", course_ids=[0])


def _open_orders_locked(*, user_id, course_key, course_ids, now) -> list:
    """The student's unpaid orders that matter here, locked, newest first.

    The one for exactly these courses (handed out again, or retired if stale), and payable ones
    sharing a course with them (refused). From the student's orders (an index on user), never
    from a course's lines: those grow with every sale of the course.

    The caller holds the student's row lock, which every buy-now of theirs takes first: no new
    unpaid order of theirs can appear meanwhile, and none ever becomes unpaid again. So the
    plain read finds every candidate; the ORM then locks them by primary key and reads them
    again, and whatever left "unpaid" meanwhile (paid, cancelled, timed out) is dropped. The
    usual case, a student with no such order, takes no lock and compiles no locking query.
    """
    found = [o.pk for o in _open_orders(user_id=user_id, course_key=course_key,
                                        course_ids=course_ids)]
    if not found:
        return []
    locked = Order.objects.select_for_update().filter(
        pk__in=found, order_status=OrderStatus.UNPAID).order_by("-created_time", "-pk")
    return [o for o in locked if o.course_key == course_key or o.expire_time > now]


def _new_out_trade_no() -> str:
    """28 digits: Beijing time to the microsecond, then 8 random digits.

    Time-ordered as text, and unique across processes and hosts without a coordinator
    (two orders would need the same microsecond and the same 1-in-10^8 draw; the unique
    index is the last line of defence).
    """
    now = timezone.now().astimezone(BEIJING)
    return now.strftime("%Y%m%d%H%M%S%f") + f"{secrets.randbelow(10 ** 8):08d}"


def order_create(*, user, course_ids, subject, total_amount: Decimal, pay_type,
                 channel=None) -> tuple:
    """Write an unpaid order and its lines, or return the open order for exactly these courses.

    Returns (order, created); raises StaleOpenOrder when the open order must be retired first
    (that needs its provider, which is never called under the lock). Constant queries per
    course. `channel`: the provider's cashier (default: the provider's first).
    """
    channel = channel or providers.for_pay_type(pay_type).default_channel
    course_ids = sorted(set(course_ids))
    course_key = ",".join(str(i) for i in course_ids)
    now = timezone.now()
    with transaction.atomic():
        # Serialise one student's purchases, so two tabs cannot open two orders at once. The
        # locked row is the student's own: a request authenticated without it checks it here.
        locked = next(iter(User.objects.select_for_update().filter(pk=user.pk).order_by()), None)
        if hasattr(user, "adopt"):
            if locked is None:
                user.username  # noqa: B018 -- the row is gone: the token's check refuses it
            user.adopt(locked)
        elif locked is None:
            raise User.DoesNotExist(f"user {user.pk}")
        courses = {c.pk: c for c in _courses_with_owned(user_id=user.pk, ids=course_ids)}
        _check_courses(user=user, course_ids=course_ids, courses=courses)
        expected = sum((courses[i].price for i in course_ids), Decimal("0.00"))
        if total_amount != expected:  # well formed, but not today's price: a conflict
            raise Conflict(f"订单金额不正确：应付 ¥{expected}", code="amount_mismatch",
                           errors={"total_amount": [f"应为 {expected}"]})

        open_orders = _open_orders_locked(user_id=user.pk, course_key=course_key,
                                          course_ids=course_ids, now=now)
        same = [o for o in open_orders if o.course_key == course_key]  # newest first
        if same:
            open_order = same[0]
            if open_order.expire_time > now and open_order.total_amount == expected \
                    and open_order.pay_type == pay_type:
                if open_order.channel != channel:  # continued on another device
                    open_order.channel = channel
                    open_order.save(update_fields=["channel", "updated_time"])
                return open_order, False
            raise StaleOpenOrder(open_order)
        _check_no_open_order_overlaps(overlapping=open_orders, course_ids=course_ids)
        order = Order(
            user_id=user.pk, subject=subject, total_amount=expected, pay_type=pay_type,
            channel=channel,
            out_trade_no=_new_out_trade_no(), course_key=course_key,
            expire_time=now + timedelta(minutes=settings.ORDER_TIMEOUT_MINUTES))
        order.save(force_insert=True)
        OrderDetail.objects.bulk_create([
            OrderDetail(order=order, course_id=i, price=courses[i].price,
                        real_price=courses[i].price) for i in course_ids])
    logger.info("order %s created for user %s: %s ¥%s", order.out_trade_no, user.pk,
                course_key, expected)
    return order, True


def order_place(*, user, course_ids, subject, total_amount: Decimal, pay_type, channel=None,
                client_ip="") -> PlacedOrder:
    """Buy now: a new order, or the open one for the same courses if its provider can still
    take it.

    Before an open order is handed out again, its provider is asked about it: its trade may
    have been paid (then buying again would charge twice) or closed (then its pay URL would
    only show an error) since we last heard. A stale open order (overdue, repriced, or for
    another pay type) is closed at its provider before a new one opens. The checkout is the
    provider's cashier for the channel (Alipay page/wap, WeChat native/h5).
    """
    provider = providers.for_pay_type(pay_type)
    channel = channel or provider.default_channel
    arguments = dict(user=user, course_ids=course_ids, subject=subject,
                     total_amount=total_amount, pay_type=pay_type, channel=channel)
    for _ in range(3):  # retire a stale order, or a closed one, then try again
        try:
            order, created = order_create(**arguments)
        except StaleOpenOrder as stale:
            _open_order_retire(stale.order)
            continue
        if not created:
            outcome = payment_sync(order=order)
            if outcome in SETTLED_OUTCOMES:
                raise Conflict(ALREADY_PAID, code="already_paid")
            if outcome == Outcome.CLOSED:
                continue
        try:
            checkout = provider.checkout(order=order, channel=channel, course_ids=course_ids,
                                         client_ip=client_ip)
        except ProviderError as exc:
            if exc.number_used and not created:
                # WeChat takes an order number again only with identical parameters (another
                # channel or client address is not): retire it, and open a new order.
                _open_order_retire(order, reason="支付参数变化（如换了设备），由新订单取代")
                continue
            # The order stays open: the next click asks again.
            logger.warning("checkout of %s at %s failed: %s", order.out_trade_no, provider.name,
                           exc)
            raise LuffyError(f"暂时无法连接{provider.label}，请稍后再试",
                             status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                             code="provider_unavailable") from exc
        return PlacedOrder(order=order, created=created, checkout=checkout)
    raise Conflict("订单状态正在变化，请稍后再试", code="order_busy")


def _open_order_retire(order, reason=None):
    """Close a stale open order at its provider, then here; Conflict if it was paid meanwhile.

    The provider unreachable: an overdue order times out here anyway (the provider refuses
    payment after time_expire, our deadline, and late money is still accepted and flagged);
    one still payable makes a 503 rather than a second payable order. The provider refusing
    to close (the trade was paid, or closed after payment) is settled by a query.
    """
    overdue = order.expire_time <= timezone.now()
    failure = trade_close_at_provider(order=order)
    if failure is not None and not failure.not_exist:
        if failure.unknown:
            unpayable = overdue  # the provider's time_expire stops payment
        else:  # e.g. ACQ.TRADE_STATUS_ERROR / ORDER_PAID: ask what happened to the trade
            outcome = payment_sync(order=order)
            if outcome in SETTLED_OUTCOMES:
                raise Conflict(ALREADY_PAID, code="already_paid")
            unpayable = outcome == Outcome.CLOSED
        if not unpayable:
            raise LuffyError("暂时无法向支付平台确认原订单的状态，请稍后再试",
                             status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                             code="provider_unavailable")
    with transaction.atomic():
        order = order_lock(pk=order.pk)
        if order.is_paid:  # the notify arrived meanwhile
            raise Conflict(ALREADY_PAID, code="already_paid")
        if order.order_status == OrderStatus.UNPAID:
            order_transition(
                order=order, reason="支付截止时间已过" if overdue else (
                    reason or "由新订单取代（价格或支付方式变动）"),
                to_status=OrderStatus.TIMED_OUT if overdue else OrderStatus.CANCELLED)


def _check_no_open_order_overlaps(*, overlapping, course_ids):
    """Refuse a second payable order for a course: paying both would charge for it twice."""
    if overlapping:
        first = min(overlapping, key=lambda order: order.pk)
        line = (OrderDetail.objects.select_related("order", "course")
                .filter(order=first, course_id__in=course_ids).order_by("pk").first())
        message = (f"「{line.course.name}」已在未支付订单 {line.order.out_trade_no} 中，"
                   "请先支付或取消该订单")
        raise Conflict(message, code="course_in_open_order", errors={"courses": [message]})


def _check_courses(*, user, course_ids, courses):
    missing = [i for i in course_ids if i not in courses]
    if missing:
        raise LuffyError("课程不存在", code="course_not_found",
                         status_code=status.HTTP_404_NOT_FOUND,
                         errors={"courses": [f"课程 {i} 不存在" for i in missing]})
    off_sale = [courses[i].name for i in course_ids if not courses[i].is_on_sale]
    if off_sale:
        raise Conflict(f"课程已下架：{'、'.join(off_sale)}", code="course_off_sale",
                       errors={"courses": [f"{name} 已下架" for name in off_sale]})
    owned = {i for i in course_ids if courses[i].owned}
    if owned:
        names = [courses[i].name for i in course_ids if i in owned]
        raise Conflict(f"您已购买过：{'、'.join(names)}", code="course_owned",
                       errors={"courses": [f"{name} 已购买" for name in names]})


def order_cancel(*, order, reason="学生取消"):
    """Cancel an unpaid order: closed at its provider first, so it cannot be paid after."""
    if order.order_status != OrderStatus.UNPAID:
        raise Conflict("只能取消未支付的订单")
    failure = trade_close_at_provider(order=order)
    if failure is not None and failure.not_closable:
        # Paid meanwhile (WeChat ORDER_PAID, Alipay ACQ.TRADE_STATUS_ERROR): settle it.
        # Otherwise (not created at the provider, or unreachable) cancel
        # here: a late payment is still accepted (2 -> 1) and flagged, so no money is lost.
        if payment_sync(order=order) in SETTLED_OUTCOMES:
            raise Conflict("订单已支付，无法取消")
    with transaction.atomic():
        order = order_lock(pk=order.pk)
        if order.order_status != OrderStatus.UNPAID:
            raise Conflict("只能取消未支付的订单")
        order_transition(order=order, to_status=OrderStatus.CANCELLED, reason=reason)
    return order
