"""Delivers a store's pending notifies on a retry schedule: one scheduler thread and a small pool."""
import http.client
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is not an acknowledgement: never follow it, let it surface as a 3xx failure.
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies: the merchant under test is local, and a stray HTTP_PROXY must not reroute notifies.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def post(url, body: bytes, *, headers, timeout, accepted) -> dict:
    """POST one notify; the result row: outcome, http_status, body (the answer's start).

    accepted(status, answer bytes) says whether the merchant acknowledged it.
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return {"outcome": "error", "http_status": None, "body": "notify_url is not http(s)"}
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, answer = response.status, response.read(4096)
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read(4096)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        return {"outcome": "error", "http_status": None,
                "body": str(getattr(error, "reason", error))[:200]}
    return {"http_status": status, "body": answer.decode("utf-8", "replace")[:200],
            "outcome": "success" if accepted(status, answer) else "failure"}


class Notifier:
    """Runs the deliveries; subclasses give RETRY_DELAYS, a logger and attempt()."""

    RETRY_DELAYS: tuple = ()  # seconds before each re-send, before time scaling
    MAX_WAIT = 5.0  # the longest the scheduler sleeps before looking at the store again
    log = logging.getLogger("sandbox.notify")

    def __init__(self, store, faults, *, time_scale=1.0, workers=8, thread_name="notify"):
        self._store, self._faults = store, faults
        self._time_scale = time_scale
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=thread_name)
        self._cond = threading.Condition()
        self._inflight: set[str] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{thread_name}-scheduler",
                                        daemon=True)

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
        if attempts_made > len(self.RETRY_DELAYS):
            return None
        return self.RETRY_DELAYS[attempts_made - 1] * self._time_scale

    def attempt(self, notification, *rows) -> list[dict] | None:
        """Send one attempt of a pending notification (with the rows the store loaded beside it);
        one result per copy sent, or None if stopping cut it short (then nothing is recorded)."""
        raise NotImplementedError

    # -- scheduler -----------------------------------------------------------------------------

    def _run(self):
        while not self._stopping.is_set():
            try:
                wait = self._tick()
            except Exception:  # keep scheduling whatever one bad row or a closed DB does
                self.log.exception("notify scheduler error")
                wait = 1.0
            with self._cond:
                if not self._stopping.is_set():
                    self._cond.wait(timeout=wait)

    def _tick(self) -> float:
        """Start every due delivery; return how long to sleep until the next one (capped)."""
        with self._cond:
            for notify_id in self._store.due_notifications(time.time()):
                if notify_id not in self._inflight:
                    self._inflight.add(notify_id)
                    self._pool.submit(self._deliver, notify_id)
            next_at = self._store.next_notification_due(self._inflight)
        return self._sleep_until(next_at)

    def _sleep_until(self, at: float | None) -> float:
        if at is None:
            return self.MAX_WAIT
        return min(max(at - time.time(), 0.0), self.MAX_WAIT)

    def _deliver(self, notify_id):
        try:
            loaded = self._store.notification(notify_id)
            if loaded is None or loaded[0]["state"] != "pending":
                return
            results = self.attempt(*loaded)
            if results is None:
                return
            self._store.record_attempt(notify_id, results, self.delay_for)
            notification, trade = loaded[:2]
            kind = notification.get("event_type")  # WeChat's notifies have one, Alipay's not
            self.log.info("notify %s%s for %s -> %s", notify_id[:8], f" {kind}" if kind else "",
                          trade["out_trade_no"],
                          ", ".join(f"{r['outcome']}({r.get('http_status')})" for r in results))
        except Exception:
            if not self._stopping.is_set():  # at shutdown the store may already be closed
                self.log.exception("notify %s failed unexpectedly", notify_id)
        finally:
            with self._cond:
                self._inflight.discard(notify_id)
                self._cond.notify_all()
