"""The payment provider seam: one narrow interface, data in, typed results out.

Each provider (Alipay, WeChat Pay) adapts its lib/ client to these verbs. The money rules
(the amount equals the order's total, one transition under the row lock, the append-only
events, flagging what cannot be explained) are not here: they live in apps/order/services and
apply to every provider alike. A provider never reads or writes a model.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class ProviderError(Exception):
    """A call to a provider did not succeed.

    unknown: busy, unreachable or unverifiable: conclude nothing, retry later.
    not_exist: the provider has no such trade (the buyer never opened the cashier).
    not_closable: close was refused because of the trade's state (paid, or closed after
    payment): ask the provider what happened (query) instead of cancelling.
    number_used: checkout refused the order number, already used with other parameters: the
    order cannot be handed out again, a new one is needed.
    """

    def __init__(self, code="", message="", *, unknown=False, not_exist=False,
                 not_closable=False, number_used=False, params=None):
        super().__init__(f"{code}: {message}".strip(": "))
        self.code, self.message = str(code or ""), str(message or "")
        self.unknown, self.not_exist, self.not_closable = unknown, not_exist, not_closable
        self.number_used = number_used
        # What is kept in the payment event: the provider's own codes.
        self.params = params or {"code": self.code, "message": self.message[:200]}


class NotifyRefused(Exception):
    """Not an authentic notify for our merchant; `reason` is an Outcome value of the check."""

    def __init__(self, reason: str, *, verified: bool, detail=""):
        super().__init__(reason)
        self.reason, self.verified, self.detail = reason, verified, detail


class TradeState(StrEnum):
    """A trade as the provider reports it, in the shop's words."""

    PAID = "paid"        # the money arrived (later refunds do not undo that)
    CLOSED = "closed"    # closed unpaid (or, at Alipay, fully refunded)
    WAITING = "waiting"  # open, not paid yet
    OTHER = "other"      # a state the shop does not act on


class RefundState(StrEnum):
    REFUNDED = "refunded"      # the money is back with the buyer
    PROCESSING = "processing"  # accepted, settles later (a notify or a query tells)
    FAILED = "failed"          # the provider gave up (WeChat ABNORMAL / CLOSED)


@dataclass(frozen=True)
class Checkout:
    """Where to send the buyer: pay_url, and for a QR code (WeChat native) its code_url."""

    pay_url: str
    code_url: str | None = None


@dataclass(frozen=True)
class Trade:
    """A fact about one trade: a query answer or an authentic payment notify."""

    state: TradeState
    out_trade_no: str
    trade_no: str = ""
    amount: Decimal | None = None   # None when the provider did not state it exactly
    paid_at: datetime | None = None
    status_text: str = ""           # the provider's own word (TRADE_SUCCESS, NOTPAY, ...)
    notify_id: str = ""
    params: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RefundFact:
    """A refund request's answer, a refund query's answer or an authentic refund notify."""

    state: RefundState
    out_trade_no: str
    out_refund_no: str
    amount: Decimal | None = None
    moved: bool = True              # False: a repeated request that moved no money (Alipay "N")
    notify_id: str = ""
    params: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class NotifyRequest:
    """What a notify view hands the provider: the raw body, the headers, the parsed form."""

    body: bytes
    headers: dict
    form: dict | None = None


@dataclass(frozen=True)
class BillLine:
    """One row of a provider's daily statement, in the shop's words (amounts positive, yuan)."""

    kind: str                       # trade | refund | other (finance LineKind)
    trade_no: str
    out_trade_no: str
    out_request_no: str
    subject: str
    created_at: datetime | None
    finished_at: datetime | None
    amount: Decimal
    receipt_amount: Decimal
    raw: dict = field(compare=False, hash=False)


@dataclass
class Bill:
    """A provider's statement of one day; counts and net amount as the provider states them."""

    lines: list[BillLine]
    trade_count: int | None = None
    refund_count: int | None = None
    net_amount: Decimal | None = None
    files: list[str] = field(default_factory=list)


class BillError(Exception):
    """The statement could not be fetched or read; nothing may be concluded from it."""


class PaymentProvider:
    """One payment method (a pay_type) and its channels, behind the verbs the services use."""

    pay_type: int
    name: str                     # "alipay", "wechat": metrics, finance, settings
    label: str
    channels: tuple = ()          # PayChannel values; the first is the default
    notify_path: str = ""
    # The day a refund is listed on in the provider's statement: the day it was asked for
    # (WeChat's bill) rather than the day it completed (Alipay's, which completes at once).
    statement_dates_refunds_by_request: bool = False

    @property
    def default_channel(self):
        return self.channels[0]

    def checkout(self, *, order, channel, course_ids, client_ip) -> Checkout:
        """The cashier for this order and channel (time_expire = the order's deadline)."""
        raise NotImplementedError

    def notify_authenticate(self, request: NotifyRequest) -> Trade | RefundFact:
        """Verify a notify; NotifyRefused when forged, foreign or unreadable."""
        raise NotImplementedError

    def notify_answer(self, *, handled: bool, reason: str = ""):
        """The HTTP answer the provider expects (it retries anything else)."""
        raise NotImplementedError

    def notify_params(self, request: NotifyRequest) -> dict:
        """What of an unauthenticated notify is kept (bounded by event_record)."""
        return dict(request.form or {})

    def query(self, *, out_trade_no) -> Trade:
        """The trade as the provider sees it; ProviderError (not_exist, unknown, ...)."""
        raise NotImplementedError

    def close(self, *, out_trade_no) -> dict:
        """Close an unpaid trade; the answer's params. ProviderError if it did not close."""
        raise NotImplementedError

    def refund(self, *, out_trade_no, out_refund_no, amount: Decimal,
               total: Decimal) -> RefundFact:
        """Refund `amount` of the trade once per out_refund_no, however often it is asked."""
        raise NotImplementedError

    def refund_query(self, *, out_trade_no, out_refund_no) -> RefundFact | None:
        """The refund as the provider sees it; None when it has none."""
        raise NotImplementedError

    def statement(self, *, bill_date: date) -> Bill:
        """The day's statement (Beijing day); BillError or ProviderError if unavailable."""
        raise NotImplementedError

    def return_verify(self, params: dict) -> bool:
        """Whether the browser's return parameters are signed by the provider (Alipay only)."""
        return False

    def health(self) -> bool:
        """Can this process talk to the provider (its client builds from the settings)?"""
        raise NotImplementedError
