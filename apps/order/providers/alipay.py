"""AlipayProvider: lib/al_pay behind the provider seam (page/wap cashiers, RSA2 notifies)."""
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpResponse

from lib.al_pay import client as alipay
from lib.al_pay.client import AlipayConfig
from lib.al_pay.errors import AlipayError
from lib.al_pay.notify import NotifyRefused as AlipayNotifyRefused
from lib.al_pay.notify import alipay_time_of, notify_authenticate
from lib.al_pay.statement import StatementFormatError, parse_statement
from lib.al_pay.times import parse_amount
from utils.metrics import provider_call

from ..constants import PROVIDER_CHANNELS, PayChannel, PayType
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

_STATES = {"TRADE_SUCCESS": TradeState.PAID, "TRADE_FINISHED": TradeState.PAID,
           "TRADE_CLOSED": TradeState.CLOSED, "WAIT_BUYER_PAY": TradeState.WAITING}


def alipay_config() -> AlipayConfig:
    """lib/al_pay's configuration, from the settings (lib/ reads none itself)."""
    return AlipayConfig(
        app_id=settings.ALIPAY_APP_ID, private_key_file=settings.ALIPAY_APP_PRIVATE_KEY_FILE,
        public_key_file=settings.ALIPAY_PUBLIC_KEY_FILE, gateway=settings.ALIPAY_GATEWAY,
        timeout=settings.ALIPAY_TIMEOUT_SECONDS, seller_id=settings.ALIPAY_SELLER_ID,
        return_url=settings.ALIPAY_RETURN_URL, notify_url=settings.ALIPAY_NOTIFY_URL)


def _on_call(api, seconds, error_code):
    provider_call("alipay", api, seconds, error_code)


def _error(exc: AlipayError) -> ProviderError:
    return ProviderError(exc.sub_code or exc.code, exc.msg, unknown=exc.unknown,
                         not_exist=exc.trade_not_exist,
                         # paid, or closed after payment: a query tells which
                         not_closable=exc.sub_code == "ACQ.TRADE_STATUS_ERROR",
                         params={"code": exc.code, "sub_code": exc.sub_code})


def _trade(answer: dict, *, out_trade_no, notify_id="", amount_field="total_amount",
           paid_at=None) -> Trade:
    status = str(answer.get("trade_status", ""))
    return Trade(state=_STATES.get(status, TradeState.OTHER),
                 out_trade_no=str(answer.get("out_trade_no") or out_trade_no),
                 trade_no=str(answer.get("trade_no", "")),
                 amount=parse_amount(answer.get(amount_field)), paid_at=paid_at,
                 status_text=status, notify_id=notify_id, params=answer)


class AlipayProvider(PaymentProvider):
    """Alipay: the desktop (page) and mobile-web (wap) cashiers, synchronous refunds."""

    pay_type = PayType.ALIPAY
    name = "alipay"
    label = "支付宝"
    channels = PROVIDER_CHANNELS["alipay"]
    notify_path = "/api/order/success/"

    def checkout(self, *, order, channel, course_ids, client_ip) -> Checkout:
        fields = dict(out_trade_no=order.out_trade_no, subject=order.subject,
                      total_amount=order.total_amount, time_expire=order.expire_time)
        if channel != PayChannel.WAP:
            return Checkout(pay_url=alipay.page_pay_url(alipay_config(), **fields))
        # A phone buyer who backs out of the cashier returns to the course page.
        page = f"/course/{course_ids[0]}" if len(course_ids) == 1 else "/courses"
        site = settings.ALIPAY_RETURN_URL  # the SPA's origin, where Alipay sends the browser
        return Checkout(pay_url=alipay.wap_pay_url(
            alipay_config(), **fields, quit_url=urljoin(site, page) if site else None))

    def notify_authenticate(self, request: NotifyRequest) -> Trade:
        params = request.form or {}
        try:
            notify = notify_authenticate(alipay_config(), params)
        except AlipayNotifyRefused as refused:
            raise NotifyRefused(refused.reason, verified=refused.verified) from refused
        return Trade(state=_STATES.get(notify.trade_status, TradeState.OTHER),
                     out_trade_no=notify.out_trade_no, trade_no=notify.trade_no,
                     amount=notify.total_amount, paid_at=notify.paid_at,
                     status_text=notify.trade_status, notify_id=notify.notify_id, params=params)

    def notify_answer(self, *, handled: bool, reason: str = ""):
        # Exactly these 7 bytes, plain text: anything else makes Alipay send the notify again.
        return HttpResponse(b"success" if handled else b"failure", content_type="text/plain")

    def query(self, *, out_trade_no) -> Trade:
        try:
            answer = alipay.trade_query(alipay_config(), out_trade_no=out_trade_no,
                                        on_call=_on_call)
        except AlipayError as exc:
            raise _error(exc) from exc
        return _trade(answer, out_trade_no=out_trade_no,
                      paid_at=alipay_time_of(answer, "send_pay_date"))

    def close(self, *, out_trade_no) -> dict:
        try:
            return alipay.trade_close(alipay_config(), out_trade_no=out_trade_no,
                                      on_call=_on_call)
        except AlipayError as exc:
            raise _error(exc) from exc

    def refund(self, *, out_trade_no, out_refund_no, amount: Decimal,
               total: Decimal) -> RefundFact:
        try:
            answer = alipay.trade_refund(alipay_config(), out_trade_no=out_trade_no,
                                         refund_amount=amount, out_request_no=out_refund_no,
                                         on_call=_on_call)
        except AlipayError as exc:
            raise _error(exc) from exc
        # Alipay refunds at once; a repeated out_request_no moves no money (fund_change "N").
        return RefundFact(state=RefundState.REFUNDED, out_trade_no=out_trade_no,
                          out_refund_no=out_refund_no, amount=amount,
                          moved=answer.get("fund_change") == "Y", params=answer)

    def refund_query(self, *, out_trade_no, out_refund_no) -> RefundFact | None:
        return None  # Alipay's refunds never stay processing: nothing to ask later

    def statement(self, *, bill_date: date) -> Bill:
        try:
            config = alipay_config()
            url = alipay.bill_download_url(config, bill_date=bill_date, on_call=_on_call)
            data = alipay.statement_download(config, url)
        except AlipayError as exc:
            if exc.sub_code == "isp.bill_not_exist":  # no trade at all that day
                return Bill(lines=[], trade_count=0, refund_count=0, net_amount=Decimal("0.00"))
            raise _error(exc) from exc
        try:
            statement = parse_statement(data)
        except StatementFormatError as exc:
            raise BillError(str(exc)) from exc
        return Bill(lines=[BillLine(
            kind=line.kind, trade_no=line.trade_no, out_trade_no=line.out_trade_no,
            out_request_no=line.out_request_no, subject=line.subject, created_at=line.created_at,
            finished_at=line.finished_at, amount=line.amount, receipt_amount=line.receipt_amount,
            raw=line.raw) for line in statement.lines],
            trade_count=statement.trade_count, refund_count=statement.refund_count,
            net_amount=statement.net_amount, files=statement.files)

    def return_verify(self, params: dict) -> bool:
        return (alipay.verify_callback(alipay_config(), params)
                and params.get("app_id") == settings.ALIPAY_APP_ID)

    def health(self) -> bool:
        try:
            alipay.get_client(alipay_config())
        except (OSError, ValueError):
            return False
        return True
