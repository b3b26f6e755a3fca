"""Admin for orders: list, filters, search, read-only lines and payment events."""
import json
from decimal import Decimal
from functools import partial

from django.contrib import admin, messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from utils.exceptions import LuffyError

from . import providers
from .constants import PAY_TYPE_BY_PROVIDER, EventKind, OrderStatus, Outcome, PayType, RefundStatus
from .models import Order, OrderDetail, PaymentEvent
from .services.events import event_record
from .services.orders import order_cancel
from .services.payments import payment_sync
from .services.refunds import order_refund, refund_preview, refund_waiting_text


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
    """One short row per event; the raw parameters stay folded (and on the event's own page),
    so the order page fits a 1,280 px screen."""

    model = PaymentEvent
    # The provider is named in the amount column (beside the money), not a column of its own:
    # the page keeps to 1,280 px.
    fields = ["when", "kind", "outcome", "amount", "actor", "status_change", "flagged", "detail",
              "raw"]
    readonly_fields = fields
    ordering = ["created_time", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="时间", ordering="created_time")
    def when(self, event):
        moment = timezone.localtime(event.created_time)
        return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(),
                           moment.strftime("%Y-%m-%d %H:%M:%S"), moment.strftime("%m-%d %H:%M:%S"))

    @admin.display(description="金额 · 支付平台 / 交易号")
    def amount(self, event):
        params = event.params or {}
        money = next((f"¥{params[key]}" for key in ("total_amount", "refund_fee", "refund_amount")
                      if isinstance(params.get(key), str) and params[key]), "")
        fen = params.get("amount") if isinstance(params.get("amount"), dict) else {}
        if not money:  # WeChat Pay: integer fen under amount.total / amount.refund
            money = next((f"¥{Decimal(fen[key]) / 100:.2f}" for key in ("total", "refund")
                          if isinstance(fen.get(key), int) and not isinstance(fen[key], bool)), "")
        trade_no = next((params[key] for key in ("trade_no", "transaction_id")
                         if isinstance(params.get(key), str) and params[key]), "")
        pay_type = PAY_TYPE_BY_PROVIDER.get(event.provider)
        platform = f" · {PayType(pay_type).label}" if pay_type is not None else ""
        return format_html('{}<span class="event-provider">{}</span><br>'
                           '<small class="event-trade-no">{}</small>', money, platform, trade_no)

    @admin.display(description="状态变更")
    def status_change(self, event):
        if event.from_status is None:
            return ""
        return (f"{event.from_status}->{event.to_status} "
                f"({event.get_from_status_display()} → {event.get_to_status_display()})")

    @admin.display(description="原始参数")
    def raw(self, event):
        if not event.params:
            return ""
        url = reverse("admin:order_paymentevent_change", args=[event.pk])
        text = json.dumps(event.params, ensure_ascii=False, indent=1, sort_keys=True)
        return format_html('<details class="event-raw"><summary title="{} 项">展开</summary>'
                           '<pre>{}</pre><a href="{}">事件页</a></details>',
                           len(event.params), text, url)


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

    class Media:
        css = {"all": ["order/admin-order.css"]}
    # The names are written into the audit trail ("query_orders: 已向微信支付查询 (paid)");
    # query_orders was query_alipay until orders could be WeChat's.
    actions = ["query_orders", "close_orders", "refund_orders"]
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
                label = done(order, result) if callable(done) else done
                outcome, text, level = Outcome.ADMIN_DONE, f"{label} ({result})", messages.INFO
            event_record(kind=EventKind.ADMIN, order=order, actor=request.user, outcome=outcome,
                         detail=f"{action}: {text}")
            self.log_change(request, order, f"{action}: {text}")
            self.message_user(request, f"{order.out_trade_no}: {text}", level)

    # Django offers an action only to users with every listed permission, and refuses to run
    # it for anyone else (it is then not a valid choice of the action form).
    @admin.action(description="向订单的支付平台查询并同步状态 (query)", permissions=["query"])
    def query_orders(self, request, queryset):
        self._each(request, queryset, _query,
                   lambda order, _: f"已向{order.get_pay_type_display()}查询")

    @admin.action(description="关闭未支付订单 (close)", permissions=["close"])
    def close_orders(self, request, queryset):
        self._each(request, queryset, lambda order: order_cancel(
            order=order, reason=f"管理员 {request.user.username} 关闭").get_order_status_display(),
            "已关闭")

    @admin.action(description="退款：选择已支付订单中的课程 (refund)", permissions=["refund"])
    def refund_orders(self, request, queryset):
        """Money leaves the company, so three deliberate steps, nothing pre-selected:

        1. choose: each order's refundable lines, none ticked; "退全部" per order is its own
           button showing that order's refundable total;
        2. review: the chosen lines, the amount, and what each order keeps (an empty choice
           goes back to step 1 with an error, nothing refunded);
        3. confirm=yes: one refund request per line, to the order's provider (WeChat Pay's
           may stay processing until it tells).
        """
        # A line whose refund is processing (WeChat Pay) cannot be chosen: an order whose
        # remaining lines all wait is skipped like a refunded one.
        refundable = list(queryset.filter(order_status=OrderStatus.PAID)
                          .filter(_REFUNDABLE_LINE).distinct()
                          .select_related("user").prefetch_related("lines__course"))
        skipped = queryset.exclude(pk__in=[order.pk for order in refundable])
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "选择要退款的课程", "skipped": skipped,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        waiting = _waiting_lines(queryset, request.POST)
        if waiting and request.POST.get("confirm") == "yes":
            self.message_user(request, f"{refund_waiting_text(waiting)}。整批未退款，请重新选择。",
                              messages.ERROR)
            return None
        if request.POST.get("confirm") == "yes":
            return self._refund_confirmed(request, refundable, skipped)
        full_of = request.POST.get("all_of", "")
        if waiting:
            context["error"] = f"{refund_waiting_text(waiting)}。未退款，请重新选择。"
        elif full_of or request.POST.get("step") == "review":
            previews = _refund_previews(refundable, request.POST, full_of=full_of)
            if previews:
                return TemplateResponse(request, "admin/order/refund_review.html", {
                    **context, "title": "确认退款", "previews": previews, "full": bool(full_of),
                    "total": sum(preview.amount for preview in previews)})
            context["error"] = "没有选择任何课程，未退款。请勾选要退的课程，或对整单按「退全部」。"
        for order in refundable:
            order.refundable_amount = sum(line.real_price for line in order.lines.all()
                                          if line.is_refundable)
        return TemplateResponse(request, "admin/order/refund_confirmation.html",
                                {**context, "orders": refundable})

    def _refund_confirmed(self, request, refundable, skipped):
        for order in skipped:
            self.message_user(request, f"{order.out_trade_no}: 未支付、已退款或正在退款中，跳过", messages.WARNING)
        previews = _refund_previews(refundable, request.POST)
        if not previews and refundable:  # (orders with nothing left were reported just above)
            chosen = set(request.POST.getlist("lines"))
            done_before = any(str(line.pk) in chosen for order in refundable
                              for line in order.lines.all() if line.is_refunded)
            self.message_user(request, "所选课程均已退款，未再退款" if done_before
                              else "没有选择任何课程，未退款", messages.ERROR)
        for preview in previews:
            self._each(request, [preview.order], partial(
                _refund_lines, line_ids=[line.pk for line in preview.lines],
                actor=request.user.username), _refund_label)


