"""Bounded bodies: oversized API and notify bodies are refused before parsing; forgeries kept small."""
import json
import socket
from datetime import timedelta
from io import StringIO
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.order.constants import EventKind
from apps.order.models import PaymentEvent
from tests.alipay_fake import signed_notify
from utils.parsers import SafeJSONParser

pytestmark = pytest.mark.django_db

NOTIFY = "/api/order/success/"


def assert_413(response):
    assert response.status_code == 413, response.content[:300]
    body = response.json()
    assert body["status"] != 0 and body["code"] == "body_too_large" and body["msg"]


@pytest.fixture
def parser_spy(monkeypatch):
    calls = []
    original = SafeJSONParser.parse

    def parse(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(SafeJSONParser, "parse", parse)
    return calls


@pytest.mark.parametrize("path", ["/api/user/login/", "/api/user/register/", "/api/order/pay/"])
def test_a_json_body_over_the_limit_is_413_before_parsing(api, path, parser_spy, settings):
    body = json.dumps({"username": "x" * (settings.API_MAX_BODY_BYTES + 10), "password": "y"})

    response = api.generic("POST", path, body, content_type="application/json")

    assert_413(response)
    assert parser_spy == []


def test_a_json_body_under_the_limit_is_parsed_as_usual(api, parser_spy):
    response = api.post("/api/user/login/", {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code == 400 and parser_spy == [1]


def test_an_oversized_notify_is_refused_and_stores_nothing(api, order, settings):
    params = {**signed_notify(order), "sign": "forged",
              "padding": "x" * settings.API_BODY_LIMITS[NOTIFY]}

    response = api.generic("POST", NOTIFY, urlencode(params),
                           content_type="application/x-www-form-urlencoded")

    assert_413(response)
    assert not PaymentEvent.objects.exists()


def test_an_unsigned_notify_is_kept_only_as_a_bounded_excerpt_with_size_and_digest(api, order):
    params = {**signed_notify(order), "sign": "forged", "padding": "x" * 12000}

    response = api.generic("POST", NOTIFY, urlencode(params),
                           content_type="application/x-www-form-urlencoded")

    assert response.content == b"failure"
    event = PaymentEvent.objects.get(kind=EventKind.NOTIFY)
    assert event.outcome == "bad_signature" and event.verified is False
    stored = json.dumps(event.params)
    assert len(stored) < 1600 and "x" * 2000 not in stored
    assert event.params["size"] > 12000 and len(event.params["sha256"]) == 64
    assert event.params["truncated"] is True and order.out_trade_no in event.params["excerpt"]


def test_a_chunked_api_body_without_length_is_refused(live_server):
    url = urlsplit(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"POST /api/user/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     b"5\r\n{\"a\":\r\n0\r\n\r\n")
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 411"), answer


def _event(verified, days_old):
    event = PaymentEvent.objects.create(kind=EventKind.NOTIFY, outcome="x", verified=verified)
    PaymentEvent.objects.filter(pk=event.pk).update(
        created_time=timezone.now() - timedelta(days=days_old))
    return event.pk


def test_purge_deletes_only_old_unverified_events(settings):
    settings.UNVERIFIED_EVENT_MAX_AGE_DAYS = 30
    old_forgery, new_forgery = _event(False, 40), _event(False, 5)
    old_verified, old_transition = _event(True, 400), _event(None, 400)

    out = StringIO()
    call_command("purge_unverified_events", stdout=out)

    assert set(PaymentEvent.objects.values_list("pk", flat=True)) == {
        new_forgery, old_verified, old_transition}
    assert old_forgery not in PaymentEvent.objects.values_list("pk", flat=True)
    assert "deleted 1" in out.getvalue()
    call_command("purge_unverified_events", "--days", "1", stdout=out)
    assert not PaymentEvent.objects.filter(verified=False).exists()


def test_verified_events_cannot_be_deleted_at_all():
    pk = _event(True, 400)
    with pytest.raises(ValueError):
        PaymentEvent.objects.filter(pk=pk).delete()
    with pytest.raises(ValueError):
        PaymentEvent.objects.get(pk=pk).delete()
    assert PaymentEvent.objects.filter(pk=pk).exists()
