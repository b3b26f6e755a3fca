"""`manage.py run_periodic_jobs`: the periodic jobs in the foreground, for one laptop.

Production runs the same passes from Celery beat + workers (apps/order/tasks.py,
apps/finance/tasks.py): unpaid orders every minute, and yesterday's statement of every
provider once a day after STATEMENT_RECONCILE_HOUR (Beijing). It lives here, beside the
statement, because apps.finance may use apps.order and not the other way round.
"""
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.finance.services import statement_reconcile_due
from apps.order import providers
from apps.order.services.reconcile import orders_reconcile


class Command(BaseCommand):
    help = ("Reconcile unpaid orders with their providers every ORDER_RECONCILE_EVERY_SECONDS, "
            "and the daily statements (Ctrl-C stops).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args, once=False, **options):
        while True:
            try:
                counts = orders_reconcile(min_age_seconds=settings.ORDER_RECONCILE_MIN_AGE_SECONDS)
                if counts["checked"]:
                    self.stdout.write(f"reconcile: {counts}")
            except Exception as exc:  # keep the loop alive; the next pass retries
                self.stderr.write(f"reconcile failed: {exc!r}")
            for provider in providers.enabled().values():
                try:
                    report = statement_reconcile_due(provider=provider.name)
                    if report:
                        self.stdout.write(f"statement: {report}")
                except Exception as exc:  # e.g. the provider unreachable: tried again next pass
                    self.stderr.write(f"{provider.name} statement reconcile failed: {exc!r}")
            if once:
                return
            time.sleep(settings.ORDER_RECONCILE_EVERY_SECONDS)
