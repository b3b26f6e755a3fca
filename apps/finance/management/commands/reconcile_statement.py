"""`manage.py reconcile_statement [--date YYYY-MM-DD] [--provisional]`: compare a day of Alipay's
statement with our orders and refunds (default: yesterday, Beijing time). Safe to run again.

A future day is refused; so is today (Beijing), which is not over, unless --provisional: the
day is then stored as 临时 and redone by the next regular run."""
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
        parser.add_argument("--provisional", action="store_true",
                            help="allow today (not over yet): stored as provisional (临时), "
                                 "redone by the next regular run")

    def handle(self, *args, bill_date=None, provisional=False, **options):
        day = _day(bill_date) if bill_date else services.beijing_yesterday()
        try:
            report = services.statement_reconcile(bill_date=day, provisional=provisional)
        except services.StatementDayRefused as exc:
            raise CommandError(f"statement of {day} refused: {exc}") from exc
        except (AlipayError, StatementFormatError) as exc:
            raise CommandError(f"statement of {day} not reconciled (marked failed): {exc}") from exc
        label = " PROVISIONAL (临时: today is not over)" if report["state"] == "provisional" else ""
        self.stdout.write(
            f"statement {report['bill_date']}{label}: {report['lines']} lines, "
            f"{report['differences']} differences ({report['settled']} settled), "
            f"{report['open']} open")
