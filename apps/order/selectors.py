"""Reads for orders."""
from django.db.models import Prefetch

from .models import Order, OrderDetail


def order_list_for_user(*, user):
    """The user's orders, newest first, lines prefetched (constant queries per page)."""
    lines = OrderDetail.objects.select_related("course").order_by("id")
    return (Order.objects.filter(user=user).order_by("-created_time", "-id")
            .prefetch_related(Prefetch("lines", queryset=lines)))


def order_get(*, out_trade_no):
    """An order by its number with its lines, or None."""
    lines = OrderDetail.objects.select_related("course").order_by("id")
    return (Order.objects.filter(out_trade_no=out_trade_no)
            .prefetch_related(Prefetch("lines", queryset=lines)).first())
