"""RSA2 (SHA256withRSA, PKCS#1 v1.5, base64) signing and Alipay's strings-to-sign."""
import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def load_private_key(pem: bytes):
    return serialization.load_pem_private_key(pem, password=None)


def load_public_key(pem: bytes):
    """Accept SubjectPublicKeyInfo PEM or a PKCS#1 "RSA PUBLIC KEY" PEM, like the SDK does."""
    return serialization.load_pem_public_key(pem)


def sign(private_key, message: str) -> str:
    signature = private_key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def verify(public_key, message: str, signature: str) -> bool:
    """True only for a well-formed base64 signature that matches; never raises on bad input."""
    try:
        raw = base64.b64decode(signature or "", validate=False)
        public_key.verify(raw, message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False


def request_string(params: dict) -> str:
    """What the merchant signs: every parameter but `sign` (sign_type included), sorted, raw values."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")


def callback_string(params: dict) -> str:
    """What Alipay signs on return/notify: leaves out both `sign` and `sign_type`."""
    return "&".join(
        f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type"))


def sign_callback(private_key, params: dict) -> dict:
    """Return a copy of params with sign_type=RSA2 and its callback signature added."""
    signed = dict(params, sign_type="RSA2")
    signed["sign"] = sign(private_key, callback_string(signed))
    return signed


def signed_json_body(private_key, response_key: str, inner: dict) -> bytes:
    """A synchronous gateway answer: the signature covers the inner object's exact text.

    The SDK cuts the inner object out of the raw body and verifies those bytes, so the text
    is serialised once and spliced into the body rather than re-serialised.
    """
    inner_text = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
    signature = sign(private_key, inner_text)
    body = "{" + json.dumps(response_key) + ":" + inner_text + ',"sign":' + json.dumps(signature) + "}"
    return body.encode("utf-8")
