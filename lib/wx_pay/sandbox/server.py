"""HTTP routing of the WeChat Pay sandbox: /v3 API (authenticated, signed), buyer pages, /control."""
import json
import logging
import re
import time
import urllib.parse

from lib.sandbox_kit import server as base

from . import pages, signing
from .store import NOTPAY, ApiError

log = logging.getLogger("wechat_sandbox.http")
MAX_CLOCK_SKEW = 300  # WeChat refuses requests whose timestamp is 5 minutes off
_OTN = r"([^/?#]+)"
ROUTES = [  # (verb, pattern, handler name); a pattern's groups are URL-decoded arguments
    ("POST", r"/v3/pay/transactions/(native|h5)", "_prepay"),
    ("GET", rf"/v3/pay/transactions/out-trade-no/{_OTN}", "_query_otn"),
    ("GET", rf"/v3/pay/transactions/id/{_OTN}", "_query_id"),
    ("POST", rf"/v3/pay/transactions/out-trade-no/{_OTN}/close", "_close"),
    ("POST", r"/v3/refund/domestic/refunds", "_refund"),
    ("GET", rf"/v3/refund/domestic/refunds/{_OTN}", "_refund_query"),
    ("GET", r"/v3/bill/tradebill", "_trade_bill"),
    ("GET", r"/v3/billdownload/file", "_bill_file"),
    ("GET", r"/v3/certificates", "_certificates"),
]
_PAGE = re.compile(rf"^/wechat/(native|h5)/{_OTN}(?:/(pay|cancel))?$")
_CONTROL_TRADE = re.compile(rf"^/control/wechat/trades/{_OTN}$")


class SandboxServer(base.SandboxServer):
    def __init__(self, address, *, api, faults, keys):
        super().__init__(address, Handler)
        self.api, self.faults, self.keys = api, faults, keys
        api.base_url = self.url


