"""Celery task: yesterday's Alipay statement, reconciled once a day (beat, after 10:00 Beijing)."""
from datetime import date

from celery import shared_task

from . import services


@shared_task(name="finance.reconcile_statement", ignore_result=True)
def reconcile_statement(bill_date=None, provisional=False):
    """Reconcile one day (ISO date; default yesterday, Beijing); idempotent, so retries are safe.

    Beat runs yesterday, which also redoes a provisional or failed run of that day."""
    day = date.fromisoformat(bill_date) if bill_date else services.beijing_yesterday()
    return services.statement_reconcile(bill_date=day, provisional=provisional)
