"""`manage.py reconcile_orders`: one reconciliation pass now, for an operator after an outage."""
from django.core.management.base import BaseCommand, CommandError

from apps.order.services.reconcile import orders_reconcile


class Command(BaseCommand):
    help = ("Ask each order's provider about unpaid orders once: settle the paid ones, time out "
            "(and close at the provider) the overdue ones, settle refunds still processing. "
            "Provider errors leave an order unsure, never decided.")

    def add_arguments(self, parser):
        parser.add_argument("--min-age", type=int, default=0, metavar="SECONDS",
                            help="skip orders younger than this (default: check every one)")
        parser.add_argument("--limit", type=int, default=None,
                            help="at most this many orders (default: ORDER_RECONCILE_BATCH_SIZE)")

    def handle(self, *args, min_age=0, limit=None, **options):
        if min_age < 0 or (limit is not None and limit < 1):
            raise CommandError("--min-age must be >= 0 and --limit >= 1")
        counts = orders_reconcile(min_age_seconds=min_age, limit=limit)
        self.stdout.write(f"checked {counts['checked']}, paid {counts['paid']}, "
                          f"timed out {counts['timed_out']}, unsure {counts['unsure']}")
        if counts.get("refunds_checked"):  # WeChat refunds still processing, asked again
            self.stdout.write(f"refunds checked {counts['refunds_checked']}, "
                              f"settled {counts.get('refunds_settled', 0)}")
        if counts["left"]:
            self.stdout.write(f"{counts['left']}+ more unpaid orders left: run it again")
