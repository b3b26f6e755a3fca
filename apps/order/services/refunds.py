"""Refunds of chosen lines of a paid order: money back at Alipay, then the courses taken back.

One alipay.trade.refund per line, with an out_request_no derived from the order and the line:
pressing "refund" again, or after an answer was lost, refunds that line once (Alipay answers a
repeat with fund_change "N"). Refunding every line is a full refund.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.course.models import UserCourse
from lib.al_pay import client as alipay
from lib.al_pay.errors import AlipayError
from utils.exceptions import Conflict, LuffyError
from utils.logging import get_logger

from ..constants import EventKind, Outcome
from ..models import OrderDetail
from .events import event_record, order_lock

logger = get_logger("pay")


def refund_request_no(*, order, line) -> str:
    """The refund's out_request_no: the same for the same line, whoever asks and however often."""
    return f"{order.out_trade_no}-{line.pk}"


@dataclass(frozen=True)
class RefundPreview:
    """What refunding the chosen lines of one order would do, said before it is done."""

    order: object
    lines: list          # the chosen lines not refunded yet: each one alipay.trade.refund
    kept: list           # the lines the student keeps (not refunded before, not chosen now)
    amount: Decimal      # money that would go back now
    kept_amount: Decimal  # what the order still holds afterwards

    @property
    def is_full(self) -> bool:
        """Nothing is kept: the rest of the order's money goes back (Alipay closes the trade)."""
        return not self.kept


def refund_preview(*, order, line_ids) -> RefundPreview | None:
    """The chosen, still refundable lines of `order` (lines prefetched), or None if none."""
    chosen = set(line_ids)
    open_lines = [line for line in order.lines.all() if not line.is_refunded]
    lines = [line for line in open_lines if line.pk in chosen]
    if not lines:
        return None
    kept = [line for line in open_lines if line.pk not in chosen]
    return RefundPreview(order=order, lines=lines, kept=kept,
                         amount=sum((line.real_price for line in lines), Decimal("0.00")),
                         kept_amount=sum((line.real_price for line in kept), Decimal("0.00")))


def order_refund(*, order, line_ids, actor="") -> Outcome:
    """Refund the chosen lines of a paid order; REFUNDED if money moved for at least one.

    `actor` (the admin's username) is written into each refund event.
    """
    if not order.is_paid:
        raise Conflict("只能退款已支付的订单")
    lines = list(order.lines.filter(pk__in=line_ids).select_related("course").order_by("pk"))
    if not lines or len(lines) != len(set(line_ids)):
        raise LuffyError("请选择该订单中要退款的课程", code="no_lines")
    pending = [line for line in lines if not line.is_refunded]
    if not pending:
        raise Conflict("所选课程均已退款")
    outcomes = [_line_refund(order=order, line=line, actor=actor) for line in pending]
    return Outcome.REFUNDED if Outcome.REFUNDED in outcomes else Outcome.ALREADY_REFUNDED


def _line_refund(*, order, line, actor) -> Outcome:
    request_no = refund_request_no(order=order, line=line)
    by = f" by {actor}" if actor else ""
    try:
        answer = alipay.trade_refund(out_trade_no=order.out_trade_no,
                                     refund_amount=line.real_price, out_request_no=request_no)
    except AlipayError as exc:
        # Unknown: the money may have moved; the same request number makes a retry safe.
        event_record(kind=EventKind.REFUND, order=order, detail=f"{request_no}{by}: {exc}",
                     outcome=Outcome.UNKNOWN if exc.unknown else Outcome.ERROR,
                     params={"code": exc.code, "sub_code": exc.sub_code}, flagged=exc.unknown)
        raise Conflict(f"「{line.course.name}」退款失败：{exc.msg or exc.sub_code or exc.code}",
                       code="refund_failed") from exc
    outcome = Outcome.REFUNDED if answer.get("fund_change") == "Y" else Outcome.ALREADY_REFUNDED
    now = timezone.now()
    with transaction.atomic():
        locked = order_lock(pk=order.pk)
        line = OrderDetail.objects.select_for_update().get(pk=line.pk)
        event_record(kind=EventKind.REFUND, order=locked, params=answer, verified=True,
                     outcome=outcome, detail=f"{request_no}{by}: ¥{line.real_price}, "
                                             f"refund_fee {answer.get('refund_fee')}")
        if not line.is_refunded:
            line.refund_time, line.refund_request_no = now, request_no
            line.save(update_fields=["refund_time", "refund_request_no"])
            locked.refund_amount += line.real_price
            locked.refund_time = now
            locked.save(update_fields=["refund_amount", "refund_time", "updated_time"])
            UserCourse.objects.filter(order=locked, course_id=line.course_id).delete()
    order.refund_amount, order.refund_time = locked.refund_amount, locked.refund_time
    logger.info("order %s line %s refunded (%s)", order.out_trade_no, line.pk, outcome)
    return outcome