class Handler(base.Handler):
    server: SandboxServer
    server_version = "WechatPaySandbox/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, as requests expects
    log = log

    def log_request(self, code="-", size="-"):
        log.info("%s %s -> %s", self.command, urllib.parse.urlsplit(self.path).path, code)

    # -- plumbing -------------------------------------------------------------------------------

    def _signed(self, status, data=None):
        """A /v3 answer signed like WeChat's: all five Wechatpay-* headers, even on a 204."""
        body = b"" if data is None else signing.dumps(data)
        keys = self.server.keys
        # Public-key-mode clients name the key they expect; others get the certificate serial.
        serial = keys.public_key_id if (self.headers.get("Wechatpay-Serial") or "").startswith(
            "PUB_KEY_ID_") else keys.cert_serial
        corrupt = 200 <= status < 300 and self.server.faults.take("wechat_bad_signature")
        headers = signing.answer_headers(keys.private_key, serial, body, corrupt=corrupt)
        self._send(status, "application/json; charset=utf-8" if body else None, body, headers)

    def _route(self, verb):
        split = urllib.parse.urlsplit(self.path)
        try:
            if split.path.startswith("/v3/"):
                return self._v3(verb, split)
            if split.path == "/wechatpay_public_key.pem" and verb == "GET":
                return self._send(200, "text/plain; charset=utf-8", self.server.keys.public_pem)
            if split.path.startswith("/wechat/"):
                return self._page(verb, split)
            if split.path.startswith("/control/"):
                return self._control(verb, split.path)
            if split.path == "/" and verb == "GET":
                return self._send(200, "text/plain; charset=utf-8",
                                  b"WeChat Pay sandbox: /v3/..., /wechatpay_public_key.pem\n")
            self._body()  # drain it, so a keep-alive connection stays in step
            self._json(404, {"code": "NOT_FOUND", "message": "not found"})
        except base.BadRequest as error:
            self._json(400, {"code": "PARAM_ERROR", "message": str(error)})
        except Exception:  # never a traceback to the client
            log.exception("error handling %s %s", verb, split.path)
            try:
                self._json(500, {"code": "SYSTEM_ERROR", "message": "系统错误"})
            except OSError:
                pass

    # -- /v3 ------------------------------------------------------------------------------------

    def _v3(self, verb, split):
        body = self._body()
        found = next(((name, match) for route_verb, pattern, name in ROUTES
                      if verb == route_verb and (match := re.fullmatch(pattern, split.path))),
                     None)
        if found is None:
            return self._signed(404, {"code": "NOT_FOUND", "message": "接口不存在"})
        name, match = found
        refusal = self._authenticate(verb, body)
        if refusal:
            return self._signed(401, {"code": "SIGN_ERROR", "message": refusal})
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        args = [urllib.parse.unquote(group) for group in match.groups()]
        try:
            if verb == "POST":
                try:
                    data = json.loads(body.decode("utf-8"))
                except ValueError:
                    raise ApiError(400, "PARAM_ERROR", "请求体不是 JSON") from None
                if not isinstance(data, dict):
                    raise ApiError(400, "PARAM_ERROR", "请求体须为 JSON 对象")
                args.append(data)
            return getattr(self, name)(query, *args)
        except ApiError as error:
            return self._signed(error.status, {"code": error.code, "message": error.message})

    def _authenticate(self, verb, body) -> str | None:
        """Why the Authorization header fails, or None when it verifies over the raw request."""
        auth = signing.parse_authorization(self.headers.get("Authorization") or "")
        if auth is None:
            return "Authorization 缺失或格式错误"
        if auth["mchid"] != self.server.api.mchid:
            return "mchid 不匹配"
        if not auth["timestamp"].isdigit() or \
                abs(time.time() - int(auth["timestamp"])) > MAX_CLOCK_SKEW:
            return "请求时间戳已过期"
        message = signing.request_message(verb, self.path, auth["timestamp"], auth["nonce_str"],
                                          body)
        if not signing.verify(self.server.keys.merchant_public_key, message, auth["signature"]):
            return "签名错误"
        return None

    def _prepay(self, query, kind, data):
        self._signed(200, self.server.api.prepay(kind, data))

    def _query_otn(self, query, out_trade_no):
        self._signed(200, self.server.api.query(query, out_trade_no=out_trade_no))

    def _query_id(self, query, transaction_id):
        self._signed(200, self.server.api.query(query, transaction_id=transaction_id))

    def _close(self, query, out_trade_no, data):
        self.server.api.close(out_trade_no, data)
        self._signed(204)

    def _refund(self, query, data):
        self._signed(200, self.server.api.refund(data))

    def _refund_query(self, query, out_refund_no):
        self._signed(200, self.server.api.refund_query(out_refund_no))

    def _trade_bill(self, query):
        # download_url on the host the client used, as the SDK only strips its own gateway.
        host = self.headers.get("Host") or self.server.url.removeprefix("http://")
        self._signed(200, self.server.api.trade_bill(query, f"http://{host}"))

    def _bill_file(self, query):
        payload = self.server.api.bill_file(query.get("token", ""))
        if payload is None:
            raise ApiError(404, "RESOURCE_NOT_EXISTS", "账单链接已失效")
        # Unsigned, like WeChat's file download (WECHATPAY.md §2, §6).
        self._send(200, "application/octet-stream", payload)

    def _certificates(self, query):
        self._signed(200, self.server.keys.certificates_answer())

    # -- buyer pages ----------------------------------------------------------------------------

    def _page(self, verb, split):
        match = _PAGE.match(split.path)
        if not match:
            return self._send(404, "text/html; charset=utf-8", pages.error("页面不存在"))
        kind, out_trade_no, action = match[1], urllib.parse.unquote(match[2]), match[3]
        api = self.server.api
        trade = api.store.trade(out_trade_no)
        if trade is None:
            return self._send(404, "text/html; charset=utf-8", pages.error("订单不存在"))
        expired = trade["state"] == NOTPAY and time.time() >= trade["expires_at"]
        if verb == "GET" and action is None:
            if kind == "native":
                page = pages.native(trade, f"{self.server.url}{split.path}", expired)
            else:
                redirect = dict(urllib.parse.parse_qsl(split.query)).get("redirect_url")
                page = pages.h5(trade, redirect, expired)
            return self._send(200, "text/html; charset=utf-8", page)
        if verb != "POST" or action is None:
            return self._send(405, "text/html; charset=utf-8", pages.error("方法不允许"))
        form = dict(urllib.parse.parse_qsl(self._body().decode("utf-8", "replace")))
        redirect = form.get("redirect_url")
        if redirect and urllib.parse.urlsplit(redirect).scheme not in ("http", "https"):
            redirect = None
        if action == "pay":
            try:
                trade = api.pay(out_trade_no)
            except ApiError as error:
                return self._send(400, "text/html; charset=utf-8", pages.error(error.message))
        if redirect:  # WeChat returns to redirect_url after paying or cancelling, unchanged
            return self._send(302, "text/html; charset=utf-8", b"", {"Location": redirect})
        message = "支付成功" if action == "pay" else "已取消支付"
        return self._send(200, "text/html; charset=utf-8", pages.done(trade, message))

    # -- /control -------------------------------------------------------------------------------

    def _control(self, verb, path):
        api = self.server.api
        if path == "/control/faults":
            return self._control_faults(verb)
        match = _CONTROL_TRADE.match(path)
        if match and verb == "GET":
            report = api.store.report(urllib.parse.unquote(match[1]))
            return self._json(*((200, report) if report else (404, {"error": "trade not found"})))
        if path in ("/control/wechat/pay", "/control/wechat/bill") and verb == "POST":
            try:
                data = json.loads(self._body() or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("expected a JSON object")
                if path.endswith("/pay"):
                    trade = api.pay(str(data.get("out_trade_no")))
                    return self._json(200, api.store.report(trade["out_trade_no"]))
                return self._json(201, _plant(api, data))
            except ApiError as error:
                return self._json(error.status, {"code": error.code, "message": error.message})
            except ValueError as error:
                return self._json(400, {"error": str(error)})
        self._json(404, {"error": "not found"})


def _plant(api, data: dict) -> dict:
    """POST /control/wechat/bill {"out_trade_no", "total_fen", "description"?, "success_time"?}:
    a paid trade the shop never created, on the bill of its success day only."""
    otn, total = data.get("out_trade_no"), data.get("total_fen")
    if not isinstance(otn, str) or not 0 < len(otn) <= 32:
        raise ValueError("out_trade_no must be a string of 1-32 characters")
    if isinstance(total, bool) or not isinstance(total, int) or total < 1:
        raise ValueError("total_fen must be an integer of at least 1")
    success = data.get("success_time")
    if success is None:
        success_at = time.time()
    else:
        from datetime import datetime
        try:
            moment = datetime.fromisoformat(success)
        except (TypeError, ValueError):
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError("success_time must be RFC 3339 with an offset")
        success_at = moment.timestamp()
    description = data.get("description", "未知商品")
    if not isinstance(description, str) or not 0 < len(description) <= 127:
        raise ValueError("description must be 1-127 characters")
    return api.store.add_extra_trade(out_trade_no=otn, description=description, total=total,
                                     success_at=success_at)
