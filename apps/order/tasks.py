"""Celery tasks: the periodic reconciliation of unpaid orders with their providers."""
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from utils.metrics import count_reconcile

from .providers.base import ProviderError
from .services.reconcile import orders_reconcile

LOCK_KEY = "order.reconcile.lock"


@shared_task(name="order.reconcile", ignore_result=True, bind=True,
             autoretry_for=(DatabaseError, ProviderError, OSError), retry_backoff=2,
             retry_backoff_max=60, retry_jitter=True, max_retries=5)
def reconcile_orders(self):
    """Settle orders their provider says are paid; time out (closed there first) overdue ones.

    Two copies at once are safe (each order is claimed by a conditional UPDATE); the cache
    lock only saves the second copy the work. It expires by itself, so a worker killed
    mid-run holds it for at most one period.
    """
    if not cache.add(LOCK_KEY, self.request.id or "local",
                     timeout=max(1, settings.ORDER_RECONCILE_EVERY_SECONDS)):
        return {"skipped": 1}
    try:
        counts = orders_reconcile(min_age_seconds=settings.ORDER_RECONCILE_MIN_AGE_SECONDS)
    except Exception:
        count_reconcile({"error": 1})
        raise
    finally:
        cache.delete(LOCK_KEY)
    count_reconcile(counts)
    return counts
