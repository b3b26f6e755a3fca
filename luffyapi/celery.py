"""The Celery app: production runs the periodic jobs with one beat and any number of workers."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.local")

app = Celery("luffyapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "reconcile-orders": {"task": "order.reconcile",
                         "schedule": float(os.environ.get("ORDER_RECONCILE_EVERY_SECONDS", 60))},
}
