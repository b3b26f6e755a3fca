"""Reads for orders."""
from django.db.models import Prefetch

from .models import Order, OrderDetail


def order_list_for_user(*, user):
    """The user's orders, newest first, lines prefetched (constant queries per page)."""
    lines = OrderDetail.objects.select_related("course").order_by("id")
    return (Order.objects.filter(user=user).order_by("-created_time", "-id")
            .prefetch_related(Prefetch("order_courses", queryset=lines)))


def order_get_for_user(*, user, out_trade_no):
    """One of the user's orders, or None (another user's order looks the same as none)."""
    return order_list_for_user(user=user).filter(out_trade_no=out_trade_no).first()
