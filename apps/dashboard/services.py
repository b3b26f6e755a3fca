"""The dashboard's one write: closed hours aggregated once into SalesHour rows."""
from datetime import datetime, timedelta

from django.utils import timezone

from .aggregates import AMOUNTS, COUNTS, SETTLE_MARGIN, ZERO, hour_floor, hours_aggregate
from .models import SalesHour


def sales_hours_ensure(*, start: datetime, end: datetime) -> dict:
    """{UTC hour: figures} of every hour in [start, end) (whole hours, all over): read from
    SalesHour, the missing ones aggregated in one pass and stored (empty hours too, so they are
    not asked again). Two processes filling the same hour store the same figures; the second
    insert is ignored."""
    if end <= start:
        return {}
    stored = {row["hour"]: row for row in SalesHour.objects.filter(hour__gte=start, hour__lt=end)
              .values("hour", *COUNTS, *AMOUNTS)}
    wanted = [start + timedelta(hours=h) for h in range(int((end - start).total_seconds() // 3600))]
    missing = [hour for hour in wanted if hour not in stored]
    if missing:
        fresh = hours_aggregate(missing[0], missing[-1] + timedelta(hours=1))
        empty = {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(AMOUNTS, ZERO)}
        rows = [SalesHour(hour=hour, **{**empty, **fresh.get(hour, {})}) for hour in missing]
        SalesHour.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        for row in rows:
            stored[row.hour] = {name: getattr(row, name) for name in (*COUNTS, *AMOUNTS)}
    return {hour: {name: value for name, value in row.items() if name != "hour"}
            for hour, row in stored.items()}


def sales_hours_refresh(*, days=31, now=None) -> int:
    """The periodic job: aggregate every closed hour of the last `days` days not stored yet, so
    no one waits for it on the dashboard. Returns how many hours are stored for that span."""
    end = hour_floor((now or timezone.now()) - SETTLE_MARGIN)
    return len(sales_hours_ensure(start=end - timedelta(days=days), end=end))
