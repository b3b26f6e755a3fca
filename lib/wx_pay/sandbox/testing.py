"""Test helper: run the WeChat Pay sandbox as a subprocess and drive it through /control."""
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from lib.sandbox_kit.testing import SandboxClient, http, quote, run_process


class WechatSandbox(SandboxClient):
    """A running sandbox: its URL (the client's gateway), key files and control helpers."""

    def __init__(self, process, url, data_dir: Path, log_file: Path):
        super().__init__(process, url, data_dir, log_file)
        self.gateway = url
        self.public_key_pem = (data_dir / "wechatpay_public_key.pem").read_text()
        self.public_key_id = (data_dir / "wechatpay_public_key_id.txt").read_text().strip()
        self.cert_file = data_dir / "wechatpay_platform_cert.pem"

    def pay(self, out_trade_no) -> dict:
        """Pay an open trade as if its QR code were scanned; returns the trade report."""
        return self._json("POST", "/control/wechat/pay", {"out_trade_no": out_trade_no})

    def trade(self, out_trade_no) -> dict | None:
        """The trade with refunds, notifications and notify_attempts; None if unknown."""
        result = self._json("GET", f"/control/wechat/trades/{quote(out_trade_no)}",
                            expect=(200, 404))
        return None if "error" in result else result

    def plant_bill_trade(self, *, out_trade_no, total_fen, description="未知商品",
                         success_time=None) -> dict:
        """A paid trade the shop never created, on the bill of its success day only."""
        payload = {"out_trade_no": out_trade_no, "total_fen": total_fen,
                   "description": description}
        if success_time:
            payload["success_time"] = success_time
        return self._json("POST", "/control/wechat/bill", payload, expect=(201,))

    def get(self, url) -> tuple[int, dict, bytes]:
        """GET a page (code_url or h5_url) like a browser: (status, headers, body)."""
        return http("GET", url)

    def press(self, url, redirect_url=None) -> tuple[int, dict, bytes]:
        """POST a page's button (…/pay or …/cancel), optionally with the form's redirect_url."""
        form = urllib.parse.urlencode({"redirect_url": redirect_url} if redirect_url else {})
        return http("POST", url, form.encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"})


@contextmanager
def run_sandbox(*, data_dir, mchid, appid, merchant_public_key_file, apiv3_key_file,
                notify_serial="public-key", time_scale=0.001, port=0, host="127.0.0.1",
                startup_timeout=20.0):
    """Start `python -m lib.wx_pay.sandbox` and yield a WechatSandbox; stop it after.

    The sandbox's log goes to <data_dir>/sandbox.log.
    """
    args = ["--host", host, "--port", str(port), "--data-dir", str(data_dir),
            "--mchid", mchid, "--appid", appid,
            "--merchant-public-key", str(merchant_public_key_file),
            "--apiv3-key-file", str(apiv3_key_file), "--notify-serial", notify_serial,
            "--time-scale", str(time_scale)]
    with run_process("lib.wx_pay.sandbox", args, data_dir=data_dir,
                     ready_path="/wechatpay_public_key.pem",
                     startup_timeout=startup_timeout) as (process, url, log_file):
        yield WechatSandbox(process, url, Path(data_dir), log_file)
