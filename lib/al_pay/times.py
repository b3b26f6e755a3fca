"""Alipay's wire formats for time and money: Beijing time strings and "%.2f" amounts."""
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CENT = Decimal("0.01")


def to_alipay_time(moment: datetime) -> str:
    """An aware datetime as Alipay writes it: Beijing wall-clock time, no zone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Alipay times must be converted from an aware one")
    return moment.astimezone(BEIJING).strftime(ALIPAY_TIME_FORMAT)


# The form Alipay writes; anything else goes to strptime, whose answer is the definition.
_CANONICAL_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")


def from_alipay_time(text: str) -> datetime:
    """Alipay's `yyyy-MM-dd HH:mm:ss` (Beijing time) as an aware datetime; ValueError if bad.

    The same answer as strptime with ALIPAY_TIME_FORMAT (tests prove it on generated text),
    without strptime's locale lookup on every call (~0.1 ms, a tenth of a notify's work).
    """
    text = text.strip()
    canonical = _CANONICAL_TIME.fullmatch(text)
    if canonical is None:
        return datetime.strptime(text, ALIPAY_TIME_FORMAT).replace(tzinfo=BEIJING)
    return datetime(*map(int, canonical.groups()), tzinfo=BEIJING)


def format_amount(amount: Decimal) -> str:
    """Money as Alipay wants it: a string with exactly two decimals ("99.00")."""
    return format(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP), "f")


def parse_amount(text) -> Decimal | None:
    """An amount sent by Alipay as a Decimal, or None when it is not a plain 2-decimal number."""
    try:
        value = Decimal(str(text).strip())
        if not value.is_finite() or value != value.quantize(CENT):
            return None
    except (InvalidOperation, ValueError):  # quantize raises on absurdly long numbers
        return None
    return value
