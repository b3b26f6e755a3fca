"""HTTP routing of the sandbox: gateway.do, the cashier's buttons, the public key and /control."""
import json
import logging
import re
import urllib.parse

from lib.sandbox_kit import server as base

from . import pages, signing, times
from .gateway import (
    CASHIER_METHODS,
    WAP_PAY,
    GatewayError,
    invalid,
    parse_amount,
    parse_params,
    response_key,
    system_error,
)
from .store import TradeError, money

log = logging.getLogger("sandbox.http")
_CASHIER = re.compile(r"^/cashier/([^/]+)/(pay|cancel)$")
_TRADE = re.compile(r"^/control/trades/([^/]+)(/notify)?$")


class SandboxServer(base.SandboxServer):
    def __init__(self, address, *, gateway, faults, store, public_key_pem: bytes):
        super().__init__(address, Handler)
        self.gateway, self.faults, self.store = gateway, faults, store
        self.public_key_pem = public_key_pem
        gateway.base_url = self.url


class Handler(base.Handler):
    server: SandboxServer
    server_version = "AlipaySandbox/1.0"
    log = log
    json_type = "application/json;charset=utf-8"
    always_headers = {"Cache-Control": "no-store"}

    # -- plumbing -------------------------------------------------------------------------------

    def _route(self, verb):
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        try:
            if path == "/gateway.do" and verb in ("GET", "POST"):
                return self._gateway(split.query, verb)
            if path == "/alipay_public_key.pem" and verb == "GET":
                return self._send(200, "text/plain; charset=utf-8", self.server.public_key_pem)
            match = _CASHIER.match(path)
            if match and verb == "POST":
                return self._cashier(urllib.parse.unquote(match[1]), match[2])
            if path == "/control/faults":
                return self._control_faults(verb)
            if path == "/control/statement":
                return self._control_statement(verb)
            if path == "/downloadBillFile.resource" and verb == "GET":
                return self._bill_file(split.query)
            match = _TRADE.match(path)
            if match:
                return self._control_trade(urllib.parse.unquote(match[1]), bool(match[2]), verb)
            if path == "/" and verb == "GET":
                return self._send(200, "text/plain; charset=utf-8",
                                  b"Alipay sandbox: /gateway.do, /alipay_public_key.pem, /control/faults\n")
            self._json(404, {"error": "not found"})
        except Exception:  # never a traceback to the client
            log.exception("error handling %s %s", verb, path)
            self._internal_error(path)

    def _internal_error(self, path):
        try:
            if path == "/gateway.do":
                self._json_raw(200, signing.signed_json_body(
                    self.gateway.private_key, "error_response", system_error().as_dict()))
            elif path.startswith("/cashier/"):
                self._send(500, "text/html; charset=utf-8",
                           pages.error("20000", "ACQ.SYSTEM_ERROR", "系统繁忙，请稍后再试"))
            else:
                self._json(500, {"error": "internal error"})
        except Exception:  # noqa: S110 -- the client may be gone; nothing left to tell it
            pass

    @property
    def gateway(self):
        return self.server.gateway

    def _json_raw(self, status, body: bytes):
        self._send(status, self.json_type, body)

    def _html(self, status, body: bytes, headers=None):
        self._send(status, "text/html; charset=utf-8", body, headers)

    def log_request(self, code="-", size="-"):
        # The full signed query is long and noisy: log the path and the method only.
        split = urllib.parse.urlsplit(self.path)
        method = urllib.parse.parse_qs(split.query).get("method", [""])[0]
        log.info("%s %s%s -> %s", self.command, split.path, f" {method}" if method else "", code)

    # -- gateway.do -----------------------------------------------------------------------------

    def _gateway(self, query, verb):
        # Like Alipay, POST may split parameters between the query string and a form body.
        try:
            pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, errors="strict")
            if verb == "POST":
                pairs += urllib.parse.parse_qsl(self._body().decode("utf-8"),
                                                keep_blank_values=True, errors="strict")
            params = parse_params(pairs)
        except (UnicodeDecodeError, ValueError, base.BadRequest):
            params, error = {}, GatewayError("40002", "Invalid Arguments", "isv.invalid-parameter",
                                             "参数无法解析 (utf-8, form-urlencoded)")
        except GatewayError as parse_error:
            params, error = {}, parse_error
        else:
            error = None
        if params.get("method") in CASHIER_METHODS:
            return self._page_pay(params)
        key = "error_response" if error else response_key(params)
        if error:
            inner = error.as_dict()
        else:
            try:
                inner = self.gateway.api(params)
            except Exception:  # answer like Alipay's outage, under the method's own key
                log.exception("error in %s", params.get("method"))
                inner = system_error().as_dict()
        self._json_raw(200, signing.signed_json_body(self.gateway.private_key, key, inner))

    def _page_pay(self, params):
        try:
            trade = self.gateway.open_cashier(params)
        except GatewayError as error:
            return self._html(400, pages.error(error.code, error.sub_code, error.sub_msg,
                                               back_url=_back_to_shop(params, error)))
        self._html(200, pages.wap_cashier(trade) if trade["method"] == WAP_PAY
                   else pages.cashier(trade))

    # -- cashier buttons ------------------------------------------------------------------------


    def _cashier(self, out_trade_no, action):
        self._body()  # drain the (empty) form so keep-alive clients stay in sync
        try:
            if action == "pay":
                trade, back = self.gateway.pay(out_trade_no)
                if back:
                    return self._html(302, b"", {"Location": _ascii_url(back)})
                return self._html(200, pages.success(trade))
            trade, back = self.gateway.cancel(out_trade_no)
            return self._html(200, pages.cancelled(trade, back and _ascii_url(back)))
        except GatewayError as error:
            return self._html(400, pages.error(error.code, error.sub_code, error.sub_msg))

    # -- control --------------------------------------------------------------------------------

    def _bill_file(self, query):
        token = urllib.parse.parse_qs(query).get("token", [""])[0]
        found = self.gateway.bills.get(token)
        if found is None:  # Alipay's links die after ~30 s
            return self._send(404, "text/plain; charset=utf-8", "账单链接已失效 (expired)".encode())
        name, body = found
        return self._send(200, "application/octet-stream", body, {
            "Content-Disposition": f"attachment; filename*=UTF-8''{urllib.parse.quote(name)}"})

    def _control_statement(self, verb):
        """GET: the extra trades; DELETE: forget them; POST {"extra_trade": {...}}: add one.

        An extra trade is money Alipay took for an out_trade_no the shop never created: it shows
        on the statement of the day of its gmt_payment (default now) and nowhere else.
        """
        store = self.server.store
        if verb == "GET":
            return self._json(200, {"extra_trades": store.extra_trades()})
        if verb == "DELETE":
            store.clear_extra_trades()
            return self._json(200, {"extra_trades": []})
        try:
            extra = _extra_trade(json.loads(self._body().decode("utf-8") or "{}"))
        except (ValueError, base.BadRequest, GatewayError) as error:
            return self._json(400, {"error": getattr(error, "sub_msg", None) or str(error)})
        return self._json(201, {"extra_trade": store.add_extra_trade(**extra)})

    def _control_trade(self, out_trade_no, notify, verb):
        if not notify and verb == "GET":
            report = self.server.store.report(out_trade_no)
            if report is None:
                return self._json(404, {"error": "trade not found"})
            return self._json(200, report)
        if notify and verb == "POST":
            self._body()
            try:
                notify_id = self.server.store.resend(out_trade_no)
            except TradeError as error:
                status = 404 if error.sub_code == "ACQ.TRADE_NOT_EXIST" else 409
                return self._json(status, {"error": error.sub_msg, "sub_code": error.sub_code})
            self.gateway.notifier.wake()
            return self._json(202, {"notify_id": notify_id})
        self._json(405, {"error": "method not allowed"})


