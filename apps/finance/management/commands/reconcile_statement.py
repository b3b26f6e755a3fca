"""`manage.py reconcile_statement [--date YYYY-MM-DD]`: compare a day of Alipay's statement
with our orders and refunds (default: yesterday, Beijing time). Safe to run again."""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.finance import services
from lib.al_pay.errors import AlipayError
from lib.al_pay.statement import StatementFormatError


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Reconcile one day of Alipay's trade statement with our orders and refunds."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="bill_date", type=str, default=None,
                            help="the Beijing day, YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, bill_date=None, **options):
        day = _day(bill_date) if bill_date else services.beijing_yesterday()
        try:
            report = services.statement_reconcile(bill_date=day)
        except (AlipayError, StatementFormatError) as exc:
            raise CommandError(f"statement of {day} not reconciled: {exc}") from exc
        self.stdout.write(
            f"statement {report['bill_date']}: {report['lines']} lines, "
            f"{report['differences']} differences ({report['settled']} settled), "
            f"{report['open']} open")
