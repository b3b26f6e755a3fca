"""The one status transition, the row lock it needs, and the append-only payment event trail."""
from django.db import transaction

from utils.bounded import bounded_excerpt
from utils.exceptions import Conflict
from utils.logging import get_logger

from ..constants import PROVIDER_NAMES, TRANSITIONS, EventKind, OrderStatus, Outcome
from ..models import Order, PaymentEvent

logger = get_logger("pay")


def event_record(*, kind, outcome: Outcome, order=None, out_trade_no="", params=None,
                 verified=None, detail="", flagged=False, notify_id="", from_status=None,
                 to_status=None, actor=None, provider="", write=True):
    """Append one payment event (the audit trail of everything that touched a payment).

    Unverified input (anyone can post it) is kept only as a bounded excerpt with size and digest.
    `actor` is the staff member whose admin action caused it. `provider` ("alipay", "wechat")
    defaults to the order's. write=False returns it unwritten, for order_transition to write
    just before its own.
    """
    if not provider and order is not None:
        provider = PROVIDER_NAMES.get(order.pay_type, "")
    event = PaymentEvent(
        kind=kind, outcome=Outcome(outcome), order=order,
        out_trade_no=_clip("out_trade_no", order.out_trade_no if order else out_trade_no),
        params=bounded_excerpt(params) if verified is False else (params or {}),
        verified=verified, detail=_clip("detail", detail), flagged=flagged,
        notify_id=_clip("notify_id", notify_id), from_status=from_status, to_status=to_status,
        actor=actor, provider=provider)
    if write:
        event.save()  # a new row, never an update: the trail is append-only (PaymentEvent.save)
    return event


def _clip(field, value) -> str:
    """A value cut to the length of its PaymentEvent column (callback values are untrusted)."""
    return str(value or "")[:PaymentEvent._meta.get_field(field).max_length]


def order_lock(*, out_trade_no=None, pk=None):
    """The order (by number or pk) under its row lock (call inside a transaction), or None."""
    lookup = {"pk": pk} if out_trade_no is None else {"out_trade_no": out_trade_no}
    # One row by a unique key: no ORDER BY (Meta.ordering) to compile or to sort by.
    return next(iter(Order.objects.select_for_update().filter(**lookup).order_by()), None)


def order_transition(*, order, to_status, reason, flagged=False, after=None, **fields):
    """Move `order` to `to_status` if TRANSITIONS allows it; the caller holds its row lock.

    `after`: an unwritten event (event_record(write=False)) that led to the move, written
    with the transition's own, before it.
    """
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
    if after is not None:
        after.save()
    event_record(kind=EventKind.TRANSITION, order=order, outcome=Outcome.TRANSITION,
                 detail=reason, flagged=flagged, from_status=from_status, to_status=to_status)
    logger.info("order %s: %s -> %s (%s)", order.out_trade_no, from_status, to_status, reason)
    return order
