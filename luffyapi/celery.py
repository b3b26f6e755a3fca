"""The Celery app: production runs the periodic jobs with one beat and any number of workers."""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.local")

app = Celery("luffyapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "reconcile-orders": {"task": "order.reconcile",
                         "schedule": float(os.environ.get("ORDER_RECONCILE_EVERY_SECONDS", 60))},
    # Yesterday's Alipay statement (it exists from the next day; fetch after 10:00 Beijing).
    # CELERY_TIMEZONE is Asia/Shanghai, so the crontab is Beijing time.
    "reconcile-statement": {"task": "finance.reconcile_statement",
                            "schedule": crontab(hour=os.environ.get("STATEMENT_RECONCILE_HOUR", 10),
                                                minute=10)},
}
