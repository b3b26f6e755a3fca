"""Test helpers: start a sandbox process, wait until it answers, and talk to it over HTTP."""
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

REPO_ROOT = Path(__file__).resolve().parents[2]


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


def quote(value: str) -> str:
    """One URL path segment."""
    return urllib.parse.quote(value, safe="")


class SandboxClient:
    """A running sandbox process: its URL and helpers for /control."""

    def __init__(self, process, url, data_dir: Path, log_file: Path):
        self.process, self.url, self.data_dir, self.log_file = process, url, data_dir, log_file

    def _json(self, method, path, payload=None, expect=(200,)):
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


@contextmanager
def run_process(module, args, *, data_dir, ready_path, startup_timeout):
    """Start `python -m module args...` and yield (process, url, log_file) once GET ready_path
    answers 200; stop it (kill if need be) after. The log goes to <data_dir>/sandbox.log."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir / "sandbox.log"
    with open(log_file, "ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own argv)
            [sys.executable, "-m", module, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE,
            stderr=log)
    try:
        url = _read_url(process, startup_timeout, log_file)
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                if http("GET", url + ready_path, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"sandbox did not answer; log:\n{_tail(log_file)}")
            time.sleep(0.05)
        yield process, url, log_file
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
