"""A day of a provider's statement, its lines, and the differences found against our orders."""
from django.conf import settings
from django.db import models

from .constants import DayState, LineKind, MismatchKind, MismatchStatus
from .labels import provider_label

_MONEY = dict(max_digits=12, decimal_places=2)


class StatementDay(models.Model):
    """One Beijing day of one provider's trade statement, with its totals next to ours."""

    # "alipay" or "wechat" (apps.order.constants.PROVIDER_NAMES); one row per provider and day.
    provider = models.CharField("支付平台", max_length=16, default="alipay")
    bill_date = models.DateField("账单日期")
    # The latest run's result: a provisional or failed day is never shown as matching, and the
    # daily job redoes every day that is not COMPLETE.
    state = models.CharField("对账状态", max_length=12, choices=DayState.choices,
                             default=DayState.COMPLETE)
    error = models.CharField("失败原因", max_length=255, blank=True, default="")
    files = models.CharField("账单文件", max_length=500, blank=True, default="")
    # The provider's figures: counts from its summary, amounts from the detail lines.
    provider_trade_count = models.IntegerField("平台交易笔数", default=0)
    provider_trade_amount = models.DecimalField("平台交易金额", default=0, **_MONEY)
    provider_refund_count = models.IntegerField("平台退款笔数", default=0)
    provider_refund_amount = models.DecimalField("平台退款金额", default=0, **_MONEY)
    provider_net_amount = models.DecimalField("平台实收净额", null=True, blank=True, **_MONEY)
    # Ours, for the same day and provider (paid orders by pay time, refunds by refund time).
    our_trade_count = models.IntegerField("本地交易笔数", default=0)
    our_trade_amount = models.DecimalField("本地交易金额", default=0, **_MONEY)
    our_refund_count = models.IntegerField("本地退款笔数", default=0)
    our_refund_amount = models.DecimalField("本地退款金额", default=0, **_MONEY)
    created_time = models.DateTimeField("首次对账时间", auto_now_add=True)

    class Meta:
        db_table = "luffy_statement_day"
        ordering = ["-bill_date", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "bill_date"],
                                               name="uniq_statement_provider_day")]
        verbose_name = "对账单"
        verbose_name_plural = "对账单"
        permissions = [("reconcile_statementday", "可下载并对账某日的对账单")]

    def __str__(self):
        return f"{provider_label(self.provider)} 对账单 {self.bill_date}"

    @property
    def is_final(self) -> bool:
        return self.state == DayState.COMPLETE


class StatementLine(models.Model):
    """One row of the statement's detail, kept as the provider wrote it."""

    day = models.ForeignKey(StatementDay, on_delete=models.CASCADE, related_name="lines",
                            verbose_name="账单日")
    kind = models.CharField("业务类型", max_length=8, choices=LineKind.choices)
    trade_no = models.CharField("平台交易号", max_length=64, db_index=True)
    out_trade_no = models.CharField("商户订单号", max_length=64, db_index=True)
    out_request_no = models.CharField("退款请求号", max_length=64, blank=True, default="")
    subject = models.CharField("商品名称", max_length=256, blank=True, default="")
    created_at = models.DateTimeField("创建时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    amount = models.DecimalField("金额", **_MONEY)  # positive for trades and refunds alike
    receipt_amount = models.DecimalField("商家实收", **_MONEY)  # signed as in the statement
    raw = models.JSONField("原始行", default=dict)

    class Meta:
        db_table = "luffy_statement_line"
        ordering = ["finished_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["day", "kind", "trade_no", "out_request_no"], name="uniq_statement_line")]
        verbose_name = "对账单明细"
        verbose_name_plural = "对账单明细"

    def __str__(self):
        return f"{self.get_kind_display()} {self.out_trade_no} ¥{self.amount}"


class StatementMismatch(models.Model):
    """A difference between a provider's statement and our books, for a human to look at."""

    day = models.ForeignKey(StatementDay, on_delete=models.CASCADE, related_name="mismatches",
                            verbose_name="账单日")
    kind = models.CharField("差异类型", max_length=32, choices=MismatchKind.choices)
    # What identifies the difference within the day: out_trade_no, plus the refund request no.
    key = models.CharField("差异标识", max_length=140)
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="statement_mismatches", verbose_name="订单")
    line = models.ForeignKey(StatementLine, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="mismatches", verbose_name="账单明细")
    out_trade_no = models.CharField("商户订单号", max_length=64, db_index=True)
    trade_no = models.CharField("平台交易号", max_length=64, blank=True, default="")
    provider_amount = models.DecimalField("平台金额", null=True, blank=True, **_MONEY)
    our_amount = models.DecimalField("本地金额", null=True, blank=True, **_MONEY)
    detail = models.CharField("说明", max_length=255, blank=True, default="")
    settled = models.BooleanField("已自动补单", default=False)
    status = models.CharField("处理状态", max_length=8, choices=MismatchStatus.choices,
                              default=MismatchStatus.OPEN, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="处理人")
    resolved_time = models.DateTimeField("处理时间", null=True, blank=True)
    created_time = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        db_table = "luffy_statement_mismatch"
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["day", "kind", "key"],
                                               name="uniq_statement_mismatch")]
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"

    def __str__(self):
        return f"{self.day.bill_date} {self.get_kind_display()} {self.out_trade_no}"
