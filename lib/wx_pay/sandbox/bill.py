"""The trade bill CSV in WeChat's layout (BOM, CRLF, backticked values, summary rows)."""
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

BEIJING = timezone(timedelta(hours=8))
RATE = Decimal("0.006")  # a typical 0.60 % fee, so the fee columns are not all zero
COLUMNS_ALL = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
               "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
               "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
               "费率备注").split(",")
REFUND_ONLY = ("微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态")
COLUMNS_SUCCESS = [c for c in COLUMNS_ALL if c not in REFUND_ONLY]
_AT = COLUMNS_ALL.index("微信退款单号")
COLUMNS_REFUND = COLUMNS_ALL[:_AT] + ["退款申请时间", "退款成功时间"] + COLUMNS_ALL[_AT:]
SUMMARY_ALL = ["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额",
               "订单总金额", "申请退款总金额"]
SUMMARY_SUCCESS = ["总交易单数", "应结订单总金额", "手续费总金额", "订单总金额"]
LAYOUTS = {"ALL": (COLUMNS_ALL, SUMMARY_ALL), "SUCCESS": (COLUMNS_SUCCESS, SUMMARY_SUCCESS),
           "REFUND": (COLUMNS_REFUND, SUMMARY_ALL)}


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _fee(fen: int) -> Decimal:
    return (_yuan(fen) * RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _time(epoch) -> str:
    return "" if epoch is None else datetime.fromtimestamp(int(epoch), BEIJING).strftime(
        "%Y-%m-%d %H:%M:%S")


def _summary_number(value) -> str:
    # The published sample writes the summary like Java doubles: `45.0`, `0.47`, `0.0`.
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def trade_row(trade: dict, mchid: str, appid: str) -> dict:
    amount = _yuan(trade["total"])
    return {"交易时间": _time(trade["success_at"]), "公众账号ID": trade["appid"] or appid,
            "商户号": mchid, "特约商户号": "0", "设备号": "", "微信订单号": trade["transaction_id"],
            "商户订单号": trade["out_trade_no"], "用户标识": trade["openid"] or "",
            "交易类型": trade["trade_type"], "交易状态": "SUCCESS", "付款银行": "OTHERS",
            "货币种类": "CNY", "应结订单金额": amount, "代金券金额": Decimal("0.00"),
            "微信退款单号": "0", "商户退款单号": "0", "退款金额": Decimal("0.00"),
            "充值券退款金额": Decimal("0.00"), "退款类型": "", "退款状态": "",
            "商品名称": trade["description"], "商户数据包": trade["attach"] or "",
            "手续费": f"{_fee(trade['total']):.5f}", "费率": "0.60%", "订单金额": amount,
            "申请退款金额": Decimal("0.00"), "费率备注": "",
            "退款申请时间": "", "退款成功时间": ""}


def refund_row(refund: dict, mchid: str, appid: str) -> dict:
    row = trade_row(dict(refund, success_at=refund["created_at"]), mchid, appid)
    amount = _yuan(refund["refund"])
    row.update({"交易状态": "REFUND", "应结订单金额": Decimal("0.00"), "订单金额": Decimal("0.00"),
                "微信退款单号": refund["refund_id"], "商户退款单号": refund["out_refund_no"],
                "退款金额": amount, "退款类型": "ORIGINAL", "退款状态": refund["status"],
                "手续费": "0.00000", "申请退款金额": amount,
                "退款申请时间": _time(refund["created_at"]),
                "退款成功时间": _time(refund["success_at"])})
    return row


def render(rows: list[dict], bill_type: str) -> bytes:
    """rows (trade_row / refund_row dicts) as the bill file of that type, UTF-8 with BOM."""
    columns, summary_columns = LAYOUTS[bill_type]
    lines = [",".join(columns)]
    for row in rows:
        # Every value gets a leading backtick (so spreadsheets keep long ids as text).
        lines.append(",".join("`" + _cell(row[name]) for name in columns))
    totals = {"总交易单数": Decimal(len(rows)),
              "应结订单总金额": sum((r["应结订单金额"] for r in rows), Decimal("0")),
              "退款总金额": sum((r["退款金额"] for r in rows), Decimal("0")),
              "充值券退款总金额": Decimal("0"),
              "手续费总金额": sum((Decimal(r["手续费"]) for r in rows), Decimal("0")),
              "订单总金额": sum((r["订单金额"] for r in rows), Decimal("0")),
              "申请退款总金额": sum((r["申请退款金额"] for r in rows), Decimal("0"))}
    lines.append(",".join(summary_columns))
    lines.append(",".join("`" + _summary_number(totals[name]) for name in summary_columns))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _cell(value) -> str:
    text = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
    # The format has no quoting: a comma or line break in a description would break the row.
    return text.replace(",", "，").replace("\r", " ").replace("\n", " ").replace("`", "'")
