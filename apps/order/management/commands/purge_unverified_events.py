"""Delete unverified payment events (forged or unreadable callbacks) older than a given age."""
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.order.models import PaymentEvent


class Command(BaseCommand):
    help = ("Delete payment events whose signature did not verify, older than --days "
            "(UNVERIFIED_EVENT_MAX_AGE_DAYS). Verified events are never deleted.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.UNVERIFIED_EVENT_MAX_AGE_DAYS)

    def handle(self, *args, days, **options):
        cutoff = timezone.now() - timedelta(days=days)
        # verified=False only: None (transitions, admin actions) and True are facts we keep.
        deleted, _ = PaymentEvent.objects.filter(verified=False, created_time__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} unverified payment events older than {days} days")
