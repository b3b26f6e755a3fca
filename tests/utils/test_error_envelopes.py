"""Answers made outside DRF (404, 413, 411, 429) are the same envelope, bytes included, as DRF's."""
import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def assert_same_envelope_as_drf(content_type, body: bytes, code):
    assert content_type == "application/json"  # what DRF's JSONRenderer sends
    assert b"\\u" not in body  # readable Chinese, not escapes
    text = body.decode("utf-8")
    payload = json.loads(text)
    assert set(payload) == {"status", "msg", "code"} and payload["status"] == 1
    assert payload["code"] == code and payload["msg"] in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in payload["msg"])  # the msg a person reads
    assert text == json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def test_drf_itself_answers_like_this(student):
    response = client_for(student).get("/api/order/00000000000000000000000000000/")
    assert response.status_code == 404
    assert_same_envelope_as_drf(response["Content-Type"], response.content, "not_found")


def test_an_unknown_api_path_is_the_envelope(api):
    response = api.get("/api/nothing/here/")
    assert response.status_code == 404
    assert_same_envelope_as_drf(response["Content-Type"], response.content, "not_found")


def test_a_body_over_the_limit_is_the_envelope(api, settings):
    body = json.dumps({"username": "x" * (settings.API_MAX_BODY_BYTES + 1)})
    response = api.generic("POST", "/api/user/login/", body, content_type="application/json")
    assert response.status_code == 413
    assert_same_envelope_as_drf(response["Content-Type"], response.content, "body_too_large")


def test_a_chunked_body_without_length_is_the_envelope_over_real_http(live_server):
    url = urlsplit(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"POST /api/user/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     b"5\r\n{\"a\":\r\n0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    assert head.startswith(b"HTTP/1.1 411")
    assert_same_envelope_as_drf(headers["Content-Type"], body, "length_required")
