"""Per-hour figures of sales, aggregated in the database: grouped by the UTC hour in SQL.

Beijing is UTC+8 all year (no daylight saving since 1991), so a UTC hour is exactly one Beijing
hour: no time-zone conversion runs in the database (none per row on SQLite; MySQL needs no zone
tables). Five grouped queries for any span, each served by an index (luffy_order.created_time,
event_kind_time, event_outcome_time, line_refund_time).
"""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import CharField, Count, Func, Q, Sum

from apps.order.constants import EventKind, OrderStatus, Outcome
from apps.order.models import Order, OrderDetail, PaymentEvent

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SETTLING = (Outcome.PAID, Outcome.PAID_AFTER_CLOSE)  # the events that moved an order to paid
SETTLED_BY = (EventKind.NOTIFY, EventKind.QUERY, EventKind.STATEMENT)
COUNTS = ("created", "paid", "cancelled", "timed_out", "notifies", "settled_notify",
          "settled_query", "settled_statement")
AMOUNTS = ("revenue", "refunds")
# An hour is final this long after it ended (a transaction begun in it has committed by then).
SETTLE_MARGIN = timedelta(minutes=5)


class UtcHour(Func):
    """'YYYY-MM-DD HH' of a stored datetime, in UTC (the way Django stores it), natively."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps datetimes as ISO text in UTC: the hour is the first 13 characters.
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 13)",
                           **extra)

    def as_mysql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="DATE_FORMAT(%(expressions)s, '%%%%Y-%%%%m-%%%%d %%%%H')",
                           **extra)


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _grouped(queryset, field, **aggregates):
    rows = (queryset.annotate(hour=UtcHour(field)).values("hour").order_by()
            .annotate(**aggregates))
    return [(datetime.strptime(row.pop("hour"), "%Y-%m-%d %H").replace(tzinfo=UTC), row)
            for row in rows]


def hours_aggregate(start: datetime, end: datetime) -> dict:
    """{UTC hour: {figure: value}} for [start, end), in five grouped queries (hours with
    nothing are absent)."""
    hours = {}

    def put(rows):
        for hour, row in rows:
            figures = hours.setdefault(hour, {})
            for name, value in row.items():
                if name in AMOUNTS:  # SQLite sums decimals in floating point: back to cents
                    value = Decimal(value or 0).quantize(CENT)
                figures[name] = figures.get(name, 0) + (value or 0)

    def created_in(model, field="created_time"):
        return model.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})

    put(_grouped(created_in(Order), "created_time", created=Count("pk")))
    transitions = created_in(PaymentEvent).filter(kind=EventKind.TRANSITION)
    put(_grouped(transitions, "created_time", **{
        name: Count("pk", filter=Q(to_status=status)) for name, status in (
            ("paid", OrderStatus.PAID), ("cancelled", OrderStatus.CANCELLED),
            ("timed_out", OrderStatus.TIMED_OUT))}))
    put(_grouped(created_in(PaymentEvent).filter(kind=EventKind.NOTIFY), "created_time",
                 notifies=Count("pk")))
    put(_grouped(created_in(PaymentEvent).filter(outcome__in=SETTLING), "created_time",
                 revenue=Sum("order__total_amount"), **{
                     f"settled_{kind.value}": Count("pk", filter=Q(kind=kind))
                     for kind in SETTLED_BY}))
    put(_grouped(created_in(OrderDetail, "refund_time"), "refund_time",
                 refunds=Sum("real_price")))
    return hours
