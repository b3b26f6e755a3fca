"""One reconciliation pass: settle unpaid orders their provider says are paid, time out overdue
ones, and settle refunds still processing.

Run by `manage.py reconcile_orders` (an operator, once), the Celery task `order.reconcile`
and the laptop loop `run_periodic_jobs`. Work per pass is bounded, and several hosts may run
it at once: each order is claimed with the conditional UPDATE of `query_slot_claim`.
"""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import providers
from ..constants import SETTLED_OUTCOMES, OrderStatus, Outcome
from ..models import Order
from .events import order_lock, order_transition
from .payments import payment_sync, query_slot_claim, trade_close_at_provider
from .refunds import refunds_sync

# The provider answered, and the trade was never paid: an overdue order may time out.
_UNPAID_AT_ALIPAY = frozenset({Outcome.TRADE_NOT_EXIST, Outcome.WAIT_BUYER_PAY})


def orders_reconcile(*, min_age_seconds=0, limit=None) -> dict:
    """One pass over unpaid orders at least `min_age_seconds` old, least recently asked first,
    of every enabled provider; then the refunds still processing.

    Returns counts: checked, paid, timed_out, unsure (the provider could not tell, or refused
    to close: nothing concluded, the next pass asks again), left (beyond `limit`), and
    refunds_checked / refunds_settled.
    """
    now = timezone.now()
    limit = limit or settings.ORDER_RECONCILE_BATCH_SIZE
    unpaid = Order.objects.filter(order_status=OrderStatus.UNPAID,
                                  pay_type__in=list(providers.enabled()),
                                  created_time__lte=now - timedelta(seconds=min_age_seconds))
    batch = list(unpaid.order_by(F("last_query_time").asc(nulls_first=True), "expire_time", "pk")
                 [:limit + 1])
    counts = {"checked": 0, "paid": 0, "timed_out": 0, "unsure": 0,
              "left": max(len(batch) - limit, 0)}
    for order in batch[:limit]:
        if not query_slot_claim(order):
            continue  # another host is asking the provider about it right now
        counts["checked"] += 1
        outcome = payment_sync(order=order)
        if outcome in SETTLED_OUTCOMES:  # paid now (or by a notify a moment ago)
            counts["paid"] += 1
        elif outcome == Outcome.CLOSED:  # closed at Alipay; the sync closed it here too
            order.refresh_from_db(fields=["order_status"])
            counts["timed_out"] += order.order_status == OrderStatus.TIMED_OUT
        elif outcome in _UNPAID_AT_ALIPAY:
            if order.expire_time <= now:
                counts["timed_out" if _expire(order) else "unsure"] += 1
        else:
            counts["unsure"] += 1
    counts.update({name: n for name, n in refunds_sync(limit=limit).items() if n})
    return counts


def _expire(order) -> bool:
    """Close an overdue trade at its provider, then time the order out; False if unsure."""
    failure = trade_close_at_provider(order=order)
    if failure is not None and not failure.not_exist:
        return False  # paid meanwhile, or unknown: the next run looks again
    with transaction.atomic():
        order = order_lock(pk=order.pk)
        if order.order_status != OrderStatus.UNPAID:
            return False
        order_transition(order=order, to_status=OrderStatus.TIMED_OUT, reason="支付超时")
    return True