def _extra_trade(payload) -> dict:
    """Validated fields of a POST /control/statement body."""
    extra = payload.get("extra_trade") if isinstance(payload, dict) else None
    if not isinstance(extra, dict) or set(extra) - {"out_trade_no", "total_amount", "subject",
                                                    "gmt_payment"}:
        raise ValueError('expected {"extra_trade": {"out_trade_no", "total_amount", '
                         '"subject"?, "gmt_payment"?}}')
    out_trade_no = extra.get("out_trade_no")
    if not isinstance(out_trade_no, str) or not re.fullmatch(r"[A-Za-z0-9_]{1,64}", out_trade_no):
        raise invalid("isv.invalid-parameter", "out_trade_no 只能包含字母、数字、下划线")
    subject = extra.get("subject", "未知商品")
    if not isinstance(subject, str) or not 0 < len(subject) <= 256:
        raise ValueError("subject must be a non-empty string")
    paid = extra.get("gmt_payment") or times.now_str()
    if not isinstance(paid, str) or times.parse(paid) is None:
        raise ValueError("gmt_payment must be yyyy-MM-dd HH:mm:ss (Beijing time)")
    return {"out_trade_no": out_trade_no, "subject": subject,
            "total_amount": money(parse_amount(extra.get("total_amount"), "total_amount")),
            "gmt_payment": times.fmt(times.parse(paid))}


def _ascii_url(url: str) -> str:
    # Header values must be ASCII; percent-encode anything else a merchant put in return_url.
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _back_to_shop(params, error):
    """A way back for a buyer whose trade is already paid or closed (e.g. pressed Back).

    Only for business errors: those come after the merchant's signature verified, so the
    return_url is the merchant's own, not an attacker's.
    """
    return_url = params.get("return_url")
    if error.code != "40004" or not return_url:
        return None
    try:
        out_trade_no = json.loads(params.get("biz_content") or "{}").get("out_trade_no", "")
    except ValueError:
        return None
    separator = "&" if "?" in return_url else "?"
    return _ascii_url(f"{return_url}{separator}{urllib.parse.urlencode({'out_trade_no': out_trade_no})}")
