"""Celery tasks: the periodic reconciliation of unpaid orders with Alipay."""
from celery import shared_task
from django.conf import settings

from .services.reconcile import orders_reconcile


@shared_task(name="order.reconcile", ignore_result=True)
def reconcile_orders():
    """Settle orders Alipay says are paid; time out (and close at Alipay) overdue ones."""
    return orders_reconcile(min_age_seconds=settings.ORDER_RECONCILE_MIN_AGE_SECONDS)
