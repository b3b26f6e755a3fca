"""Reading Alipay's statement zip: GBK names and text, `#` comment lines, tabs, signed refunds."""
import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest

from lib.al_pay.statement import StatementFormatError, parse_statement
from lib.al_pay.times import BEIJING

HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,"
          "终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
          "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,"
          "服务费（元）,分润（元）,备注")
DETAIL = "\r\n".join([
    "#支付宝业务明细查询", "#账号：[20880000000000420156]",
    "#起始日期：[2026年12月01日 00:00:00]   终止日期：[2026年12月02日 00:00:00]",
    "#-----------------------------------------业务明细列表----------------------------------------",
    HEADER,
    "2026120122001\t,A001\t,交易,Python 入门,2026-12-01 09:59:00,2026-12-01 10:00:00,,,,,"
    "abc***@x.com,99.00,98.40,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.60,0.00,",
    "2026120122001\t,A001\t,退款,Python 入门,2026-12-01 09:59:00,2026-12-01 12:00:00,,,,,"
    "abc***@x.com,-20.00,-20.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,A001-r1\t,0.12,0.00,",
    "#-----------------------------------------业务明细列表结束------------------------------------",
    "#交易合计：1笔，商家实收共：98.40元，商家优惠共：0.00元",
    "#退款合计：1笔，商家实收退款共：-20.00元，商家优惠退款共：0.00元",
    "#导出时间：[2026年12月02日 10:00:00]", ""])
SUMMARY = "\r\n".join([
    "#支付宝业务汇总查询", "#账号：[20880000000000420156]",
    "门店编号,门店名称,交易订单总笔数,退款订单总笔数,已收入金额（元）,支付宝红包（元）,集分宝（元）,"
    "支付宝优惠（元）,商家优惠（元）,券核销金额（元）,商家红包消费金额（元）,卡消费金额（元）,服务费（元）,"
    "分润（元）,实收净额（元）",
    "合计,,1,1,79.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,-0.48,0.00,78.52",
    "#-----------------------------------------业务汇总列表结束-----------------------------------", ""])


class GbkName(zipfile.ZipInfo):
    """Stores the name as GBK bytes without the UTF-8 flag, as Alipay's zips do."""

    def _encodeFilenameFlags(self):  # noqa: N802
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def statement_zip(detail=DETAIL, summary=SUMMARY, utf8_names=False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("2088_20261201_业务明细.csv", detail),
                           ("2088_20261201_业务明细(汇总).csv", summary)):
            archive.writestr((zipfile.ZipInfo if utf8_names else GbkName)(name), text.encode("gbk"))
    return buffer.getvalue()


@pytest.mark.parametrize("utf8_names", [False, True])
def test_reads_lines_and_summary_of_a_gbk_statement(utf8_names):
    statement = parse_statement(statement_zip(utf8_names=utf8_names))
    trade, refund = statement.lines
    assert (trade.kind, trade.trade_no, trade.out_trade_no, trade.amount, trade.receipt_amount) == (
        "trade", "2026120122001", "A001", Decimal("99.00"), Decimal("98.40"))
    assert trade.finished_at == datetime(2026, 12, 1, 10, 0, tzinfo=BEIJING)
    assert trade.subject == "Python 入门" and trade.out_request_no == ""
    assert (refund.kind, refund.amount, refund.out_request_no) == ("refund", Decimal("20.00"),
                                                                    "A001-r1")
    assert (statement.trade_count, statement.refund_count, statement.net_amount) == (
        1, 1, Decimal("78.52"))
    assert "2088_20261201_业务明细.csv" in statement.files


def test_an_empty_day_has_no_lines():
    detail = "\r\n".join(line for line in DETAIL.split("\r\n") if not line.startswith("20261201"))
    assert parse_statement(statement_zip(detail=detail)).lines == []


@pytest.mark.parametrize("data", [
    b"not a zip",
    statement_zip(detail=DETAIL.replace("订单金额（元）", "金额")),   # a column we rely on is gone
    statement_zip(detail=DETAIL.replace(",99.00,", ",9x.00,")),       # not an amount
    statement_zip(detail=DETAIL.replace(",99.00,", ",99.001,")),      # more than two places
])
def test_anything_else_is_a_format_error_not_a_guess(data):
    with pytest.raises(StatementFormatError):
        parse_statement(data)


def test_an_entry_too_large_to_be_a_statement_is_refused(monkeypatch):
    monkeypatch.setattr("lib.al_pay.statement.MAX_ENTRY_BYTES", 100)
    with pytest.raises(StatementFormatError, match="larger"):
        parse_statement(statement_zip())
