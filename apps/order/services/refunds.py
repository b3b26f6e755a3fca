"""Refunds of chosen lines of a paid order: money back at the provider, then the courses back.

One refund request per line, numbered from the order and the line (`<out_trade_no>-<line id>`):
pressing "refund" again, or after an answer was lost, refunds that line once. Alipay answers
at once; WeChat Pay accepts (the line is "processing") and tells later, by a refund notify or
a refund query (refunds_sync). Every answer goes through refund_apply, under the order's lock.
Refunding every line is a full refund.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.course.models import UserCourse
from utils.exceptions import Conflict, LuffyError
from utils.logging import get_logger

from .. import providers
from ..constants import EventKind, Outcome, RefundStatus
from ..models import OrderDetail
from ..providers.base import ProviderError, RefundState
from .events import event_record, order_lock

logger = get_logger("pay")


def refund_request_no(*, order, line) -> str:
    """The refund's number: the same for the same line, whoever asks and however often."""
    return f"{order.out_trade_no}-{line.pk}"


@dataclass(frozen=True)
class RefundPreview:
    """What refunding the chosen lines of one order would do, said before it is done."""

    order: object
    lines: list          # the chosen lines not refunded yet: one refund request each
    kept: list           # the lines the student keeps (not refunded before, not chosen now)
    amount: Decimal      # money that would go back now
    kept_amount: Decimal  # what the order still holds afterwards

    @property
    def is_full(self) -> bool:
        """Nothing is kept: the rest of the order's money goes back."""
        return not self.kept


def refund_preview(*, order, line_ids) -> RefundPreview | None:
    """The chosen, still refundable lines of `order` (lines prefetched), or None if none.

    A line whose refund is processing is neither refunded again nor kept: its money is on
    its way back.
    """
    chosen = set(line_ids)
    open_lines = [line for line in order.lines.all() if line.is_refundable]
    lines = [line for line in open_lines if line.pk in chosen]
    if not lines:
        return None
    kept = [line for line in open_lines if line.pk not in chosen]
    return RefundPreview(order=order, lines=lines, kept=kept,
                         amount=sum((line.real_price for line in lines), Decimal("0.00")),
                         kept_amount=sum((line.real_price for line in kept), Decimal("0.00")))


def _line_pk(*, order, out_refund_no):
    prefix = f"{order.out_trade_no}-"
    suffix = out_refund_no.removeprefix(prefix) if out_refund_no.startswith(prefix) else ""
    return int(suffix) if suffix.isascii() and suffix.isdigit() else None


def order_refund(*, order, line_ids, actor="") -> Outcome:
    """Refund the chosen lines of a paid order; REFUNDED if money moved for at least one.

    `actor` (the admin's username) is written into each refund event. A WeChat refund usually
    answers REFUND_PROCESSING: the line settles when WeChat tells.
    """
    if not order.is_paid:
        raise Conflict("只能退款已支付的订单")
    lines = list(order.lines.filter(pk__in=line_ids).select_related("course").order_by("pk"))
    if not lines or len(lines) != len(set(line_ids)):
        raise LuffyError("请选择该订单中要退款的课程", code="no_lines")
    waiting = [line for line in lines if line.is_refund_processing]
    if waiting:
        # Harmless at the provider (the same refund number), but it reads as a second refund.
        raise Conflict(f"{refund_waiting_text(waiting)}，未退款", code="refund_processing")
    pending = [line for line in lines if not line.is_refunded]
    if not pending:
        raise Conflict("所选课程均已退款")
    outcomes = [_line_refund(order=order, line=line, actor=actor) for line in pending]
    for outcome in (Outcome.REFUNDED, Outcome.REFUND_PROCESSING, Outcome.REFUND_FAILED):
        if outcome in outcomes:
            return outcome
    return Outcome.ALREADY_REFUNDED


def refund_waiting_text(lines) -> str:
    """Why these lines (refund processing) cannot be chosen, for people."""
    names = "」「".join(line.course.name for line in lines)
    return f"「{names}」正在退款中（已向支付平台提交，等待确认），不能再次退款"


def _line_refund(*, order, line, actor) -> Outcome:
    request_no = refund_request_no(order=order, line=line)
    by = f" by {actor}" if actor else ""
    asked_at = timezone.now()
    try:
        fact = providers.for_pay_type(order.pay_type).refund(
            out_trade_no=order.out_trade_no, out_refund_no=request_no, amount=line.real_price,
            total=order.total_amount)
    except ProviderError as exc:
        # Unknown: the money may have moved; the same request number makes a retry safe.
        event_record(kind=EventKind.REFUND, order=order, detail=f"{request_no}{by}: {exc}",
                     outcome=Outcome.UNKNOWN if exc.unknown else Outcome.ERROR,
                     params=exc.params, flagged=exc.unknown)
        raise Conflict(f"「{line.course.name}」退款失败：{exc.message or exc.code}",
                       code="refund_failed") from exc
    outcome = refund_apply(order=order, fact=fact, kind=EventKind.REFUND, by=by,
                           asked_at=asked_at)
    order.refresh_from_db(fields=["refund_amount", "refund_time"])
    logger.info("order %s line %s refund: %s", order.out_trade_no, line.pk, outcome)
    return outcome


