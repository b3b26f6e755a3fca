"""Beijing-time helpers: every time on Alipay's wire is UTC+8 `yyyy-MM-dd HH:mm:ss`."""
import time
from datetime import datetime, timedelta, timezone

# China has no DST, so a fixed offset is exact and needs no tz database.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
FORMAT = "%Y-%m-%d %H:%M:%S"
# Accepted on input: Alipay documents the first; the others cost nothing to tolerate.
_LOOSE_FORMATS = (FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d")


def now() -> datetime:
    """The current instant as an aware Beijing datetime."""
    return datetime.now(BEIJING)


def from_epoch(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, BEIJING)


def fmt(dt: datetime) -> str:
    """Format an aware datetime as Alipay's Beijing wall-clock string."""
    return dt.astimezone(BEIJING).strftime(FORMAT)


def now_str() -> str:
    return fmt(now())


def parse(value: str) -> datetime | None:
    """Parse a Beijing wall-clock string (loosely); None if it is not a time at all."""
    value = (value or "").strip()
    for pattern in _LOOSE_FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    return None


def epoch() -> float:
    return time.time()
