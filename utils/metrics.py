"""Prometheus metrics: the payment counters, and GET /metrics for the operator only.

django-prometheus adds the HTTP metrics (requests, latency, status codes). The payment counters
are fed from PaymentEvent rows (every notify, query answer and transition is one), so the order
services need no metrics code of their own.
"""
import hmac

from django.conf import settings
from django.db.models.signals import post_save
from django.http import HttpResponseForbidden
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Counter, Histogram

from utils.throttling import address_in, client_ip

PAYMENT_EVENTS = Counter("luffy_payment_events_total",
                         "Payment events by provider, kind (notify, query, close, ...) and outcome",
                         ["provider", "kind", "outcome"])
PAYMENT_EVENTS_FLAGGED = Counter("luffy_payment_events_flagged_total",
                                 "Payment events flagged for a human",
                                 ["provider", "kind", "outcome"])
ORDER_TRANSITIONS = Counter("luffy_order_transitions_total",
                            "Order status changes by the status reached", ["to_status"])
RECONCILE_RESULTS = Counter("luffy_reconcile_results_total",
                            "Orders handled by the periodic reconcile, by result", ["result"])
PROVIDER_CALL_SECONDS = Histogram("luffy_payment_call_seconds",
                                  "Payment provider call latency, by provider and api",
                                  ["provider", "api"],
                                  buckets=(.05, .1, .25, .5, 1, 2.5, 5, 10, 15))
PROVIDER_CALL_ERRORS = Counter("luffy_payment_call_errors_total",
                               "Payment provider calls that failed, by provider, api and code",
                               ["provider", "api", "code"])


def on_payment_event(sender, instance, created, **kwargs):
    """post_save of PaymentEvent: count it (connected in OrderConfig.ready)."""
    if not created:
        return
    provider = instance.provider or "none"
    PAYMENT_EVENTS.labels(provider, instance.kind, instance.outcome).inc()
    if instance.flagged:
        PAYMENT_EVENTS_FLAGGED.labels(provider, instance.kind, instance.outcome).inc()
    if instance.to_status is not None:
        ORDER_TRANSITIONS.labels(str(instance.to_status)).inc()


def connect_payment_counters():
    post_save.connect(on_payment_event, sender="order.PaymentEvent",
                      dispatch_uid="luffy-payment-counters")


def count_reconcile(counts):
    """Add one reconcile pass's {result: n} to the counter (whatever keys the pass reports)."""
    for result, value in (counts or {}).items():
        if isinstance(value, int) and value:
            RECONCILE_RESULTS.labels(result).inc(value)


def provider_call(provider, api, seconds, error_code=None):
    """Count one provider call (lib/ hands this in as its hook): latency, and its error code."""
    PROVIDER_CALL_SECONDS.labels(provider, api).observe(seconds)
    if error_code:
        PROVIDER_CALL_ERRORS.labels(provider, api, error_code).inc()



def metrics_view(request):
    """/metrics for Prometheus: from METRICS_ALLOWED_IPS, or with `Authorization: Bearer METRICS_TOKEN`."""
    token = settings.METRICS_TOKEN
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    by_token = bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if not by_token and not address_in(client_ip(request), settings.METRICS_ALLOWED_IPS):
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    return ExportToDjangoView(request)
