"""Reads for orders: one order with its lines and owner, a student's orders page by page, and
the pay methods on offer.

Both are hot paths (the success page polls; my orders), so their queries are prepared once per
process (utils.prepared) and an order's lines come in the same query as the order.
"""
from django.db.models import Count, F

from apps.user.models import User
from utils.prepared import PreparedQuery

from . import providers
from .constants import PayChannel
from .models import Order, OrderDetail

_lines_with_order = PreparedQuery(
    "order.lines_with_order", lambda no: OrderDetail.objects.select_related("order__user", "course")
    .filter(order__out_trade_no=no).order_by("id"), no="")
_order_with_owner = PreparedQuery(
    "order.order_with_owner", lambda no: Order.objects.select_related("user").filter(out_trade_no=no),
    no="")
_owner_with_order_count = PreparedQuery(
    "order.owner_with_order_count",
    lambda pk: User.objects.filter(pk=pk).annotate(order_count=Count("orders")), pk=0)
_lines_of_orders = PreparedQuery(  # the course's name only, not a Course object per line
    "order.lines_of_orders", lambda ids: OrderDetail.objects.filter(order_id__in=ids)
    .only("order_id", "course_id", "price", "real_price", "refund_time", "refund_status")
    .annotate(course_name=F("course__name")).order_by("id"), ids=[0])
# LIMIT and OFFSET are part of the SQL text: each page shape is its own plan (`fixed`).
_orders_page = PreparedQuery(
    "order.orders_page", lambda user_id, offset, limit: Order.objects.filter(user_id=user_id)
    .defer("course_key", "last_query_time", "updated_time")
    .order_by("-created_time", "-id")[offset:offset + limit],
    fixed=("offset", "limit"), user_id=0)


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


def order_count_for_user(*, user) -> int:
    """How many orders the user has, read with their own row.

    A request authenticated without reading the user's row (`defer_user_row`,
    apps.user.authentication) has the token's checks made on the row read here.
    """
    owner = next(iter(_owner_with_order_count(pk=user.pk)), None)
    if hasattr(user, "adopt"):
        if owner is None:
            user.username  # noqa: B018 -- the row is gone: the token's check refuses it
        user.adopt(owner)
    return owner.order_count if owner is not None else 0


def order_page_for_user(*, user, offset: int, limit: int) -> list:
    """Orders `offset` to `offset + limit` of the user's, newest first, each with `line_list`.

    Two queries whatever the page size (orders, then their lines); none for an empty window.
    """
    if limit <= 0:
        return []
    orders = _orders_page(user_id=user.pk, offset=offset, limit=limit)
    if orders:
        by_order = {order.pk: [] for order in orders}
        for line in _lines_of_orders(ids=list(by_order)):
            by_order[line.order_id].append(line)
        for order in orders:
            order.line_list = by_order[order.pk]
    return orders


def pay_method_list() -> list[dict]:
    """The enabled pay methods, in the order PAYMENT_PROVIDERS names them (no query).

    Each: buy-now's `pay_type`, the `provider`'s name, the `name` a student reads and the
    `channels` it takes (the first is its default).
    """
    return [{"pay_type": int(pay_type), "provider": provider.name, "name": provider.label,
             "channels": [PayChannel(channel).value for channel in provider.channels]}
            for pay_type, provider in providers.enabled().items()]
