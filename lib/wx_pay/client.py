"""WechatPayClient: the only module that calls the `wechatpayv3` SDK; data in, typed results out.

The SDK is used unmodified. Its gateway is hard-coded, so it is replaced on the SDK's Core
right after construction (`_set_gateway`, the one place). Every SDK call goes through `_call`,
which maps every failure to WechatPayError: WeChat's error JSON keeps its code; a network
error, a timeout, a 5xx, or a 2xx the SDK could not verify is `unknown` (conclude nothing).

    client = WechatPayClient(config, on_call=lambda api, seconds, error_code: ...)
    code_url = client.native(out_trade_no=..., description=..., total_fen=9900,
                             time_expire=aware_dt)
    tx = client.query("O123")          # Transaction | None (ORDER_NOT_EXIST)
    client.close("O123")               # OrderPaidError if paid meanwhile: settle instead
    refund = client.refund(out_trade_no=..., out_refund_no=..., refund_fen=..., total_fen=...)
    csv_bytes = client.trade_bill(date(2024, 1, 2))
"""
import hashlib
import json
import logging
import re
import time
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests
from wechatpayv3 import WeChatPay, WeChatPayType

from . import errors
from .config import WechatPayConfig
from .errors import WechatPayError
from .results import AnswerError, Refund, Transaction
from .times import to_rfc3339

log = logging.getLogger(__name__)

OUT_TRADE_NO = re.compile(r"[0-9A-Za-z_\-|*]{6,32}")
OUT_REFUND_NO = re.compile(r"[0-9A-Za-z_\-|*@]{1,64}")
BILL_MAX_BYTES = 200 * 1024 * 1024  # a day's CSV; anything larger is not a bill (gzip bomb)

# on_call(api, seconds, error_code or None): latency and error metrics; lib/ cannot import utils.
CallHook = Callable[[str, float, str | None], None]


class OrderPaidError(WechatPayError):
    """close() was refused because the order is paid: the app should settle it, not cancel."""

    def __init__(self, message="", status=None):
        super().__init__(errors.ORDER_PAID, message, status=status)


