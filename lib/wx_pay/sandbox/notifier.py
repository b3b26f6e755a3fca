"""Delivers encrypted, signed notifies on WeChat's retry schedule; also completes due refunds."""
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from . import signing, wire

log = logging.getLogger("wechat_sandbox.notify")

# WECHATPAY.md §5: re-sent after 15s,15s,30s,3m,10m,20m,30m,30m,30m,60m,3h,3h,3h,6h,6h.
RETRY_DELAYS = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800,
                21600, 21600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 5  # WeChat expects an answer within 5 s


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is not an acknowledgement


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class Notifier:
    def __init__(self, store, faults, *, private_key, serial, apiv3_key, time_scale=1.0,
                 workers=4):
        self._store, self._faults = store, faults
        self._key, self._serial, self._apiv3_key = private_key, serial, apiv3_key
        self._time_scale = time_scale
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wx-notify")
        self._cond = threading.Condition()
        self._inflight: set[str] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wx-notify-scheduler",
                                        daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stopping.set()
        self.wake()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def wake(self):
        with self._cond:
            self._cond.notify_all()

    def delay_for(self, attempts_made: int) -> float | None:
        """Seconds until the next attempt after `attempts_made`, or None to give up."""
        if attempts_made >= MAX_ATTEMPTS:
            return None
        return RETRY_DELAYS[attempts_made - 1] * self._time_scale

    def _run(self):
        while not self._stopping.is_set():
            try:
                wait = self._tick()
            except Exception:  # keep scheduling whatever one bad row does
                log.exception("notify scheduler error")
                wait = 1.0
            with self._cond:
                if not self._stopping.is_set():
                    self._cond.wait(timeout=wait)

    def _tick(self) -> float:
        self._store.complete_due_refunds()
        with self._cond:
            for notify_id in self._store.due_notifications(time.time()):
                if notify_id not in self._inflight:
                    self._inflight.add(notify_id)
                    self._pool.submit(self._deliver, notify_id)
            due = [t for t in (self._store.next_notification_due(self._inflight),
                               self._store.next_refund_due()) if t is not None]
        return min(max(min(due) - time.time(), 0.0), 2.0) if due else 2.0

    def _deliver(self, notify_id):
        try:
            loaded = self._store.notification(notify_id)
            if loaded is None or loaded[0]["state"] != "pending":
                return
            notification, trade, refund = loaded
            if self._faults.take("wechat_notify_drop"):
                result = {"outcome": "dropped", "body": "dropped by wechat_notify_drop"}
            else:
                result = self._post(notification["notify_url"],
                                    self.body(notification, trade, refund))
            self._store.record_attempt(notify_id, result, self.delay_for)
            log.info("notify %s %s for %s -> %s(%s)", notify_id[:8], notification["event_type"],
                     trade["out_trade_no"], result["outcome"], result.get("http_status"))
        except Exception:
            if not self._stopping.is_set():
                log.exception("notify %s failed unexpectedly", notify_id)
        finally:
            with self._cond:
                self._inflight.discard(notify_id)
                self._cond.notify_all()

    def body(self, notification, trade, refund) -> bytes:
        """The notify envelope with its resource encrypted under the APIv3 key."""
        if refund is None:
            resource, original, summary = wire.transaction(trade), "transaction", "支付成功"
        else:
            resource, original = wire.refund_notify(trade, refund), "refund"
            summary = {"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}.get(
                refund["status"], "退款状态变更")
        sealed = signing.encrypt(self._apiv3_key, json.dumps(resource, ensure_ascii=False)
                                 .encode("utf-8"), original)
        return signing.dumps({
            "id": notification["notify_id"], "create_time": wire.rfc3339(time.time()),
            "resource_type": "encrypt-resource", "event_type": notification["event_type"],
            "summary": summary, "resource": dict(sealed, original_type=original)})

    def _post(self, url, body: bytes) -> dict:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            return {"outcome": "error", "body": "notify_url is not http(s)"}
        headers = signing.answer_headers(self._key, self._serial, body)
        headers.update({"Content-Type": "application/json",
                        "User-Agent": "Mozilla/4.0 (luffy wechatpay sandbox)"})
        request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 (checked)
                                         headers=headers)
        try:
            with _opener.open(request, timeout=TIMEOUT) as response:
                status, answer = response.status, response.read(4096)
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read(4096)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            return {"outcome": "error", "body": str(getattr(error, "reason", error))[:200]}
        # WeChat: the HTTP status decides (200/204 = received); the body is not read.
        return {"http_status": status, "body": answer.decode("utf-8", "replace")[:200],
                "outcome": "success" if status in (200, 204) else "failure"}
