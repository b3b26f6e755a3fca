"""Payment providers behind one seam (base.PaymentProvider), chosen by the order's pay_type.

    provider = providers.for_pay_type(order.pay_type)   # ProviderDisabled if not enabled
    provider.query(out_trade_no=...)                    # a typed Trade, or ProviderError

The registry is built from settings.PAYMENT_PROVIDERS ("alipay", "wechat"); the services never
branch on the pay type and never import lib/ clients themselves.
"""
from functools import lru_cache

from django.conf import settings

from ..constants import PAY_TYPE_BY_PROVIDER, PayType
from .base import PaymentProvider, ProviderError

__all__ = ["ProviderDisabled", "enabled", "for_pay_type", "named"]


class ProviderDisabled(ProviderError):
    """The pay type is not among PAYMENT_PROVIDERS: nothing can be asked of it here."""

    def __init__(self, pay_type):
        # Read by staff (admin messages, events): the method's name where the pay type is one.
        name = PayType(pay_type).label if pay_type in PayType.values else f"pay_type {pay_type}"
        super().__init__("provider_disabled", f"{name}未启用（PAYMENT_PROVIDERS）", unknown=True)


def _classes() -> dict:
    from .alipay import AlipayProvider
    from .wechat import WechatProvider
    return {provider.name: provider for provider in (AlipayProvider, WechatProvider)}


@lru_cache(maxsize=8)
def _registry(names: tuple) -> dict:
    classes = _classes()
    unknown = [name for name in names if name not in classes]
    if unknown:
        raise ValueError(f"PAYMENT_PROVIDERS names unknown providers: {', '.join(unknown)}")
    return {PayType(PAY_TYPE_BY_PROVIDER[name]): classes[name]() for name in names}


def enabled() -> dict:
    """{pay_type: provider} of the enabled providers, in the order PAYMENT_PROVIDERS names them."""
    return _registry(tuple(settings.PAYMENT_PROVIDERS))


def for_pay_type(pay_type) -> PaymentProvider:
    """The provider of an enabled pay type; ProviderDisabled (unknown: conclude nothing) if not."""
    provider = enabled().get(pay_type)
    if provider is None:
        raise ProviderDisabled(pay_type)
    return provider


def named(name) -> PaymentProvider:
    """An enabled provider by name ("alipay", "wechat"); ProviderDisabled if not enabled."""
    return for_pay_type(PAY_TYPE_BY_PROVIDER.get(name))
