"""The admin's sales dashboard page: staff with the permission to view orders."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from .selectors import RANGES, sales_dashboard


def _chart_data(data) -> dict:
    """What the page's script draws, as JSON: numbers only (money as yuan with 2 decimals)."""
    money = lambda values: [float(v) for v in values]  # noqa: E731 (drawing only, never summed)
    return {"labels": data["labels"], "byHour": data["range"].by_hour,
            **{name: data[name] for name in ("created", "paid", "cancelled", "timed_out",
                                             "notifies", "settled_notify", "settled_query",
                                             "settled_statement", "success_rate")},
            "revenue": money(data["revenue"]), "refunds": money(data["refunds"])}


def sales_dashboard_view(request):
    if not request.user.has_perm("order.view_order"):
        raise PermissionDenied
    key = request.GET.get("range", "today")
    data = sales_dashboard(range_key=key if key in RANGES else "today")
    return TemplateResponse(request, "admin/dashboard/sales.html", {
        **admin.site.each_context(request), "title": "销售看板", "data": data,
        "totals": data["totals"], "chart": _chart_data(data), "ranges": RANGES,
        "current": data["range"].key,
        "rows": list(zip(data["labels"], data["created"], data["paid"], data["cancelled"],
                         data["timed_out"], data["revenue"], data["refunds"],
                         data["success_rate"], data["notifies"], data["settled_notify"],
                         data["settled_query"], data["settled_statement"], strict=True))})