def refund_apply(*, order, fact, kind, by="", locked=False, asked_at=None) -> Outcome:
    """Apply what the provider says of one line's refund (answer, notify or query), once.

    refunded: the line records refund_time, the order's refund_amount grows and the course is
    taken back (only the first time); processing: the line waits; failed: flagged for a human.
    `locked`: the caller holds the order's row lock in its transaction. `asked_at`: when we
    sent this refund request (the provider's answer to it), kept on the line the first time.
    """
    with transaction.atomic(savepoint=not locked):
        order = order if locked else order_lock(pk=order.pk)
        pk = _line_pk(order=order, out_refund_no=fact.out_refund_no)
        line = (OrderDetail.objects.select_for_update().filter(order=order, pk=pk).first()
                if pk is not None else None)
        common = dict(kind=kind, order=order, params=fact.params, verified=True,
                      notify_id=fact.notify_id)
        if line is None:
            event_record(outcome=Outcome.UNKNOWN_REFUND, flagged=True,
                         detail=f"{fact.out_refund_no}{by}: no such line", **common)
            return Outcome.UNKNOWN_REFUND
        if asked_at is not None and line.refund_requested_time is None:
            line.refund_requested_time = asked_at
            line.save(update_fields=["refund_requested_time"])
        if fact.amount is not None and fact.amount != line.real_price:
            event_record(outcome=Outcome.AMOUNT_MISMATCH, flagged=True,
                         detail=f"{fact.out_refund_no}{by}: provider says ¥{fact.amount}, "
                                f"line is ¥{line.real_price}", **common)
            return Outcome.AMOUNT_MISMATCH
        detail = f"{fact.out_refund_no}{by}: ¥{line.real_price}"
        if fact.state == RefundState.REFUNDED:
            first = not line.is_refunded
            outcome = Outcome.REFUNDED if fact.moved and first else Outcome.ALREADY_REFUNDED
            if fact.params.get("refund_fee") is not None:
                detail += f", refund_fee {fact.params.get('refund_fee')}"
            event_record(outcome=outcome, detail=detail, **common)
            if first:
                _line_refunded(order, line, fact.out_refund_no)
            return outcome
        if line.is_refunded:  # a late processing/failed word about a settled refund
            event_record(outcome=Outcome.ALREADY_REFUNDED, detail=detail, **common)
            return Outcome.ALREADY_REFUNDED
        failed = fact.state == RefundState.FAILED
        event_record(outcome=Outcome.REFUND_FAILED if failed else Outcome.REFUND_PROCESSING,
                     flagged=failed, detail=detail, **common)
        line.refund_status = RefundStatus.FAILED if failed else RefundStatus.PROCESSING
        line.refund_request_no = fact.out_refund_no
        line.save(update_fields=["refund_status", "refund_request_no"])
        return Outcome.REFUND_FAILED if failed else Outcome.REFUND_PROCESSING


def _line_refunded(order, line, request_no):
    now = timezone.now()
    line.refund_time, line.refund_request_no = now, request_no
    line.refund_status = RefundStatus.REFUNDED
    line.save(update_fields=["refund_time", "refund_request_no", "refund_status"])
    order.refund_amount += line.real_price
    order.refund_time = now
    order.save(update_fields=["refund_amount", "refund_time", "updated_time"])
    UserCourse.objects.filter(order=order, course_id=line.course_id).delete()


def refunds_sync(*, limit=100) -> dict:
    """Ask the providers about refunds still processing (a refund notify may have been lost)."""
    counts = {"refunds_checked": 0, "refunds_settled": 0}
    lines = (OrderDetail.objects.select_related("order")
             .filter(refund_status=RefundStatus.PROCESSING).order_by("pk")[:limit])
    for line in lines:
        order = line.order
        try:
            fact = providers.for_pay_type(order.pay_type).refund_query(
                out_trade_no=order.out_trade_no, out_refund_no=line.refund_request_no)
        except ProviderError as exc:
            event_record(kind=EventKind.QUERY, order=order, outcome=Outcome.UNKNOWN,
                         detail=f"{line.refund_request_no}: {exc}", params=exc.params)
            continue
        counts["refunds_checked"] += 1
        if fact is not None and fact.state != RefundState.PROCESSING:
            outcome = refund_apply(order=order, fact=fact, kind=EventKind.QUERY)
            counts["refunds_settled"] += outcome in (Outcome.REFUNDED, Outcome.ALREADY_REFUNDED,
                                                     Outcome.REFUND_FAILED)
    return counts
