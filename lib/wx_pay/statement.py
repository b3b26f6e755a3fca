"""parse_trade_bill: WeChat Pay's trade bill CSV (ALL / SUCCESS / REFUND) as typed rows + summary.

The file (WECHATPAY.md §6): UTF-8 with a BOM, CRLF (LF tolerated), a header row, detail rows
whose every value starts with a backtick, then a summary header and one backticked summary row.
Amounts are yuan. In ALL bills a refund is its own row (交易状态 REFUND, 退款金额 > 0) dated
on its request. The shape mirrors lib/al_pay/statement.py (kind, out_trade_no, amount, …) so
one reconciler can read both. No Django here: a pure parser.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .money import parse_yuan
from .times import from_bill_time

TRADE, REFUND = "trade", "refund"
MAX_BYTES = 200 * 1024 * 1024
_REQUIRED = ("交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额", "订单金额", "商品名称")
_REFUND_COLUMNS = ("微信退款单号", "商户退款单号", "退款金额", "退款状态")


class TradeBillFormatError(ValueError):
    """The bytes are not a trade bill we can read; conclude nothing from them."""


@dataclass(frozen=True)
class BillRow:
    kind: str                       # trade | refund
    trade_time: datetime            # aware, Beijing
    transaction_id: str
    out_trade_no: str
    trade_type: str
    trade_state: str                # SUCCESS | REFUND | … as written
    description: str
    settlement_amount: Decimal      # 应结订单金额 (0.00 on refund rows)
    order_amount: Decimal           # 订单金额 (0.00 on refund rows)
    fee: Decimal                    # 手续费 (five decimals in the file)
    refund_id: str | None           # None on trade rows (the file writes `0`)
    out_refund_no: str | None
    refund_amount: Decimal          # 退款金额 (0.00 on trade rows)
    refund_status: str | None
    raw: dict = field(compare=False, hash=False, repr=False)

    @property
    def amount(self) -> Decimal:
        """Positive money of the row: what was paid, or what was given back (as al_pay's Line)."""
        return self.refund_amount if self.kind == REFUND else self.order_amount

    @property
    def out_request_no(self) -> str:
        """al_pay's name for the refund's own number."""
        return self.out_refund_no or ""


@dataclass(frozen=True)
class TradeBill:
    bill_type: str                  # ALL | SUCCESS | REFUND (from the columns)
    rows: list[BillRow]
    trade_count: int                # from the summary (总交易单数): every detail row
    settlement_total: Decimal
    order_total: Decimal
    fee_total: Decimal
    refund_total: Decimal | None    # None in SUCCESS bills
    summary: dict = field(compare=False, hash=False, repr=False)

    @property
    def lines(self) -> list[BillRow]:
        """al_pay's name for the rows."""
        return self.rows


def _cells(line: str, number: int, *, backticked: bool) -> list[str]:
    # The format has no quoting (a backtick, not quotes, protects values): split on commas.
    cells = line.split(",")
    if not backticked:
        return [cell.strip() for cell in cells]
    if not all(cell.startswith("`") for cell in cells):
        raise TradeBillFormatError(f"line {number}: a value lacks its leading backtick")
    return [cell[1:] for cell in cells]


def _amount(row: dict, name: str, number: int) -> Decimal:
    try:
        return parse_yuan(row[name])
    except ValueError as exc:
        raise TradeBillFormatError(f"line {number}: {name} is not an amount") from exc


def _fee(text: str, number: int) -> Decimal:
    try:
        value = Decimal(text or "0")
    except ArithmeticError as exc:
        raise TradeBillFormatError(f"line {number}: 手续费 is not a number") from exc
    if not value.is_finite():
        raise TradeBillFormatError(f"line {number}: 手续费 is not a number")
    return value


def _row(row: dict, number: int, bill_type: str) -> BillRow:
    try:
        trade_time = from_bill_time(row["交易时间"])
    except ValueError as exc:
        raise TradeBillFormatError(f"line {number}: 交易时间 is not a time") from exc
    has_refund = bill_type != "SUCCESS"
    refund_amount = _amount(row, "退款金额", number) if has_refund else Decimal("0.00")
    kind = REFUND if bill_type == "REFUND" or row["交易状态"] == "REFUND" else TRADE
    # Trade rows write `0` for "no refund"; on a refund row the value is the refund's own
    # (a merchant may really number a refund "0": Hypothesis found that ambiguity).
    refunding = kind == REFUND
    if refunding and (not row["商户退款单号"] or refund_amount <= 0):
        raise TradeBillFormatError(f"line {number}: a refund row without refund number or amount")
    if not row["商户订单号"] or not row["微信订单号"]:
        raise TradeBillFormatError(f"line {number}: order numbers missing")
    return BillRow(kind=kind, trade_time=trade_time, transaction_id=row["微信订单号"],
                   out_trade_no=row["商户订单号"], trade_type=row.get("交易类型", ""),
                   trade_state=row["交易状态"], description=row["商品名称"],
                   settlement_amount=_amount(row, "应结订单金额", number),
                   order_amount=_amount(row, "订单金额", number),
                   fee=_fee(row.get("手续费", "0"), number),
                   refund_id=(row["微信退款单号"] or None) if refunding else None,
                   out_refund_no=row["商户退款单号"] if refunding else None,
                   refund_amount=refund_amount,
                   refund_status=(row["退款状态"] or None) if has_refund else None, raw=row)


def _summary_number(summary: dict, name: str) -> Decimal | None:
    if name not in summary:
        return None
    try:
        value = Decimal(summary[name])
    except ArithmeticError as exc:
        raise TradeBillFormatError(f"summary {name} is not a number") from exc
    if not value.is_finite():
        raise TradeBillFormatError(f"summary {name} is not a number")
    return value


def parse_trade_bill(data: bytes) -> TradeBill:
    """Read a (gunzipped) trade bill; TradeBillFormatError if it is not a complete, consistent one.

    Checks that the summary's count and amount totals match the detail rows, so a truncated or
    altered file is refused rather than reconciled.
    """
    if not isinstance(data, bytes) or len(data) > MAX_BYTES:
        raise TradeBillFormatError("bill must be bytes below 200 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TradeBillFormatError("bill is not UTF-8") from exc
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    starts = [i for i, line in enumerate(lines) if line.startswith("总交易单数")]
    if not lines or len(starts) != 1 or starts[0] != len(lines) - 2:
        raise TradeBillFormatError("bill lacks its summary header and row at the end")
    header = _cells(lines[0], 1, backticked=False)
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise TradeBillFormatError(f"bill header lacks {missing}")
    has_refunds = all(name in header for name in _REFUND_COLUMNS)
    bill_type = ("REFUND" if "退款申请时间" in header else "ALL") if has_refunds else "SUCCESS"
    rows = []
    for number, line in enumerate(lines[1:starts[0]], start=2):
        cells = _cells(line, number, backticked=True)
        if len(cells) != len(header):
            raise TradeBillFormatError(f"line {number}: {len(cells)} values for "
                                       f"{len(header)} columns")
        rows.append(_row(dict(zip(header, cells, strict=True)), number, bill_type))
    names = _cells(lines[-2], len(lines) - 1, backticked=False)
    values = _cells(lines[-1], len(lines), backticked=True)
    if len(names) != len(values):
        raise TradeBillFormatError("summary row does not match its header")
    summary = dict(zip(names, values, strict=True))
    return _bill(bill_type, rows, summary)


def _bill(bill_type: str, rows: list[BillRow], summary: dict) -> TradeBill:
    count = _summary_number(summary, "总交易单数")
    totals = {name: _summary_number(summary, name)
              for name in ("应结订单总金额", "订单总金额", "手续费总金额", "退款总金额")}
    if count is None or totals["应结订单总金额"] is None or totals["订单总金额"] is None:
        raise TradeBillFormatError("summary lacks 总交易单数 or the order totals")
    if count != len(rows) or count != count.to_integral_value():
        raise TradeBillFormatError(f"summary counts {count} rows, the file has {len(rows)}")
    checks = [("应结订单总金额", sum((r.settlement_amount for r in rows), Decimal(0))),
              ("订单总金额", sum((r.order_amount for r in rows), Decimal(0)))]
    if totals["退款总金额"] is not None:
        checks.append(("退款总金额", sum((r.refund_amount for r in rows), Decimal(0))))
    for name, computed in checks:
        if totals[name] != computed:
            raise TradeBillFormatError(f"summary {name} {totals[name]} != rows' {computed}")
    return TradeBill(bill_type=bill_type, rows=rows, trade_count=int(count),
                     settlement_total=totals["应结订单总金额"], order_total=totals["订单总金额"],
                     fee_total=totals["手续费总金额"] or Decimal(0),
                     refund_total=totals["退款总金额"], summary=summary)
