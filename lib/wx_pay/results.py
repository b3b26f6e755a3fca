"""Typed answers of the WeChat Pay client: Transaction and Refund, parsed strictly from JSON."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .money import fen_to_yuan
from .times import from_rfc3339

# trade_state values (WECHATPAY.md §4). REFUND means "was paid, then (partly) refunded".
SUCCESS, REFUND, NOTPAY, CLOSED = "SUCCESS", "REFUND", "NOTPAY", "CLOSED"
REVOKED, USERPAYING, PAYERROR = "REVOKED", "USERPAYING", "PAYERROR"
TRADE_STATES = frozenset({SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR})
# Refund status values; OA's "CLOSE" is a documentation typo (GO models say CLOSED).
REFUND_STATUSES = frozenset({"SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"})


class AnswerError(ValueError):
    """A field of WeChat's JSON is missing or of the wrong type."""


def text(data: dict, name: str, *, required=True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > 256:
        raise AnswerError(f"{name} must be a non-empty string")
    return value


def fen(data, name: str, *, required=True) -> int | None:
    value = data.get(name) if isinstance(data, dict) else None
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AnswerError(f"{name} must be a non-negative integer (fen)")
    return value


def moment(data: dict, name: str) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return from_rfc3339(value)
    except (ValueError, TypeError) as exc:
        raise AnswerError(f"{name} is not an RFC 3339 time") from exc


@dataclass(frozen=True)
class Transaction:
    """A payment order as WeChat reports it (query answer or TRANSACTION.* notify resource)."""

    out_trade_no: str
    trade_state: str
    trade_state_desc: str | None
    transaction_id: str | None    # None until paid
    total_fen: int | None         # the order amount; None until paid (query omits it for NOTPAY)
    payer_total_fen: int | None
    success_time: datetime | None
    trade_type: str | None
    raw: dict = field(compare=False, hash=False, repr=False)

    @property
    def amount(self) -> Decimal | None:
        return None if self.total_fen is None else fen_to_yuan(self.total_fen)

    @property
    def paid(self) -> bool:
        """Money was taken (later refunds do not undo that): SUCCESS or REFUND."""
        return self.trade_state in (SUCCESS, REFUND)

    @classmethod
    def from_json(cls, data: dict) -> "Transaction":
        state = text(data, "trade_state")
        if state not in TRADE_STATES:
            raise AnswerError(f"unknown trade_state {state!r}")
        amount = data.get("amount")
        paid = state in (SUCCESS, REFUND)
        return cls(out_trade_no=text(data, "out_trade_no"), trade_state=state,
                   trade_state_desc=data.get("trade_state_desc"),
                   transaction_id=text(data, "transaction_id", required=paid),
                   total_fen=fen(amount, "total", required=paid),
                   payer_total_fen=fen(amount, "payer_total", required=False),
                   success_time=moment(data, "success_time"),
                   trade_type=data.get("trade_type"), raw=data)


@dataclass(frozen=True)
class Refund:
    """A refund as WeChat reports it (refund / refund query answer)."""

    out_refund_no: str
    refund_id: str
    out_trade_no: str
    transaction_id: str
    status: str                   # PROCESSING | SUCCESS | CLOSED | ABNORMAL
    refund_fen: int
    total_fen: int
    created_at: datetime | None
    success_at: datetime | None
    raw: dict = field(compare=False, hash=False, repr=False)

    @property
    def refund_amount(self) -> Decimal:
        return fen_to_yuan(self.refund_fen)

    @classmethod
    def from_json(cls, data: dict) -> "Refund":
        status = text(data, "status")
        if status not in REFUND_STATUSES:
            raise AnswerError(f"unknown refund status {status!r}")
        amount = data.get("amount")
        return cls(out_refund_no=text(data, "out_refund_no"), refund_id=text(data, "refund_id"),
                   out_trade_no=text(data, "out_trade_no"),
                   transaction_id=text(data, "transaction_id"), status=status,
                   refund_fen=fen(amount, "refund"), total_fen=fen(amount, "total"),
                   created_at=moment(data, "create_time"),
                   success_at=moment(data, "success_time"), raw=data)
