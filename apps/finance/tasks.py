"""Celery task: yesterday's statements, reconciled once a day (beat, after 10:00 Beijing)."""
from datetime import date

from celery import shared_task

from apps.order import providers

from . import services


@shared_task(name="finance.reconcile_statement", ignore_result=True)
def reconcile_statement(bill_date=None, provider=None):
    """Reconcile one day (ISO date; default yesterday, Beijing) of one provider, or of every
    enabled one (default); idempotent, so retries are safe. One provider failing does not
    keep the others from being reconciled; it is raised after them."""
    day = date.fromisoformat(bill_date) if bill_date else services.beijing_yesterday()
    names = [provider] if provider else [p.name for p in providers.enabled().values()]
    reports, failure = [], None
    for name in names:
        try:
            reports.append(services.statement_reconcile(bill_date=day, provider=name))
        except Exception as exc:  # noqa: BLE001 -- the others still run; raised below
            failure = failure or exc
    if failure is not None:
        raise failure
    return reports
