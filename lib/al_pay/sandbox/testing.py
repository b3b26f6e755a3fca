"""Test helper: run the sandbox as a subprocess and poke it through its HTTP control API."""
import json
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies (the sandbox is local) and no redirect following (tests inspect Location).
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def http(method, url, data: bytes | None = None, headers=None, timeout=15):
    """(status, headers, body bytes) of one request; HTTP errors and redirects are answers too."""
    request = urllib.request.Request(  # noqa: S310 (test helper, local http)
        url, data=data, method=method, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


class Sandbox:
    """A running sandbox process: URLs plus helpers for its /control and cashier endpoints."""

    def __init__(self, process, url, data_dir: Path, log_file: Path):
        self.process, self.url, self.data_dir, self.log_file = process, url, data_dir, log_file
        self.gateway = url + "/gateway.do"
        self.public_key_file = data_dir / "alipay_public_key.pem"
        self.public_key_pem = self.public_key_file.read_text()

    def _json(self, method, path, payload=None, expect=(200, 202)):
        data = None if payload is None else json.dumps(payload).encode()
        status, _, body = http(method, self.url + path, data,
                               {"Content-Type": "application/json"} if data else None)
        if status not in expect:
            raise AssertionError(f"{method} {path} -> {status}: {body[:300]!r}")
        return json.loads(body)

    def set_faults(self, **faults) -> dict:
        return self._json("POST", "/control/faults", faults)

    def reset_faults(self) -> dict:
        return self._json("DELETE", "/control/faults")

    def faults(self) -> dict:
        return self._json("GET", "/control/faults")

    def add_extra_trade(self, **fields) -> dict:
        """A paid trade the shop never created, on the statement of its gmt_payment's day."""
        return self._json("POST", "/control/statement", {"extra_trade": fields},
                          expect=(201,))["extra_trade"]

    def trade(self, out_trade_no) -> dict | None:
        """The trade with refunds, notifications and notify_attempts; None if unknown."""
        result = self._json("GET", f"/control/trades/{_quote(out_trade_no)}", expect=(200, 404))
        return None if "error" in result else result

    def open(self, pay_url) -> tuple[int, str]:
        """GET a page-pay URL like a browser: (status, HTML of the cashier or error page)."""
        status, _, body = http("GET", pay_url)
        return status, body.decode("utf-8")

    def pay(self, out_trade_no) -> str | None:
        """Press Pay; return the signed return_url redirect (not followed), None if no return_url."""
        status, headers, body = http("POST", f"{self.url}/cashier/{_quote(out_trade_no)}/pay", b"")
        if status == 302:
            return headers["Location"]
        if status == 200:
            return None
        raise AssertionError(f"pay {out_trade_no} -> {status}: {body.decode('utf-8')[:500]}")

    def cancel(self, out_trade_no) -> str:
        """Press Cancel; return the page's HTML."""
        status, _, body = http("POST", f"{self.url}/cashier/{_quote(out_trade_no)}/cancel", b"")
        if status != 200:
            raise AssertionError(f"cancel {out_trade_no} -> {status}: {body.decode('utf-8')[:500]}")
        return body.decode("utf-8")

    def resend_notify(self, out_trade_no) -> str:
        """Make the trade's notification due now (same notify_id); returns the notify_id."""
        return self._json("POST", f"/control/trades/{_quote(out_trade_no)}/notify", {})["notify_id"]

    @staticmethod
    def wait_for(predicate, timeout=10.0, interval=0.02, message="condition"):
        """Poll predicate until it returns something truthy (returned); AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {message}")
            time.sleep(interval)


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


@contextmanager
def run_sandbox(*, data_dir, app_id, app_public_key_file, seller_id=None, time_scale=0.001,
                port=0, host="127.0.0.1", startup_timeout=20.0):
    """Start `python -m lib.al_pay.sandbox` and yield a Sandbox; stop it (kill if need be) after.

    The sandbox's log goes to <data_dir>/sandbox.log.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir / "sandbox.log"
    command = [sys.executable, "-m", "lib.al_pay.sandbox", "--host", host, "--port", str(port),
               "--data-dir", str(data_dir), "--app-id", str(app_id),
               "--app-public-key", str(app_public_key_file), "--time-scale", str(time_scale)]
    if seller_id:
        command += ["--seller-id", seller_id]
    with open(log_file, "ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own argv)
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=log)
    try:
        url = _read_url(process, startup_timeout, log_file)
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                if http("GET", url + "/alipay_public_key.pem", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"sandbox did not answer; log:\n{_tail(log_file)}")
            time.sleep(0.05)
        yield Sandbox(process, url, data_dir, log_file)
    finally:
        _stop(process)


def _read_url(process, timeout, log_file) -> str:
    lines: queue.Queue = queue.Queue()

    def reader():
        # Keep draining stdout so the child can never block on a full pipe.
        for line in process.stdout:
            lines.put(line.decode("utf-8", "replace"))
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    try:
        first = lines.get(timeout=timeout)
    except queue.Empty:
        first = None
    if not first or "listening on " not in first:
        raise RuntimeError(f"sandbox failed to start; log:\n{_tail(log_file)}")
    return first.rsplit("listening on ", 1)[1].strip()


def _tail(path, size=4000) -> str:
    try:
        return Path(path).read_text(errors="replace")[-size:]
    except OSError:
        return "(no log)"


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    if process.stdout:
        process.stdout.close()
