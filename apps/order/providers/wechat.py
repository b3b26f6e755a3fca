"""WechatProvider: lib/wx_pay (WeChat Pay API v3) behind the provider seam.

Native (a QR code's code_url, desktops) and H5 (h5_url, phone browsers); JSON notifies signed
in Wechatpay-* headers with an AES-GCM encrypted resource; asynchronous refunds; the trade
bill. Amounts are integer fen on the wire and Decimal yuan here, converted exactly.
"""
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from lib.wx_pay import errors as wx_errors
from lib.wx_pay.client import OrderPaidError, WechatPayClient
from lib.wx_pay.config import WechatPayConfig
from lib.wx_pay.errors import WechatPayError
from lib.wx_pay.money import fen_to_yuan, yuan_to_fen
from lib.wx_pay.notify import NotifyRefused as WechatNotifyRefused
from lib.wx_pay.notify import PaymentNotify, notify_authenticate, wechatpay_headers
from lib.wx_pay.results import CLOSED, NOTPAY, PAYERROR, REFUND, REVOKED, SUCCESS, USERPAYING
from lib.wx_pay.statement import TradeBillFormatError, parse_trade_bill
from utils.metrics import provider_call

from ..constants import PROVIDER_CHANNELS, Outcome, PayChannel, PayType
from .base import (
    Bill,
    BillError,
    BillLine,
    Checkout,
    NotifyRefused,
    NotifyRequest,
    PaymentProvider,
    ProviderError,
    RefundFact,
    RefundState,
    Trade,
    TradeState,
)

_STATES = {SUCCESS: TradeState.PAID, REFUND: TradeState.PAID, CLOSED: TradeState.CLOSED,
           REVOKED: TradeState.CLOSED, NOTPAY: TradeState.WAITING,
           USERPAYING: TradeState.WAITING, PAYERROR: TradeState.OTHER}
_REFUND_STATES = {"SUCCESS": RefundState.REFUNDED, "PROCESSING": RefundState.PROCESSING,
                  "ABNORMAL": RefundState.FAILED, "CLOSED": RefundState.FAILED}
# lib/wx_pay's refusal reasons in the shop's outcome words.
_REFUSALS = {"foreign_appid": Outcome.FOREIGN_APP_ID, "malformed": Outcome.UNPARSABLE}
# Marks the result page's URL as WeChat's H5 return (luffycity/src/composables/usePayResult.js).
H5_RETURN_VIA = "wechat_h5"


def _with_query(url, **params):
    """`url` with `params` added to its query (a configured URL may carry one of its own)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def wechat_config() -> WechatPayConfig:
    """lib/wx_pay's configuration, from the settings (lib/ reads none itself)."""
    return _build_config(
        settings.WECHATPAY_MCHID, settings.WECHATPAY_APPID, settings.WECHATPAY_PRIVATE_KEY_FILE,
        settings.WECHATPAY_CERT_SERIAL_NO, settings.WECHATPAY_APIV3_KEY,
        settings.WECHATPAY_PUBLIC_KEY_FILE if not settings.WECHATPAY_CERT_DIR else "",
        settings.WECHATPAY_PUBLIC_KEY_ID if not settings.WECHATPAY_CERT_DIR else "",
        settings.WECHATPAY_CERT_DIR, settings.WECHATPAY_NOTIFY_URL, settings.WECHATPAY_GATEWAY,
        settings.WECHATPAY_TIMEOUT_SECONDS)


@lru_cache(maxsize=4)
def _build_config(mchid, appid, private_key_file, serial, apiv3_key, public_key_file,
                  public_key_id, cert_dir, notify_url, gateway, timeout) -> WechatPayConfig:
    public_key = Path(public_key_file).read_text() if public_key_file else None
    return WechatPayConfig(
        mchid=mchid, appid=appid, private_key_pem=Path(private_key_file).read_text(),
        cert_serial_no=serial, apiv3_key=apiv3_key, notify_url=notify_url, gateway=gateway,
        public_key_pem=public_key, public_key_id=public_key_id or None,
        cert_dir=cert_dir or None, timeout=timeout)


def _on_call(api, seconds, error_code):
    provider_call("wechat", api, seconds, error_code)


@lru_cache(maxsize=4)
def _build_client(config: WechatPayConfig) -> WechatPayClient:
    return WechatPayClient(config, on_call=_on_call)


def _client() -> WechatPayClient:
    """The client for the current settings, built once per process (key parsing is slow)."""
    return _build_client(wechat_config())


def _error(exc: WechatPayError) -> ProviderError:
    return ProviderError(exc.code, exc.message, unknown=exc.unknown,
                         not_exist=exc.code in (wx_errors.ORDER_NOT_EXIST,
                                                wx_errors.RESOURCE_NOT_EXISTS),
                         not_closable=isinstance(exc, OrderPaidError) or exc.order_paid,
                         number_used=exc.code == wx_errors.OUT_TRADE_NO_USED)


def _calling(method, *args, **kwargs):
    try:
        return method(*args, **kwargs)
    except WechatPayError as exc:
        raise _error(exc) from exc
    except (OSError, ValueError) as exc:  # key files, our own arguments
        raise ProviderError("config", str(exc)[:200], unknown=True) from exc


def _refund_fact(refund, *, notify_id="") -> RefundFact:
    return RefundFact(state=_REFUND_STATES.get(refund.status, RefundState.PROCESSING),
                      out_trade_no=refund.out_trade_no, out_refund_no=refund.out_refund_no,
                      amount=fen_to_yuan(refund.refund_fen), notify_id=notify_id,
                      params=refund.raw)


