"""Reads for orders: one order with its lines and owner, and a student's orders page by page.

Both are hot paths (the success page polls; my orders), so their queries are prepared once per
process (utils.prepared) and an order's lines come in the same query as the order.
"""
from functools import lru_cache

from django.db.models import Count, F

from apps.user.models import User
from utils.prepared import PreparedQuery

from .models import Order, OrderDetail

_lines_with_order = PreparedQuery(
    lambda no: OrderDetail.objects.select_related("order__user", "course")
    .filter(order__out_trade_no=no).order_by("id"), no="")
_order_with_owner = PreparedQuery(
    lambda no: Order.objects.select_related("user").filter(out_trade_no=no), no="")
_owner_with_order_count = PreparedQuery(
    lambda pk: User.objects.filter(pk=pk).annotate(order_count=Count("orders")), pk=0)
_lines_of_orders = PreparedQuery(  # the course's name only, not a Course object per line
    lambda ids: OrderDetail.objects.filter(order_id__in=ids)
    .only("order_id", "course_id", "price", "real_price", "refund_time")
    .annotate(course_name=F("course__name")).order_by("id"), ids=[0])


def order_get(*, out_trade_no):
    """An order by its number with its lines (`line_list`) and its owner (`user`), or None.

    One query: the lines joined to their order, its owner and their courses.
    """
    lines = _lines_with_order(no=out_trade_no)
    if not lines:  # no such order (every order is written with its lines), or none yet
        order = next(iter(_order_with_owner(no=out_trade_no)), None)
        if order is not None:
            order.line_list = []
        return order
    order = lines[0].order
    for line in lines:
        line.order = order
    order.line_list = lines
    return order


class OrderPages:
    """A student's orders, newest first, for Django's paginator (count() and slices).

    The count comes with the student's own row, which `user.adopt()` takes when the request
    was authenticated without it (apps.user.authentication); each page is one query for the
    orders and one for their lines, whatever the page size.
    """

    ordered = True

    def __init__(self, user):
        self.user = user

    def count(self):
        owner = next(iter(_owner_with_order_count(pk=self.user.pk)), None)
        if hasattr(self.user, "adopt"):
            if owner is None:
                self.user.username  # noqa: B018 -- the row is gone: the token's check refuses it
            self.user.adopt(owner)
        return owner.order_count if owner is not None else 0

    def __getitem__(self, window):
        orders = _orders_page(window.start, window.stop - window.start)(user_id=self.user.pk)
        if orders:
            by_order = {order.pk: [] for order in orders}
            for line in _lines_of_orders(ids=list(by_order)):
                by_order[line.order_id].append(line)
            for order in orders:
                order.line_list = by_order[order.pk]
        return orders


@lru_cache(maxsize=64)
def _orders_page(offset, limit):
    """One page's query (LIMIT and OFFSET are part of the SQL, so one per page shape)."""
    return PreparedQuery(lambda user_id: Order.objects.filter(user_id=user_id)
                         .defer("course_key", "last_query_time", "updated_time")
                         .order_by("-created_time", "-id")[offset:offset + limit], user_id=0)


def order_list_for_user(*, user):
    """The user's orders, newest first, each with its lines: constant queries per page."""
    return OrderPages(user)
