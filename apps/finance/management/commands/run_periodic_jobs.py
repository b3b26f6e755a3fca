"""`manage.py run_periodic_jobs`: the periodic jobs in the foreground, for one laptop.

Production runs the same passes from Celery beat + workers (apps/order/tasks.py,
apps/finance/tasks.py): unpaid orders every minute, and yesterday's statement of every
provider once a day after STATEMENT_RECONCILE_HOUR (Beijing). It lives here, beside the
statement, because apps.finance may use apps.order and not the other way round.
"""
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.dashboard.services import sales_hours_refresh
from apps.finance.services import statement_reconcile_due
from apps.order import providers
from apps.order.services.reconcile import orders_reconcile


class Command(BaseCommand):
    help = ("Reconcile unpaid orders with their providers every ORDER_RECONCILE_EVERY_SECONDS, "
            "and the daily statements (Ctrl-C stops).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--wait-for-gateway", type=float, default=0, metavar="SECONDS",
            help="before the first pass, wait up to SECONDS until ALIPAY_GATEWAY answers HTTP "
                 "(make run starts the sandbox beside this loop)")

    def handle(self, *args, once=False, wait_for_gateway=0, **options):
        if wait_for_gateway > 0 and not gateway_wait(settings.ALIPAY_GATEWAY, wait_for_gateway):
            self.stderr.write(f"the Alipay gateway {settings.ALIPAY_GATEWAY} did not answer within "
                              f"{wait_for_gateway:g} s; running anyway (each pass retries)")
        while True:
            try:
                counts = orders_reconcile(min_age_seconds=settings.ORDER_RECONCILE_MIN_AGE_SECONDS)
                if counts["checked"]:
                    self.stdout.write(f"reconcile: {counts}")
            except Exception as exc:  # keep the loop alive; the next pass retries
                self.stderr.write(f"reconcile failed: {exc!r}")
            try:
                sales_hours_refresh()  # the dashboard's closed hours, before anyone asks
            except Exception as exc:  # the next pass retries
                self.stderr.write(f"dashboard hours failed: {exc!r}")
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


def gateway_wait(url, timeout, *, every=0.25) -> bool:
    """True once `url` answers HTTP at all (any status), False if it did not within `timeout`.

    On a clean `make run` the sandbox process is still starting when this loop starts: the
    first pass would otherwise log "Connection refused" for a gateway that is a second away.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our configured gateway)
                return True
        except urllib.error.HTTPError:  # a 4xx/5xx is an answer: the gateway is up
            return True
        except (OSError, ValueError):
            if time.monotonic() + every > deadline:
                return False
            time.sleep(every)
