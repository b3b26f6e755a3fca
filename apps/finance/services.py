"""Reconcile one day of a provider's trade statement (Alipay, WeChat Pay) with our books.

The provider's side comes first and over the network (no transaction open), through the
provider seam (`statement`, a Bill of neutral lines); then, in the database: the lines are
stored, every trade and refund line is compared with the provider's orders and refunds, and
every difference becomes a StatementMismatch. Money moves in one case only: the provider took
the exact amount of an order we still show unpaid (its notify and queries were lost) — then
the order is settled through payment_settle, the notify's own code path. Everything else is
flagged. Running a day again finds the same differences and writes nothing new.

A day that cannot have a statement is refused before anything is asked or written: a future
day, and today (Beijing) unless the caller asks for a provisional run, which is stored as
DayState.PROVISIONAL and redone by the next regular run. A failed download (ProviderError or
BillError) is stored as DayState.FAILED for that provider, so the day never reads as matching.
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from apps.order import providers
from apps.order.constants import PAY_TYPE_BY_PROVIDER, EventKind, OrderStatus, Outcome, RefundStatus
from apps.order.models import Order, OrderDetail
from apps.order.providers.base import Bill, BillError, ProviderError
from apps.order.services.events import event_record
from apps.order.services.payments import payment_settle, trade_no_taken
from lib.al_pay.times import BEIJING
from utils.logging import get_logger

from .constants import DayState, LineKind, MismatchKind, MismatchStatus
from .models import StatementDay, StatementLine, StatementMismatch

logger = get_logger("pay")
ZERO = Decimal("0.00")


def beijing_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=BEIJING)
    return start, start + timedelta(days=1)


def beijing_today() -> date:
    return timezone.now().astimezone(BEIJING).date()


def beijing_yesterday() -> date:
    return beijing_today() - timedelta(days=1)


class StatementDayRefused(ValueError):
    """A day that has no statement to reconcile (yet); the message says why, for people."""


def statement_day_check(*, bill_date: date, provisional=False) -> str:
    """The state a run of `bill_date` would store, or StatementDayRefused for an impossible day."""
    today = beijing_today()
    if bill_date > today:
        raise StatementDayRefused(
            f"{bill_date} 是未来的日期（北京时间今天是 {today}）：这一天还没有账单，不能对账。")
    if bill_date == today:
        if not provisional:
            raise StatementDayRefused(
                f"{bill_date} 是今天（北京时间），这一天还没有结束，支付平台次日才出完整账单。"
                "如确需查看，请用临时对账（--provisional）：结果标为“临时”，下次正式对账会重做。")
        return DayState.PROVISIONAL
    return DayState.COMPLETE


def statement_reconcile_due(*, provider="alipay") -> dict | None:
    """The laptop's daily run: yesterday's statement of one provider once it exists (after the
    set hour).

    Yesterday is run again until it is COMPLETE: a provisional run made while it was today,
    or a failed download, is redone.
    """
    now = timezone.now().astimezone(BEIJING)
    yesterday = beijing_yesterday()
    if now.hour < settings.STATEMENT_RECONCILE_HOUR or StatementDay.objects.filter(
            provider=provider, bill_date=yesterday, state=DayState.COMPLETE).exists():
        return None
    return statement_reconcile(bill_date=yesterday, provider=provider)


def statement_reconcile(*, bill_date: date, provider="alipay", provisional=False) -> dict:
    """Fetch, store and compare one day of one provider. Returns counts for the caller to print.

    StatementDayRefused for a future day, or today without `provisional`: nothing is written.
    The download happens first, outside any transaction (ProviderError or BillError when it
    cannot be had: the day is then marked FAILED for this provider, and the error raised); the
    rest is one transaction holding the day's row lock, so two runs of the same day (beat and a
    human) queue, never interleave.
    """
    state = statement_day_check(bill_date=bill_date, provisional=provisional)
    source = providers.named(provider)  # ProviderDisabled: not a day of this provider to mark
    try:
        statement = source.statement(bill_date=bill_date)
    except (ProviderError, BillError) as exc:
        _day_failed(provider, bill_date, exc)
        raise
    with transaction.atomic():
        StatementDay.objects.get_or_create(provider=provider, bill_date=bill_date,
                                           defaults={"state": state})
        day = StatementDay.objects.select_for_update().get(provider=provider, bill_date=bill_date)
        _store(day, statement)
        found, settled = _compare(day)
        resolved = _resolve_vanished(day, found)
        _update_totals(day)
        if day.state != state or day.error:
            _save_changed(day, state=state, error="")
        open_count = day.mismatches.filter(status=MismatchStatus.OPEN).count()
        lines = day.lines.count()
    report = {"provider": provider, "bill_date": bill_date.isoformat(), "state": str(state),
              "lines": lines, "differences": len(found), "settled": settled,
              "resolved": resolved, "open": open_count}
    logger.info("%s statement %s reconciled: %s", provider, bill_date, report)
    return report


def _day_failed(provider, bill_date, exc) -> None:
    """Remember that the latest attempt failed: the day is shown as failed, never as matching."""
    with transaction.atomic():
        day, _ = StatementDay.objects.get_or_create(provider=provider, bill_date=bill_date,
                                                    defaults={"state": DayState.FAILED})
        day = StatementDay.objects.select_for_update().get(pk=day.pk)
        _save_changed(day, state=DayState.FAILED, error=f"{exc}"[:255])
    logger.error("%s statement %s not reconciled: %s", provider, bill_date, exc)


def _store(day, statement: Bill) -> None:
    """Keep the lines not stored yet, drop those the statement no longer has (a provisional
    day's statement is redone in full), and the provider's totals."""
    keys = {(line.kind, line.trade_no[:64], line.out_request_no[:64]) for line in statement.lines}
    stale = [pk for pk, *key in day.lines.values_list("pk", "kind", "trade_no", "out_request_no")
             if tuple(key) not in keys]
    if stale:
        StatementLine.objects.filter(pk__in=stale).delete()
    known = set(day.lines.values_list("kind", "trade_no", "out_request_no"))
    new = {}
    for line in statement.lines:
        key = (line.kind, line.trade_no, line.out_request_no)
        if key not in known and key not in new:
            new[key] = StatementLine(
                day=day, kind=line.kind, trade_no=line.trade_no[:64],
                out_trade_no=line.out_trade_no[:64], out_request_no=line.out_request_no[:64],
                subject=line.subject[:256], created_at=line.created_at,
                finished_at=line.finished_at, amount=line.amount,
                receipt_amount=line.receipt_amount, raw=line.raw)
    StatementLine.objects.bulk_create(new.values())
    trades = [line for line in statement.lines if line.kind == LineKind.TRADE]
    refunds = [line for line in statement.lines if line.kind == LineKind.REFUND]
    _save_changed(day, files=", ".join(statement.files)[:500],
                  provider_trade_count=len(trades) if statement.trade_count is None
                  else statement.trade_count,
                  provider_trade_amount=sum((t.amount for t in trades), ZERO),
                  provider_refund_count=len(refunds) if statement.refund_count is None
                  else statement.refund_count,
                  provider_refund_amount=sum((r.amount for r in refunds), ZERO),
                  provider_net_amount=statement.net_amount)


def _save_changed(day, **fields):
    """Save only what differs, so a second run of the same day leaves the row as it was."""
    changed = [name for name, value in fields.items() if getattr(day, name) != value]
    for name in changed:
        setattr(day, name, fields[name])
    if changed:
        day.save(update_fields=changed)


def our_refunds(start, end, pay_type, *, by_request=False) -> dict:
    """{(out_trade_no, out_request_no): (order, amount)} of the provider's refunds we made in
    [start, end): one refund request per refunded order line (apps/order/services/refunds.py).

    by_request: the provider lists a refund on the day it was asked for (WeChat), so the lines
    asked for in the window count, refunded or still processing; else the day it completed.
    """
    lines = OrderDetail.objects.select_related("order").filter(order__pay_type=pay_type)
    if by_request:
        lines = lines.filter(refund_status__in=[RefundStatus.REFUNDED, RefundStatus.PROCESSING],
                             refund_requested_time__gte=start, refund_requested_time__lt=end)
    else:
        lines = lines.filter(refund_time__gte=start, refund_time__lt=end)
    return {(line.order.out_trade_no, line.refund_request_no): (line.order, line.real_price)
            for line in lines}


def _paid_orders(start, end, pay_type):
    return Order.objects.filter(pay_type=pay_type, order_status=OrderStatus.PAID,
                                pay_time__gte=start, pay_time__lt=end)


def _pay_type(day):
    return PAY_TYPE_BY_PROVIDER[day.provider]


def _day_refunds(day, start, end) -> dict:
    """our_refunds of the day, dated as the day's provider dates them in its statement."""
    by_request = providers.named(day.provider).statement_dates_refunds_by_request
    return our_refunds(start, end, _pay_type(day), by_request=by_request)


def _compare(day) -> tuple[set, int]:
    """Every difference of the day as a mismatch; returns ({(kind, key)}, orders settled)."""
    start, end = beijing_day_bounds(day.bill_date)
    pay_type = _pay_type(day)
    lines = list(day.lines.all())
    trade_lines = {line.out_trade_no: line for line in lines if line.kind == LineKind.TRADE}
    # Only the provider's own orders: an out_trade_no of another provider's order is unknown here.
    orders = Order.objects.filter(pay_type=pay_type).in_bulk(list(trade_lines),
                                                              field_name="out_trade_no")
    found, settled = set(), 0

    def flag(kind, key, **fields):
        found.add((kind, key))
        _flag(day, kind, key, **fields)

    for out_trade_no, line in trade_lines.items():
        order = orders.get(out_trade_no)
        common = dict(out_trade_no=out_trade_no, trade_no=line.trade_no, line=line,
                      provider_amount=line.amount)
        if order is None:
            flag(MismatchKind.UNKNOWN_TRADE, out_trade_no, detail="平台收款的商户订单号本地不存在",
                 **common)
            continue
        common.update(order=order, our_amount=order.total_amount)
        if order.total_amount != line.amount:
            flag(MismatchKind.AMOUNT_MISMATCH, out_trade_no,
                 detail=f"平台 {line.amount}，订单 {order.total_amount}", **common)
        elif not order.is_paid:
            kind = _settle(day, order, line)
            if kind is not None:
                found.add((kind, out_trade_no))
            settled += kind == MismatchKind.PAID_NOT_RECORDED
        elif order.is_paid and order.trade_no != line.trade_no:
            flag(MismatchKind.TRADE_NO_MISMATCH, out_trade_no,
                 detail=f"账单交易号 {line.trade_no}，订单记录 {order.trade_no}", **common)
    for order in _paid_orders(start, end, pay_type):
        if order.out_trade_no not in trade_lines:
            flag(MismatchKind.MISSING_IN_STATEMENT, order.out_trade_no, order=order,
                 out_trade_no=order.out_trade_no, trade_no=order.trade_no or "", our_amount=order.total_amount,
                 detail="本地已支付，但当天账单没有这笔交易")
    _compare_refunds(day, lines, _day_refunds(day, start, end), flag)
    return found, settled


def _compare_refunds(day, lines, ours, flag):
    theirs = {(line.out_trade_no, line.out_request_no): line for line in lines
              if line.kind == LineKind.REFUND}
    orders = Order.objects.filter(pay_type=_pay_type(day)).in_bulk(
        [no for no, _ in theirs], field_name="out_trade_no")
    for key, line in theirs.items():
        label = "/".join(key)
        common = dict(out_trade_no=line.out_trade_no, trade_no=line.trade_no, line=line,
                      provider_amount=line.amount, order=orders.get(line.out_trade_no))
        if key not in ours:
            flag(MismatchKind.REFUND_NOT_RECORDED, label, detail="平台已退款，本地没有这笔退款",
                 **common)
        elif ours[key][1] != line.amount:
            flag(MismatchKind.AMOUNT_MISMATCH, label, our_amount=ours[key][1],
                 detail=f"退款金额：平台 {line.amount}，本地 {ours[key][1]}", **common)
    for key, (order, amount) in ours.items():
        if key not in theirs:
            flag(MismatchKind.REFUND_MISSING_IN_STATEMENT, "/".join(key), order=order,
                 out_trade_no=order.out_trade_no, trade_no=order.trade_no or "",
                 our_amount=amount, detail="本地已退款，但当天账单没有这笔退款")


def _settle(day, order, line) -> str | None:
    """The provider has the exact amount of an order we show unpaid: settle it as the notify
    would.

    Returns the kind of difference recorded, or None if there was none after all (a notify
    paid the order a moment ago).
    """
    common = dict(order=order, line=line, out_trade_no=order.out_trade_no, trade_no=line.trade_no,
                  provider_amount=line.amount, our_amount=order.total_amount)
    if trade_no_taken(order=order, trade_no=line.trade_no):
        _flag(day, MismatchKind.TRADE_NO_MISMATCH, order.out_trade_no,
              detail=f"交易号 {line.trade_no} 已属于另一订单", **common)
        return MismatchKind.TRADE_NO_MISMATCH
    outcome = payment_settle(
        out_trade_no=order.out_trade_no, trade_no=line.trade_no, amount=line.amount,
        paid_at=line.finished_at or timezone.now(), kind=EventKind.STATEMENT,
        params={"bill_date": day.bill_date.isoformat(), **line.raw})
    if outcome in {Outcome.PAID, Outcome.PAID_AFTER_CLOSE}:
        _flag(day, MismatchKind.PAID_NOT_RECORDED, order.out_trade_no, settled=True, event=False,
              detail=f"按对账单补单（{outcome}）", **common)
        logger.warning("order %s settled from the statement of %s", order.out_trade_no,
                       day.bill_date)
        return MismatchKind.PAID_NOT_RECORDED
    if outcome == Outcome.PAID_BY_ANOTHER_TRADE:
        _flag(day, MismatchKind.TRADE_NO_MISMATCH, order.out_trade_no, event=False,
              detail="订单已由另一笔交易支付", **common)
        return MismatchKind.TRADE_NO_MISMATCH
    return None


def _flag(day, kind, key, *, event=True, **fields):
    """Record a difference once per day; the first time, note it in the order's audit trail."""
    mismatch, created = StatementMismatch.objects.get_or_create(
        day=day, kind=kind, key=key[:140], defaults=fields)
    if created and event:
        event_record(
            kind=EventKind.STATEMENT, order=fields.get("order"),
            out_trade_no=fields.get("out_trade_no", ""), outcome=Outcome.STATEMENT_MISMATCH,
            flagged=True, verified=True, detail=f"{kind}: {fields.get('detail', '')}",
            params=fields["line"].raw if fields.get("line") else {})
    return mismatch


def _resolve_vanished(day, found) -> int:
    """Open differences a later run no longer finds (someone fixed them) are marked resolved."""
    vanished = [m.pk for m in day.mismatches.filter(status=MismatchStatus.OPEN)
                .exclude(kind=MismatchKind.PAID_NOT_RECORDED)
                if (m.kind, m.key) not in found]
    return StatementMismatch.objects.filter(pk__in=vanished).update(
        status=MismatchStatus.RESOLVED, resolved_time=timezone.now())


def _update_totals(day):
    start, end = beijing_day_bounds(day.bill_date)
    pay_type = _pay_type(day)
    paid = _paid_orders(start, end, pay_type).aggregate(count=Count("pk"),
                                                        amount=Sum("total_amount"))
    refunds = _day_refunds(day, start, end)
    _save_changed(day, our_trade_count=paid["count"], our_trade_amount=paid["amount"] or ZERO,
                  our_refund_count=len(refunds),
                  our_refund_amount=sum((amount for _, amount in refunds.values()), ZERO))


def mismatch_resolve(*, mismatch, user) -> bool:
    """A human has dealt with a difference."""
    if mismatch.status == MismatchStatus.RESOLVED:
        return False
    mismatch.status = MismatchStatus.RESOLVED
    mismatch.resolved_by = user
    mismatch.resolved_time = timezone.now()
    mismatch.save(update_fields=["status", "resolved_by", "resolved_time"])
    return True
