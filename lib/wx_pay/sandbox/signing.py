"""The sandbox's side of WeChat Pay's crypto: Authorization checks, signed answers, AES-GCM.

Written apart from lib/wx_pay/crypto.py on purpose: the client side is tested against this,
so one shared mistake would pass unnoticed.
"""
import base64
import binascii
import json
import re
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEME = "WECHATPAY2-SHA256-RSA2048"
_PAIR = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*(?:,|$)')


def sign(private_key, message: bytes) -> str:
    """base64 SHA256withRSA (PKCS#1 v1.5), one line."""
    return base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(public_key, message: bytes, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(),
                          hashes.SHA256())
        return True
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False


def parse_authorization(header: str) -> dict | None:
    """The `k="v"` pairs of a WECHATPAY2-SHA256-RSA2048 header (any order), or None."""
    if not header or len(header) > 4096 or not header.startswith(SCHEME + " "):
        return None
    rest, pairs = header[len(SCHEME) + 1:], {}
    position = 0
    while position < len(rest):
        match = _PAIR.match(rest, position)
        if not match:
            return None
        pairs[match[1]] = match[2]
        position = match.end()
    needed = {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}
    return pairs if needed <= set(pairs) else None


def request_message(method: str, url: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """What the merchant signs: METHOD, path+query exactly as sent, timestamp, nonce, body."""
    head = f"{method}\n{url}\n{timestamp}\n{nonce}\n".encode()
    return head + body + b"\n"


def answer_headers(private_key, serial: str, body: bytes, *, corrupt=False) -> dict:
    """All five Wechatpay-* headers over `TS\\nNONCE\\nBODY\\n`, with a fresh timestamp."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16).upper()
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    signature = sign(private_key, message + (b"#corrupt" if corrupt else b""))
    return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature, "Wechatpay-Serial": serial,
            "Wechatpay-Signature-Type": SCHEME, "Request-ID": secrets.token_hex(16)}


def encrypt(apiv3_key: str, plaintext: bytes, associated_data: str) -> dict:
    """An AEAD_AES_256_GCM resource: 12-character nonce, base64(ciphertext || tag)."""
    nonce = secrets.token_urlsafe(9)[:12]
    sealed = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plaintext,
                                                associated_data.encode())
    return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(sealed).decode(),
            "associated_data": associated_data, "nonce": nonce}


def dumps(data) -> bytes:
    """JSON as WeChat sends it: compact, UTF-8 (not \\u escapes)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
