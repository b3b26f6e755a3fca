"""Fixtures for the WeChat Pay tests: merchant keys, a running sandbox, clients in both modes,
and a notify endpoint that records what the sandbox POSTs."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib.wx_pay.client import WechatPayClient, download_platform_certificates
from lib.wx_pay.config import WechatPayConfig
from lib.wx_pay.notify import NotifyRefused, notify_authenticate
from lib.wx_pay.sandbox.testing import run_sandbox

from .helpers import APIV3_KEY, APPID, MCHID, key_pair

TIME_SCALE = 0.001  # 15 s retry -> 15 ms; the 60 s refund delay -> 60 ms


class NotifyReceiver:
    """A local notify_url: records (headers, body) and answers with `status`."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/order/wechat/notify/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def notifies(self, config, out_trade_no: str) -> list:
        """The authenticated notifies received for one order (PaymentNotify / RefundNotify)."""
        found = []
        for headers, body in list(self.received):
            try:
                result = notify_authenticate(headers, body, config=config)
            except NotifyRefused:
                continue
            if result.out_trade_no == out_trade_no:
                found.append(result)
        return found


@pytest.fixture(scope="session")
def merchant_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wx-merchant")
    (folder / "merchant_public_key.pem").write_bytes(key_pair("merchant")[1])
    (folder / "apiv3_key.txt").write_text(APIV3_KEY)
    return folder


@pytest.fixture(scope="session")
def receiver():
    running = NotifyReceiver()
    yield running
    running.server.shutdown()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory, merchant_files):
    with run_sandbox(data_dir=tmp_path_factory.mktemp("wx-sandbox"), mchid=MCHID, appid=APPID,
                     merchant_public_key_file=merchant_files / "merchant_public_key.pem",
                     apiv3_key_file=merchant_files / "apiv3_key.txt",
                     time_scale=TIME_SCALE) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean_faults(request):
    yield
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset_faults()


def public_key_config(sandbox, notify_url, **overrides) -> WechatPayConfig:
    values = dict(mchid=MCHID, appid=APPID, private_key_pem=key_pair("merchant")[0].decode(),
                  cert_serial_no="3775B6A45ACD588826D15E583A95F5DD00000001", apiv3_key=APIV3_KEY,
                  notify_url=notify_url, gateway=sandbox.gateway,
                  public_key_pem=sandbox.public_key_pem, public_key_id=sandbox.public_key_id,
                  timeout=10)
    values.update(overrides)
    return WechatPayConfig(**values)


@pytest.fixture(scope="session")
def pk_config(sandbox, receiver):
    return public_key_config(sandbox, receiver.url)


@pytest.fixture(scope="session")
def cert_config(sandbox, receiver, tmp_path_factory):
    folder = tmp_path_factory.mktemp("wx-certs")
    return public_key_config(sandbox, receiver.url, public_key_pem=None, public_key_id=None,
                             cert_dir=str(folder))


@pytest.fixture(scope="session", params=["public_key", "certificate"])
def client(request, pk_config, cert_config):
    """The client in each verification mode (certificate mode seeds cert_dir first)."""
    if request.param == "public_key":
        return WechatPayClient(pk_config)
    download_platform_certificates(cert_config)
    return WechatPayClient(cert_config)