def _check(pattern: re.Pattern, name: str, value: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{name} does not match {pattern.pattern}: {value!r}")
    return value


def _check_fen(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int of at least 1 fen: {value!r}")
    return value


class WechatPayClient:
    """One merchant's WeChat Pay API v3 calls. Build once per process (key parsing is slow)."""

    def __init__(self, config: WechatPayConfig, *, on_call: CallHook | None = None):
        self.config = config
        self._on_call = on_call
        if not config.public_key_mode and not any(Path(config.cert_dir).glob("*.pem")):
            # The SDK would fetch certificates from the hard-coded host while constructing.
            raise WechatPayError("NO_PLATFORM_CERTIFICATE",
                                 f"no platform certificate in {config.cert_dir}; run "
                                 "download_platform_certificates(config) first", unknown=True)
        self._sdk = WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE, mchid=config.mchid,
            private_key=config.private_key_pem, cert_serial_no=config.cert_serial_no,
            appid=config.appid, apiv3_key=config.apiv3_key, notify_url=config.notify_url,
            cert_dir=config.cert_dir, logger=None, timeout=config.timeout,
            public_key=config.public_key_pem, public_key_id=config.public_key_id)
        self._set_gateway(config.gateway)

    def _set_gateway(self, gateway: str) -> None:
        # The SDK has no gateway parameter: WECHATPAY.md §7, `Core._gate_way`.
        self._sdk._core._gate_way = gateway.rstrip("/")

    # -- plumbing ---------------------------------------------------------------------------

    def _call(self, api: str, method, *args, **kwargs) -> tuple[int, object]:
        """(status, parsed JSON or bytes) of a 2xx answer; WechatPayError for everything else."""
        started, code = time.monotonic(), None
        try:
            status, body = self._sdk_call(api, method, *args, **kwargs)
            if not 200 <= status < 300:
                raise _error_from_answer(status, body)
            return status, body
        except WechatPayError as exc:
            code = exc.code
            raise
        finally:
            if self._on_call is not None:
                try:
                    self._on_call(api, time.monotonic() - started, code)
                except Exception:  # metrics must never break a payment
                    log.exception("wechat pay on_call hook failed")

    @staticmethod
    def _sdk_call(api, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except requests.RequestException as exc:  # timeout, refused, TLS, reset
            raise WechatPayError("TRANSPORT", f"{api}: {exc}"[:500], unknown=True) from exc
        except Exception as exc:  # the SDK raises bare Exception for an unverifiable 2xx
            message = str(exc)[:500]
            code = "BAD_SIGNATURE" if ("signature" in message or "algorithm" in message) \
                else "BAD_ANSWER"
            raise WechatPayError(code, f"{api}: {message}", unknown=True) from exc

    def _json(self, api, method, *args, **kwargs) -> dict:
        status, body = self._call(api, method, *args, **kwargs)
        try:
            data = json.loads(body)
        except (TypeError, ValueError) as exc:
            raise WechatPayError("BAD_ANSWER", f"{api}: answer is not JSON", status=status,
                                 unknown=True) from exc
        if not isinstance(data, dict):
            raise WechatPayError("BAD_ANSWER", f"{api}: answer is not an object", status=status,
                                 unknown=True)
        return data

    def _prepay(self, api, pay_type, *, out_trade_no, description, total_fen, time_expire,
                notify_url, scene_info=None) -> dict:
        _check(OUT_TRADE_NO, "out_trade_no", out_trade_no)
        if not isinstance(description, str) or not 0 < len(description) <= 127:
            raise ValueError("description must be 1-127 characters")
        return self._json(api, self._sdk.pay, description=description, out_trade_no=out_trade_no,
                          amount={"total": _check_fen("total_fen", total_fen), "currency": "CNY"},
                          time_expire=to_rfc3339(time_expire), scene_info=scene_info,
                          notify_url=notify_url or self.config.notify_url, pay_type=pay_type)

    # -- payments ---------------------------------------------------------------------------

    def native(self, *, out_trade_no: str, description: str, total_fen: int,
               time_expire: datetime, notify_url: str | None = None) -> str:
        """Native (QR) prepay: the `code_url` to show as a QR code (weixin://wxpay/bizpayurl?…)."""
        data = self._prepay("native", WeChatPayType.NATIVE, out_trade_no=out_trade_no,
                            description=description, total_fen=total_fen,
                            time_expire=time_expire, notify_url=notify_url)
        return _url(data, "code_url")

    def h5(self, *, out_trade_no: str, description: str, total_fen: int, time_expire: datetime,
           payer_client_ip: str, notify_url: str | None = None, h5_type: str = "Wap") -> str:
        """H5 prepay for a phone browser: the `h5_url` (valid 5 minutes) to send the buyer to.

        Append `&redirect_url=<urlencoded>` to bring the buyer back after paying.
        """
        if not isinstance(payer_client_ip, str) or not 0 < len(payer_client_ip) <= 45:
            raise ValueError("payer_client_ip must be an IPv4 or IPv6 address")
        data = self._prepay("h5", WeChatPayType.H5, out_trade_no=out_trade_no,
                            description=description, total_fen=total_fen,
                            time_expire=time_expire, notify_url=notify_url,
                            scene_info={"payer_client_ip": payer_client_ip,
                                        "h5_info": {"type": h5_type}})
        return _url(data, "h5_url")

    def query(self, out_trade_no: str) -> Transaction | None:
        """The order as WeChat sees it; None when WeChat has none (ORDER_NOT_EXIST)."""
        _check(OUT_TRADE_NO, "out_trade_no", out_trade_no)
        return self._transaction(out_trade_no=out_trade_no)

    def query_by_transaction_id(self, transaction_id: str) -> Transaction | None:
        """The order by WeChat's transaction_id; None when unknown."""
        if not isinstance(transaction_id, str) or not re.fullmatch(r"[0-9A-Za-z]{1,64}",
                                                                   transaction_id):
            raise ValueError(f"bad transaction_id {transaction_id!r}")
        return self._transaction(transaction_id=transaction_id)

    def _transaction(self, **by) -> Transaction | None:
        try:
            data = self._json("query", self._sdk.query,
                              **{name: _segment(value) for name, value in by.items()})
        except WechatPayError as exc:
            if exc.code == errors.ORDER_NOT_EXIST:
                return None
            raise
        if data.get("mchid") != self.config.mchid or any(data.get(k) != v for k, v in by.items()):
            raise WechatPayError("BAD_ANSWER", "query answered for another order or merchant",
                                 unknown=True)
        return _parse("query", Transaction.from_json, data)

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order (WeChat answers 204). OrderPaidError if it was paid meanwhile.

        Closing an already closed order succeeds again, so a retry is harmless.
        """
        _check(OUT_TRADE_NO, "out_trade_no", out_trade_no)
        try:
            self._call("close", self._sdk.close, out_trade_no=_segment(out_trade_no))
        except WechatPayError as exc:
            if exc.code == errors.ORDER_PAID:
                raise OrderPaidError(exc.message, exc.status) from exc
            raise

    # -- refunds ----------------------------------------------------------------------------

    def refund(self, *, out_trade_no: str, out_refund_no: str, refund_fen: int, total_fen: int,
               reason: str | None = None, notify_url: str | None = None) -> Refund:
        """Ask for a refund; usually PROCESSING now and SUCCESS later (REFUND.* notify).

        The same out_refund_no refunds once however often it is sent.
        """
        _check(OUT_TRADE_NO, "out_trade_no", out_trade_no)
        _check(OUT_REFUND_NO, "out_refund_no", out_refund_no)
        if _check_fen("refund_fen", refund_fen) > _check_fen("total_fen", total_fen):
            raise ValueError("refund_fen exceeds total_fen")
        if reason is not None and len(reason) > 80:
            raise ValueError("reason must be at most 80 characters")
        data = self._json("refund", self._sdk.refund, out_refund_no=out_refund_no,
                          out_trade_no=out_trade_no, reason=reason,
                          notify_url=notify_url or self.config.notify_url,
                          amount={"refund": refund_fen, "total": total_fen, "currency": "CNY"})
        refund = _parse("refund", Refund.from_json, data)
        if refund.out_refund_no != out_refund_no or refund.out_trade_no != out_trade_no:
            raise WechatPayError("BAD_ANSWER", "refund answered for another refund", unknown=True)
        return refund

    def refund_query(self, out_refund_no: str) -> Refund | None:
        """The refund as WeChat sees it; None when WeChat has none (RESOURCE_NOT_EXISTS)."""
        _check(OUT_REFUND_NO, "out_refund_no", out_refund_no)
        try:
            data = self._json("refund_query", self._sdk.query_refund,
                              out_refund_no=_segment(out_refund_no))
        except WechatPayError as exc:
            if exc.code == errors.RESOURCE_NOT_EXISTS:
                return None
            raise
        refund = _parse("refund_query", Refund.from_json, data)
        if refund.out_refund_no != out_refund_no:
            raise WechatPayError("BAD_ANSWER", "refund query answered for another refund",
                                 unknown=True)
        return refund

    # -- bills ------------------------------------------------------------------------------

    def trade_bill(self, bill_date: date, bill_type: str = "ALL") -> bytes:
        """The day's trade bill CSV (UTF-8 with BOM), downloaded, gunzipped and SHA1-checked.

        Parse it with statement.parse_trade_bill. A missing bill is WechatPayError
        NO_STATEMENT_EXIST (a day without trades) or STATEMENT_CREATING (not ready yet).
        """
        if bill_type not in ("ALL", "SUCCESS", "REFUND"):
            raise ValueError("bill_type must be ALL, SUCCESS or REFUND")
        data = self._json("trade_bill", self._sdk.trade_bill, bill_date=bill_date.isoformat(),
                          bill_type=bill_type, tar_type="GZIP")
        url, expected = data.get("download_url"), data.get("hash_value")
        if data.get("hash_type") != "SHA1" or not isinstance(expected, str):
            raise WechatPayError("BAD_ANSWER", "trade bill answer lacks a SHA1 hash", unknown=True)
        _, body = self._call("download_bill", self._sdk.download_bill, self._bill_path(url))
        if not isinstance(body, bytes):
            body = body.encode("utf-8")
        plain = _gunzip(body)
        # The hash covers the decompressed CSV (JAVA BillDownloadServiceExtension, WECHATPAY.md §6).
        if hashlib.sha1(plain).hexdigest().lower() != expected.lower():  # noqa: S324 (WeChat's choice)
            raise WechatPayError("BILL_HASH_MISMATCH", "bill SHA1 does not match", unknown=True)
        return plain

    def _bill_path(self, url) -> str:
        """The download_url as a path on our gateway (the SDK signs path+query only)."""
        gateway = urlsplit(self._sdk._core._gate_way)
        parts = urlsplit(url if isinstance(url, str) else "")
        if (parts.scheme, parts.netloc) != (gateway.scheme, gateway.netloc) or not parts.path:
            raise WechatPayError("BAD_ANSWER", f"download_url is not on the gateway: {url!r}"[:300],
                                 unknown=True)
        return self._sdk._core._gate_way + parts.path + (f"?{parts.query}" if parts.query else "")


def _segment(value: str) -> str:
    """A number as a URL path segment, percent-encoded before the SDK signs the path.

    The SDK signs the path as given, but requests re-quotes `|` to `%7C` when sending, so an
    out_trade_no with `|` would fail WeChat's check; WeChat's own SDKs escape it first
    (wechatpay-go: url.PathEscape). Our numbers' other characters are left as they are.
    """
    return quote(value, safe="-_*@")


def _url(data: dict, name: str) -> str:
    url = data.get(name)
    if not isinstance(url, str) or not 0 < len(url) <= 2048:
        raise WechatPayError("BAD_ANSWER", f"answer lacks {name}", unknown=True)
    return url


def _parse(api, parser, data):
    try:
        return parser(data)
    except AnswerError as exc:
        raise WechatPayError("BAD_ANSWER", f"{api}: {exc}", unknown=True) from exc


def _error_from_answer(status: int, body) -> WechatPayError:
    """WeChat's `{"code","message"}` error; an unreadable one concludes nothing."""
    try:
        data = json.loads(body)
        code, message = data["code"], data.get("message", "")
        if not isinstance(code, str) or not code:
            raise ValueError
    except (TypeError, ValueError, KeyError):
        return WechatPayError(f"HTTP_{status}", str(body)[:200], status=status, unknown=True)
    return WechatPayError(code, str(message)[:500], status=status)


def _gunzip(body: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=31)  # gzip framing
    try:
        plain = inflater.decompress(body, BILL_MAX_BYTES + 1)
    except zlib.error as exc:
        raise WechatPayError("BAD_ANSWER", "bill is not gzip", unknown=True) from exc
    if len(plain) > BILL_MAX_BYTES or not inflater.eof:
        raise WechatPayError("BAD_ANSWER", "bill truncated or larger than 200 MB", unknown=True)
    return plain


def download_platform_certificates(config: WechatPayConfig) -> list[str]:
    """Certificate mode's first start: fetch /v3/certificates from config.gateway into cert_dir.

    The SDK would fetch them from its hard-coded host while constructing; this fetches from
    the configured gateway with the SDK's own request signing. Returns the serials written.
    Like the SDK, the answer itself is not verified (the certificates are what would verify it);
    they are authenticated by decrypting with the APIv3 key.
    """
    from wechatpayv3.utils import aes_decrypt, build_authorization, load_private_key

    path = "/v3/certificates"
    authorization = build_authorization(path, "GET", config.mchid, config.cert_serial_no,
                                        load_private_key(config.private_key_pem))
    try:
        response = requests.get(config.gateway.rstrip("/") + path, timeout=config.timeout,
                                headers={"Authorization": authorization,
                                         "Accept": "application/json"})
        entries = response.json()["data"] if response.status_code == 200 else None
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise WechatPayError("TRANSPORT", f"certificates: {exc}"[:500], unknown=True) from exc
    if not isinstance(entries, list):
        raise _error_from_answer(response.status_code, response.text)
    written = []
    for entry in entries:
        sealed = entry.get("encrypt_certificate") or {}
        pem = aes_decrypt(sealed.get("nonce", ""), sealed.get("ciphertext", ""),
                          sealed.get("associated_data", ""), config.apiv3_key)
        serial = entry.get("serial_no", "")
        if pem and re.fullmatch(r"[0-9A-Fa-f]{1,64}", serial):
            target = Path(config.cert_dir) / f"{quote(serial)}.pem"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(pem)
            written.append(serial)
    if not written:
        raise WechatPayError("BAD_ANSWER", "no certificate could be decrypted", unknown=True)
    return written
