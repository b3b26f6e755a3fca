"""Dev keys for WeChat Pay: RSA pairs, a sandbox platform certificate and the APIv3 key."""
import datetime
import os
import secrets
import string
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

# The RSA pair itself is the same as Alipay's (RSA-2048, PKCS#8 private, SPKI public).
from lib.al_pay.keys import ensure_key_pair, generate_key_pair_pem

__all__ = ["ensure_key_pair", "generate_key_pair_pem", "ensure_apiv3_key", "new_apiv3_key",
           "platform_certificate_pem", "ensure_platform_certificate", "ensure_dev_keys"]

_APIV3_ALPHABET = string.ascii_letters + string.digits


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def new_apiv3_key() -> str:
    """32 random letters and digits, as the merchant console asks for."""
    return "".join(secrets.choice(_APIV3_ALPHABET) for _ in range(32))


def ensure_apiv3_key(path) -> bool:
    """Write a new APIv3 key to path (0600) unless the file exists; True if created."""
    path = Path(path)
    if path.exists():
        return False
    _write_private(path, new_apiv3_key().encode("ascii"))
    return True


def platform_certificate_pem(private_key_pem: bytes, serial_number: int, *,
                             days: int = 5 * 365) -> bytes:
    """A self-signed certificate over the key, standing in for WeChat's platform certificate.

    Certificate mode picks the key by `Wechatpay-Serial` = the certificate serial in hex.
    """
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (sandbox)"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "luffy wechat sandbox")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(serial_number)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def ensure_platform_certificate(private_key_path, cert_path) -> bool:
    """Create cert_path for the key at private_key_path unless it exists; True if created."""
    cert_path = Path(cert_path)
    if cert_path.exists():
        return False
    serial = secrets.randbits(150) | (1 << 150)  # 39 hex digits, like WeChat's serials
    cert_path.write_bytes(platform_certificate_pem(Path(private_key_path).read_bytes(), serial))
    return True


def ensure_dev_keys(folder) -> dict[str, Path]:
    """A local merchant's files in folder (created once): the API key pair and the APIv3 key.

    For `make`-style setup of a laptop: the sandbox is started with merchant_public_key and
    apiv3_key; the shop's WechatPayConfig reads merchant_private_key and apiv3_key.
    """
    folder = Path(folder)
    paths = {"merchant_private_key": folder / "wechat_merchant_private_key.pem",
             "merchant_public_key": folder / "wechat_merchant_public_key.pem",
             "apiv3_key": folder / "wechat_apiv3_key.txt"}
    ensure_key_pair(paths["merchant_private_key"], paths["merchant_public_key"])
    ensure_apiv3_key(paths["apiv3_key"])
    return paths
