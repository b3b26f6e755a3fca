"""Helpers shared by the sandbox tests (a uniquely named module, so it cannot clash with other conftests)."""
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from alipay import AliPay

APP_ID = "2021000000000042"
SELLER_ID = "2088000000000042"
# 0.0005: the first retries come after 0.12 s, 0.3 s, 0.3 s, 1.8 s.
TIME_SCALE = 0.0005


def make_client(sandbox, private_key_file, app_id=APP_ID) -> AliPay:
    client = AliPay(appid=app_id, app_private_key_string=Path(private_key_file).read_text(),
                    alipay_public_key_string=sandbox.public_key_pem)
    client._gateway = sandbox.gateway  # the one place a non-Alipay gateway is set
    return client


class Merchant:
    """The shop's notify endpoint: records every POST and answers as `mode` says."""

    ANSWERS = {
        "success": (200, "text/plain", b"success"),
        "quoted": (200, "application/json", b'"success"'),  # what DRF's Response('success') sends
        "fail": (200, "text/plain", b"fail"),
        "error500": (500, "text/plain", b"success"),
        "html": (200, "text/html", b"<html><body>success</body></html>"),
    }

    def __init__(self):
        self.mode = "success"
        self.lock = threading.Lock()
        self.received: list[dict] = []
        merchant = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                with merchant.lock:
                    merchant.received.append(params)
                    status, ctype, answer = merchant.ANSWERS[merchant.mode]
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def notifies(self, out_trade_no=None) -> list[dict]:
        with self.lock:
            return [dict(p) for p in self.received
                    if out_trade_no is None or p.get("out_trade_no") == out_trade_no]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def page_pay_url(client, sandbox, out_trade_no, amount="99.00", subject="Python 全栈课程",
                 **kwargs) -> str:
    return sandbox.gateway + "?" + client.api_alipay_trade_page_pay(
        subject, out_trade_no, amount, **kwargs)


def verify_callback(client, params: dict) -> bool:
    """How the app must verify a return/notify: a copy without `sign`, sign passed separately."""
    data = dict(params)
    signature = data.pop("sign")
    return client.verify(data, signature)
