"""The daily trade statement (对账单) in Alipay's format, and the short-lived URLs that serve it.

alipay.data.dataservice.bill.downloadurl.query answers a URL valid for about 30 s; behind it
is a zip (entry names GBK-encoded, no UTF-8 flag) of two GBK CSV files: the detail (业务明细),
with `#` comment lines above and below the table, and the summary (业务明细(汇总)).
"""
import csv
import io
import secrets
import threading
import time
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from . import times

URL_LIFETIME_SECONDS = 30

DETAIL_COLUMNS = (
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号",
    "门店名称", "操作员", "终端号", "对方账户", "订单金额（元）", "商家实收（元）",
    "支付宝红包（元）", "集分宝（元）", "支付宝优惠（元）", "商家优惠（元）", "券核销金额（元）",
    "券名称", "商家红包消费金额（元）", "卡消费金额（元）", "退款批次号/请求号", "服务费（元）",
    "分润（元）", "备注")
SUMMARY_COLUMNS = (
    "门店编号", "门店名称", "交易订单总笔数", "退款订单总笔数", "已收入金额（元）",
    "支付宝红包（元）", "集分宝（元）", "支付宝优惠（元）", "商家优惠（元）", "券核销金额（元）",
    "商家红包消费金额（元）", "卡消费金额（元）", "服务费（元）", "分润（元）", "实收净额（元）")
ZERO = "0.00"


def _cn_time(moment: datetime) -> str:
    return moment.strftime("%Y年%m月%d日 %H:%M:%S")


def _text_cell(value: str) -> str:
    # Alipay appends a tab to long numbers so spreadsheets keep them as text.
    return f"{value}\t" if value else ""


def _csv(header_lines, columns, rows, footer_lines) -> bytes:
    out = io.StringIO()
    for line in header_lines:
        out.write(line + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    for line in footer_lines:
        out.write(line + "\r\n")
    return out.getvalue().encode("gbk", errors="replace")


def _detail_rows(trades, refunds):
    rows = []
    for trade in trades:
        amount = trade["total_amount"]
        rows.append((trade["gmt_payment"], [
            _text_cell(trade["trade_no"]), _text_cell(trade["out_trade_no"]), "交易",
            trade["subject"], trade["gmt_create"], trade["gmt_payment"], "", "", "", "",
            "sbx***@sandbox.com", amount, amount, ZERO, ZERO, ZERO, ZERO, ZERO, "", ZERO, ZERO, "",
            ZERO, ZERO, ""]))
    for refund in refunds:
        amount = f"-{refund['refund_amount']}"
        rows.append((refund["gmt_refund_pay"], [
            _text_cell(refund["trade_no"]), _text_cell(refund["out_trade_no"]), "退款",
            refund["subject"], refund["gmt_create"], refund["gmt_refund_pay"], "", "", "", "",
            "sbx***@sandbox.com", amount, amount, ZERO, ZERO, ZERO, ZERO, ZERO, "", ZERO, ZERO,
            _text_cell(refund["out_request_no"]), ZERO, ZERO, ""]))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def build_zip(*, account: str, day: date, trades: list[dict], refunds: list[dict]) -> tuple[str, bytes]:
    """(file name, zip bytes) of one day's statement built from paid trades and refunds."""
    start = datetime(day.year, day.month, day.day, tzinfo=times.BEIJING)
    period = f"#起始日期：[{_cn_time(start)}]   终止日期：[{_cn_time(start + timedelta(days=1))}]"
    exported = f"#导出时间：[{_cn_time(times.now())}]"
    paid = sum((Decimal(t["total_amount"]) for t in trades), Decimal("0.00"))
    back = sum((Decimal(r["refund_amount"]) for r in refunds), Decimal("0.00"))
    detail = _csv(
        ["#支付宝业务明细查询", f"#账号：[{account}]", period,
         "#-----------------------------------------业务明细列表----------------------------------------"],
        DETAIL_COLUMNS, _detail_rows(trades, refunds),
        ["#-----------------------------------------业务明细列表结束------------------------------------",
         f"#交易合计：{len(trades)}笔，商家实收共：{paid:.2f}元，商家优惠共：0.00元",
         f"#退款合计：{len(refunds)}笔，商家实收退款共：{-back:.2f}元，商家优惠退款共：0.00元",
         exported])
    net = f"{paid - back:.2f}"
    summary = _csv(
        ["#支付宝业务汇总查询", f"#账号：[{account}]", period],
        SUMMARY_COLUMNS,
        [["合计", "", str(len(trades)), str(len(refunds)), net, ZERO, ZERO, ZERO, ZERO, ZERO,
          ZERO, ZERO, ZERO, ZERO, net]],
        ["#-----------------------------------------业务汇总列表结束-----------------------------------",
         exported])
    stem = f"{account}_{day:%Y%m%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_GbkName(f"{stem}_业务明细.csv"), detail)
        archive.writestr(_GbkName(f"{stem}_业务明细(汇总).csv"), summary)
    return f"{stem}.csv.zip", buffer.getvalue()


class _GbkName(zipfile.ZipInfo):
    """An entry whose name is stored as GBK without the UTF-8 flag, as Alipay's zips are."""

    def __init__(self, name):
        super().__init__(name, date_time=time.localtime()[:6])
        self.compress_type = zipfile.ZIP_DEFLATED

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's own hook)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


class Bills:
    """Statement files behind one-time-looking tokens that expire after URL_LIFETIME_SECONDS."""

    def __init__(self, lifetime=URL_LIFETIME_SECONDS):
        self._lock = threading.Lock()
        self._files: dict[str, tuple[float, str, bytes]] = {}
        self._lifetime = lifetime

    def publish(self, name: str, body: bytes) -> str:
        token = secrets.token_urlsafe(16)
        now = time.monotonic()
        with self._lock:
            self._files = {k: v for k, v in self._files.items() if v[0] > now}
            self._files[token] = (now + self._lifetime, name, body)
        return token

    def get(self, token: str) -> tuple[str, bytes] | None:
        with self._lock:
            entry = self._files.get(token)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1], entry[2]
