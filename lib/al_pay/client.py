"""The python-alipay-sdk client built once per process from an AlipayConfig, and our calls.

This is the only module that touches the SDK: it fixes the gateway URL and the request
timestamp (the SDK stamps server-local time; Alipay expects Beijing time), signs with
`cryptography` (byte-identical to the SDK's pycryptodomex, several times faster), and turns
every failure into AlipayError. It knows no Django and no app: the configuration is handed
in (AlipayConfig) and so is the metrics hook (`on_call`).

    config = AlipayConfig(app_id=..., private_key_file=..., public_key_file=..., gateway=...)
    trade_query(config, out_trade_no="...")   # dict with code 10000, or AlipayError
"""
import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import urlopen

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from .errors import AlipayError
from .times import format_amount, to_alipay_time

# on_call(api, seconds, error_code or None): latency and error metrics, handed in by the app.
CallHook = Callable[[str, float, str | None], None]


@dataclass(frozen=True)
class AlipayConfig:
    """One app's Alipay settings (keys in files); hashable, so a client is built once for it."""

    app_id: str
    private_key_file: str     # our app's private key: signs requests
    public_key_file: str      # Alipay's public key: verifies callbacks and answers
    gateway: str
    timeout: float = 10
    seller_id: str = ""       # notifies for another merchant are refused when set
    return_url: str = ""
    notify_url: str = ""


def read_pem(path, kind) -> str:
    """Read a key file; accept the bare base64 body Alipay's console shows, too."""
    text = Path(path).read_text().strip()
    if "-----BEGIN" in text:
        return text
    body = re.sub(r"\s+", "", text)
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----"


def _read_private_pem(path) -> str:
    """A bare private key body may be PKCS#8 or PKCS#1 (Alipay's key tool makes either)."""
    pem = read_pem(path, "PRIVATE KEY")
    try:
        serialization.load_pem_private_key(pem.encode(), password=None)
    except ValueError:
        pem = read_pem(path, "RSA PRIVATE KEY")
    return pem


