"""Logging configuration, with a `pay` logger for everything money touches.

Locally one text line per record; in production (`json=True`) one JSON object per line on stdout
(python-json-logger), ready for any log shipper. Every `pay` record carries `out_trade_no`: from
`extra=`, else from `log_context(out_trade_no=...)`, else from an order number among its arguments.
"""
import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar

_out_trade_no: ContextVar[str] = ContextVar("out_trade_no", default="")
_ORDER_NO = re.compile(r"^\d{20,32}$")  # our out_trade_no: Beijing time + random digits


@contextmanager
def log_context(*, out_trade_no):
    """Tag every `pay` record logged inside the block with this order number."""
    token = _out_trade_no.set(str(out_trade_no or "")[:64])
    try:
        yield
    finally:
        _out_trade_no.reset(token)


class OutTradeNoFilter(logging.Filter):
    """Give every record an `out_trade_no` attribute (empty when no order is involved)."""

    def filter(self, record):
        if not getattr(record, "out_trade_no", ""):
            record.out_trade_no = _out_trade_no.get() or _order_no_in(record.args)
        return True


def _order_no_in(args) -> str:
    values = args.values() if isinstance(args, dict) else (args or ())
    return next((v for v in values if isinstance(v, str) and _ORDER_NO.match(v)), "")


def build_logging(level="INFO", json=False):
    """Return Django's LOGGING dict: console (stdout) output, one line per record."""
    formatter = {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
                 "timestamp": "time",  # ISO 8601 in UTC, whatever the process's TZ
                 "rename_fields": {"levelname": "level", "name": "logger"},
                 "json_ensure_ascii": False}
    line = {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}
    pay_line = {"format": "%(asctime)s %(levelname)s %(name)s %(process)d "
                          "[%(out_trade_no)s] %(message)s"}
    console = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"out_trade_no": {"()": OutTradeNoFilter}},
        "formatters": {"line": formatter if json else line,
                       "pay": formatter if json else pay_line},
        "handlers": {"console": {**console, "formatter": "line"},
                     "pay": {**console, "formatter": "pay", "filters": ["out_trade_no"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "pay": {"handlers": ["pay"], "level": level, "propagate": False},
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        },
    }


def get_logger(name="pay"):
    return logging.getLogger(name)
