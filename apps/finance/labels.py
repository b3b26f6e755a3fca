"""What each provider calls its numbers and money on the statement pages (Alipay's wording
stays as it was; a WeChat day speaks WeChat's)."""
from dataclasses import dataclass

from apps.order.constants import PAY_TYPE_BY_PROVIDER, PayType

from .constants import MismatchKind


@dataclass(frozen=True)
class StatementWords:
    provider: str    # 支付宝, 微信支付
    trade_no: str    # the provider's number of the trade (StatementLine.trade_no)
    amount: str      # the provider's side of a difference
    refund_no: str   # our number of a refund (StatementLine.out_request_no)
    refund_id: str   # the provider's own number of a refund, if its statement has one


_WORDS = {
    "alipay": StatementWords(provider="支付宝", trade_no="支付宝交易号", amount="支付宝金额",
                             refund_no="退款请求号", refund_id=""),
    # The trade bill's columns: 微信订单号 (transaction_id), 商户退款单号, 微信退款单号.
    "wechat": StatementWords(provider="微信支付", trade_no="微信支付订单号", amount="微信支付金额",
                             refund_no="商户退款单号", refund_id="微信退款单号"),
}
_NEUTRAL = StatementWords(provider="支付平台", trade_no="平台交易号", amount="平台金额",
                          refund_no="退款请求号", refund_id="")


def provider_label(provider: str) -> str:
    """支付宝 / 微信支付 for a provider name; the name itself if unknown."""
    pay_type = PAY_TYPE_BY_PROVIDER.get(provider)
    return PayType(pay_type).label if pay_type is not None else provider


def statement_words(provider: str) -> StatementWords:
    return _WORDS.get(provider, _NEUTRAL)


def mismatch_kind_label(kind: str, provider: str) -> str:
    """A difference's kind as the day's provider would say it (the choices' label is neutral)."""
    words = statement_words(provider)
    return {MismatchKind.PAID_NOT_RECORDED: f"{words.provider}已收款，本地未支付",
            MismatchKind.TRADE_NO_MISMATCH: f"{words.trade_no}不一致",
            MismatchKind.REFUND_NOT_RECORDED: f"{words.provider}有退款，本地没有",
            }.get(kind, MismatchKind(kind).label)
