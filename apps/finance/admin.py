"""Admin for the daily statements: one page per provider and day (its totals vs ours, the
differences), and the differences themselves, which a human marks resolved."""
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.order.constants import PAY_TYPE_BY_PROVIDER, PayType
from apps.order.models import Order

from . import services
from .admin_filters import OpenStatementMismatchFilter
from .constants import MismatchStatus
from .models import StatementDay, StatementMismatch

_PROVIDER_LABELS = {name: PayType(pay_type).label for name, pay_type in PAY_TYPE_BY_PROVIDER.items()}

# The order list filters by open statement differences: added from here, so that apps.order
# never imports apps.finance (apps.order's admin is registered first: INSTALLED_APPS order).
_order_admin = admin.site._registry.get(Order)
if _order_admin is not None and OpenStatementMismatchFilter not in _order_admin.list_filter:
    _order_admin.list_filter = [*_order_admin.list_filter, OpenStatementMismatchFilter]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def order_links(mismatch) -> dict:
    """Admin URLs of the order and of its payment events (search by order number)."""
    events = reverse("admin:order_paymentevent_changelist") + "?" + urlencode(
        {"q": mismatch.out_trade_no})
    order = (reverse("admin:order_order_change", args=[mismatch.order_id])
             if mismatch.order_id else None)
    return {"order_url": order, "events_url": events}


@admin.register(StatementDay)
class StatementDayAdmin(ReadOnlyAdmin):
    list_display = ["bill_date", "provider", "provider_trade_count", "our_trade_count",
                    "provider_trade_amount", "our_trade_amount", "provider_refund_amount",
                    "our_refund_amount", "open_count"]
    list_filter = ["provider"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_mismatches=Count(
            "mismatches", filter=Q(mismatches__status=MismatchStatus.OPEN)))

    @admin.display(description="未处理差异", ordering="open_mismatches")
    def open_count(self, day):
        return day.open_mismatches

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The statement page of one day (read-only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        day = get_object_or_404(StatementDay, pk=object_id)
        mismatches = list(day.mismatches.select_related("order", "line", "resolved_by"))
        for mismatch in mismatches:
            mismatch.links = order_links(mismatch)
        totals = [
            ("交易笔数", day.provider_trade_count, day.our_trade_count),
            ("交易金额（元）", day.provider_trade_amount, day.our_trade_amount),
            ("退款笔数", day.provider_refund_count, day.our_refund_count),
            ("退款金额（元）", day.provider_refund_amount, day.our_refund_amount),
            ("实收净额（元）", day.provider_net_amount,
             day.our_trade_amount - day.our_refund_amount),
        ]
        return TemplateResponse(request, "admin/finance/statement_day.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": str(day),
            "day": day, "provider_label": _PROVIDER_LABELS.get(day.provider, day.provider),
            "totals": [(name, a, o, a != o) for name, a, o in totals],
            "mismatches": mismatches, "lines": day.lines.all(),
            "mismatch_list_url": reverse("admin:finance_statementmismatch_changelist")
            + f"?day__id__exact={day.pk}"})


@admin.register(StatementMismatch)
class StatementMismatchAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "out_trade_no", "trade_no", "provider_amount", "our_amount",
                    "settled", "status", "detail"]
    list_filter = ["status", "kind", "settled", "day"]
    search_fields = ["out_trade_no", "trade_no"]
    list_select_related = ["day"]
    actions = ["mark_resolved"]

    def has_resolve_permission(self, request):
        return request.user.has_perm("finance.change_statementmismatch")

    @admin.action(description="标记为已处理", permissions=["resolve"])
    def mark_resolved(self, request, queryset):
        done = sum(services.mismatch_resolve(mismatch=m, user=request.user) for m in queryset)
        self.message_user(request, f"{done} 条差异已标记为已处理", messages.SUCCESS)