class WechatProvider(PaymentProvider):
    """WeChat Pay API v3: Native (QR code) for desktops, H5 for phone browsers."""

    pay_type = PayType.WECHAT
    name = "wechat"
    label = "微信支付"
    channels = PROVIDER_CHANNELS["wechat"]
    notify_path = "/api/order/notify/wechat/"
    statement_dates_refunds_by_request = True

    def checkout(self, *, order, channel, course_ids, client_ip) -> Checkout:
        client = _calling(_client)
        fields = dict(out_trade_no=order.out_trade_no, description=order.subject[:127],
                      total_fen=yuan_to_fen(order.total_amount), time_expire=order.expire_time)
        if channel == PayChannel.H5:
            h5_url = _calling(client.h5, **fields, payer_client_ip=client_ip or "127.0.0.1")
            # WeChat sends the phone's browser back here whether the buyer paid, cancelled or
            # closed its page, and says nothing about which. `via` lets the result page ask the
            # buyer (WeChat's H5 guidance) instead of waiting: it only changes the page's words.
            result = _with_query(settings.WECHATPAY_REDIRECT_URL,
                                 out_trade_no=order.out_trade_no, via=H5_RETURN_VIA)
            return Checkout(pay_url=f"{h5_url}&redirect_url={quote(result, safe='')}")
        code_url = _calling(client.native, **fields)
        return Checkout(pay_url=code_url, code_url=code_url)

    def notify_authenticate(self, request: NotifyRequest):
        try:
            config = wechat_config()
        except (OSError, ValueError) as exc:  # misconfigured: refuse, WeChat retries later
            raise NotifyRefused(Outcome.UNKNOWN, verified=False, detail=str(exc)[:200]) from exc
        try:
            notify = notify_authenticate(request.headers, request.body, config=config)
        except WechatNotifyRefused as refused:
            reason = _REFUSALS.get(refused.reason, refused.reason)
            raise NotifyRefused(reason, verified=refused.verified,
                                detail=refused.detail) from refused
        if isinstance(notify, PaymentNotify):
            return Trade(state=TradeState.PAID, out_trade_no=notify.out_trade_no,
                         trade_no=notify.transaction_id, amount=notify.amount,
                         paid_at=notify.paid_at, status_text=notify.trade_state,
                         notify_id=notify.notify_id, params=notify.raw)
        return RefundFact(state=_REFUND_STATES[notify.refund_status],
                          out_trade_no=notify.out_trade_no, out_refund_no=notify.out_refund_no,
                          amount=fen_to_yuan(notify.refund_fen), notify_id=notify.notify_id,
                          params=notify.raw)

    def notify_answer(self, *, handled: bool, reason: str = ""):
        if handled:  # 2xx without a body: WeChat stops re-sending
            return HttpResponse(status=204)
        # 4xx/5xx with WeChat's error shape: it re-sends (15 s, 15 s, 30 s, 3 m, ...).
        status = 500 if reason == "error" else 400
        return JsonResponse({"code": "FAIL", "message": reason or "refused"}, status=status)

    def notify_params(self, request: NotifyRequest) -> dict:
        return {"headers": wechatpay_headers(request.headers),
                "body": request.body[:4096].decode("utf-8", "replace")}

    def query(self, *, out_trade_no) -> Trade:
        transaction = _calling(lambda: _client().query(out_trade_no))
        if transaction is None:
            raise ProviderError(wx_errors.ORDER_NOT_EXIST, "WeChat has no such order",
                                not_exist=True)
        return Trade(state=_STATES.get(transaction.trade_state, TradeState.OTHER),
                     out_trade_no=transaction.out_trade_no,
                     trade_no=transaction.transaction_id or "", amount=transaction.amount,
                     paid_at=transaction.success_time, status_text=transaction.trade_state,
                     params=transaction.raw)

    def close(self, *, out_trade_no) -> dict:
        _calling(lambda: _client().close(out_trade_no))
        return {"out_trade_no": out_trade_no, "closed": True}

    def refund(self, *, out_trade_no, out_refund_no, amount: Decimal,
               total: Decimal) -> RefundFact:
        refund = _calling(lambda: _client().refund(
            out_trade_no=out_trade_no, out_refund_no=out_refund_no,
            refund_fen=yuan_to_fen(amount), total_fen=yuan_to_fen(total)))
        return _refund_fact(refund)

    def refund_query(self, *, out_trade_no, out_refund_no) -> RefundFact | None:
        refund = _calling(lambda: _client().refund_query(out_refund_no))
        return None if refund is None else _refund_fact(refund)

    def statement(self, *, bill_date: date) -> Bill:
        try:
            data = _calling(lambda: _client().trade_bill(bill_date))
        except ProviderError as exc:
            if exc.code == "NO_STATEMENT_EXIST":  # no trade at all that day
                return Bill(lines=[], trade_count=0, refund_count=0, net_amount=Decimal("0.00"))
            raise
        try:
            bill = parse_trade_bill(data)
        except TradeBillFormatError as exc:
            raise BillError(str(exc)) from exc
        lines = [BillLine(
            kind=row.kind, trade_no=row.transaction_id, out_trade_no=row.out_trade_no,
            out_request_no=row.out_request_no, subject=row.description,
            created_at=row.trade_time, finished_at=row.trade_time, amount=row.amount,
            receipt_amount=(-row.refund_amount if row.kind == "refund"
                            else row.settlement_amount), raw=row.raw) for row in bill.rows]
        refunds = sum(1 for line in lines if line.kind == "refund")
        return Bill(lines=lines, trade_count=len(lines) - refunds, refund_count=refunds,
                    net_amount=bill.settlement_total - (bill.refund_total or Decimal("0.00")),
                    files=[f"wechat-tradebill-{bill_date.isoformat()}-{bill.bill_type}.csv"])

    def health(self) -> bool:
        try:
            _client()
        except (OSError, ValueError, WechatPayError):
            return False
        return True
