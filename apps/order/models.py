"""Order, its lines (OrderDetail), and the append-only PaymentEvent audit trail."""
from django.conf import settings
from django.db import models

from .constants import EventKind, OrderStatus, Outcome, PayChannel, PayType, RefundStatus


class Order(models.Model):
    """One purchase of one or more courses, paid with one trade at its provider (pay_type)."""

    subject = models.CharField("订单标题", max_length=150)
    total_amount = models.DecimalField("订单总价", max_digits=10, decimal_places=2)
    out_trade_no = models.CharField("订单号", max_length=64, unique=True)
    # The provider's own number of the trade (Alipay trade_no, WeChat transaction_id); unique
    # per provider (Meta.constraints), set when the money is confirmed. NULL until then, so
    # that the unpaid orders do not collide in that unique constraint.
    trade_no = models.CharField("支付平台交易号", max_length=64, null=True,  # noqa: DJ001
                                blank=True)
    order_status = models.SmallIntegerField("订单状态", choices=OrderStatus.choices,
                                            default=OrderStatus.UNPAID, db_index=True)
    pay_type = models.SmallIntegerField("支付方式", choices=PayType.choices, default=PayType.ALIPAY)
    pay_time = models.DateTimeField("支付时间", null=True, blank=True)
    # The cashier of the latest pay URL handed out (a student may switch devices).
    channel = models.CharField("支付渠道", max_length=8, choices=PayChannel.choices,
                               default=PayChannel.PAGE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="orders", verbose_name="下单用户")
    # The sorted course ids ("3,7"): finds an open order for exactly these courses.
    course_key = models.CharField("课程集合", max_length=255, db_index=True)
    expire_time = models.DateTimeField("支付截止时间")
    # Money given back by the provider (the sum of the refunded lines); the status
    # stays "paid" (it was paid). refund_time is the latest refund.
    refund_amount = models.DecimalField("已退款金额", max_digits=10, decimal_places=2, default=0)
    refund_time = models.DateTimeField("退款时间", null=True, blank=True)
    # When the provider was last asked about it; throttles queries across all processes.
    last_query_time = models.DateTimeField("上次查询时间", null=True, blank=True)
    created_time = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_time = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        db_table = "luffy_order"
        ordering = ["-created_time", "-id"]
        indexes = [models.Index(fields=["user", "course_key", "order_status"],
                                name="order_open_lookup")]
        # trade_no first: the settle read looks a trade number up whatever its provider.
        constraints = [models.UniqueConstraint(fields=["trade_no", "pay_type"],
                                               name="uniq_provider_trade_no")]
        # Admin actions that touch money or the provider, each granted on its own (not with change_order).
        permissions = [("query_order", "可向支付平台查询订单"), ("close_order", "可关闭未支付订单"),
                       ("refund_order", "可退款已支付订单")]
        verbose_name = "订单记录"
        verbose_name_plural = "订单记录"

    def __str__(self):
        return f"{self.out_trade_no} {self.subject} ¥{self.total_amount}"

    @property
    def is_paid(self) -> bool:
        return self.order_status == OrderStatus.PAID


class OrderDetail(models.Model):
    """One course in an order, with the price it was sold at."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines",
                              verbose_name="订单")
    course = models.ForeignKey("course.Course", on_delete=models.PROTECT,
                               related_name="course_orders", verbose_name="课程")
    price = models.DecimalField("课程原价", max_digits=10, decimal_places=2)
    real_price = models.DecimalField("课程实价", max_digits=10, decimal_places=2)
    # Set once this line's real_price was given back (one refund request per line).
    refund_time = models.DateTimeField("退款时间", null=True, blank=True)
    refund_request_no = models.CharField("退款请求号", max_length=64, blank=True, default="")
    # When the refund was first asked of the provider: WeChat's bill dates a refund by it.
    refund_requested_time = models.DateTimeField("退款申请时间", null=True, blank=True,
                                                 db_index=True)
    # Alipay refunds at once; WeChat Pay accepts (processing) and tells later (notify or query).
    refund_status = models.CharField("退款状态", max_length=16, choices=RefundStatus.choices,
                                     blank=True, default=RefundStatus.NONE, db_index=True)

    class Meta:
        db_table = "luffy_order_detail"
        constraints = [models.UniqueConstraint(fields=["order", "course"], name="uniq_order_course")]
        # Refunds by the hour (sales dashboard) and by the day (statement reconciliation).
        indexes = [models.Index(fields=["refund_time", "real_price"], name="line_refund_time")]
        verbose_name = "订单详情"
        verbose_name_plural = "订单详情"

    def __str__(self):
        return f"{self.course.name} ¥{self.real_price}"

    @property
    def is_refunded(self) -> bool:
        return self.refund_time is not None

    @property
    def is_refund_processing(self) -> bool:
        """Asked of the provider, not settled yet: not to be asked again (WeChat Pay only)."""
        return self.refund_status == RefundStatus.PROCESSING and not self.is_refunded

    @property
    def is_refundable(self) -> bool:
        """May be chosen for a refund: not refunded, not waiting; a failed one may be asked again."""
        return not self.is_refunded and not self.is_refund_processing


class PaymentEventQuerySet(models.QuerySet):
    def delete(self):
        # Only unverified input (forgeries, garbage) may ever go: the purge command removes it.
        if self.exclude(verified=False).exists():
            raise ValueError("only unverified payment events can be deleted")
        return super().delete()


class PaymentEvent(models.Model):
    """Something that happened to a payment: a callback, a query answer, a transition.

    Append-only: written once, never edited, so the audit trail can be trusted.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="events", verbose_name="订单")
    out_trade_no = models.CharField("订单号", max_length=64, blank=True, db_index=True)
    kind = models.CharField("类型", max_length=16, choices=EventKind.choices)
    params = models.JSONField("原始参数", default=dict, blank=True)
    verified = models.BooleanField("验签通过", null=True)
    outcome = models.CharField("结果", max_length=64, choices=Outcome.choices)
    detail = models.CharField("说明", max_length=255, blank=True, default="")
    from_status = models.SmallIntegerField("原状态", choices=OrderStatus.choices, null=True, blank=True)
    to_status = models.SmallIntegerField("新状态", choices=OrderStatus.choices, null=True, blank=True)
    notify_id = models.CharField("通知ID", max_length=128, blank=True, default="")
    # The provider it concerns ("alipay", "wechat"; constants.PROVIDER_NAMES): metrics, audit.
    provider = models.CharField("支付平台", max_length=16, blank=True, default="")
    # Needs a human: e.g. money arrived for an order already closed or paid by another trade.
    flagged = models.BooleanField("需人工处理", default=False, db_index=True)
    # The staff member who caused it (admin actions); empty for providers, students and jobs.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name="操作人")
    created_time = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = PaymentEventQuerySet.as_manager()

    class Meta:
        db_table = "luffy_payment_event"
        ordering = ["created_time", "id"]
        # The sales dashboard: notifies received and transitions by hour, and payments settled
        # by notify/query/statement.
        indexes = [models.Index(fields=["kind", "created_time", "to_status"],
                                name="event_kind_time"),
                   models.Index(fields=["outcome", "created_time", "kind"],
                                name="event_outcome_time")]
        verbose_name = "支付事件"
        verbose_name_plural = "支付事件"

    def __str__(self):
        return f"{self.out_trade_no} {self.kind} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("payment events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("payment events are append-only")