class LuffyAliPay(AliPay):
    """AliPay with Beijing-time timestamps and OpenSSL-backed RSA2."""

    def _load_key(self):
        super()._load_key()
        self._signing_key = serialization.load_pem_private_key(
            self._app_private_key_string.encode(), password=None)
        self._verifying_key = serialization.load_pem_public_key(
            self._alipay_public_key_string.encode())

    def build_body(self, *args, **kwargs):
        data = super().build_body(*args, **kwargs)
        data["timestamp"] = to_alipay_time(datetime.now(UTC))
        return data

    def _sign(self, unsigned_string):
        signature = self._signing_key.sign(unsigned_string.encode(), padding.PKCS1v15(),
                                           hashes.SHA256())
        return base64.b64encode(signature).decode()

    def _get_string_to_be_signed(self, raw_string, response_type):
        """The exact text of the top-level `response_type` object, found the JSON way.

        The SDK counts braces, so a `}` inside a string value (a subject, a message) cuts the
        signed text short and a genuine answer fails to verify. Here each top-level value is
        skipped with the JSON decoder itself; "" (which never verifies) if the key is absent.
        """
        return signed_object_text(raw_string, response_type)

    def _verify(self, raw_content, signature):
        try:
            self._verifying_key.verify(base64.b64decode(signature, validate=False),
                                       raw_content.encode(), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def signed_object_text(raw: str, key: str) -> str:
    """The raw text of the object under top-level `key` in the JSON text `raw`, or ""."""
    try:
        index = _SPACE.match(raw, 0).end()
        if raw[index:index + 1] != "{":
            return ""
        index += 1
        while True:
            index = _SPACE.match(raw, index).end()
            name, index = _DECODER.raw_decode(raw, index)
            index = _SPACE.match(raw, index).end()
            if not isinstance(name, str) or raw[index:index + 1] != ":":
                return ""
            start = _SPACE.match(raw, index + 1).end()  # the value starts after the colon
            value, index = _DECODER.raw_decode(raw, start)
            if name == key:
                return raw[start:index] if isinstance(value, dict) else ""
            index = _SPACE.match(raw, index).end()
            if raw[index:index + 1] != ",":
                return ""
            index += 1
    except (json.JSONDecodeError, IndexError):
        return ""


@lru_cache(maxsize=4)
def _build_client(app_id, private_key_file, public_key_file, gateway, timeout):
    client = LuffyAliPay(appid=app_id, app_private_key_string=_read_private_pem(private_key_file),
                         alipay_public_key_string=read_pem(public_key_file, "PUBLIC KEY"),
                         sign_type="RSA2", config=AliPayConfig(timeout=timeout))
    # The SDK only knows Alipay's two URLs (chosen by `debug`); this is where ours is set.
    client._gateway = gateway
    return client


def get_client(config: AlipayConfig) -> LuffyAliPay:
    """The client for the config; built once per process (key parsing costs ~30 ms)."""
    return _build_client(config.app_id, config.private_key_file, config.public_key_file,
                         config.gateway, config.timeout)


def _callback_urls(config: AlipayConfig) -> dict:
    # Empty URLs break the signature at Alipay; the SDK drops None values.
    return {"return_url": config.return_url or None, "notify_url": config.notify_url or None}


def page_pay_url(config: AlipayConfig, *, out_trade_no: str, subject: str,
                 total_amount: Decimal, time_expire: datetime) -> str:
    """The signed URL of Alipay's desktop cashier page (alipay.trade.page.pay) for this order."""
    client = get_client(config)
    order_string = client.api_alipay_trade_page_pay(
        subject=subject, out_trade_no=out_trade_no, total_amount=format_amount(total_amount),
        time_expire=to_alipay_time(time_expire), **_callback_urls(config))
    return f"{client._gateway}?{order_string}"


def wap_pay_url(config: AlipayConfig, *, out_trade_no: str, subject: str, total_amount: Decimal,
                time_expire: datetime, quit_url: str | None) -> str:
    """The signed URL of Alipay's mobile-web cashier (alipay.trade.wap.pay) for phones.

    The SDK defaults product_code to QUICK_WAP_PAY; Alipay's documented code is QUICK_WAP_WAY.
    quit_url is where the cashier sends a buyer who backs out.
    """
    client = get_client(config)
    order_string = client.api_alipay_trade_wap_pay(
        subject=subject, out_trade_no=out_trade_no, total_amount=format_amount(total_amount),
        time_expire=to_alipay_time(time_expire), product_code="QUICK_WAP_WAY",
        # An empty quit_url would be signed as such; leave it out (the cashier then offers none).
        **({"quit_url": quit_url} if quit_url else {}), **_callback_urls(config))
    return f"{client._gateway}?{order_string}"


def verify_callback(config: AlipayConfig, params: dict) -> bool:
    """Check Alipay's RSA2 signature on a return or notify: every field but sign/sign_type."""
    unsigned = {k: v for k, v in params.items() if k not in ("sign", "sign_type")}
    signature = params.get("sign")
    if not signature or params.get("sign_type", "RSA2") != "RSA2":
        return False
    return get_client(config)._verify(
        "&".join(f"{k}={v}" for k, v in sorted(unsigned.items())), signature)


def _call(config: AlipayConfig, api, *, on_call: CallHook | None = None, **kwargs) -> dict:
    started, code = time.perf_counter(), None
    try:
        return _call_sdk(config, api, **kwargs)
    except AlipayError as exc:
        code = exc.sub_code or exc.code or type(exc).__name__
        raise
    finally:
        if on_call is not None:  # latency and errors for /metrics
            on_call(api.removeprefix("api_"), time.perf_counter() - started, code)


def _call_sdk(config, api, **kwargs) -> dict:
    try:
        result = getattr(get_client(config), api)(**kwargs)
    except AliPayValidationError as exc:
        raise AlipayError("sign", msg="answer signature did not verify", unknown=True) from exc
    except AliPayException as exc:  # an `error_response` or an unsigned answer
        raise AlipayError("error_response", msg=str(exc)[:500], unknown=True) from exc
    except (URLError, OSError, ValueError, json.JSONDecodeError) as exc:
        raise AlipayError("transport", msg=str(exc)[:500], unknown=True) from exc
    if result.get("code") != "10000":
        raise AlipayError(result.get("code", ""), result.get("sub_code", ""),
                          result.get("sub_msg") or result.get("msg", ""))
    return result


def trade_query(config: AlipayConfig, *, out_trade_no: str, on_call=None) -> dict:
    """alipay.trade.query: the trade as Alipay sees it (code 10000 guaranteed)."""
    return _call(config, "api_alipay_trade_query", on_call=on_call, out_trade_no=out_trade_no)


def trade_close(config: AlipayConfig, *, out_trade_no: str, on_call=None) -> dict:
    """alipay.trade.close for an unpaid trade."""
    return _call(config, "api_alipay_trade_close", on_call=on_call, out_trade_no=out_trade_no)


def trade_refund(config: AlipayConfig, *, out_trade_no: str, refund_amount: Decimal,
                 out_request_no: str, on_call=None) -> dict:
    """alipay.trade.refund; the same out_request_no refunds once however often it is sent."""
    return _call(config, "api_alipay_trade_refund", on_call=on_call, out_trade_no=out_trade_no,
                 refund_amount=format_amount(refund_amount), out_request_no=out_request_no)


def bill_download_url(config: AlipayConfig, *, bill_date: date, on_call=None) -> str:
    """alipay.data.dataservice.bill.downloadurl.query for the day's trade statement (Beijing day).

    The answer is a URL valid for about 30 s: download it at once (statement_download).
    """
    answer = _call(config, "server_api", on_call=on_call,
                   api_name="alipay.data.dataservice.bill.downloadurl.query",
                   biz_content={"bill_type": "trade", "bill_date": bill_date.isoformat()})
    url = answer.get("bill_download_url") or ""
    if urlsplit(url).scheme not in ("http", "https"):
        raise AlipayError("bad_answer", msg="no usable bill_download_url", unknown=True)
    return url


STATEMENT_MAX_BYTES = 50 * 1024 * 1024


def statement_download(config: AlipayConfig, url: str) -> bytes:
    """The statement zip behind a bill_download_url (plain HTTP GET, no signature)."""
    try:
        with urlopen(url, timeout=config.timeout) as response:  # noqa: S310 (http(s) checked above)
            body = response.read(STATEMENT_MAX_BYTES + 1)
    except (URLError, OSError, ValueError) as exc:
        raise AlipayError("transport", msg=str(exc)[:500], unknown=True) from exc
    if len(body) > STATEMENT_MAX_BYTES:
        raise AlipayError("too_large", msg="statement larger than 50 MB", unknown=True)
    return body
