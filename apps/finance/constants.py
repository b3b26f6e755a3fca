"""What a statement comparison can find, and what became of it."""
from django.db import models


class LineKind(models.TextChoices):
    TRADE = "trade", "交易"
    REFUND = "refund", "退款"
    OTHER = "other", "其他"


class MismatchKind(models.TextChoices):
    # Labels are neutral (the list mixes providers); labels.mismatch_kind_label names the day's.
    # The provider took the money, our order was not paid: settled through payment_settle, flagged.
    PAID_NOT_RECORDED = "paid_not_recorded", "支付平台已收款，本地未支付"
    # Money for an out_trade_no we never created: flagged, never settled.
    UNKNOWN_TRADE = "unknown_trade", "本地无此订单"
    MISSING_IN_STATEMENT = "missing_in_statement", "本地已支付，账单中没有"
    AMOUNT_MISMATCH = "amount_mismatch", "金额不一致"
    TRADE_NO_MISMATCH = "trade_no_mismatch", "平台交易号不一致"
    REFUND_NOT_RECORDED = "refund_not_recorded", "支付平台有退款，本地没有"
    REFUND_MISSING_IN_STATEMENT = "refund_missing_in_statement", "本地有退款，账单中没有"


class DayState(models.TextChoices):
    """How far a statement day can be trusted; only COMPLETE may ever read "matching"."""

    COMPLETE = "complete", "已对账"        # a finished Beijing day, its statement downloaded
    PROVISIONAL = "provisional", "临时"    # today, on request: the day is not over; redone later
    FAILED = "failed", "下载失败"          # the latest download or parse failed: nothing to trust


class MismatchStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"
