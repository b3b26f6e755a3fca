"""Admin for orders: list, filters, search, read-only lines and payment events."""
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from utils.exceptions import LuffyError

from . import services
from .constants import EventKind, OrderStatus
from .models import Order, OrderDetail, PaymentEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderDetailInline(ReadOnlyInline):
    model = OrderDetail
    fields = ["course", "price", "real_price"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course")


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ["created_time", "kind", "outcome", "actor", "verified", "flagged", "from_status",
              "to_status", "notify_id", "detail", "params"]
    readonly_fields = fields
    ordering = ["created_time", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["out_trade_no", "user", "subject", "total_amount", "order_status", "pay_type",
                    "pay_time", "created_time"]
    list_filter = ["order_status", "pay_type", ("created_time", admin.DateFieldListFilter),
                   ("pay_time", admin.DateFieldListFilter)]
    search_fields = ["out_trade_no", "trade_no", "user__username"]
    list_select_related = ["user"]
    # No date_hierarchy: it makes MySQL convert time zones, which fails on servers without
    # the time-zone tables loaded; the date filters above need no conversion.
    inlines = [OrderDetailInline, PaymentEventInline]
    actions = ["query_alipay", "close_orders", "refund_orders"]
    # Money and payment facts come from Alipay and the services, never from a form.
    readonly_fields = ["out_trade_no", "user", "total_amount", "order_status", "pay_type",
                       "trade_no", "pay_time", "refund_amount", "refund_time", "course_key", "expire_time", "last_query_time",
                       "created_time", "updated_time"]
    fields = ["subject", *readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_query_permission(self, request):
        return request.user.has_perm("order.query_order")

    def has_close_permission(self, request):
        return request.user.has_perm("order.close_order")

    def has_refund_permission(self, request):
        return request.user.has_perm("order.refund_order")

    def _each(self, request, queryset, operation, done):
        """Run one service per selected order, report each result, and audit who did it.

        Every attempt, failed or not, leaves a payment event naming the staff member and an
        admin LogEntry (the order's "history" page).
        """
        action = request.POST.get("action", "")
        for order in queryset:
            try:
                result = operation(order)
            except LuffyError as exc:
                outcome, text, level = "refused", f"{exc.detail}", messages.ERROR
            else:
                outcome, text, level = "done", f"{done} ({result})", messages.INFO
            services.event_record(kind=EventKind.ADMIN, order=order, actor=request.user,
                                  outcome=f"{action}:{outcome}", detail=text)
            self.log_change(request, order, f"{action}: {text}")
            self.message_user(request, f"{order.out_trade_no}: {text}", level)

    # Django offers an action only to users with every listed permission, and refuses to run
    # it for anyone else (it is then not a valid choice of the action form).
    @admin.action(description="向支付宝查询并同步状态 (alipay.trade.query)", permissions=["query"])
    def query_alipay(self, request, queryset):
        self._each(request, queryset, lambda order: services.payment_sync(order=order), "已查询")

    @admin.action(description="关闭未支付订单 (alipay.trade.close)", permissions=["close"])
    def close_orders(self, request, queryset):
        self._each(request, queryset, lambda order: services.order_cancel(
            order=order, reason=f"管理员 {request.user.username} 关闭").get_order_status_display(),
            "已关闭")

    @admin.action(description="全额退款已支付订单 (alipay.trade.refund)", permissions=["refund"])
    def refund_orders(self, request, queryset):
        refundable = queryset.filter(order_status=OrderStatus.PAID, refund_amount=0)
        skipped = queryset.exclude(pk__in=refundable.values("pk"))
        # Money leaves the company: ask once more, listing what will and will not be refunded.
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/order/refund_confirmation.html", {
                **self.admin_site.each_context(request), "title": "确认退款",
                "opts": self.model._meta, "orders": refundable.select_related("user"),
                "skipped": skipped, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME})
        for order in skipped:
            self.message_user(request, f"{order.out_trade_no}: 未支付或已退款，跳过", messages.WARNING)
        self._each(request, refundable, lambda order: services.order_refund(order=order), "已退款")


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = ["created_time", "out_trade_no", "kind", "outcome", "actor", "verified",
                    "flagged"]
    list_filter = ["kind", "verified", "flagged", "outcome"]
    search_fields = ["out_trade_no", "notify_id", "actor__username"]
    list_select_related = ["order", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
