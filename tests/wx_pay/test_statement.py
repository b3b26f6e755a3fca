"""parse_trade_bill on a hand-written bill in WeChat's documented layout and on bills the
sandbox's writer renders from Hypothesis-generated trades and refunds."""
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.wx_pay.sandbox import bill
from lib.wx_pay.statement import TradeBillFormatError, parse_trade_bill
from lib.wx_pay.times import BEIJING

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wechatpay" / "tradebill_all.csv"


def test_published_layout_fixture():
    data = FIXTURE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # BOM and CRLF, as WeChat
    parsed = parse_trade_bill(data)
    assert parsed.bill_type == "ALL" and parsed.trade_count == 4
    trades = [r for r in parsed.rows if r.kind == "trade"]
    refunds = [r for r in parsed.rows if r.kind == "refund"]
    assert [(r.out_trade_no, r.amount) for r in trades] == [
        ("LF20240101000001", Decimal("99.00")), ("LF20240101000002", Decimal("0.03")),
        ("LF20240101000003", Decimal("1288.00"))]
    refund = refunds[0]
    assert (refund.out_trade_no, refund.out_refund_no, refund.refund_id, refund.amount,
            refund.refund_status, refund.trade_state) == (
        "LF20231231000009", "RLF20231231000009", "50000709672024010108420787722",
        Decimal("10.00"), "SUCCESS", "REFUND")
    assert trades[0].trade_time == datetime(2024, 1, 1, 9, 30, 5, tzinfo=BEIJING)
    assert trades[0].refund_id is None and trades[0].fee == Decimal("0.59000")
    assert parsed.refund_total == Decimal("10.00") and parsed.order_total == Decimal("1387.03")


def _break(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize("change", [
    lambda d: d[: d.rindex(b"\r\n", 0, len(d) - 2)],            # summary row cut off
    lambda d: _break(d, b"`99.00,`0.00,`0,", b"99.00,`0.00,`0,"),  # a value without backtick
    lambda d: _break(d, b"`99.00,`0.00,`0,", b"`99.0x,`0.00,`0,"),  # not an amount
    lambda d: _break(d, b"`2024-01-01 09:30:05", b"`2024-13-01 09:30:05"),
    lambda d: _break(d, b"`4.0,", b"`5.0,"),                     # count disagrees with rows
    lambda d: _break(d, b"`1387.03,`10.0", b"`1387.04,`10.0"),  # totals disagree
    lambda d: d.replace(b"\xe5\x95\x86\xe6\x88\xb7\xe8\xae\xa2\xe5\x8d\x95\xe5\x8f\xb7", b"x"),
    lambda d: b"\xff\xfe" + d,
    lambda d: b"",
    lambda d: b"not a bill",
])
def test_malformed_bills_are_refused(change):
    with pytest.raises(TradeBillFormatError):
        parse_trade_bill(change(FIXTURE.read_bytes()))


def test_lf_line_endings_are_tolerated():
    assert parse_trade_bill(FIXTURE.read_bytes().replace(b"\r\n", b"\n")).trade_count == 4


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=30)
otns = st.from_regex(r"[0-9A-Za-z_\-|*]{6,32}", fullmatch=True)
moments = st.floats(min_value=1_700_000_000, max_value=1_700_086_399).map(int)
trades = st.fixed_dictionaries({
    "transaction_id": st.from_regex(r"42[0-9]{26}", fullmatch=True), "out_trade_no": otns,
    "appid": st.just("wxd678efh567hg6787"), "trade_type": st.sampled_from(["NATIVE", "MWEB"]),
    "description": texts, "total": st.integers(1, 10**10), "success_at": moments,
    "openid": st.one_of(st.none(), st.just("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")),
    "attach": st.one_of(st.none(), texts)})


@st.composite
def refunds(draw):
    trade = draw(trades)
    total = trade["total"]
    return dict(trade, out_refund_no=draw(st.from_regex(r"[0-9A-Za-z_\-|*@]{1,64}",
                                                        fullmatch=True)),
                refund_id=draw(st.from_regex(r"50[0-9]{27}", fullmatch=True)),
                refund=draw(st.integers(1, total)), created_at=trade["success_at"],
                success_at=draw(st.one_of(st.none(), moments)),
                status=draw(st.sampled_from(["SUCCESS", "PROCESSING"])))


@settings(max_examples=60, deadline=None)
@given(st.lists(trades, max_size=8), st.lists(refunds(), max_size=8),
       st.sampled_from(["ALL", "SUCCESS", "REFUND"]))
def test_round_trip_through_the_sandbox_writer(trade_list, refund_list, bill_type):
    rows = []
    if bill_type != "REFUND":
        rows += [bill.trade_row(t, "1900000109", "wxd678efh567hg6787") for t in trade_list]
    if bill_type != "SUCCESS":
        rows += [bill.refund_row(r, "1900000109", "wxd678efh567hg6787") for r in refund_list]
    parsed = parse_trade_bill(bill.render(rows, bill_type))
    assert parsed.bill_type == bill_type and parsed.trade_count == len(rows)
    got_trades = [(r.out_trade_no, r.transaction_id, r.amount) for r in parsed.rows
                  if r.kind == "trade"]
    assert got_trades == ([(t["out_trade_no"], t["transaction_id"], Decimal(t["total"]) / 100)
                           for t in trade_list] if bill_type != "REFUND" else [])
    got_refunds = [(r.out_trade_no, r.out_refund_no, r.refund_id, r.amount, r.refund_status)
                   for r in parsed.rows if r.kind == "refund"]
    assert got_refunds == ([(r["out_trade_no"], r["out_refund_no"], r["refund_id"],
                             Decimal(r["refund"]) / 100, r["status"]) for r in refund_list]
                           if bill_type != "SUCCESS" else [])
