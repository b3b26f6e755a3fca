"""Order statuses, pay types and channels, the only transitions allowed, refund statuses,
and payment event kinds/outcomes."""
from django.db import models


class OrderStatus(models.IntegerChoices):
    UNPAID = 0, "未支付"      # created; the student may still pay at the provider's cashier
    PAID = 1, "已支付"        # the provider confirmed the money; the courses are granted
    CANCELLED = 2, "已取消"   # the student cancelled before paying
    TIMED_OUT = 3, "超时取消"  # the deadline passed unpaid; closed at the provider


class PayType(models.IntegerChoices):
    ALIPAY = 1, "支付宝"
    WECHAT = 2, "微信支付"


# The name of each pay type's provider: PAYMENT_PROVIDERS, metrics labels, finance statements.
PROVIDER_NAMES = {PayType.ALIPAY: "alipay", PayType.WECHAT: "wechat"}
PAY_TYPE_BY_PROVIDER = {name: pay_type for pay_type, name in PROVIDER_NAMES.items()}


class PayChannel(models.TextChoices):
    """Which cashier the buyer was sent to; everything after the cashier is the same."""

    PAGE = "page", "电脑网站支付"  # alipay.trade.page.pay: the desktop cashier with a QR code
    WAP = "wap", "手机网站支付"    # alipay.trade.wap.pay: the mobile-web cashier (phones)
    NATIVE = "native", "微信扫码支付"  # WeChat Native: a QR code (code_url) shown on a desktop
    H5 = "h5", "微信H5支付"        # WeChat H5: a phone browser hands over to the WeChat app


# Each provider's cashiers; the first is its default (desktop). The providers declare the same.
PROVIDER_CHANNELS = {"alipay": (PayChannel.PAGE, PayChannel.WAP),
                     "wechat": (PayChannel.NATIVE, PayChannel.H5)}


class RefundStatus(models.TextChoices):
    """Where one order line's refund stands (Alipay answers at once, WeChat Pay later)."""

    NONE = "", "未退款"
    PROCESSING = "processing", "退款中"  # accepted by the provider; a notify or a query settles it
    REFUNDED = "refunded", "已退款"      # the money is back with the buyer; the course taken back
    FAILED = "failed", "退款失败"        # the provider gave up (WeChat ABNORMAL/CLOSED): a human looks


# Every status change goes through services.events.order_transition, which allows only these.
# 2/3 -> 1: the provider confirmed money for an order we had already closed; never lost.
TRANSITIONS = {
    OrderStatus.UNPAID: {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.TIMED_OUT},
    OrderStatus.CANCELLED: {OrderStatus.PAID},
    OrderStatus.TIMED_OUT: {OrderStatus.PAID},
    OrderStatus.PAID: set(),
}


class EventKind(models.TextChoices):
    NOTIFY = "notify", "异步通知"
    RETURN = "return", "同步跳转"
    QUERY = "query", "查询"
    CLOSE = "close", "关闭"
    REFUND = "refund", "退款"
    TRANSITION = "transition", "状态变更"
    ADMIN = "admin", "后台操作"  # a staff member ran an admin action; `actor` names them
    STATEMENT = "statement", "对账单"


class Outcome(models.TextChoices):
    """What one payment event concluded; the only outcome values written or compared."""

    # Money arrived (notify or query answer) and was applied, or not.
    PAID = "paid", "已支付"
    PAID_AFTER_CLOSE = "paid_after_close", "关闭后到账"  # flagged: the order was closed here
    DUPLICATE = "duplicate", "重复到账通知"
    PAID_BY_ANOTHER_TRADE = "paid_by_another_trade", "另一笔交易已支付"  # flagged: refund it
    TRADE_NO_OF_ANOTHER_ORDER = "trade_no_of_another_order", "交易号属于另一订单"
    AMOUNT_MISMATCH = "amount_mismatch", "金额不符"
    UNKNOWN_ORDER = "unknown_order", "未知订单"
    COURSE_ALREADY_OWNED = "course_already_owned", "课程已拥有"
    # A callback that is not authentic or not for us.
    BAD_SIGNATURE = "bad_signature", "验签失败"
    FOREIGN_APP_ID = "foreign_app_id", "非本应用"
    FOREIGN_SELLER_ID = "foreign_seller_id", "非本商户"
    MISSING_TRADE_NO = "missing_trade_no", "缺少交易号"
    UNKNOWN_TRADE_STATUS = "unknown_trade_status", "未知交易状态"
    UNPARSABLE = "unparsable", "无法解析"
    # WeChat Pay's notify checks (lib/wx_pay/notify.py), named after the first that failed.
    UNKNOWN_SERIAL = "unknown_serial", "未知平台证书序列号"
    STALE_TIMESTAMP = "stale_timestamp", "时间戳过期"
    BAD_SIGNATURE_TYPE = "bad_signature_type", "签名类型不符"
    PROBE = "probe", "签名探测"
    UNDECRYPTABLE = "undecryptable", "无法解密"
    FOREIGN_MCHID = "foreign_mchid", "非本商户号"
    UNKNOWN_EVENT_TYPE = "unknown_event_type", "未知通知类型"
    VERIFIED = "verified", "验签通过"  # a browser return whose signature checks out
    # The trade as the provider sees it.
    WAIT_BUYER_PAY = "wait_buyer_pay", "等待付款"
    CLOSED = "closed", "已关闭"
    CLOSED_AFTER_PAID = "closed_after_paid", "支付后关闭"
    TRADE_NOT_EXIST = "trade_not_exist", "交易不存在"
    FOREIGN_ANSWER = "foreign_answer", "答非所问"
    UNKNOWN = "unknown", "结果未知"  # the provider busy or unreachable: conclude nothing
    ERROR = "error", "支付平台拒绝"  # a definite business error; its code in params
    # Refunds and status changes.
    REFUNDED = "refunded", "已退款"
    ALREADY_REFUNDED = "already_refunded", "重复退款请求"
    REFUND_PROCESSING = "refund_processing", "退款处理中"
    REFUND_FAILED = "refund_failed", "退款失败"  # flagged: the money did not go back
    UNKNOWN_REFUND = "unknown_refund", "未知退款"
    TRANSITION = "transition", "状态变更"
    # An admin action (EventKind.ADMIN): the action's name and result are in `detail`.
    ADMIN_DONE = "admin_done", "后台操作完成"
    ADMIN_REFUSED = "admin_refused", "后台操作被拒绝"
    # A difference found by the daily statement reconciliation (apps/finance); kind in detail.
    STATEMENT_MISMATCH = "statement_mismatch", "对账差异"


# The money is ours and the order is paid (the notify answers `success` to these).
SETTLED_OUTCOMES = frozenset({Outcome.PAID, Outcome.PAID_AFTER_CLOSE, Outcome.DUPLICATE})
