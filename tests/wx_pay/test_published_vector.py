"""Our verifier against a signature WeChat Pay's own SDK publishes (wechatpay-go's test vector).

It signs the bare message "source" (not a notify): it proves the RSA-SHA256 primitive and
certificate-mode key lookup by serial against WeChat's published key material. No published
notify (timestamp + nonce + body + signature) could be obtained here; see the report.
"""
import json
from pathlib import Path

from cryptography import x509

from lib.wx_pay.crypto import platform_key, rsa_verify

from .helpers import config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wechatpay"
VECTOR = json.loads((FIXTURES / "go_verifier_vector.json").read_text())


def _cert_config(tmp_path):
    (tmp_path / VECTOR["certificate_file"]).write_bytes(
        (FIXTURES / VECTOR["certificate_file"]).read_bytes())
    return config(public_key_pem=None, public_key_id=None, cert_dir=str(tmp_path))


def test_published_signature_verifies(tmp_path):
    key = platform_key(_cert_config(tmp_path), VECTOR["serial"])
    assert key is not None
    assert rsa_verify(key, VECTOR["message"].encode(), VECTOR["signature"])


def test_published_signature_altered_fails(tmp_path):
    key = platform_key(_cert_config(tmp_path), VECTOR["serial"])
    signature = VECTOR["signature"]
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    assert not rsa_verify(key, b"wrong source", signature)
    assert not rsa_verify(key, VECTOR["message"].encode(), flipped)


def test_serial_lookup_is_by_number_and_exact(tmp_path):
    cfg = _cert_config(tmp_path)
    cert = x509.load_pem_x509_certificate((FIXTURES / VECTOR["certificate_file"]).read_bytes())
    assert f"{cert.serial_number:X}" == VECTOR["serial"]
    assert platform_key(cfg, VECTOR["serial"].lower()) is not None  # hex case does not matter
    assert platform_key(cfg, "F5765756002FDD78") is None
    assert platform_key(cfg, "PUB_KEY_ID_F5765756002FDD77") is None
