"""Logging configuration, with a `pay` logger for everything money touches."""
import logging


def build_logging(level="INFO"):
    """Return Django's LOGGING dict: console output, one line per record."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "pay": {"handlers": ["console"], "level": level, "propagate": False},
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        },
    }


def get_logger(name="pay"):
    return logging.getLogger(name)
