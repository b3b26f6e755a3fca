"""Fault injection switches set through /control/faults (in memory: a restart clears them)."""
import threading

DEFAULTS = {
    "notify_drop": 0,                  # drop the next N notify attempts (they count as attempts)
    "notify_delay": 0.0,               # seconds to wait before each notify attempt
    "notify_duplicate": 0,             # send each attempt N extra times, concurrently
    "notify_corrupt_signature": False,  # send notifies with a signature that does not verify
    "query_fail": 0,                   # the next N alipay.trade.query calls answer 20000
    "notify_trade_status": None,       # override trade_status in notifies (None = real status)
}
TRADE_STATUSES = ("WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED")


def _count(name, value, limit):
    # bool is an int in Python; JSON true must not read as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ValueError(f"{name} must be an integer from 0 to {limit}")
    return value


def _validate(name, value):
    if name in ("notify_drop", "query_fail"):
        return _count(name, value, 1_000_000)
    if name == "notify_duplicate":
        return _count(name, value, 20)
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
            raise ValueError(f"notify_trade_status must be null or one of {', '.join(TRADE_STATUSES)}")
        return value
    raise ValueError(f"unknown fault {name!r}; known: {', '.join(DEFAULTS)}")


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict(DEFAULTS)

    def update(self, changes) -> dict:
        """Merge validated changes (all or nothing); raises ValueError on any bad key or value."""
        if not isinstance(changes, dict):
            raise ValueError("faults must be a JSON object")
        clean = {name: _validate(name, value) for name, value in changes.items()}
        with self._lock:
            self._values.update(clean)
            return dict(self._values)

    def reset(self) -> dict:
        with self._lock:
            self._values = dict(DEFAULTS)
            return dict(self._values)

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._values)

    def get(self, name):
        with self._lock:
            return self._values[name]

    def take(self, name) -> bool:
        """Consume one unit of a countdown fault; True if this call is the one that fails."""
        with self._lock:
            if self._values[name] > 0:
                self._values[name] -= 1
                return True
            return False
