"""Our crypto against test vectors WeChat Pay's own SDKs publish (wechatpay-go, wechatpay-java).

wechatpay-go signs the bare message "source" (not a notify): it proves the RSA-SHA256
primitive and certificate-mode key lookup by serial against WeChat's key material.
wechatpay-java publishes an AEAD_AES_256_GCM message and a whole /v3/certificates answer
under a published APIv3 key. A whole published notify (wechatpay-go's own notify test) is in
test_published_notify.py.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509

from lib.wx_pay.client import download_platform_certificates
from lib.wx_pay.crypto import aes_gcm_decrypt, platform_key, rsa_verify

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


AEAD = json.loads((FIXTURES / "java_aead_vectors.json").read_text())


def test_published_aead_message_decrypts_and_refuses_changes():
    m = AEAD["message"]
    assert aes_gcm_decrypt(AEAD["apiv3_key"], m["nonce"], m["associated_data"],
                           m["ciphertext"]) == m["plaintext"].encode()
    assert aes_gcm_decrypt(AEAD["apiv3_key"], m["nonce"], "associatedDatA", m["ciphertext"]) is None
    assert aes_gcm_decrypt(AEAD["apiv3_key"], "uluk4a9R25RX", m["associated_data"],
                           m["ciphertext"]) is None


def test_published_certificates_answer_is_stored_by_serial(tmp_path):
    """download_platform_certificates reads wechatpay-java's published /v3/certificates answer."""
    answer = json.dumps(AEAD["certificates_answer"]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            assert self.path == "/v3/certificates"
            assert self.headers["Authorization"].startswith("WECHATPAY2-SHA256-RSA2048 ")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cfg = config(public_key_pem=None, public_key_id=None, cert_dir=str(tmp_path),
                     apiv3_key=AEAD["apiv3_key"],
                     gateway=f"http://127.0.0.1:{server.server_address[1]}")
        serial = AEAD["certificates_answer"]["data"][0]["serial_no"]
        assert download_platform_certificates(cfg) == [serial]
    finally:
        server.shutdown()
    cert = x509.load_pem_x509_certificate((tmp_path / f"{serial}.pem").read_bytes())
    assert f"{cert.serial_number:X}" == serial
    assert platform_key(cfg, serial) is not None  # valid until 2028-09-17


def test_wrong_apiv3_key_decrypts_no_certificate(tmp_path):
    e = AEAD["certificates_answer"]["data"][0]["encrypt_certificate"]
    assert aes_gcm_decrypt("x" * 32, e["nonce"], e["associated_data"], e["ciphertext"]) is None
