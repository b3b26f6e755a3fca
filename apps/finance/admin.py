"""Admin for the daily statements: one page per provider and day (its totals vs ours, the
differences), and the differences themselves, which a human marks resolved."""
from datetime import date
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.order import providers
from apps.order.models import Order
from apps.order.providers.base import BillError, ProviderError

from . import services
from .admin_filters import OpenStatementMismatchFilter
from .constants import DayState, MismatchStatus
from .labels import mismatch_kind_label, provider_label, statement_words
from .models import StatementDay, StatementMismatch

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
    list_display = ["bill_date", "provider_name", "state_label", "provider_trade_count",
                    "our_trade_count", "provider_trade_amount", "our_trade_amount",
                    "provider_refund_amount", "our_refund_amount", "open_count"]
    list_filter = ["provider", "state"]
    change_list_template = "admin/finance/statementday_changelist.html"

    def get_urls(self):
        return [path("reconcile/", self.admin_site.admin_view(self.reconcile_view),
                     name="finance_statementday_reconcile"), *super().get_urls()]

    def has_reconcile_permission(self, request):
        return request.user.has_perm("finance.reconcile_statementday")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {
            **(extra_context or {}), "can_reconcile": self.has_reconcile_permission(request),
            "today": services.beijing_today(),
            "providers": [(p.name, provider_label(p.name))
                          for p in providers.enabled().values()]})

    def reconcile_view(self, request):
        """POST a day (and 临时 for today) of one provider, or of every enabled one: refused
        days say why; nothing is written for them."""
        if request.method != "POST" or not self.has_reconcile_permission(request):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:finance_statementday_changelist"))
        try:
            bill_date = date.fromisoformat(request.POST.get("bill_date", ""))
        except ValueError:
            self.message_user(request, "请输入日期（YYYY-MM-DD）", messages.ERROR)
            return back
        provisional = request.POST.get("provisional") == "1"
        try:
            services.statement_day_check(bill_date=bill_date, provisional=provisional)
        except services.StatementDayRefused as exc:
            self.message_user(request, f"未对账：{exc}", messages.ERROR)
            return back
        enabled = [p.name for p in providers.enabled().values()]
        chosen = request.POST.get("provider") or ""
        if chosen and chosen not in enabled:
            self.message_user(request, f"未对账：支付平台 {chosen} 未启用", messages.ERROR)
            return back
        for name in [chosen] if chosen else enabled:
            label = provider_label(name)
            try:
                report = services.statement_reconcile(bill_date=bill_date, provider=name,
                                                      provisional=provisional)
            except services.StatementDayRefused as exc:
                self.message_user(request, f"未对账：{exc}", messages.ERROR)
                return back
            except (ProviderError, BillError) as exc:
                self.message_user(request, f"{label} {bill_date} 账单下载失败，已标记为失败：{exc}",
                                  messages.ERROR)
                continue
            self.log_change(request, StatementDay.objects.get(provider=name, bill_date=bill_date),
                            f"reconciled: {report}")
            self.message_user(request, f"{label} {bill_date} 已对账"
                              f"（{DayState(report['state']).label}）："
                              f"{report['lines']} 行，{report['differences']} 处差异，"
                              f"{report['open']} 处未处理", messages.SUCCESS)
        return back

    @admin.display(description="支付平台", ordering="provider")
    def provider_name(self, day):
        return provider_label(day.provider)

    @admin.display(description="对账状态", ordering="state")
    def state_label(self, day):
        return format_html('<span class="statement-state statement-state--{}">{}</span>',
                           day.state, day.get_state_display())

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
        words = statement_words(day.provider)
        mismatches = list(day.mismatches.select_related("order", "line", "resolved_by"))
        for mismatch in mismatches:
            mismatch.links = order_links(mismatch)
            mismatch.kind_label = mismatch_kind_label(mismatch.kind, day.provider)
        lines = list(day.lines.all())
        for line in lines:  # WeChat's own refund number is only in the bill's row
            line.refund_id = (line.raw or {}).get(words.refund_id, "") if words.refund_id else ""
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
            "day": day, "provider_label": provider_label(day.provider), "words": words,
            "totals": [(name, a, o, a != o) for name, a, o in totals],
            "final": day.is_final, "failed": day.state == DayState.FAILED,
            "mismatches": mismatches, "lines": lines,
            "mismatch_list_url": reverse("admin:finance_statementmismatch_changelist")
            + f"?day__id__exact={day.pk}"})


@admin.register(StatementMismatch)
class StatementMismatchAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind_label", "out_trade_no", "trade_no", "provider_amount",
                    "our_amount", "settled", "status", "detail"]
    list_filter = ["status", "kind", "settled", "day"]
    search_fields = ["out_trade_no", "trade_no"]
    list_select_related = ["day"]
    actions = ["mark_resolved"]

    @admin.display(description="差异类型", ordering="kind")
    def kind_label(self, mismatch):
        return mismatch_kind_label(mismatch.kind, mismatch.day.provider)

    def has_resolve_permission(self, request):
        return request.user.has_perm("finance.change_statementmismatch")

    @admin.action(description="标记为已处理", permissions=["resolve"])
    def mark_resolved(self, request, queryset):
        done = sum(services.mismatch_resolve(mismatch=m, user=request.user) for m in queryset)
        self.message_user(request, f"{done} 条差异已标记为已处理", messages.SUCCESS)
