"""Delivers encrypted, signed notifies on WeChat's retry schedule; also completes due refunds."""
import json
import logging
import time

from lib.sandbox_kit import notifier

from . import signing, wire

# WECHATPAY.md §5: re-sent after 15s,15s,30s,3m,10m,20m,30m,30m,30m,60m,3h,3h,3h,6h,6h.
RETRY_DELAYS = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800,
                21600, 21600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 5  # WeChat expects an answer within 5 s


class Notifier(notifier.Notifier):
    RETRY_DELAYS = RETRY_DELAYS
    MAX_WAIT = 2.0
    log = logging.getLogger("wechat_sandbox.notify")

    def __init__(self, store, faults, *, private_key, serial, apiv3_key, time_scale=1.0,
                 workers=4):
        super().__init__(store, faults, time_scale=time_scale, workers=workers,
                         thread_name="wx-notify")
        self._key, self._serial, self._apiv3_key = private_key, serial, apiv3_key

    def _tick(self) -> float:
        self._store.complete_due_refunds()
        return min(super()._tick(), self._sleep_until(self._store.next_refund_due()))

    def attempt(self, notification, trade, refund) -> list[dict]:
        if self._faults.take("wechat_notify_drop"):
            return [{"outcome": "dropped", "body": "dropped by wechat_notify_drop"}]
        return [self._post(notification["notify_url"], self.body(notification, trade, refund))]

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
        headers = signing.answer_headers(self._key, self._serial, body)
        headers.update({"Content-Type": "application/json",
                        "User-Agent": "Mozilla/4.0 (luffy wechatpay sandbox)"})
        # WeChat: the HTTP status decides (200/204 = received); the body is not read.
        return notifier.post(url, body, headers=headers, timeout=TIMEOUT,
                             accepted=lambda status, answer: status in (200, 204))
