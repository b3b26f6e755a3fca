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


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_the_job_loop_waits_for_the_gateway_before_its_first_pass(settings, order):
    """make run starts the sandbox and the jobs together: no "Connection refused" on a clean start."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, HTTPServer

    port = _free_port()
    settings.ALIPAY_GATEWAY = f"http://127.0.0.1:{port}/gateway.do"
    settings.ORDER_RECONCILE_MIN_AGE_SECONDS = 0
    settings.STATEMENT_RECONCILE_HOUR = 24  # this test is about the order pass
    asked = []

    class Gateway(BaseHTTPRequestHandler):
        def answer(self):  # the wait's probe, then the pass's query: Alipay is "busy"
            asked.append(time.monotonic())
            self.send_response(503)
            self.end_headers()

        do_GET = do_POST = answer

        def log_message(self, *args):
            pass

    servers = []

    def start_late():
        time.sleep(1.0)
        servers.append(HTTPServer(("127.0.0.1", port), Gateway))
        servers[0].serve_forever()
    threading.Thread(target=start_late, daemon=True).start()
    started = time.monotonic()
    out, err = StringIO(), StringIO()
    try:
        call_command("run_periodic_jobs", "--once", "--wait-for-gateway", "20", stdout=out,
                     stderr=err)
    finally:
        if servers:
            servers[0].shutdown()
    assert time.monotonic() - started >= 1.0
    assert err.getvalue() == ""  # no "Connection refused", no "did not answer"
    # The probe, then the pass's query: both after the gateway came up.
    assert len(asked) >= 2 and asked[0] - started >= 1.0
    event = PaymentEvent.objects.get(order=order, kind="query")
    assert "503" in event.detail and "refused" not in event.detail.lower()


@pytest.mark.django_db
def test_a_gateway_that_never_answers_is_reported_once_and_the_loop_runs_anyway(settings):
    settings.ALIPAY_GATEWAY = f"http://127.0.0.1:{_free_port()}/gateway.do"
    err = StringIO()
    call_command("run_periodic_jobs", "--once", "--wait-for-gateway", "0.6", stdout=StringIO(),
                 stderr=err)
    assert "did not answer within 0.6 s; running anyway" in err.getvalue()


def test_make_run_and_make_dev_start_the_jobs_waiting_for_the_sandbox():
    from pathlib import Path
    for procfile in ("Procfile.local", "Procfile.dev"):
        jobs = next(line for line in Path(procfile).read_text().splitlines()
                    if line.startswith("jobs:"))
        assert "run_periodic_jobs --wait-for-gateway" in jobs
