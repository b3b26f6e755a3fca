"""One closed UTC hour of sales, aggregated once: the dashboard reads these, not a million rows."""
from django.db import models

_MONEY = dict(max_digits=14, decimal_places=2, default=0)


class SalesHour(models.Model):
    """What happened in one hour that is over. Every figure counts things written once and never
    changed (orders by creation, append-only payment events, refunds by refund time), so a closed
    hour's figures are final and are computed once."""

    hour = models.DateTimeField("小时（UTC 起点）", unique=True)
    created = models.IntegerField("下单", default=0)
    paid = models.IntegerField("支付", default=0)
    cancelled = models.IntegerField("取消", default=0)
    timed_out = models.IntegerField("超时", default=0)
    revenue = models.DecimalField("收入", **_MONEY)
    refunds = models.DecimalField("退款", **_MONEY)
    notifies = models.IntegerField("收到通知", default=0)
    settled_notify = models.IntegerField("通知确认", default=0)
    settled_query = models.IntegerField("查询补单", default=0)
    settled_statement = models.IntegerField("对账单补单", default=0)

    class Meta:
        db_table = "luffy_sales_hour"
        ordering = ["hour"]
        verbose_name = verbose_name_plural = "每小时销售汇总"

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H}:00 UTC"
