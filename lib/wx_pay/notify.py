"""notify_authenticate: a WeChat Pay notify verified, then decrypted, into a typed result.

    try:
        event = notify_authenticate(request.META, request.body, config=config)
    except NotifyRefused as refused:      # answer 4xx/5xx: WeChat retries a genuine one
        log(refused.reason, refused.verified)
    else:                                 # PaymentNotify | RefundNotify; answer 200/204
        ...

Checks in this order, naming the first that fails: signature type, probe, serial known, the
timestamp within 300 s (the SDK skips it), the RSA signature over the raw body; then the JSON,
the event type, AES-GCM decryption with the APIv3 key, mchid (and appid for payments).
"""
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .config import WechatPayConfig
from .crypto import aes_gcm_decrypt, platform_key, rsa_verify, signed_message
from .money import fen_to_yuan
from .results import AnswerError, fen, moment, text

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"  # WeChat's probe notifies must fail verification
MAX_AGE_SECONDS = 300                 # |now - Wechatpay-Timestamp| must stay below this
MAX_BODY_BYTES = 64 * 1024            # a real notify is ~1 KB
_HEADER_LIMITS = {"SIGNATURE": 1024, "TIMESTAMP": 20, "NONCE": 64, "SERIAL": 128,
                  "SIGNATURE_TYPE": 64}
PAYMENT_EVENTS = frozenset({"TRANSACTION.SUCCESS"})
REFUND_EVENTS = frozenset({"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"})


class NotifyRefused(Exception):
    """The notify is not an authentic, readable one: answer 4xx/5xx and act on nothing.

    reason: bad_signature, unknown_serial, stale_timestamp, bad_signature_type, probe,
    undecryptable, foreign_mchid, foreign_appid, malformed, unknown_event_type.
    verified: the signature had checked out (so WeChat really sent it) before the refusal.
    """

    def __init__(self, reason: str, detail: str = "", *, verified: bool = False):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail, self.verified = reason, detail, verified


@dataclass(frozen=True)
class PaymentNotify:
    """TRANSACTION.SUCCESS: the buyer paid total_fen for out_trade_no."""

    out_trade_no: str
    transaction_id: str
    trade_state: str
    total_fen: int
    amount: Decimal
    paid_at: datetime | None
    notify_id: str
    event_type: str
    raw: dict = field(compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class RefundNotify:
    """REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED for out_refund_no."""

    out_trade_no: str
    out_refund_no: str
    refund_id: str
    refund_status: str
    refund_fen: int
    total_fen: int
    success_at: datetime | None
    notify_id: str
    event_type: str
    raw: dict = field(compare=False, hash=False, repr=False)


def wechatpay_headers(headers: Mapping) -> dict[str, str]:
    """The Wechatpay-* headers under short upper-case names (SIGNATURE, TIMESTAMP, …).

    Accepts `Wechatpay-Signature` in any case and Django's `HTTP_WECHATPAY_SIGNATURE`.
    Values that are not short strings are dropped, so later checks see them as missing.
    """
    found = {}
    try:
        items = list(headers.items())
    except Exception:  # noqa: BLE001 -- any mapping-like garbage is "no headers"
        return found
    for name, value in items[:500]:
        if not isinstance(name, str) or len(name) > 64:
            continue
        key = name.upper().replace("-", "_").removeprefix("HTTP_")
        short = key.removeprefix("WECHATPAY_")
        if short == key or short not in _HEADER_LIMITS:
            continue
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str) and len(value) <= _HEADER_LIMITS[short]:
            found[short] = value.strip()
    return found


def _authenticate_signature(headers: Mapping, body: bytes, config: WechatPayConfig,
                            now: float) -> None:
    h = wechatpay_headers(headers)
    if h.get("SIGNATURE_TYPE") != SIGNATURE_TYPE:
        raise NotifyRefused("bad_signature_type", repr(h.get("SIGNATURE_TYPE"))[:80])
    signature = h.get("SIGNATURE", "")
    if signature.startswith(PROBE_PREFIX):
        raise NotifyRefused("probe", "WeChat's signature probe")
    key = platform_key(config, h.get("SERIAL", ""), at=now)
    if key is None:
        raise NotifyRefused("unknown_serial", repr(h.get("SERIAL"))[:80])
    timestamp = h.get("TIMESTAMP", "")
    if not timestamp.isascii() or not timestamp.isdigit():
        raise NotifyRefused("stale_timestamp", "timestamp is not Unix seconds")
    if abs(now - int(timestamp)) >= MAX_AGE_SECONDS:  # the SDK skips this check
        raise NotifyRefused("stale_timestamp", f"{timestamp} vs now {int(now)}")
    nonce = h.get("NONCE", "")
    if not nonce or not rsa_verify(key, signed_message(timestamp, nonce, body), signature):
        raise NotifyRefused("bad_signature")


