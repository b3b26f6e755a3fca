"""WeChat Pay's time formats: RFC 3339 with +08:00 on the API, Beijing wall clock in bills."""
from datetime import datetime, timedelta, timezone

# China has no DST, so a fixed offset is exact and needs no tz database.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
BILL_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_rfc3339(moment: datetime) -> str:
    """An aware datetime as WeChat writes it: `2018-06-08T10:34:56+08:00` (Beijing offset)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: convert from an aware one")
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


def from_rfc3339(text: str) -> datetime:
    """RFC 3339 with an explicit offset (or Z) as an aware datetime; ValueError otherwise."""
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"RFC 3339 time without an offset: {text!r}")
    return moment


def from_bill_time(text: str) -> datetime:
    """A bill's `2024-01-02 10:00:00` (Beijing wall clock) as an aware datetime."""
    return datetime.strptime(text, BILL_FORMAT).replace(tzinfo=BEIJING)
