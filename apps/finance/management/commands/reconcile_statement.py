"""`manage.py reconcile_statement [--date YYYY-MM-DD] [--provider wechat|alipay]`: compare a
day's statement of each enabled provider (or one) with our orders and refunds (default:
yesterday, Beijing time). Safe to run again."""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.finance import services
from apps.order import providers
from apps.order.constants import PROVIDER_NAMES
from apps.order.providers.base import BillError, ProviderError


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = ("Reconcile one day of each enabled provider's trade statement (or --provider's) "
            "with our orders and refunds.")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="bill_date", type=str, default=None,
                            help="the Beijing day, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--provider", choices=sorted(PROVIDER_NAMES.values()), default=None,
                            help="only this provider (default: every enabled one)")

    def handle(self, *args, bill_date=None, provider=None, **options):
        day = _day(bill_date) if bill_date else services.beijing_yesterday()
        names = [provider] if provider else [p.name for p in providers.enabled().values()]
        failed = []
        for name in names:
            try:
                report = services.statement_reconcile(bill_date=day, provider=name)
            except (ProviderError, BillError) as exc:
                self.stderr.write(f"{name} statement of {day} not reconciled: {exc}")
                failed.append(name)
                continue
            self.stdout.write(
                f"{name} statement {report['bill_date']}: {report['lines']} lines, "
                f"{report['differences']} differences ({report['settled']} settled), "
                f"{report['open']} open")
        if failed:
            raise CommandError(f"statement of {day} not reconciled: {', '.join(failed)}")
