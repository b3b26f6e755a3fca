"""Celery task: keep the dashboard's closed hours aggregated (beat, every few minutes)."""
from celery import shared_task

from .services import sales_hours_refresh


@shared_task(name="dashboard.sales_hours", ignore_result=True)
def refresh_sales_hours():
    """Idempotent: an hour already stored is not aggregated again."""
    return sales_hours_refresh()
