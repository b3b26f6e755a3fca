"""The Celery app: production runs the periodic jobs with one beat and any number of workers.

Like wsgi.py it defaults to the production settings, so a worker started without its
environment stops with the name of the missing variable instead of using the laptop's.
"""
import os
import tempfile

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.production")
# The worker's pool processes share their Prometheus counters through files (as gunicorn's do);
# this must be set before prometheus_client is first imported.
if os.environ.get("CELERY_METRICS_PORT") and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="luffy-celery-prometheus-")

app = Celery("luffyapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_every = float(os.environ.get("ORDER_RECONCILE_EVERY_SECONDS") or 60)
app.conf.beat_schedule = {
    # A run the workers could not start within one period is dropped: the next one comes anyway.
    "reconcile-orders": {"task": "order.reconcile", "schedule": _every,
                         "options": {"expires": _every}},
    # Yesterday's Alipay statement (it exists from the next day; fetch after 10:00 Beijing).
    # CELERY_TIMEZONE is Asia/Shanghai, so the crontab is Beijing time. The task is idempotent.
    "reconcile-statement": {"task": "finance.reconcile_statement",
                            "schedule": crontab(hour=os.environ.get("STATEMENT_RECONCILE_HOUR", 10),
                                                minute=10)},
    # The sales dashboard's closed hours, aggregated before anyone opens it (cheap when current).
    "dashboard-sales-hours": {"task": "dashboard.sales_hours", "schedule": 300.0,
                              "options": {"expires": 300}},
}


@worker_init.connect
def serve_worker_metrics(**kwargs):
    """With CELERY_METRICS_PORT, the worker serves its counters (reconcile results, its Alipay
    calls) for Prometheus on CELERY_METRICS_ADDR (default 127.0.0.1: the host's own scraper)."""
    port = os.environ.get("CELERY_METRICS_PORT")
    if not port:
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "127.0.0.1"),
                      registry=registry)
