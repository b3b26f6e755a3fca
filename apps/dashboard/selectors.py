"""The sales dashboard's reads: per-hour figures, aggregated in the database, each hour once.

Every figure counts things that are written once and never change: orders by the time they were
created, payment events (append-only) by the time they were written — transitions to paid,
cancelled or timed out, notifies received, the event that settled each payment (with its order's
amount) — and refunded lines by their refund time. So an hour that is over has final figures:
it is aggregated once into a SalesHour row (services.sales_hours_ensure) and read from there;
only the hour still running (and the few minutes after it, for transactions in flight) is
aggregated live. Grouping is by the UTC hour in SQL and folded into Beijing hours or days
here: Beijing is UTC+8 all year (no daylight saving since 1991), so a UTC hour is exactly one
Beijing hour and no time-zone conversion runs in the database (MySQL needs no zone tables).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from lib.al_pay.times import BEIJING

from .aggregates import AMOUNTS, COUNTS, SETTLE_MARGIN, ZERO, hour_floor, hours_aggregate
from .services import sales_hours_ensure


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

    def bucket_of(self, utc_hour: datetime):
        moment = utc_hour.astimezone(BEIJING)
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


def sales_dashboard(*, range_key="today", now=None) -> dict:
    """Every series of the dashboard for one range, plus its totals.

    Closed hours come from SalesHour (aggregated once, on first need); the open part of the
    range is aggregated live: 2 queries when every closed hour is stored, plus 6 the first
    time (5 aggregates and the insert), whatever the number of orders.
    """
    now = now or timezone.now()
    span = dashboard_range(range_key, now=now)
    final_until = min(span.end, max(span.start, hour_floor(now - SETTLE_MARGIN)))
    hours = sales_hours_ensure(start=span.start, end=final_until)
    if final_until < span.end:
        for hour, figures in hours_aggregate(final_until, span.end).items():
            hours[hour] = figures
    buckets = span.buckets()
    index = {bucket: i for i, bucket in enumerate(buckets)}
    series = {name: [0] * len(buckets) for name in COUNTS}
    series.update({name: [ZERO] * len(buckets) for name in AMOUNTS})
    for hour, figures in hours.items():
        position = index.get(span.bucket_of(hour))
        if position is None:
            continue
        for name, value in figures.items():
            series[name][position] += value
    return {"range": span, "labels": [span.label_of(b) for b in buckets],
            "buckets": buckets, **series,
            "success_rate": [_rate(p, c) for p, c in zip(series["paid"], series["created"],
                                                        strict=True)],
            "totals": _totals(series)}


def _rate(part, whole):
    """A percentage with one decimal, or None when there is nothing to divide (no point drawn)."""
    return round(100 * part / whole, 1) if whole else None


def _totals(series) -> dict:
    total = {name: sum(series[name]) for name in COUNTS}
    total.update({name: sum(series[name], ZERO) for name in AMOUNTS})
    settled = total["settled_notify"] + total["settled_query"] + total["settled_statement"]
    return {**total, "success_rate": _rate(total["paid"], total["created"]), "settled": settled,
            "query_share": _rate(total["settled_query"] + total["settled_statement"], settled)}
