"""Fault switches set through /control/faults: countdowns of failures (in memory only)."""
import threading

DEFAULTS = {
    "wechat_notify_drop": 0,        # drop the next N notify attempts (they count as attempts)
    "wechat_query_fail": 0,         # the next N queries answer 500 SYSTEM_ERROR
    "wechat_close_fail": 0,         # the next N closes answer 500 SYSTEM_ERROR
    "wechat_bad_signature": 0,      # the next N 2xx answers carry a signature that fails
    "wechat_refund_abnormal": 0,    # the next N refunds end ABNORMAL (REFUND.ABNORMAL notify)
    "wechat_refund_closed": 0,      # the next N refunds end CLOSED (REFUND.CLOSED notify)
}
LIMIT = 1_000_000


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict(DEFAULTS)

    def update(self, changes) -> dict:
        """Merge validated counts (all or nothing); ValueError on an unknown name or bad count."""
        if not isinstance(changes, dict):
            raise ValueError("faults must be a JSON object")
        for name, value in changes.items():
            if name not in DEFAULTS:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(DEFAULTS)}")
            # bool is an int in Python; JSON true must not read as 1.
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LIMIT:
                raise ValueError(f"{name} must be an integer from 0 to {LIMIT}")
        with self._lock:
            self._values.update(changes)
            return dict(self._values)

    def reset(self) -> dict:
        with self._lock:
            self._values = dict(DEFAULTS)
            return dict(self._values)

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._values)

    def take(self, name) -> bool:
        """Consume one unit of a countdown; True if this call is the one that fails."""
        with self._lock:
            if self._values[name] > 0:
                self._values[name] -= 1
                return True
            return False
