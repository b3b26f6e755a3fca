"""App config for finance: the daily reconciliation against Alipay's statement."""
from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "apps.finance"
    label = "finance"
    verbose_name = "对账"
