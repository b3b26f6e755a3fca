"""Delivers async notifies on Alipay's retry schedule from one scheduler thread and a small pool."""
import http.client
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from . import signing, times

log = logging.getLogger("sandbox.notify")

# Alipay re-sends after 4m, 10m, 10m, 1h, 2h, 6h, 15h: 8 attempts within ~25 hours.
RETRY_DELAYS = (4 * 60, 10 * 60, 10 * 60, 3600, 2 * 3600, 6 * 3600, 15 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 15  # seconds Alipay-like patience for one POST


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is not "success": never follow it, let it surface as a 3xx failure.
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies: the merchant under test is local, and a stray HTTP_PROXY must not reroute notifies.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class Notifier:
    def __init__(self, store, faults, private_key, time_scale=1.0, workers=8):
        self._store, self._faults, self._key = store, faults, private_key
        self._time_scale = time_scale
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify")
        self._cond = threading.Condition()
        self._inflight: set[str] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-scheduler", daemon=True)

    def start(self):
        # Pending rows left by a previous run are simply due (or soon due): nothing to replay.
        self._thread.start()

    def stop(self):
        self._stopping.set()
        self.wake()
        self._thread.join(timeout=5)
        # An interrupted attempt is not recorded, so it is re-sent after a restart (at least once).
        self._pool.shutdown(wait=False, cancel_futures=True)

    def wake(self):
        with self._cond:
            self._cond.notify_all()

    def delay_for(self, attempts_made: int) -> float | None:
        """Seconds until the next attempt after `attempts_made` attempts, or None to give up."""
        if attempts_made >= MAX_ATTEMPTS:
            return None
        return RETRY_DELAYS[attempts_made - 1] * self._time_scale

    # -- scheduler -----------------------------------------------------------------------------

    def _run(self):
        while not self._stopping.is_set():
            try:
                wait = self._dispatch_due()
            except Exception:  # keep scheduling whatever one bad row or a closed DB does
                log.exception("notify scheduler error")
                wait = 1.0
            with self._cond:
                if not self._stopping.is_set():
                    self._cond.wait(timeout=wait)

    def _dispatch_due(self) -> float:
        """Start every due delivery; return how long to sleep until the next one (capped)."""
        now = times.epoch()
        next_at = None
        with self._cond:
            for notify_id in self._store.due_notifications(now):
                if notify_id not in self._inflight:
                    self._inflight.add(notify_id)
                    self._pool.submit(self._deliver, notify_id)
            next_at = self._store.next_due_excluding(self._inflight)
        if next_at is None:
            return 5.0
        return min(max(next_at - times.epoch(), 0.0), 5.0)

    # -- one attempt ---------------------------------------------------------------------------

    def _deliver(self, notify_id):
        try:
            loaded = self._store.notification(notify_id)
            if loaded is None or loaded[0]["state"] != "pending":
                return
            notification, trade = loaded
            delay = self._faults.get("notify_delay")
            if delay and self._stopping.wait(delay):
                return
            if self._faults.take("notify_drop"):
                results = [{"at": times.now_str(), "outcome": "dropped",
                            "body": "dropped by the notify_drop fault"}]
            else:
                url = notification["notify_url"]
                copies = 1 + self._faults.get("notify_duplicate")
                results = self._send_copies(url, notify_id, trade, copies)
            delivered = any(r["outcome"] == "success" for r in results)
            self._store.record_attempt(notify_id, results, delivered, self.delay_for)
            log.info("notify %s for %s attempt -> %s", notify_id[:8], trade["out_trade_no"],
                     ", ".join(f"{r['outcome']}({r.get('http_status')})" for r in results))
        except Exception:
            if not self._stopping.is_set():  # at shutdown the store may already be closed
                log.exception("notify %s failed unexpectedly", notify_id)
        finally:
            with self._cond:
                self._inflight.discard(notify_id)
                self._cond.notify_all()

    def _send_copies(self, url, notify_id, trade, copies) -> list[dict]:
        if copies == 1:
            return [self._post(url, self._params(notify_id, trade))]
        # Duplicates go out at the same time to exercise the merchant's concurrent handling.
        results: list = [None] * copies
        barrier = threading.Barrier(copies)

        def send(i):
            params = self._params(notify_id, trade)
            try:
                barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
            results[i] = self._post(url, params)

        threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(copies)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT + 10)
        return [r or {"at": times.now_str(), "outcome": "error", "body": "no result"} for r in results]

    def _params(self, notify_id, trade) -> dict:
        amount = trade["total_amount"]
        params = {
            "notify_time": times.now_str(),
            "notify_type": "trade_status_sync",
            "notify_id": notify_id,
            "app_id": trade["app_id"],
            "auth_app_id": trade["app_id"],
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "total_amount": amount,
            "receipt_amount": amount,
            "buyer_pay_amount": amount,
            "invoice_amount": amount,
            "point_amount": "0.00",
            "seller_id": trade["seller_id"],
            "buyer_id": trade["buyer_id"],
            "trade_status": self._faults.get("notify_trade_status") or "TRADE_SUCCESS",
            "gmt_create": trade["gmt_create"],
            "gmt_payment": trade["gmt_payment"],
            "subject": trade["subject"],
            "fund_bill_list": f'[{{"amount":"{amount}","fundChannel":"ALIPAYACCOUNT"}}]',
        }
        signed = signing.sign_callback(self._key, params)
        if self._faults.get("notify_corrupt_signature"):
            # Still valid base64 of the right length, so only real verification catches it.
            signed["sign"] = signing.sign(self._key, signing.callback_string(signed) + "#corrupt")
        return signed

    @staticmethod
    def _post(url, params) -> dict:
        result = {"at": times.now_str(), "http_status": None}
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            return dict(result, outcome="error", body="notify_url is not http(s)")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, data=urllib.parse.urlencode(params).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                     "User-Agent": "Mozilla/4.0 (luffy alipay sandbox)"})
        try:
            with _opener.open(request, timeout=TIMEOUT) as response:
                status, body = response.status, response.read(4096)
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read(4096)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            return dict(result, outcome="error", body=str(getattr(error, "reason", error))[:200])
        # Alipay's rule: exactly the 7 bytes `success`; quotes, HTML, JSON or whitespace all fail.
        ok = 200 <= status < 300 and body == b"success"
        return dict(result, http_status=status, body=body.decode("utf-8", "replace")[:200],
                    outcome="success" if ok else "failure")
