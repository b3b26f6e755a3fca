"""App config for orders."""
from django.apps import AppConfig


class OrderConfig(AppConfig):
    name = "apps.order"
    label = "order"
    verbose_name = "订单"

    def ready(self):
        from utils.metrics import connect_payment_counters
        connect_payment_counters()  # Prometheus counters fed by PaymentEvent rows
