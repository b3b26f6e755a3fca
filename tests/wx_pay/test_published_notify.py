"""notify_authenticate on a notify WeChat Pay's own SDK publishes, signed with a key we did not make.

wechatpay-go's TestHandler_ParseNotifyRequest publishes a whole notify: headers, the raw body, the
certificate that verifies it and the APIv3 key that decrypts it (fixtures/wechatpay/README.md).
It passes every signature check we make and is then refused as unknown_event_type, because it is
a PAYSCORE.USER_OPEN_SERVICE notify, not a payment; its 16-byte "APIv3 key" is one
WechatPayConfig refuses, so its decryption is checked on aes_gcm_decrypt. The typed PaymentNotify
and the mchid/appid checks are covered by test_notify.py with our own keys.
"""
import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from wechatpayv3 import WeChatPay, WeChatPayType

from lib.wx_pay.crypto import aes_gcm_decrypt
from lib.wx_pay.notify import NotifyRefused, notify_authenticate

from .helpers import config, key_pair, signed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wechatpay"
VECTOR = json.loads((FIXTURES / "go_notify_vector.json").read_text(encoding="utf-8"))
CERT_PEM = (FIXTURES / VECTOR["certificate_file"]).read_bytes()
BODY = VECTOR["body"].encode("utf-8")
TIMESTAMP = int(VECTOR["headers"]["Wechatpay-Timestamp"])
SERIAL = VECTOR["headers"]["Wechatpay-Serial"]
PLAINTEXT = json.loads(VECTOR["plaintext"])
CERT_PUBLIC_KEY = x509.load_pem_x509_certificate(CERT_PEM).public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
# The vector's merchant, passed as ours. Our APIv3 key stays: its 16-byte one is refused below.
THEIRS = dict(mchid=PLAINTEXT["mchid"], appid=PLAINTEXT["appid"])


def headers(**changes) -> dict:
    """The published headers plus Wechatpay-Signature-Type (wechatpay-go defaults it; unsigned)."""
    found = dict(VECTOR["headers"], **{"Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"})
    found.update(changes)
    return found


@pytest.fixture
def cert_config(tmp_path):
    """Certificate mode holding the SDK's published certificate, under its serial."""
    (tmp_path / VECTOR["certificate_file"]).write_bytes(CERT_PEM)
    return config(public_key_pem=None, public_key_id=None, cert_dir=str(tmp_path), **THEIRS)


def refusal(head, body, cfg, now=TIMESTAMP) -> NotifyRefused:
    with pytest.raises(NotifyRefused) as caught:
        notify_authenticate(head, body, config=cfg, now=now)
    return caught.value


def _published_notify_passed_the_signature(error: NotifyRefused) -> bool:
    return (error.reason, error.detail, error.verified) == (
        "unknown_event_type", "PAYSCORE.USER_OPEN_SERVICE", True)


def test_the_fixture_holds_the_published_bytes():
    assert hashlib.sha256(BODY).hexdigest() == VECTOR["body_sha256"]
    cert = x509.load_pem_x509_certificate(CERT_PEM)
    assert f"{cert.serial_number:X}" == SERIAL
    assert json.loads(BODY)["event_type"] == "PAYSCORE.USER_OPEN_SERVICE"


def test_the_published_notify_passes_every_signature_check(cert_config):
    """Signature type, probe, serial, timestamp, RSA over the raw body: all pass, then the event."""
    assert _published_notify_passed_the_signature(refusal(headers(), BODY, cert_config))


def test_also_from_django_meta_and_in_public_key_mode():
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers().items()}
    pk_config = config(public_key_pem=CERT_PUBLIC_KEY, public_key_id=SERIAL, **THEIRS)
    assert _published_notify_passed_the_signature(refusal(meta, BODY, pk_config))


@pytest.mark.parametrize("age", [299, -299])
def test_within_the_window_either_side(cert_config, age):
    assert _published_notify_passed_the_signature(
        refusal(headers(), BODY, cert_config, now=TIMESTAMP + age))


@pytest.mark.parametrize("age", [300, -300, 301, -301])
def test_timestamp_300_seconds_or_more_from_now_is_stale(cert_config, age):
    error = refusal(headers(), BODY, cert_config, now=TIMESTAMP + age)
    assert (error.reason, error.verified) == ("stale_timestamp", False)


def test_the_certificate_is_judged_valid_on_the_notifys_own_clock(cert_config):
    """Certificate mode checks the certificate's validity at `now`, not at the test's run: the
    vector keeps verifying after its certificate expires (2031-04-25), and a notify checked
    after that date finds no key for the serial."""
    cert = x509.load_pem_x509_certificate(CERT_PEM)
    assert _published_notify_passed_the_signature(refusal(headers(), BODY, cert_config))
    after = cert.not_valid_after_utc.timestamp() + 1
    error = refusal(headers(**{"Wechatpay-Timestamp": str(int(after))}), BODY, cert_config,
                    now=after)
    assert (error.reason, error.verified) == ("unknown_serial", False)


