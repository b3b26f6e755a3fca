"""The verifying side of WeChat Pay's crypto: RSA-SHA256 signatures, AES-256-GCM, platform keys."""
import base64
import binascii
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .config import WechatPayConfig

MAX_SIGNATURE_CHARS = 1024  # base64 of a 4096-bit signature is 684 characters


def signed_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """What WeChat signs on an answer or a notify: `TIMESTAMP\\nNONCE\\nBODY\\n` (raw body bytes)."""
    return timestamp.encode("utf-8") + b"\n" + nonce.encode("utf-8") + b"\n" + body + b"\n"


def rsa_verify(public_key, message: bytes, signature_b64: str) -> bool:
    """SHA256withRSA (PKCS#1 v1.5) over message; False, never an exception, on any bad input."""
    if not isinstance(signature_b64, str) or len(signature_b64) > MAX_SIGNATURE_CHARS:
        return False
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def aes_gcm_decrypt(apiv3_key: str, nonce: str, associated_data: str, ciphertext_b64: str):
    """AEAD_AES_256_GCM as WeChat uses it (key, nonce and AAD as UTF-8 bytes); None if it fails."""
    try:
        data = base64.b64decode(ciphertext_b64, validate=True)
        return AESGCM(apiv3_key.encode("utf-8")).decrypt(
            nonce.encode("utf-8"), data, associated_data.encode("utf-8"))
    except (InvalidTag, binascii.Error, ValueError, TypeError, OverflowError):
        return None


@lru_cache(maxsize=8)
def load_public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("WeChat Pay public key must be RSA")
    return key


def _certificates(cert_dir: str, at: float | None = None) -> dict[int, x509.Certificate]:
    """The certificates in cert_dir valid at `at` (Unix seconds; default now), by serial:
    expired ones sign nothing."""
    found = {}
    now = datetime.now(UTC) if at is None else datetime.fromtimestamp(at, UTC)
    for path in sorted(Path(cert_dir).glob("*.pem")):
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except (ValueError, OSError):
            continue  # not a certificate: the SDK skips such files too
        if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            found[cert.serial_number] = cert
    return found


def platform_key(config: WechatPayConfig, serial: str, *, at: float | None = None):
    """The RSA public key `Wechatpay-Serial` names under this config, or None if unknown.

    Public-key mode knows exactly one id (PUB_KEY_ID_…); certificate mode knows the certificates
    in cert_dir, named by their serial in hex (compared as numbers, as the SDK does), valid at
    `at` (Unix seconds; default now: the notify's own clock, so a test pins both at once).
    """
    if config.public_key_mode:
        return load_public_key(config.public_key_pem) if serial == config.public_key_id else None
    if not serial or len(serial) > 64:
        return None
    try:
        number = int(serial, 16)
    except ValueError:
        return None
    cert = _certificates(config.cert_dir, at).get(number)
    return cert.public_key() if cert is not None else None
