"""The sales dashboard's reads: a few aggregates in the database, whatever the number of orders.

Every series is grouped by the UTC hour in SQL and folded into Beijing hours or days here:
Beijing is UTC+8 all year (no daylight saving since 1991), so a UTC hour is exactly one Beijing
hour and no time-zone conversion runs in the database (none per row on SQLite, and MySQL needs
no time-zone tables). Four queries for any range, each served by an index of its own:

- orders by the hour they were created, with how many of them were paid, cancelled or timed
  out and the money paid (`order_dashboard`: created_time, order_status, total_amount);
- refunded lines by the hour of the refund (`line_refund_time`);
- notifies received (`event_kind_time`);
- payments settled, by the path that settled them: notify, query or statement
  (`event_outcome_time`).
"""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import CharField, Count, Func, Q, Sum
from django.utils import timezone

from apps.order.constants import EventKind, OrderStatus, Outcome
from apps.order.models import Order, OrderDetail, PaymentEvent
from lib.al_pay.times import BEIJING

ZERO = Decimal("0.00")
SETTLING = (Outcome.PAID, Outcome.PAID_AFTER_CLOSE)  # the events that moved an order to paid
SETTLED_BY = (EventKind.NOTIFY, EventKind.QUERY, EventKind.STATEMENT)


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


@dataclass(frozen=True)
class Range:
    key: str
    label: str
    start: datetime  # aware, inclusive
    end: datetime    # aware, exclusive
    by_hour: bool

    def buckets(self) -> list:
        """The Beijing hours (datetimes) or days (dates) the range is drawn in, in order."""
        if self.by_hour:
            hours = int((self.end - self.start).total_seconds() // 3600)
            return [self.start + timedelta(hours=h) for h in range(hours)]
        first = self.start.astimezone(BEIJING).date()
        return [first + timedelta(days=d) for d in range((self.end - self.start).days)]

    def bucket_of(self, utc_hour: str):
        moment = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(BEIJING)
        return moment if self.by_hour else moment.date()

    def label_of(self, bucket) -> str:
        return f"{bucket:%H}:00" if self.by_hour else f"{bucket:%m-%d}"


RANGES = {"today": "今天（按小时）", "30d": "最近 30 天（按天）"}


def dashboard_range(key: str, *, now=None) -> Range:
    """`today`: Beijing's today by the hour; `30d`: the last 30 Beijing days (today included)."""
    now = (now or timezone.now()).astimezone(BEIJING)
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=BEIJING)
    if key == "30d":
        return Range("30d", RANGES["30d"], midnight - timedelta(days=29),
                     midnight + timedelta(days=1), by_hour=False)
    return Range("today", RANGES["today"], midnight, midnight + timedelta(days=1), by_hour=True)


def _per_hour(queryset, field, **aggregates):
    """[(UTC hour text, {aggregate: value})] of `queryset` within the range, grouped in SQL."""
    rows = (queryset.annotate(hour=UtcHour(field)).values("hour").order_by()
            .annotate(**aggregates))
    return [(row.pop("hour"), row) for row in rows]


def sales_dashboard(*, range_key="today", now=None) -> dict:
    """Every series of the dashboard for one range, plus its totals (4 queries)."""
    span = dashboard_range(range_key, now=now)
    buckets = span.buckets()
    index = {bucket: i for i, bucket in enumerate(buckets)}
    series = {name: [0] * len(buckets) for name in (
        "created", "paid", "cancelled", "timed_out", "notifies",
        "settled_notify", "settled_query", "settled_statement")}
    money = {name: [ZERO] * len(buckets) for name in ("revenue", "refunds")}

    def add(target, hour, value):
        position = index.get(span.bucket_of(hour))
        if position is not None:
            target[position] += value or 0

    orders = Order.objects.filter(created_time__gte=span.start, created_time__lt=span.end)
    for hour, row in _per_hour(
            orders, "created_time", created=Count("pk"),
            paid=Count("pk", filter=Q(order_status=OrderStatus.PAID)),
            cancelled=Count("pk", filter=Q(order_status=OrderStatus.CANCELLED)),
            timed_out=Count("pk", filter=Q(order_status=OrderStatus.TIMED_OUT)),
            revenue=Sum("total_amount", filter=Q(order_status=OrderStatus.PAID))):
        for name in ("created", "paid", "cancelled", "timed_out"):
            add(series[name], hour, row[name])
        add(money["revenue"], hour, row["revenue"])

    refunded = OrderDetail.objects.filter(refund_time__gte=span.start, refund_time__lt=span.end)
    for hour, row in _per_hour(refunded, "refund_time", amount=Sum("real_price")):
        add(money["refunds"], hour, row["amount"])

    notifies = PaymentEvent.objects.filter(kind=EventKind.NOTIFY, created_time__gte=span.start,
                                           created_time__lt=span.end)
    for hour, row in _per_hour(notifies, "created_time", count=Count("pk")):
        add(series["notifies"], hour, row["count"])

    settled = PaymentEvent.objects.filter(outcome__in=SETTLING, created_time__gte=span.start,
                                          created_time__lt=span.end)
    for hour, row in _per_hour(settled, "created_time", **{
            kind.value: Count("pk", filter=Q(kind=kind)) for kind in SETTLED_BY}):
        for kind in SETTLED_BY:
            add(series[f"settled_{kind.value}"], hour, row[kind.value])

    return {"range": span, "labels": [span.label_of(b) for b in buckets],
            "buckets": buckets, **series, **money,
            "success_rate": [_rate(p, c) for p, c in zip(series["paid"], series["created"],
                                                        strict=True)],
            "totals": _totals(series, money)}


def _rate(part, whole):
    """A percentage with one decimal, or None when there is nothing to divide (no point drawn)."""
    return round(100 * part / whole, 1) if whole else None


def _totals(series, money) -> dict:
    total = {name: sum(values) for name, values in series.items()}
    settled = total["settled_notify"] + total["settled_query"] + total["settled_statement"]
    return {**total, "revenue": sum(money["revenue"], ZERO), "refunds": sum(money["refunds"], ZERO),
            "success_rate": _rate(total["paid"], total["created"]),
            "settled": settled,
            "query_share": _rate(total["settled_query"] + total["settled_statement"], settled)}
