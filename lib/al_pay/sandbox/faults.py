"""Alipay's fault switches for /control/faults (in memory: a restart clears them)."""
from lib.sandbox_kit import faults

DEFAULTS = {
    "notify_drop": 0,                  # drop the next N notify attempts (they count as attempts)
    "notify_delay": 0.0,               # seconds to wait before each notify attempt
    "notify_duplicate": 0,             # send each attempt N extra times, concurrently
    "notify_corrupt_signature": False,  # send notifies with a signature that does not verify
    "query_fail": 0,                   # the next N alipay.trade.query calls answer 20000
    "notify_trade_status": None,       # override trade_status in notifies (None = real status)
}
TRADE_STATUSES = ("WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED")


class Faults(faults.Faults):
    DEFAULTS = DEFAULTS

    def check(self, name, value):
        if name in ("notify_drop", "query_fail"):
            return faults.count(name, value, 1_000_000)
        if name == "notify_duplicate":
            return faults.count(name, value, 20)
        if name == "notify_delay":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 60:
                raise ValueError("notify_delay must be a number of seconds from 0 to 60")
            return float(value)
        if name == "notify_corrupt_signature":
            if not isinstance(value, bool):
                raise ValueError("notify_corrupt_signature must be true or false")
            return value
        if name == "notify_trade_status":
            if value is not None and value not in TRADE_STATUSES:
                raise ValueError(
                    f"notify_trade_status must be null or one of {', '.join(TRADE_STATUSES)}")
            return value
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(DEFAULTS)}")
