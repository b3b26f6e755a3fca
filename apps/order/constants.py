"""Order statuses, pay types and the only transitions allowed between statuses."""
from django.db import models


class OrderStatus(models.IntegerChoices):
    UNPAID = 0, "未支付"      # created; the student may still pay on Alipay's cashier
    PAID = 1, "已支付"        # Alipay confirmed the money; the courses are granted
    CANCELLED = 2, "已取消"   # the student cancelled before paying
    TIMED_OUT = 3, "超时取消"  # the deadline passed unpaid; closed at Alipay


class PayType(models.IntegerChoices):
    ALIPAY = 1, "支付宝"
    WECHAT = 2, "微信支付"


SUPPORTED_PAY_TYPES = (PayType.ALIPAY,)

# Every status change goes through services.order_transition, which allows only these.
# 2/3 -> 1: Alipay confirmed money for an order we had already closed; money is never lost.
TRANSITIONS = {
    OrderStatus.UNPAID: {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.TIMED_OUT},
    OrderStatus.CANCELLED: {OrderStatus.PAID},
    OrderStatus.TIMED_OUT: {OrderStatus.PAID},
    OrderStatus.PAID: set(),
}

# Alipay trade statuses that mean the money arrived.
PAID_TRADE_STATUSES = {"TRADE_SUCCESS", "TRADE_FINISHED"}


class EventKind(models.TextChoices):
    NOTIFY = "notify", "异步通知"
    RETURN = "return", "同步跳转"
    QUERY = "query", "查询"
    CLOSE = "close", "关闭"
    REFUND = "refund", "退款"
    TRANSITION = "transition", "状态变更"
    ADMIN = "admin", "后台操作"  # a staff member ran an admin action; `actor` names them
