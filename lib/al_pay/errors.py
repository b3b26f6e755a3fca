"""AlipayError: every failure of a call to Alipay, business or transport, as one type."""

# Alipay's "system busy, outcome unknown" answer: never read it as paid or unpaid.
UNKNOWN_CODES = {"20000", "20001"}


class AlipayError(Exception):
    """A call to Alipay did not succeed; `unknown` means retry later, conclude nothing."""

    def __init__(self, code="", sub_code="", msg="", *, unknown=False):
        super().__init__(f"alipay error {code} {sub_code}: {msg}".strip())
        self.code = code
        self.sub_code = sub_code or ""
        self.msg = msg
        self.unknown = unknown or code in UNKNOWN_CODES

    @property
    def trade_not_exist(self) -> bool:
        """The buyer never opened the cashier, so Alipay has no trade for this order."""
        return self.sub_code == "ACQ.TRADE_NOT_EXIST"
