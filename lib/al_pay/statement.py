"""Reading Alipay's daily trade statement (对账单): a zip of GBK CSV files.

The zip's entry names are GBK without the UTF-8 flag (zipfile reads them as cp437); the detail
file (…_业务明细.csv) has `#` comment lines above and below its table, values may end in a tab
(so spreadsheets keep long numbers as text) and refund rows carry negative amounts; the summary
file (…_业务明细(汇总).csv) ends in a 合计 (total) row. No Django here: a pure parser.
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from .times import BEIJING

TRADE, REFUND, OTHER = "trade", "refund", "other"
MAX_ENTRY_BYTES = 200 * 1024 * 1024  # a day's CSV; anything larger is not a statement (zip bomb)
_KINDS = {"交易": TRADE, "退款": REFUND}
_REQUIRED = ("支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间",
             "订单金额（元）", "商家实收（元）", "退款批次号/请求号")


class StatementFormatError(ValueError):
    """The file is not a statement we can read; nothing should be concluded from it."""


@dataclass(frozen=True)
class Line:
    kind: str                 # trade | refund | other
    trade_no: str
    out_trade_no: str
    out_request_no: str       # refunds only
    subject: str
    created_at: datetime | None
    finished_at: datetime | None
    amount: Decimal           # positive: what was paid, or what was given back
    receipt_amount: Decimal   # 商家实收, signed as in the file
    raw: dict = field(compare=False, hash=False)


@dataclass
class Statement:
    lines: list[Line]
    # From the summary's 合计 row: counts and net amount Alipay reports for the day.
    trade_count: int | None = None
    refund_count: int | None = None
    net_amount: Decimal | None = None
    files: list[str] = field(default_factory=list)


def _entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _table(data: bytes) -> list[dict]:
    """The rows of a statement CSV as dicts; `#` comment lines and blank lines are skipped."""
    try:
        text = data.decode("gb18030")  # a superset of GBK
    except UnicodeDecodeError as exc:
        raise StatementFormatError("statement is not GBK text") from exc
    body = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(body))
    if not rows:
        return []
    header = [cell.strip() for cell in rows[0]]
    return [dict(zip(header, (cell.strip() for cell in row), strict=False)) for row in rows[1:]]


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value or "0")
    except InvalidOperation as exc:
        raise StatementFormatError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise StatementFormatError(f"not an amount: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def _line(row: dict) -> Line:
    missing = [name for name in _REQUIRED if name not in row]
    if missing:
        raise StatementFormatError(f"detail file lacks columns {missing}")
    kind = _KINDS.get(row["业务类型"], OTHER)
    amount = _amount(row["订单金额（元）"])
    return Line(kind=kind, trade_no=row["支付宝交易号"], out_trade_no=row["商户订单号"],
                out_request_no=row["退款批次号/请求号"] if kind == REFUND else "",
                subject=row["商品名称"], created_at=_time(row["创建时间"]),
                finished_at=_time(row["完成时间"]), amount=abs(amount),
                receipt_amount=_amount(row["商家实收（元）"]), raw=row)


def parse_statement(data: bytes) -> Statement:
    """Read a statement zip; StatementFormatError if it is not one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise StatementFormatError("statement is not a zip file") from exc
    with archive:
        entries = {_entry_name(info): info for info in archive.infolist()}
        if any(info.file_size > MAX_ENTRY_BYTES for info in entries.values()):
            raise StatementFormatError("statement entry larger than 200 MB")
        details = [name for name in entries if name.endswith("业务明细.csv")]
        summaries = [name for name in entries if "汇总" in name]
        if len(details) != 1:
            raise StatementFormatError(f"expected one 业务明细 file, found {sorted(entries)}")
        statement = Statement(lines=[_line(row) for row in _table(archive.read(entries[details[0]]))],
                              files=sorted(entries))
        if summaries:
            _read_summary(statement, _table(archive.read(entries[summaries[0]])))
    return statement


def _read_summary(statement: Statement, rows: list[dict]) -> None:
    total = next((row for row in rows if row.get("门店编号") == "合计"), None)
    if total is None:
        return
    try:
        statement.trade_count = int(total.get("交易订单总笔数") or 0)
        statement.refund_count = int(total.get("退款订单总笔数") or 0)
    except ValueError as exc:
        raise StatementFormatError("summary counts are not integers") from exc
    statement.net_amount = _amount(total.get("实收净额（元）") or total.get("已收入金额（元）") or "0")
