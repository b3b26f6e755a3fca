"""The Celery app: production runs the periodic jobs with one beat and any number of workers.

Like wsgi.py it defaults to the production settings, so a worker started without its
environment stops with the name of the missing variable instead of using the laptop's.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.production")

app = Celery("luffyapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_every = float(os.environ.get("ORDER_RECONCILE_EVERY_SECONDS") or 60)
app.conf.beat_schedule = {
    # A run the workers could not start within one period is dropped: the next one comes anyway.
    "reconcile-orders": {"task": "order.reconcile", "schedule": _every,
                         "options": {"expires": _every}},
}
