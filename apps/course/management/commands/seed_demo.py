"""`manage.py seed_demo`: load the demo courses and the demo student (idempotent)."""
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.course.demo import DEMO_ADMIN, DEMO_COURSES, DEMO_STUDENT
from apps.course.models import Course
from apps.user.models import User


class Command(BaseCommand):
    help = "Load demo courses and a demo student; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--with-admin", action="store_true",
                            help="also create the demo superuser (local use only)")

    @transaction.atomic
    def handle(self, *args, with_admin=False, **options):
        for position, data in enumerate(DEMO_COURSES):
            Course.objects.update_or_create(name=data["name"],
                                            defaults={**data, "display_order": position})
        self._ensure_user(DEMO_STUDENT, is_superuser=False)
        logins = [("student", DEMO_STUDENT)]
        if with_admin:
            self._ensure_user(DEMO_ADMIN, is_superuser=True)
            logins.append(("admin (/admin/)", DEMO_ADMIN))
        self.stdout.write(self.style.SUCCESS(f"{len(DEMO_COURSES)} demo courses ready."))
        for role, data in logins:
            self.stdout.write(f"  demo {role}: {data['username']} / {data['password']}")

    def _ensure_user(self, data, *, is_superuser):
        user, created = User.objects.get_or_create(username=data["username"])
        if created:
            user.set_password(data["password"])
            user.telephone = data.get("telephone")
            user.is_staff = user.is_superuser = is_superuser
            user.save()
        return user