def _flip_one_base64_char(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


def _tampered_ciphertext(body: bytes) -> bytes:
    data = json.loads(body)
    old = data["resource"]["ciphertext"]
    new = _flip_one_base64_char(old, 20)
    return body.replace(old.encode(), new.encode())


@pytest.mark.parametrize("change", [
    pytest.param(lambda b: b.replace(b"3119dfba", b"3119dfbb"), id="one byte of the id"),
    pytest.param(lambda b: b.replace("签约成功".encode(), "签约失败".encode()), id="summary"),
    pytest.param(lambda b: b.replace(b'"PAYSCORE.USER_OPEN_SERVICE"', b'"TRANSACTION.SUCCESS"'),
                 id="event type forged to a payment"),
    pytest.param(_tampered_ciphertext, id="ciphertext"),
    pytest.param(lambda b: b + b"\n", id="trailing newline"),
    pytest.param(lambda b: json.dumps(json.loads(b)).encode(), id="same JSON, other bytes"),
])
def test_any_change_to_the_body_breaks_the_published_signature(cert_config, change):
    body = change(BODY)
    assert body != BODY
    error = refusal(headers(), body, cert_config)
    assert (error.reason, error.verified) == ("bad_signature", False)


@pytest.mark.parametrize("name, value", [
    ("Wechatpay-Signature", _flip_one_base64_char(VECTOR["headers"]["Wechatpay-Signature"], 40)),
    ("Wechatpay-Signature", json.loads((FIXTURES / "go_verifier_vector.json").read_text())[
        "signature"]),  # another published signature, by another key, over another message
    ("Wechatpay-Nonce", VECTOR["headers"]["Wechatpay-Nonce"][:-1] + "Y"),
    ("Wechatpay-Timestamp", str(TIMESTAMP + 1)),  # signed: still in the window, but altered
])
def test_any_change_to_the_signed_headers_breaks_it(cert_config, name, value):
    error = refusal(headers(**{name: value}), BODY, cert_config)
    assert (error.reason, error.verified) == ("bad_signature", False)


@pytest.mark.parametrize("serial", ["D7CE59D1F522D702", "PUB_KEY_ID_D7CE59D1F522D701", ""])
def test_a_serial_we_hold_no_certificate_for(cert_config, serial):
    assert refusal(headers(**{"Wechatpay-Serial": serial}), BODY, cert_config).reason == \
        "unknown_serial"


def test_the_published_certificate_is_unknown_to_a_config_without_it(tmp_path):
    empty = config(public_key_pem=None, public_key_id=None, cert_dir=str(tmp_path), **THEIRS)
    assert refusal(headers(), BODY, empty).reason == "unknown_serial"


def test_without_signature_type_we_refuse_where_wechatpay_go_would_default(cert_config):
    head = headers()
    del head["Wechatpay-Signature-Type"]
    assert refusal(head, BODY, cert_config).reason == "bad_signature_type"


def test_a_probe_signature_is_refused(cert_config):
    probe = "WECHATPAY/SIGNTEST/" + VECTOR["headers"]["Wechatpay-Signature"]
    assert refusal(headers(**{"Wechatpay-Signature": probe}), BODY, cert_config).reason == "probe"


def test_the_published_resource_decrypts_to_the_published_plaintext():
    r = json.loads(BODY)["resource"]
    plain = aes_gcm_decrypt(VECTOR["apiv3_key"], r["nonce"], r["associated_data"], r["ciphertext"])
    assert plain == VECTOR["plaintext"].encode()
    assert PLAINTEXT == {"mchid": "1234567890", "appid": "054aa7d7a2a54ab5898df65bd96f001c",
                         "create_time": "2020-06-30T12:12:00+08:00",
                         "out_contract_code": "21640bdbd08e473e828f3206a2741c6e"}


@pytest.mark.parametrize("field, change", [
    ("ciphertext", lambda c: base64.b64encode(
        bytes([base64.b64decode(c)[0] ^ 1]) + base64.b64decode(c)[1:]).decode()),
    ("nonce", lambda n: n[:-1] + "r"),
    ("associated_data", lambda a: "transaction"),
])
def test_the_published_resource_altered_does_not_decrypt(field, change):
    r = json.loads(BODY)["resource"]
    r[field] = change(r[field])
    assert aes_gcm_decrypt(VECTOR["apiv3_key"], r["nonce"], r["associated_data"],
                           r["ciphertext"]) is None


def test_its_16_byte_key_is_not_an_apiv3_key_we_accept():
    """AES-128 under the AEAD_AES_256_GCM label: Go accepts it, a real APIv3 key is 32 bytes."""
    assert len(VECTOR["apiv3_key"].encode()) == 16
    with pytest.raises(ValueError, match="32 bytes"):
        config(apiv3_key=VECTOR["apiv3_key"])


def test_its_resource_signed_as_a_payment_by_our_key_is_undecryptable_under_ours():
    """Past the signature (our platform key) and the event type, only our APIv3 key can open it."""
    body = BODY.replace(b'"PAYSCORE.USER_OPEN_SERVICE"', b'"TRANSACTION.SUCCESS"')
    with pytest.raises(NotifyRefused) as caught:
        notify_authenticate(signed(body, timestamp=TIMESTAMP), body, config=config(),
                            now=TIMESTAMP)
    assert (caught.value.reason, caught.value.verified) == ("undecryptable", True)


def test_the_python_sdk_reads_the_published_notify_as_we_do():
    """wechatpayv3's callback() (no timestamp check, no event filter) verifies and decrypts it."""
    sdk = WeChatPay(wechatpay_type=WeChatPayType.NATIVE, mchid=THEIRS["mchid"],
                    private_key=key_pair("merchant")[0].decode(), cert_serial_no="1",
                    appid=THEIRS["appid"], apiv3_key=VECTOR["apiv3_key"],
                    public_key=CERT_PUBLIC_KEY, public_key_id=SERIAL)
    result = sdk.callback(headers(), BODY)
    assert result["event_type"] == "PAYSCORE.USER_OPEN_SERVICE"
    assert result["resource"] == PLAINTEXT
    assert sdk.callback(headers(), _tampered_ciphertext(BODY)) is None