def _query(order):
    """The order's provider, asked through the seam; refused (nothing asked) if it is disabled,
    rather than read as "no answer"."""
    if order.pay_type not in providers.enabled():
        raise LuffyError(f"{order.get_pay_type_display()}未启用，未查询", code="provider_disabled")
    return payment_sync(order=order)


def _refund_label(order, outcome):
    # WeChat Pay answers "processing": the money moves later (refund notify or query).
    return {Outcome.REFUND_PROCESSING: "已提交退款，等待支付平台确认",
            Outcome.REFUND_FAILED: "退款失败，需人工处理"}.get(outcome, "已退款")


# An order line that may be chosen for a refund (OrderDetail.is_refundable, in SQL): one
# filter() call, so both conditions hold for the same line.
_REFUNDABLE_LINE = Q(lines__refund_time__isnull=True,
                     lines__refund_status__in=[RefundStatus.NONE, RefundStatus.FAILED])


def _waiting_lines(orders, post):
    """The posted lines of the selected orders whose refund is still processing (one query)."""
    chosen = [int(pk) for pk in post.getlist("lines") if pk.isdigit()]
    if not chosen:
        return []
    return list(OrderDetail.objects.filter(order__in=orders, pk__in=chosen,
                                           refund_time__isnull=True,
                                           refund_status=RefundStatus.PROCESSING)
                .select_related("course").order_by("pk"))


def _refund_previews(orders, post, *, full_of=""):
    """What the posted choice would refund, per order; `full_of`: every open line of that order."""
    if full_of:
        orders = [order for order in orders if str(order.pk) == full_of]
        chosen = [line.pk for order in orders for line in order.lines.all()]
    else:
        chosen = [int(pk) for pk in post.getlist("lines") if pk.isdigit()]
    previews = (refund_preview(order=order, line_ids=chosen) for order in orders)
    return [preview for preview in previews if preview is not None]


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