def _decrypt(envelope: dict, config: WechatPayConfig) -> dict:
    resource = envelope.get("resource")
    if envelope.get("resource_type") != "encrypt-resource" or not isinstance(resource, dict) \
            or resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise NotifyRefused("malformed", "not an AEAD_AES_256_GCM encrypt-resource",
                            verified=True)
    parts = [resource.get(name) for name in ("nonce", "associated_data", "ciphertext")]
    if parts[1] is None:
        parts[1] = ""  # associated_data may be absent (WECHATPAY.md §5)
    if not all(isinstance(part, str) for part in parts):
        raise NotifyRefused("malformed", "resource fields are not strings", verified=True)
    plain = aes_gcm_decrypt(config.apiv3_key, *parts)
    if plain is None:
        raise NotifyRefused("undecryptable", "AES-GCM tag mismatch", verified=True)
    try:
        data = json.loads(plain)
    except ValueError as exc:
        raise NotifyRefused("malformed", "resource is not JSON", verified=True) from exc
    if not isinstance(data, dict):
        raise NotifyRefused("malformed", "resource is not an object", verified=True)
    return data


def notify_authenticate(headers: Mapping, body: bytes, *, config: WechatPayConfig,
                        now: float | None = None) -> PaymentNotify | RefundNotify:
    """Authenticate a notify POST: signature over the raw body first, then decrypt and check.

    headers: the request's headers (any case) or Django's request.META; body: request.body.
    now: Unix seconds, for tests. Raises only NotifyRefused, whatever the input.
    """
    now = time.time() if now is None else now
    if not isinstance(body, bytes) or len(body) > MAX_BODY_BYTES:
        raise NotifyRefused("malformed", "body is not bytes or too large")
    _authenticate_signature(headers, body, config, now)
    try:
        envelope = json.loads(body)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise NotifyRefused("malformed", "body is not JSON", verified=True) from exc
    if not isinstance(envelope, dict):
        raise NotifyRefused("malformed", "body is not an object", verified=True)
    event_type, notify_id = envelope.get("event_type"), envelope.get("id")
    if not isinstance(notify_id, str) or not isinstance(event_type, str):
        raise NotifyRefused("malformed", "id or event_type missing", verified=True)
    if event_type not in PAYMENT_EVENTS | REFUND_EVENTS:
        raise NotifyRefused("unknown_event_type", event_type[:64], verified=True)
    data = _decrypt(envelope, config)
    if data.get("mchid") != config.mchid:
        raise NotifyRefused("foreign_mchid", repr(data.get("mchid"))[:40], verified=True)
    try:
        if event_type in PAYMENT_EVENTS:
            if data.get("appid") != config.appid:
                raise NotifyRefused("foreign_appid", repr(data.get("appid"))[:40], verified=True)
            return _payment(data, notify_id, event_type)
        return _refund(data, notify_id, event_type)
    except AnswerError as exc:
        raise NotifyRefused("malformed", str(exc), verified=True) from exc


def _payment(data: dict, notify_id: str, event_type: str) -> PaymentNotify:
    total = fen(data.get("amount"), "total")
    state = text(data, "trade_state")
    if state != "SUCCESS" or total < 1:
        raise AnswerError(f"TRANSACTION.SUCCESS with trade_state {state} and total {total}")
    return PaymentNotify(out_trade_no=text(data, "out_trade_no"),
                         transaction_id=text(data, "transaction_id"), trade_state=state,
                         total_fen=total, amount=fen_to_yuan(total),
                         paid_at=moment(data, "success_time"), notify_id=notify_id,
                         event_type=event_type, raw=data)


def _refund(data: dict, notify_id: str, event_type: str) -> RefundNotify:
    status = text(data, "refund_status")
    if event_type != f"REFUND.{status}":
        raise AnswerError(f"{event_type} with refund_status {status}")
    amount = data.get("amount")
    return RefundNotify(out_trade_no=text(data, "out_trade_no"),
                        out_refund_no=text(data, "out_refund_no"),
                        refund_id=text(data, "refund_id"), refund_status=status,
                        refund_fen=fen(amount, "refund"), total_fen=fen(amount, "total"),
                        success_at=moment(data, "success_time"), notify_id=notify_id,
                        event_type=event_type, raw=data)
