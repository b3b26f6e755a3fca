"""WeChat Pay's fault switches for /control/faults: countdowns of failures (in memory only)."""
from lib.sandbox_kit import faults

DEFAULTS = {
    "wechat_notify_drop": 0,        # drop the next N notify attempts (they count as attempts)
    "wechat_query_fail": 0,         # the next N queries answer 500 SYSTEM_ERROR
    "wechat_close_fail": 0,         # the next N closes answer 500 SYSTEM_ERROR
    "wechat_bad_signature": 0,      # the next N 2xx answers carry a signature that fails
    "wechat_refund_abnormal": 0,    # the next N refunds end ABNORMAL (REFUND.ABNORMAL notify)
    "wechat_refund_closed": 0,      # the next N refunds end CLOSED (REFUND.CLOSED notify)
}
LIMIT = 1_000_000


class Faults(faults.Faults):
    DEFAULTS = DEFAULTS

    def check(self, name, value):
        if name not in DEFAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(DEFAULTS)}")
        return faults.count(name, value, LIMIT)
