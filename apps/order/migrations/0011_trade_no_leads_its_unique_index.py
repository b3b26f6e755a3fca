"""The trade number leads the unique index of (trade number, provider).

The notify's settle read asks whether a trade number paid any other order, whatever its
provider; with pay_type first, that lookup scanned the whole index (one row per order ever
sold) on every payment. Uniqueness is the same.
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("order", "0010_provider_seam"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="order", name="uniq_provider_trade_no"),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(fields=("trade_no", "pay_type"),
                                               name="uniq_provider_trade_no"),
        ),
    ]
