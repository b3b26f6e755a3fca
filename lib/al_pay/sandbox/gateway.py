"""Alipay's gateway.do semantics: request authentication, page and wap pay, cashier actions,
query/close/refund, and the daily statement's download URL."""
import json
import re
import urllib.parse
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from . import signing, statement, times
from .store import TradeError

PAGE_PAY = "alipay.trade.page.pay"
WAP_PAY = "alipay.trade.wap.pay"
# The browser-facing cashiers and the product_code each one requires.
CASHIER_METHODS = {PAGE_PAY: "FAST_INSTANT_TRADE_PAY", WAP_PAY: "QUICK_WAP_WAY"}
BILL_QUERY = "alipay.data.dataservice.bill.downloadurl.query"
API_METHODS = ("alipay.trade.query", "alipay.trade.close", "alipay.trade.refund", BILL_QUERY)
MIN_AMOUNT, MAX_AMOUNT = Decimal("0.01"), Decimal("100000000")
_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
_TRADE_NO = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_TIMEOUT_EXPRESS = re.compile(r"^(\d{1,5})([mhd])$")


class GatewayError(Exception):
    """An Alipay error answer: code/msg plus sub_code/sub_msg."""

    def __init__(self, code, msg, sub_code, sub_msg):
        super().__init__(sub_code)
        self.code, self.msg, self.sub_code, self.sub_msg = code, msg, sub_code, sub_msg

    def as_dict(self) -> dict:
        return {"code": self.code, "msg": self.msg, "sub_code": self.sub_code, "sub_msg": self.sub_msg}


def missing(sub_code, sub_msg):
    return GatewayError("40001", "Missing Required Arguments", sub_code, sub_msg)


def invalid(sub_code, sub_msg):
    return GatewayError("40002", "Invalid Arguments", sub_code, sub_msg)


def business(error: TradeError):
    return GatewayError("40004", "Business Failed", error.sub_code, error.sub_msg)


def system_error():
    return GatewayError("20000", "Service Currently Unavailable", "ACQ.SYSTEM_ERROR", "系统繁忙")


def parse_params(pairs: list[tuple[str, str]]) -> dict:
    """Gateway parameters from decoded (key, value) pairs; a repeated key is ambiguous to sign."""
    params = {}
    for key, value in pairs:
        if key in params:
            raise invalid("isv.invalid-parameter", f"参数重复: {key}")
        params[key] = value
    return params


def response_key(params: dict) -> str:
    method = params.get("method")
    if method in API_METHODS:
        return method.replace(".", "_") + "_response"
    return "error_response"


