"""Signed synchronous answers (query/close/refund) are found the JSON way, not by counting braces.

Each answer is signed at run time with the key pair that plays Alipay in tests and served over
real HTTP, so the whole path (urlopen, locate the signed object, verify) is exercised.
"""
import base64
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings as django_settings

from apps.order.providers.alipay import alipay_config
from lib.al_pay import client as alipay
from lib.al_pay.client import signed_object_text
from lib.al_pay.errors import AlipayError

# Values that break brace counting or need JSON escapes: }, {, \/, \", \uXXXX.
TRICKY_SUBJECTS = ['Python 入门}', '{{{ 进阶', 'a\\/b \\"quoted\\" }{', '\\u8bfe\\u7a0b}\\ud83d\\ude00',
                   '\\"alipay_trade_query_response\\":{}']


def _sign(text: str) -> str:
    key = serialization.load_pem_private_key(
        open(django_settings.ALIPAY_TEST_PRIVATE_KEY_FILE, "rb").read(), None)
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def signed_answer(response_key: str, inner: str, *, tamper=None) -> str:
    """An answer body as Alipay writes it: the inner object's raw text, then its signature."""
    signature = _sign(inner)
    if tamper:
        inner = tamper(inner)
    return f'{{"{response_key}":{inner},"sign":"{signature}"}}'


@pytest.fixture
def gateway(settings):
    """A local HTTP gateway answering every request with `gateway.body`."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = server.body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html;charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.body = ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALIPAY_GATEWAY = f"http://127.0.0.1:{server.server_port}/gateway.do"
    yield server
    server.shutdown()
    server.server_close()


def _query_inner(subject):
    return ('{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2026",'
            f'"subject":"{subject}","trade_status":"TRADE_SUCCESS","total_amount":"9.00"}}')


@pytest.mark.parametrize("subject", TRICKY_SUBJECTS)
def test_a_signed_query_answer_with_braces_and_escapes_in_values_verifies(gateway, subject):
    gateway.body = signed_answer("alipay_trade_query_response", _query_inner(subject))
    answer = alipay.trade_query(alipay_config(), out_trade_no="T1")
    assert answer["trade_status"] == "TRADE_SUCCESS"
    assert answer["subject"] == json.loads(f'"{subject}"')


@pytest.mark.parametrize("subject", TRICKY_SUBJECTS)
def test_the_same_answer_with_one_byte_changed_is_refused(gateway, subject):
    gateway.body = signed_answer("alipay_trade_query_response", _query_inner(subject),
                                 tamper=lambda text: text.replace('"9.00"', '"8.00"'))
    with pytest.raises(AlipayError) as caught:
        alipay.trade_query(alipay_config(), out_trade_no="T1")
    assert caught.value.code == "sign" and caught.value.unknown


def test_close_and_refund_answers_are_found_the_same_way(gateway):
    gateway.body = signed_answer(
        "alipay_trade_close_response",
        '{"code":"10000","msg":"Success }","out_trade_no":"T1","trade_no":"2026{"}')
    assert alipay.trade_close(alipay_config(), out_trade_no="T1")["trade_no"] == "2026{"
    inner = ('{"code":"10000","msg":"Success","out_trade_no":"T1","fund_change":"Y",'
             '"refund_fee":"9.00","buyer_logon_id":"a}\\"b"}')
    gateway.body = signed_answer("alipay_trade_refund_response", inner)
    answer = alipay.trade_refund(alipay_config(), out_trade_no="T1", refund_amount=Decimal("9.00"),
                                 out_request_no="T1-1")
    assert answer["buyer_logon_id"] == 'a}"b'
    gateway.body = signed_answer("alipay_trade_refund_response",
                                 inner.replace('"Y"', '"N"').replace("a}", "a{"))
    gateway.body = gateway.body.replace('"N"', '"Y"', 1)  # one byte changed after signing
    with pytest.raises(AlipayError):
        alipay.trade_refund(alipay_config(), out_trade_no="T1", refund_amount=Decimal("9.00"),
                            out_request_no="T1-1")


@pytest.mark.parametrize("raw, found", [
    ('{"x_response":{"a":"}"},"sign":"s"}', '{"a":"}"}'),
    ('{"sign":"x_response","x_response" : {"b":[1,{"c":"{"}]} ,"sign2":1}', '{"b":[1,{"c":"{"}]}'),
    ('{"other":{"x_response":{"a":1}},"x_response":{"a":2}}', '{"a":2}'),
    ('{"x_response":"not an object"}', ""),
    ('{"x_response":{"a":', ""),
    ('[1,2]', ""),
    ('{"other":1}', ""),
])
def test_signed_object_text_is_the_raw_top_level_object(raw, found):
    assert signed_object_text(raw, "x_response") == found
