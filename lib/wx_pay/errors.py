"""WechatPayError: every failure of a call to WeChat Pay, business or transport, as one type."""

# Codes that say the outcome is unknown: retry later, never read them as paid or unpaid.
UNKNOWN_CODES = frozenset({"SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "USERPAYING",
                           "BANK_ERROR", "TRANSPORT", "BAD_SIGNATURE", "BAD_ANSWER"})
ORDER_NOT_EXIST = "ORDER_NOT_EXIST"
ORDER_PAID = "ORDER_PAID"
ORDER_CLOSED = "ORDER_CLOSED"
OUT_TRADE_NO_USED = "OUT_TRADE_NO_USED"
RESOURCE_NOT_EXISTS = "RESOURCE_NOT_EXISTS"
SIGN_ERROR = "SIGN_ERROR"


class WechatPayError(Exception):
    """A call to WeChat Pay did not succeed; `unknown` means conclude nothing, retry later.

    code: WeChat's error code (ORDER_PAID, SIGN_ERROR, …) or one of ours: TRANSPORT (network,
    timeout), BAD_SIGNATURE (a 2xx answer that did not verify), BAD_ANSWER (unreadable 2xx).
    status: the HTTP status, None when no answer arrived.
    """

    def __init__(self, code: str, message: str = "", *, status: int | None = None,
                 unknown: bool = False):
        super().__init__(f"wechat pay error {code} (HTTP {status}): {message}".strip())
        self.code, self.message, self.status = code, message, status
        self.unknown = unknown or code in UNKNOWN_CODES or (status is not None and status >= 500)

    @property
    def order_paid(self) -> bool:
        """close() found the order paid: settle it instead of cancelling."""
        return self.code == ORDER_PAID
