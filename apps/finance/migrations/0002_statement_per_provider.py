"""Statement days keyed by (provider, bill_date) with neutral column names; every row kept.

The existing rows are Alipay's: `provider` defaults to "alipay", and the alipay_* columns are
renamed (RenameField keeps their data), never dropped and re-added.
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("finance", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementday", name="provider",
            field=models.CharField(default="alipay", max_length=16, verbose_name="支付平台")),
        migrations.RenameField("statementday", "alipay_trade_count", "provider_trade_count"),
        migrations.RenameField("statementday", "alipay_trade_amount", "provider_trade_amount"),
        migrations.RenameField("statementday", "alipay_refund_count", "provider_refund_count"),
        migrations.RenameField("statementday", "alipay_refund_amount", "provider_refund_amount"),
        migrations.RenameField("statementday", "alipay_net_amount", "provider_net_amount"),
        migrations.RenameField("statementmismatch", "alipay_amount", "provider_amount"),
        migrations.AlterField(
            model_name="statementday", name="bill_date",
            field=models.DateField(verbose_name="账单日期")),
        migrations.AddConstraint(
            model_name="statementday",
            constraint=models.UniqueConstraint(fields=("provider", "bill_date"),
                                               name="uniq_statement_provider_day")),
            # Labels: the provider's figures, not Alipay's.
        migrations.AlterModelOptions(
            name='statementday',
            options={'ordering': ['-bill_date', 'provider'], 'verbose_name': '对账单', 'verbose_name_plural': '对账单'},
        ),
        migrations.AlterField(
            model_name='statementday',
            name='provider_net_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='平台实收净额'),
        ),
        migrations.AlterField(
            model_name='statementday',
            name='provider_refund_amount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='平台退款金额'),
        ),
        migrations.AlterField(
            model_name='statementday',
            name='provider_refund_count',
            field=models.IntegerField(default=0, verbose_name='平台退款笔数'),
        ),
        migrations.AlterField(
            model_name='statementday',
            name='provider_trade_amount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='平台交易金额'),
        ),
        migrations.AlterField(
            model_name='statementday',
            name='provider_trade_count',
            field=models.IntegerField(default=0, verbose_name='平台交易笔数'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='trade_no',
            field=models.CharField(db_index=True, max_length=64, verbose_name='平台交易号'),
        ),
        migrations.AlterField(
            model_name='statementmismatch',
            name='provider_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='平台金额'),
        ),
        migrations.AlterField(
            model_name='statementmismatch',
            name='trade_no',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='平台交易号'),
        ),
    ]
