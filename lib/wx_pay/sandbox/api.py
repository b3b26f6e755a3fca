"""WeChat Pay API v3 endpoints of the sandbox: validate like WeChat, change the store, answer JSON."""
import gzip
import hashlib
import re
import secrets
import threading
import time
import urllib.parse
from datetime import date, datetime, timedelta

from . import bill, wire
from .store import PAID, ApiError, Store

OUT_TRADE_NO = re.compile(r"[0-9A-Za-z_\-|*]{6,32}")
OUT_REFUND_NO = re.compile(r"[0-9A-Za-z_\-|*@]{1,64}")
DEFAULT_VALIDITY = 7 * 24 * 3600    # WeChat's default order validity
MIN_VALIDITY = 60                   # time_expire closer than 1 minute is bumped to 1 minute
REFUND_DELAY = 60.0                 # seconds (times --time-scale) a refund stays PROCESSING
BILL_LINK_SECONDS = 30              # a download_url lives 30 s
H5_TYPES = ("Wap", "iOS", "Android")


def param_error(field, message) -> ApiError:
    return ApiError(400, "PARAM_ERROR", f"{field}: {message}")


def _string(body, name, limit, required=True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise param_error(name, f"须为 1-{limit} 个字符的字符串")
    return value


def _fen(amount, name) -> int:
    value = amount.get(name) if isinstance(amount, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise param_error(f"amount.{name}", "须为不小于 1 的整数（分）")
    return value


def _currency(amount):
    if amount.get("currency", "CNY") != "CNY":
        raise param_error("amount.currency", "仅支持 CNY")


def _time_expire(text, time_scale: float) -> float:
    now = time.time()
    if text is None:
        return now + DEFAULT_VALIDITY
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in text:
        raise param_error("time_expire", "须为 RFC 3339 时间，如 2018-06-08T10:34:56+08:00")
    # Scaled like the notify delays, so tests can watch an order expire without waiting a minute.
    return max(moment.timestamp(), now + MIN_VALIDITY * time_scale)


class Api:
    """The endpoints; server.py has already checked the merchant's Authorization."""

    def __init__(self, store: Store, faults, notifier, *, mchid, appid, time_scale):
        self.store, self.faults, self.notifier = store, faults, notifier
        self.mchid, self.appid, self.time_scale = mchid, appid, time_scale
        self.base_url = ""  # the sandbox's own URL, for cashier pages
        self._bills: dict[str, tuple[float, bytes]] = {}
        self._bills_lock = threading.Lock()

    # -- prepay -------------------------------------------------------------------------------

    def prepay(self, kind: str, body: dict) -> dict:
        if body.get("appid") != self.appid or body.get("mchid") != self.mchid:
            raise ApiError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        out_trade_no = body.get("out_trade_no")
        if not isinstance(out_trade_no, str) or not OUT_TRADE_NO.fullmatch(out_trade_no):
            raise param_error("out_trade_no", "须为 6-32 个字符，只能是数字、大小写字母_-|*")
        description = _string(body, "description", 127)
        notify_url = _string(body, "notify_url", 255)
        if urllib.parse.urlsplit(notify_url).scheme not in ("http", "https") \
                or urllib.parse.urlsplit(notify_url).query:
            raise param_error("notify_url", "须为 http(s) 地址且不能携带参数")
        amount = body.get("amount")
        total = _fen(amount, "total")
        _currency(amount)
        if kind == "h5":
            scene = body.get("scene_info")
            h5_info = scene.get("h5_info") if isinstance(scene, dict) else None
            if not isinstance(scene, dict) or not isinstance(scene.get("payer_client_ip"), str):
                raise param_error("scene_info.payer_client_ip", "H5 支付必填")
            if not isinstance(h5_info, dict) or h5_info.get("type") not in H5_TYPES:
                raise param_error("scene_info.h5_info.type", "须为 Wap、iOS 或 Android")
        trade = self.store.prepay(
            out_trade_no=out_trade_no, appid=self.appid, mchid=self.mchid,
            trade_type="MWEB" if kind == "h5" else "NATIVE", description=description,
            total=total, notify_url=notify_url, attach=_string(body, "attach", 128, False),
            expires_at=_time_expire(body.get("time_expire"), self.time_scale), request=body)
        quoted = urllib.parse.quote(trade["out_trade_no"], safe="")
        if kind == "h5":
            # Stands in for https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=…
            return {"h5_url": f"{self.base_url}/wechat/h5/{quoted}?prepay_id=wx{quoted}"}
        # Stands in for weixin://wxpay/bizpayurl?pr=…: a page that shows the QR code.
        return {"code_url": f"{self.base_url}/wechat/native/{quoted}"}

    # -- query / close ------------------------------------------------------------------------

    def _check_mchid(self, query: dict):
        if query.get("mchid") != self.mchid:
            raise param_error("mchid", "商户号不正确")

    def query(self, query: dict, *, out_trade_no=None, transaction_id=None) -> dict:
        self._check_mchid(query)
        if self.faults.take("wechat_query_fail"):
            raise ApiError(500, "SYSTEM_ERROR", "系统错误 (wechat_query_fail)")
        trade = self.store.trade(out_trade_no, transaction_id)
        if trade is None:
            raise ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
        return wire.transaction(trade)

    def close(self, out_trade_no: str, body: dict) -> None:
        if body.get("mchid") != self.mchid:
            raise param_error("mchid", "商户号不正确")
        if self.faults.take("wechat_close_fail"):
            raise ApiError(500, "SYSTEM_ERROR", "系统错误 (wechat_close_fail)")
        self.store.close(out_trade_no)

    def pay(self, out_trade_no: str) -> dict:
        trade = self.store.pay(out_trade_no)
        self.notifier.wake()
        return trade

    # -- refunds ------------------------------------------------------------------------------

    def refund(self, body: dict) -> dict:
        out_refund_no = body.get("out_refund_no")
        if not isinstance(out_refund_no, str) or not OUT_REFUND_NO.fullmatch(out_refund_no):
            raise param_error("out_refund_no", "须为 1-64 个字符，只能是数字、大小写字母_-|*@")
        trade = None
        if isinstance(body.get("transaction_id"), str):
            trade = self.store.trade(transaction_id=body["transaction_id"])
        elif isinstance(body.get("out_trade_no"), str):
            trade = self.store.trade(body["out_trade_no"])
        else:
            raise param_error("out_trade_no", "transaction_id 与 out_trade_no 必填其一")
        if trade is None or trade["state"] not in PAID:
            raise ApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在或未支付")
        amount = body.get("amount")
        refund, total = _fen(amount, "refund"), _fen(amount, "total")
        _currency(amount)
        if refund > total:
            raise param_error("amount.refund", "退款金额不能大于订单金额")
        notify_url = body.get("notify_url")
        if notify_url is not None:
            _string(body, "notify_url", 256)
        outcome = ("ABNORMAL" if self.faults.take("wechat_refund_abnormal") else
                   "CLOSED" if self.faults.take("wechat_refund_closed") else "SUCCESS")
        row = self.store.refund(out_trade_no=trade["out_trade_no"], out_refund_no=out_refund_no,
                                refund=refund, total=total,
                                reason=_string(body, "reason", 80, False), notify_url=notify_url,
                                due_in=REFUND_DELAY * self.time_scale, outcome=outcome)
        self.notifier.wake()
        return wire.refund(self.store.trade(trade["out_trade_no"]), row)

    def refund_query(self, out_refund_no: str) -> dict:
        row = self.store.get_refund(out_refund_no)
        if row is None:
            raise ApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return wire.refund(self.store.trade(row["out_trade_no"]), row)

    # -- bills --------------------------------------------------------------------------------

    def trade_bill(self, query: dict, base_url: str) -> dict:
        try:
            day = date.fromisoformat(query.get("bill_date", ""))
        except ValueError:
            raise param_error("bill_date", "须为 YYYY-MM-DD") from None
        bill_type = query.get("bill_type", "ALL")
        if bill_type not in bill.LAYOUTS:
            raise param_error("bill_type", "须为 ALL、SUCCESS 或 REFUND")
        tar_type = query.get("tar_type")
        if tar_type not in (None, "GZIP"):
            raise param_error("tar_type", "仅支持 GZIP")
        today = datetime.fromtimestamp(time.time(), bill.BEIJING).date()
        if day > today or day < today - timedelta(days=90):
            raise ApiError(400, "INVALID_REQUEST", "账单日期须在三个月内且不晚于今天")
        plain = self._render_bill(day, bill_type)
        if plain is None:
            raise ApiError(400, "NO_STATEMENT_EXIST", "当日无账单")
        token = secrets.token_urlsafe(24)
        payload = gzip.compress(plain, mtime=0) if tar_type == "GZIP" else plain
        with self._bills_lock:
            now = time.time()
            self._bills = {k: v for k, v in self._bills.items() if v[0] > now}
            self._bills[token] = (now + BILL_LINK_SECONDS, payload)
        return {"hash_type": "SHA1",
                "hash_value": hashlib.sha1(plain).hexdigest(),  # noqa: S324 (WeChat's choice)
                "download_url": f"{base_url}/v3/billdownload/file?token={token}"}

    def _render_bill(self, day: date, bill_type: str) -> bytes | None:
        start = datetime(day.year, day.month, day.day, tzinfo=bill.BEIJING).timestamp()
        trades, refunds = self.store.bill_rows(start, start + 86400)
        rows = []
        if bill_type in ("ALL", "SUCCESS"):
            rows += [bill.trade_row(t, self.mchid, self.appid) for t in trades]
        if bill_type in ("ALL", "REFUND"):
            rows += [bill.refund_row(r, self.mchid, self.appid) for r in refunds]
        if not rows:
            return None
        rows.sort(key=lambda row: row["交易时间"])
        return bill.render(rows, bill_type)

    def bill_file(self, token: str) -> bytes | None:
        with self._bills_lock:
            found = self._bills.get(token)
        if found is None or found[0] < time.time():
            return None
        return found[1]
