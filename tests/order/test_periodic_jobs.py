"""The periodic reconciliation: Celery beat's schedule in production, a loop on a laptop."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.order.constants import OrderStatus
from apps.order.models import Order, PaymentEvent


def test_celery_beat_schedules_the_registered_reconcile_task():
    from luffyapi.celery import app
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule["reconcile-orders"]
    assert schedule["task"] == "order.reconcile"
    assert "order.reconcile" in app.tasks


@pytest.mark.django_db
def test_the_job_loop_leaves_orders_alone_while_alipay_cannot_be_reached(order):
    # The test gateway does not answer: the outcome is unknown, so nothing may be concluded.
    Order.objects.filter(pk=order.pk).update(created_time=timezone.now() - timezone.timedelta(hours=2),
                                             expire_time=timezone.now() - timezone.timedelta(hours=1))
    out = StringIO()
    call_command("run_periodic_jobs", "--once", stdout=out)
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID
    assert "'checked': 1" in out.getvalue()
    assert PaymentEvent.objects.get(order=order, kind="query").outcome == "unknown"


@pytest.mark.django_db
@pytest.mark.parametrize("job", ["loop", "celery"])
def test_the_periodic_pass_gives_new_orders_the_grace_window_from_settings(order, settings, job):
    from apps.order.tasks import reconcile_orders

    def run():
        if job == "loop":
            call_command("run_periodic_jobs", "--once", stdout=StringIO())
        else:
            reconcile_orders()

    settings.ORDER_RECONCILE_MIN_AGE_SECONDS = 600
    run()
    assert not PaymentEvent.objects.filter(order=order, kind="query").exists()  # too young
    settings.ORDER_RECONCILE_MIN_AGE_SECONDS = 0
    run()
    assert PaymentEvent.objects.filter(order=order, kind="query").exists()
