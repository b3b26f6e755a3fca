"""Delivers Alipay's signed async notifies on Alipay's retry schedule (lib/sandbox_kit/notifier)."""
import logging
import threading
import urllib.parse

from lib.sandbox_kit import notifier

from . import signing, times

# Alipay re-sends after 4m, 10m, 10m, 1h, 2h, 6h, 15h: 8 attempts within ~25 hours.
RETRY_DELAYS = (4 * 60, 10 * 60, 10 * 60, 3600, 2 * 3600, 6 * 3600, 15 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 15  # seconds Alipay-like patience for one POST


class Notifier(notifier.Notifier):
    RETRY_DELAYS = RETRY_DELAYS
    log = logging.getLogger("sandbox.notify")

    def __init__(self, store, faults, private_key, time_scale=1.0, workers=8):
        super().__init__(store, faults, time_scale=time_scale, workers=workers)
        self._key = private_key

    def attempt(self, notification, trade) -> list[dict] | None:
        delay = self._faults.get("notify_delay")
        if delay and self._stopping.wait(delay):
            return None
        if self._faults.take("notify_drop"):
            return [{"at": times.now_str(), "outcome": "dropped",
                     "body": "dropped by the notify_drop fault"}]
        copies = 1 + self._faults.get("notify_duplicate")
        return self._send_copies(notification["notify_url"], notification["notify_id"], trade,
                                 copies)

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
        at = times.now_str()
        result = notifier.post(
            url, urllib.parse.urlencode(params).encode("utf-8"), timeout=TIMEOUT,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                     "User-Agent": "Mozilla/4.0 (luffy alipay sandbox)"},
            # Alipay's rule: exactly the 7 bytes `success`; quotes, HTML, JSON or whitespace fail.
            accepted=lambda status, body: 200 <= status < 300 and body == b"success")
        return dict(result, at=at)
