"""Admin for orders: list, filters, search, read-only lines and payment events."""
from functools import partial

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from utils.exceptions import LuffyError

from .constants import EventKind, OrderStatus, Outcome
from .models import Order, OrderDetail, PaymentEvent
from .services.events import event_record
from .services.orders import order_cancel
from .services.payments import payment_sync
from .services.refunds import order_refund


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderDetailInline(ReadOnlyInline):
    model = OrderDetail
    fields = ["course", "price", "real_price", "refund_status", "refund_time", "refund_request_no"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course")


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ["created_time", "provider", "kind", "outcome", "actor", "status_change", "verified",
              "flagged", "notify_id", "detail", "params"]
    readonly_fields = fields
    ordering = ["created_time", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="状态变更")
    def status_change(self, event):
        if event.from_status is None:
            return ""
        return (f"{event.from_status}->{event.to_status} "
                f"({event.get_from_status_display()} → {event.get_to_status_display()})")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["out_trade_no", "user", "subject", "total_amount", "order_status", "pay_type",
                    "channel", "pay_time", "created_time"]
    list_filter = ["order_status", "pay_type", "channel", ("created_time", admin.DateFieldListFilter),
                   ("pay_time", admin.DateFieldListFilter)]  # apps.finance adds its filter
    search_fields = ["out_trade_no", "trade_no", "user__username"]
    list_select_related = ["user"]
    # No date_hierarchy: it makes MySQL convert time zones, which fails on servers without
    # the time-zone tables loaded; the date filters above need no conversion.
    inlines = [OrderDetailInline, PaymentEventInline]
    actions = ["query_alipay", "close_orders", "refund_orders"]  # names kept: permissions, logs
    # Money and payment facts come from the providers and the services, never from a form.
    readonly_fields = ["out_trade_no", "user", "total_amount", "order_status", "pay_type", "channel",
                       "trade_no", "pay_time", "refund_amount", "refund_time", "course_key",
                       "expire_time", "last_query_time",
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
                outcome, text, level = Outcome.ADMIN_REFUSED, f"{exc.detail}", messages.ERROR
            else:
                outcome, text, level = Outcome.ADMIN_DONE, f"{done} ({result})", messages.INFO
            event_record(kind=EventKind.ADMIN, order=order, actor=request.user, outcome=outcome,
                         detail=f"{action}: {text}")
            self.log_change(request, order, f"{action}: {text}")
            self.message_user(request, f"{order.out_trade_no}: {text}", level)

    # Django offers an action only to users with every listed permission, and refuses to run
    # it for anyone else (it is then not a valid choice of the action form).
    @admin.action(description="向支付平台查询并同步状态 (query)", permissions=["query"])
    def query_alipay(self, request, queryset):
        self._each(request, queryset, lambda order: payment_sync(order=order), "已查询")

    @admin.action(description="关闭未支付订单 (close)", permissions=["close"])
    def close_orders(self, request, queryset):
        self._each(request, queryset, lambda order: order_cancel(
            order=order, reason=f"管理员 {request.user.username} 关闭").get_order_status_display(),
            "已关闭")

    @admin.action(description="退款：选择已支付订单中的课程 (refund)", permissions=["refund"])
    def refund_orders(self, request, queryset):
        refundable = list(queryset.filter(order_status=OrderStatus.PAID,
                                          lines__refund_time__isnull=True)
                          .distinct().select_related("user").prefetch_related("lines__course"))
        skipped = queryset.exclude(pk__in=[order.pk for order in refundable])
        # Money leaves the company: an intermediate page lists each order's lines to choose.
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/order/refund_confirmation.html", {
                **self.admin_site.each_context(request), "title": "确认退款",
                "opts": self.model._meta, "orders": refundable, "skipped": skipped,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME})
        for order in skipped:
            self.message_user(request, f"{order.out_trade_no}: 未支付或已退款，跳过", messages.WARNING)
        chosen = {int(pk) for pk in request.POST.getlist("lines") if pk.isdigit()}
        for order in refundable:
            line_ids = [line.pk for line in order.lines.all() if line.pk in chosen]
            if not line_ids:
                self.message_user(request, f"{order.out_trade_no}: 未选择课程，跳过", messages.WARNING)
                continue
            self._each(request, [order], partial(_refund_lines, line_ids=line_ids,
                                                 actor=request.user.username), "已退款")


def _refund_lines(order, *, line_ids, actor):
    return order_refund(order=order, line_ids=line_ids, actor=actor)


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = ["created_time", "out_trade_no", "provider", "kind", "outcome", "actor",
                    "verified", "flagged"]
    list_filter = ["provider", "kind", "verified", "flagged", "outcome"]
    search_fields = ["out_trade_no", "notify_id", "actor__username"]
    list_select_related = ["order", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
