"""Alipay's wire formats for time and money: Beijing time strings and "%.2f" amounts."""
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CENT = Decimal("0.01")


def to_alipay_time(moment: datetime) -> str:
    """An aware datetime as Alipay writes it: Beijing wall-clock time, no zone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Alipay times must be converted from an aware one")
    return moment.astimezone(BEIJING).strftime(ALIPAY_TIME_FORMAT)


def from_alipay_time(text: str) -> datetime:
    """Alipay's `yyyy-MM-dd HH:mm:ss` (Beijing time) as an aware datetime; ValueError if bad."""
    return datetime.strptime(text.strip(), ALIPAY_TIME_FORMAT).replace(tzinfo=BEIJING)


def format_amount(amount: Decimal) -> str:
    """Money as Alipay wants it: a string with exactly two decimals ("99.00")."""
    return format(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP), "f")


# Alipay writes amounts as digits, a point and exactly two decimals ("99.00"): nothing else.
AMOUNT_TEXT = re.compile(r"\d+\.\d{2}", re.ASCII)


def parse_amount(text) -> Decimal | None:
    """An amount sent by Alipay as a Decimal, or None when it is not exactly `^\\d+\\.\\d{2}$`.

    No sign, no exponent, no spaces, no other digits than ASCII's, not one decimal more or
    less: "99.00" is an amount, " 99.00", "+99.00", "9.9e1", "99.0" and "99" are not.
    """
    if not isinstance(text, str) or AMOUNT_TEXT.fullmatch(text) is None:
        return None
    return Decimal(text)
