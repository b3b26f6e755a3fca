"""The JSON the sandbox answers with: transactions and refunds shaped like WeChat Pay API v3."""
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
_DESCRIPTIONS = {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "REFUND": "转入退款",
                 "CLOSED": "已关闭"}


def rfc3339(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), BEIJING).isoformat()


def transaction(trade: dict) -> dict:
    """A query answer, and the plaintext of a TRANSACTION.SUCCESS notify."""
    paid = trade["transaction_id"] is not None
    data = {"appid": trade["appid"], "mchid": trade["mchid"],
            "out_trade_no": trade["out_trade_no"], "trade_state": trade["state"],
            "trade_state_desc": _DESCRIPTIONS[trade["state"]], "attach": trade["attach"] or "",
            "amount": {"total": trade["total"], "currency": "CNY", "payer_currency": "CNY"},
            "promotion_detail": []}
    if paid:
        data.update(transaction_id=trade["transaction_id"],
                    trade_type="MWEB" if trade["trade_type"] == "MWEB" else "NATIVE",
                    bank_type="OTHERS", success_time=rfc3339(trade["success_at"]),
                    payer={"openid": trade["openid"]})
        data["amount"]["payer_total"] = trade["total"]
    return data


def refund(trade: dict, row: dict) -> dict:
    """A refund / refund query answer (no success_time while PROCESSING)."""
    data = {"refund_id": row["refund_id"], "out_refund_no": row["out_refund_no"],
            "transaction_id": trade["transaction_id"], "out_trade_no": trade["out_trade_no"],
            "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
            "create_time": rfc3339(row["created_at"]), "success_time": rfc3339(row["success_at"]),
            "status": row["status"], "funds_account": "AVAILABLE",
            "amount": {"total": row["total"], "refund": row["refund"],
                       "payer_total": row["total"], "payer_refund": row["refund"],
                       "settlement_refund": row["refund"], "settlement_total": row["total"],
                       "discount_refund": 0, "currency": "CNY", "refund_fee": 0},
            "promotion_detail": []}
    return {key: value for key, value in data.items() if value is not None}


def refund_notify(trade: dict, row: dict) -> dict:
    """The plaintext of a REFUND.* notify (success_time only on SUCCESS)."""
    data = {"mchid": trade["mchid"], "transaction_id": trade["transaction_id"],
            "out_trade_no": trade["out_trade_no"], "refund_id": row["refund_id"],
            "out_refund_no": row["out_refund_no"], "refund_status": row["status"],
            "success_time": rfc3339(row["success_at"]),
            "user_received_account": "支付用户零钱",
            "amount": {"total": row["total"], "refund": row["refund"],
                       "payer_total": row["total"], "payer_refund": row["refund"]}}
    return {key: value for key, value in data.items() if value is not None}
