"""Test helper: run the Alipay sandbox as a subprocess and poke it through its HTTP control API."""
from contextlib import contextmanager
from pathlib import Path

from lib.sandbox_kit.testing import SandboxClient, http, quote, run_process

__all__ = ["Sandbox", "http", "run_sandbox"]


class Sandbox(SandboxClient):
    """A running sandbox process: URLs plus helpers for its /control and cashier endpoints."""

    def __init__(self, process, url, data_dir: Path, log_file: Path):
        super().__init__(process, url, data_dir, log_file)
        self.gateway = url + "/gateway.do"
        self.public_key_file = data_dir / "alipay_public_key.pem"
        self.public_key_pem = self.public_key_file.read_text()

    def add_extra_trade(self, **fields) -> dict:
        """A paid trade the shop never created, on the statement of its gmt_payment's day."""
        return self._json("POST", "/control/statement", {"extra_trade": fields},
                          expect=(201,))["extra_trade"]

    def trade(self, out_trade_no) -> dict | None:
        """The trade with refunds, notifications and notify_attempts; None if unknown."""
        result = self._json("GET", f"/control/trades/{quote(out_trade_no)}", expect=(200, 404))
        return None if "error" in result else result

    def open(self, pay_url) -> tuple[int, str]:
        """GET a page-pay URL like a browser: (status, HTML of the cashier or error page)."""
        status, _, body = http("GET", pay_url)
        return status, body.decode("utf-8")

    def pay(self, out_trade_no) -> str | None:
        """Press Pay; return the signed return_url redirect (not followed), None if no return_url."""
        status, headers, body = http("POST", f"{self.url}/cashier/{quote(out_trade_no)}/pay", b"")
        if status == 302:
            return headers["Location"]
        if status == 200:
            return None
        raise AssertionError(f"pay {out_trade_no} -> {status}: {body.decode('utf-8')[:500]}")

    def cancel(self, out_trade_no) -> str:
        """Press Cancel; return the page's HTML."""
        status, _, body = http("POST", f"{self.url}/cashier/{quote(out_trade_no)}/cancel", b"")
        if status != 200:
            raise AssertionError(f"cancel {out_trade_no} -> {status}: {body.decode('utf-8')[:500]}")
        return body.decode("utf-8")

    def resend_notify(self, out_trade_no) -> str:
        """Make the trade's notification due now (same notify_id); returns the notify_id."""
        return self._json("POST", f"/control/trades/{quote(out_trade_no)}/notify", {},
                          expect=(202,))["notify_id"]


@contextmanager
def run_sandbox(*, data_dir, app_id, app_public_key_file, seller_id=None, time_scale=0.001,
                port=0, host="127.0.0.1", startup_timeout=20.0):
    """Start `python -m lib.al_pay.sandbox` and yield a Sandbox; stop it (kill if need be) after.

    The sandbox's log goes to <data_dir>/sandbox.log.
    """
    args = ["--host", host, "--port", str(port), "--data-dir", str(data_dir),
            "--app-id", str(app_id), "--app-public-key", str(app_public_key_file),
            "--time-scale", str(time_scale)]
    if seller_id:
        args += ["--seller-id", seller_id]
    with run_process("lib.al_pay.sandbox", args, data_dir=data_dir,
                     ready_path="/alipay_public_key.pem",
                     startup_timeout=startup_timeout) as (process, url, log_file):
        yield Sandbox(process, url, Path(data_dir), log_file)
