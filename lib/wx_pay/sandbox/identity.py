"""The sandbox's own "WeChat platform" identity: key pair, public key id, certificate."""
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from lib.wx_pay.keys import ensure_key_pair, ensure_platform_certificate

from . import signing, wire


@dataclass
class Identity:
    private_key: object
    public_pem: bytes
    public_key_id: str        # PUB_KEY_ID_…: the Wechatpay-Serial of public-key mode
    cert_pem: bytes
    cert_serial: str          # upper-case hex: the Wechatpay-Serial of certificate mode
    merchant_public_key: object
    apiv3_key: str

    def certificates_answer(self) -> dict:
        """GET /v3/certificates: the certificate encrypted with the APIv3 key."""
        cert = x509.load_pem_x509_certificate(self.cert_pem)
        return {"data": [{
            "serial_no": self.cert_serial,
            "effective_time": wire.rfc3339(cert.not_valid_before_utc.timestamp()),
            "expire_time": wire.rfc3339(cert.not_valid_after_utc.timestamp()),
            "encrypt_certificate": signing.encrypt(self.apiv3_key, self.cert_pem, "certificate"),
        }]}


def load(data_dir: Path, *, mchid: str, merchant_public_key_pem: bytes, apiv3_key: str):
    """Create the identity files in data_dir on first start; (Identity, created?)."""
    private_path = data_dir / "wechatpay_private_key.pem"
    public_path = data_dir / "wechatpay_public_key.pem"
    created = ensure_key_pair(private_path, public_path)
    ensure_platform_certificate(private_path, data_dir / "wechatpay_platform_cert.pem")
    id_path = data_dir / "wechatpay_public_key_id.txt"
    if not id_path.exists():
        # Shaped like WeChat's: PUB_KEY_ID_ + merchant number + date + random digits.
        digits = "".join(secrets.choice("0123456789") for _ in range(12))
        id_path.write_text(f"PUB_KEY_ID_01{mchid}{time.strftime('%Y%m%d')}{digits}")
    cert_pem = (data_dir / "wechatpay_platform_cert.pem").read_bytes()
    cert = x509.load_pem_x509_certificate(cert_pem)
    identity = Identity(
        private_key=serialization.load_pem_private_key(private_path.read_bytes(), password=None),
        public_pem=public_path.read_bytes(), public_key_id=id_path.read_text().strip(),
        cert_pem=cert_pem, cert_serial=f"{cert.serial_number:X}",
        merchant_public_key=serialization.load_pem_public_key(merchant_public_key_pem),
        apiv3_key=apiv3_key)
    return identity, created
