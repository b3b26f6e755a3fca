"""Celery tasks: the periodic reconciliation of unpaid orders with Alipay."""
from celery import shared_task

from . import services


@shared_task(name="order.reconcile", ignore_result=True)
def reconcile_orders():
    """Settle orders Alipay says are paid; time out (and close at Alipay) overdue ones."""
    return services.orders_reconcile()
