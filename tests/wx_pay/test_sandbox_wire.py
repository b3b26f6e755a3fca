"""The sandbox on the wire, without the SDK: signed answers (the 204 too), public key, certificates."""
import json
import uuid

import pytest
import requests
from cryptography import x509
from wechatpayv3.utils import build_authorization, load_private_key

from lib.wx_pay.crypto import aes_gcm_decrypt, load_public_key, rsa_verify, signed_message

from .helpers import APIV3_KEY, APPID, MCHID, key_pair

pytestmark = pytest.mark.sandbox
HEADERS = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial",
           "Wechatpay-Signature-Type")


def call(sandbox, method, path, data=None, **headers):
    body = json.dumps(data) if data is not None else ""
    auth = build_authorization(path, method, MCHID, "1", load_private_key(
        key_pair("merchant")[0].decode()), data=body)
    return requests.request(method, sandbox.url + path, data=body.encode() or None,
                            headers={"Authorization": auth, "Content-Type": "application/json",
                                     **headers}, timeout=10)


def assert_signed(sandbox, response, serial):
    assert all(name in response.headers for name in HEADERS)
    assert response.headers["Wechatpay-Signature-Type"] == "WECHATPAY2-SHA256-RSA2048"
    assert response.headers["Wechatpay-Serial"] == serial
    message = signed_message(response.headers["Wechatpay-Timestamp"],
                             response.headers["Wechatpay-Nonce"], response.content)
    assert rsa_verify(load_public_key(sandbox.public_key_pem), message,
                      response.headers["Wechatpay-Signature"])


def test_close_answers_an_empty_signed_204(sandbox):
    otn = "W" + uuid.uuid4().hex[:20]
    prepay = call(sandbox, "POST", "/v3/pay/transactions/native",
                  {"appid": APPID, "mchid": MCHID, "description": "课程", "out_trade_no": otn,
                   "notify_url": "https://shop.example/notify", "amount": {"total": 1}},
                  **{"Wechatpay-Serial": sandbox.public_key_id})
    assert prepay.status_code == 200
    assert_signed(sandbox, prepay, sandbox.public_key_id)
    closed = call(sandbox, "POST", f"/v3/pay/transactions/out-trade-no/{otn}/close",
                  {"mchid": MCHID})
    assert (closed.status_code, closed.content) == (204, b"")
    cert = x509.load_pem_x509_certificate(sandbox.cert_file.read_bytes())
    assert_signed(sandbox, closed, f"{cert.serial_number:X}")  # no PUB_KEY_ID asked for


def test_unsigned_or_mis_signed_requests_get_sign_error(sandbox):
    path = f"/v3/pay/transactions/out-trade-no/W{uuid.uuid4().hex[:20]}?mchid={MCHID}"
    response = requests.get(sandbox.url + path, timeout=10)
    assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")
    auth = build_authorization(path + "&x=1", "GET", MCHID, "1",
                               load_private_key(key_pair("merchant")[0].decode()))
    response = requests.get(sandbox.url + path, headers={"Authorization": auth}, timeout=10)
    assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")


def test_public_key_and_certificates(sandbox):
    pem = requests.get(sandbox.url + "/wechatpay_public_key.pem", timeout=10).text
    assert pem == sandbox.public_key_pem and sandbox.public_key_id.startswith("PUB_KEY_ID_")
    answer = call(sandbox, "GET", "/v3/certificates")
    entry = answer.json()["data"][0]
    sealed = entry["encrypt_certificate"]
    assert (sealed["algorithm"], sealed["associated_data"]) == ("AEAD_AES_256_GCM", "certificate")
    cert_pem = aes_gcm_decrypt(APIV3_KEY, sealed["nonce"], "certificate", sealed["ciphertext"])
    assert cert_pem == sandbox.cert_file.read_bytes()
    assert entry["serial_no"] == f"{x509.load_pem_x509_certificate(cert_pem).serial_number:X}"
