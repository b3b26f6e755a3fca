"""When a line's refund was asked of the provider (WeChat's bill dates a refund by it).

Lines refunded before this column existed get their refund time, the best date known: a
refund completed at once (Alipay) or within the same day (most WeChat refunds).
"""
from django.db import migrations, models


def date_earlier_refunds(apps, schema_editor):
    OrderDetail = apps.get_model("order", "OrderDetail")
    OrderDetail.objects.filter(refund_time__isnull=False, refund_requested_time__isnull=True) \
        .update(refund_requested_time=models.F("refund_time"))


class Migration(migrations.Migration):

    dependencies = [
        ("order", "0011_trade_no_leads_its_unique_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderdetail",
            name="refund_requested_time",
            field=models.DateTimeField(blank=True, db_index=True, null=True,
                                       verbose_name="退款申请时间"),
        ),
        migrations.RunPython(date_earlier_refunds, migrations.RunPython.noop),
    ]
