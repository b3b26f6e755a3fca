"""gunicorn settings for production (`web` in the Procfile): gunicorn -c gunicorn.conf.py luffyapi.wsgi.

Every value can be changed from the environment; gunicorn's own GUNICORN_CMD_ARGS still wins.
"""
import multiprocessing
import os
import shutil
import tempfile

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
# Sync workers: the app blocks on MySQL and on Alipay (timeout ALIPAY_TIMEOUT_SECONDS).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("WEB_THREADS", "1"))
# A request stuck longer than this is killed (Alipay calls time out well before).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# SIGTERM/SIGHUP: workers finish the requests they have for this long (graceful restarts).
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
keepalive = 5  # behind a load balancer that reuses connections
# Django is imported once, in the master, and each worker is a fork of it: a new or recycled
# worker starts in milliseconds instead of importing Django again (~0.6 s of CPU each time).
# Code changes then need a restart, not a HUP. WEB_PRELOAD=0 imports in each worker instead.
preload_app = os.environ.get("WEB_PRELOAD", "1") != "0"
# Recycle workers now and then (a leak cannot grow for ever), not all at the same moment.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
accesslog = "-"  # stdout, one line per request with its duration in microseconds
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s" xff="%({x-forwarded-for}i)s"'
errorlog = "-"
# JSON lines on stdout, like the app's own logs (LOG_FORMAT=text for plain lines).
if os.environ.get("LOG_FORMAT", "json") == "json":
    _console = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    logconfig_dict = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
            "timestamp": "time",  # ISO 8601 in UTC, whatever the process's TZ
            "rename_fields": {"levelname": "level", "name": "logger"}}},
        "handlers": {"console": _console},
        "loggers": {name: {"handlers": ["console"], "level": "INFO", "propagate": False}
                    for name in ("gunicorn.error", "gunicorn.access")},
    }
# Believe X-Forwarded-Proto only from the load balancers (Django reads X-Forwarded-For itself,
# through TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Prometheus: each worker is its own process, so the counters are shared through files in one
# directory that /metrics adds up (prometheus_client's multiprocess mode). Fresh per start:
# emptied here, before preload_app imports the app (and with it the metrics), and only on the
# first read of this file (a HUP reads it again while the workers' files are in use).
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="luffy-prometheus-")
if os.environ.get("LUFFY_METRICS_DIR_READY") != os.environ["PROMETHEUS_MULTIPROC_DIR"]:
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    os.environ["LUFFY_METRICS_DIR_READY"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]
# Imported once here, after the directory is set (prometheus_client reads it at import), not in
# child_exit: an import inside that hook fails while the master shuts down on SIGTERM.
from prometheus_client import multiprocess


def on_starting(server):
    """Load the settings in the master: a missing variable stops `web` at once, named.

    (With preload_app the app, settings included, is imported even before this hook.)
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.production")
    from django.conf import settings
    settings.SECRET_KEY  # noqa: B018 -- raises ImproperlyConfigured naming what is missing


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