def parse_amount(value, field) -> Decimal:
    # The SDK passes whatever the merchant gave; Alipay wants at most two decimals.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise invalid("isv.invalid-parameter", f"{field} 格式错误")
    text = value if isinstance(value, str) else repr(value)
    if not _AMOUNT.match(text):
        raise invalid("isv.invalid-parameter", f"{field} 格式错误: {text[:20]}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise invalid("isv.invalid-parameter", f"{field} 格式错误") from None
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise invalid("isv.invalid-parameter", f"{field} 超出范围 0.01~100000000")
    return amount


def _text(biz, field, required=True, limit=256) -> str | None:
    value = biz.get(field)
    if value is None or value == "":
        if required:
            raise missing("isv.missing-parameter", f"缺少必选参数 {field}")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise invalid("isv.invalid-parameter", f"{field} 格式错误")
    return value


def _url(params, field) -> str | None:
    value = params.get(field) or None
    if value is not None and (not isinstance(value, str)
                              or urllib.parse.urlsplit(value).scheme not in ("http", "https")):
        raise invalid("isv.invalid-parameter", f"{field} 必须是 http(s) 地址")
    return value


def _trade_keys(biz) -> tuple[str | None, str | None]:
    out_trade_no, trade_no = _text(biz, "out_trade_no", False, 64), _text(biz, "trade_no", False, 64)
    if not out_trade_no and not trade_no:
        raise missing("isv.missing-parameter", "out_trade_no 和 trade_no 不能同时为空")
    return out_trade_no, trade_no


class Gateway:
    def __init__(self, *, store, faults, notifier, private_key, app_id, app_public_key, seller_id):
        self.store, self.faults, self.notifier = store, faults, notifier
        self.private_key, self.app_public_key = private_key, app_public_key
        self.app_id, self.seller_id = app_id, seller_id
        self.bills = statement.Bills()
        self.base_url = ""  # set by the server once it listens: statement URLs point at it

    # -- authentication -------------------------------------------------------------------------

    def authenticate(self, params: dict) -> dict:
        """Check the common parameters and the merchant's RSA2 signature; return biz_content."""
        method = params.get("method")
        if not method:
            raise missing("isv.missing-method", "缺少方法名参数")
        if method not in CASHIER_METHODS and method not in API_METHODS:
            raise invalid("isv.invalid-method", f"不存在的方法名: {method[:64]}")
        if not params.get("app_id"):
            raise missing("isv.missing-app-id", "缺少AppID参数")
        if params["app_id"] != self.app_id:
            raise invalid("isv.invalid-app-id", "无效的AppID参数")
        if not params.get("sign"):
            raise missing("isv.missing-signature", "缺少签名参数")
        if not params.get("sign_type"):
            raise missing("isv.missing-signature-type", "缺少签名类型参数")
        if params["sign_type"] != "RSA2":
            raise invalid("isv.invalid-signature-type", "无效的签名类型（沙箱只支持 RSA2）")
        if not signing.verify(self.app_public_key, signing.request_string(params), params["sign"]):
            raise invalid("isv.invalid-signature",
                          "验签出错，建议检查签名字符串或签名私钥与应用公钥证书是否匹配")
        if not params.get("timestamp"):
            raise missing("isv.missing-timestamp", "缺少时间戳参数")
        # Loose on purpose: the SDK stamps server-local time, so no skew check.
        if times.parse(params["timestamp"]) is None:
            raise invalid("isv.invalid-timestamp", "非法的时间戳参数")
        if params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise invalid("isv.invalid-charset", "沙箱只支持 utf-8 字符集")
        if not params.get("biz_content"):
            raise missing("isv.missing-parameter", "缺少必选参数 biz_content")
        try:
            biz = json.loads(params["biz_content"])
        except ValueError:
            raise invalid("isv.invalid-parameter", "biz_content 不是合法的 JSON") from None
        if not isinstance(biz, dict):
            raise invalid("isv.invalid-parameter", "biz_content 必须是 JSON 对象")
        return biz

    # -- page pay and cashier -------------------------------------------------------------------

    def open_cashier(self, params: dict) -> dict:
        """page.pay or wap.pay: validate and create (or re-show) the trade for the cashier."""
        method = params.get("method")
        if method not in CASHIER_METHODS:
            raise invalid("isv.invalid-method", "收银台只接受 alipay.trade.page.pay / wap.pay")
        biz = self.authenticate(params)
        out_trade_no = _text(biz, "out_trade_no", limit=64)
        if not _TRADE_NO.match(out_trade_no):
            raise invalid("isv.invalid-parameter", "out_trade_no 只能包含字母、数字、下划线")
        subject = _text(biz, "subject")
        if "total_amount" not in biz:
            raise missing("isv.missing-parameter", "缺少必选参数 total_amount")
        total_amount = parse_amount(biz["total_amount"], "total_amount")
        product_code = CASHIER_METHODS[method]
        if _text(biz, "product_code", limit=64) != product_code:
            raise invalid("isv.invalid-parameter", f"product_code 必须是 {product_code}")
        quit_url = _url(biz, "quit_url") if method == WAP_PAY else None
        time_expire = self._time_expire(biz, out_trade_no)
        if time_expire is not None and time_expire <= times.now():
            raise business(TradeError("ACQ.TRADE_HAS_CLOSE", "交易已过期 (time_expire 已过)"))
        try:
            return self.store.open_trade(
                out_trade_no=out_trade_no, subject=subject, total_amount=total_amount,
                app_id=self.app_id, seller_id=self.seller_id,
                notify_url=_url(params, "notify_url"), return_url=_url(params, "return_url"),
                time_expire=None if time_expire is None else times.fmt(time_expire),
                method=method, quit_url=quit_url)
        except TradeError as error:
            raise business(error) from None

    def _time_expire(self, biz, out_trade_no):
        """time_expire (absolute, Beijing) wins; else timeout_express counted from trade creation."""
        absolute = _text(biz, "time_expire", required=False, limit=32)
        if absolute:
            parsed = times.parse(absolute)
            if parsed is None:
                raise invalid("isv.invalid-parameter", "time_expire 格式应为 yyyy-MM-dd HH:mm:ss")
            return parsed
        relative = _text(biz, "timeout_express", required=False, limit=16)
        if not relative:
            return None
        if relative == "1c":  # "until the end of today" (Beijing)
            return times.now().replace(hour=23, minute=59, second=59, microsecond=0)
        match = _TIMEOUT_EXPRESS.match(relative)
        if not match:
            raise invalid("isv.invalid-parameter", "timeout_express 取值范围 1m~15d")
        minutes = int(match[1]) * {"m": 1, "h": 60, "d": 1440}[match[2]]
        if not 1 <= minutes <= 15 * 1440:
            raise invalid("isv.invalid-parameter", "timeout_express 取值范围 1m~15d")
        existing = self.store.get_trade(out_trade_no)
        start = times.parse(existing["gmt_create"]) if existing else times.now()
        return start + timedelta(minutes=minutes)

    def pay(self, out_trade_no) -> tuple[dict, str | None]:
        """The buyer pays: (trade, signed return URL or None); the notify is queued."""
        try:
            trade, notify_id = self.store.pay(out_trade_no)
        except TradeError as error:
            raise business(error) from None
        if notify_id:
            self.notifier.wake()
        if not trade["return_url"]:
            return trade, None
        back = signing.sign_callback(self.private_key, {
            "charset": "utf-8",
            "out_trade_no": trade["out_trade_no"],
            "method": f"{trade['method']}.return",
            "total_amount": trade["total_amount"],
            "trade_no": trade["trade_no"],
            "auth_app_id": trade["app_id"],
            "version": "1.0",
            "app_id": trade["app_id"],
            "seller_id": trade["seller_id"],
            "timestamp": times.now_str(),
        })
        return trade, _append_query(trade["return_url"], back)

    def cancel(self, out_trade_no) -> tuple[dict, str | None]:
        """The buyer cancels: (closed trade, unsigned link back to the shop or None)."""
        try:
            trade = self.store.cancel(out_trade_no)
        except TradeError as error:
            raise business(error) from None
        if not trade["return_url"]:
            return trade, None
        return trade, _append_query(trade["return_url"],
                                    {"out_trade_no": trade["out_trade_no"], "cancelled": "1"})

    # -- server API -----------------------------------------------------------------------------

    def api(self, params: dict) -> dict:
        """query/close/refund: the inner answer object (errors included, never raises)."""
        try:
            biz = self.authenticate(params)
            method = params["method"]
            if method in CASHIER_METHODS:
                raise invalid("isv.invalid-method", f"{method} 请在浏览器中打开")
            handler = {"alipay.trade.query": self._query, "alipay.trade.close": self._close,
                       "alipay.trade.refund": self._refund, BILL_QUERY: self._bill}[method]
            return handler(biz)
        except GatewayError as error:
            return error.as_dict()
        except TradeError as error:
            return business(error).as_dict()

    def _query(self, biz) -> dict:
        out_trade_no, trade_no = _trade_keys(biz)
        if self.faults.take("query_fail"):
            raise system_error()
        trade = self.store.require_trade(out_trade_no, trade_no)
        paid = bool(trade["gmt_payment"])
        answer = _success(out_trade_no=trade["out_trade_no"], trade_status=trade["status"],
                          total_amount=trade["total_amount"])
        amount = trade["total_amount"] if paid else "0.00"
        answer.update(buyer_pay_amount=amount, receipt_amount=amount, invoice_amount=amount,
                      point_amount="0.00")
        if paid:
            answer.update(trade_no=trade["trade_no"], send_pay_date=trade["gmt_payment"],
                          buyer_logon_id=trade["buyer_logon_id"], buyer_user_id=trade["buyer_id"])
        return answer

    def _close(self, biz) -> dict:
        trade = self.store.close(*_trade_keys(biz))
        answer = _success(out_trade_no=trade["out_trade_no"])
        if trade["trade_no"]:
            answer["trade_no"] = trade["trade_no"]
        return answer

    def _refund(self, biz) -> dict:
        out_trade_no, trade_no = _trade_keys(biz)
        if "refund_amount" not in biz:
            raise missing("isv.missing-parameter", "缺少必选参数 refund_amount")
        amount = parse_amount(biz["refund_amount"], "refund_amount")
        out_request_no = _text(biz, "out_request_no", required=False, limit=64)
        trade, refund, fund_change = self.store.refund(
            out_trade_no=out_trade_no, trade_no=trade_no, amount=amount,
            out_request_no=out_request_no)
        return _success(
            trade_no=trade["trade_no"], out_trade_no=trade["out_trade_no"],
            buyer_logon_id=trade["buyer_logon_id"], buyer_user_id=trade["buyer_id"],
            fund_change=fund_change, refund_fee=trade["refunded_amount"],
            send_back_fee=refund["refund_amount"] if fund_change == "Y" else "0.00",
            gmt_refund_pay=refund["gmt_refund_pay"])


    def _bill(self, biz) -> dict:
        """A short-lived URL of the day's trade statement; unlike Alipay (T+1), today works too."""
        if _text(biz, "bill_type", limit=32) != "trade":
            raise invalid("isv.invalid-parameter", "沙箱只支持 bill_type=trade")
        text = _text(biz, "bill_date", limit=10)
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise invalid("isv.invalid-parameter", "bill_date 格式应为 yyyy-MM-dd（沙箱只有日账单）")
        if day > times.now().date():
            raise business(TradeError("isp.bill_not_exist", "账单不存在"))
        start = f"{day.isoformat()} 00:00:00"
        end = f"{(day + timedelta(days=1)).isoformat()} 00:00:00"
        trades, refunds = self.store.statement_rows(start, end)
        name, body = statement.build_zip(account=f"{self.seller_id}0156", day=day, trades=trades,
                                         refunds=refunds)
        token = self.bills.publish(name, body)
        query = urllib.parse.urlencode({"bizType": "trade", "bizDates": f"{day:%Y%m%d}",
                                        "downloadFileName": name, "token": token})
        return _success(bill_download_url=f"{self.base_url}/downloadBillFile.resource?{query}")


def _success(**fields) -> dict:
    return {"code": "10000", "msg": "Success", **fields}


def _append_query(url: str, params: dict) -> str:
    joiner = "" if url.endswith(("?", "&")) else ("&" if "?" in url else "?")
    return url + joiner + urllib.parse.urlencode(params)

