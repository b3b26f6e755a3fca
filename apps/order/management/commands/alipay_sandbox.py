"""`manage.py alipay_sandbox`: start the local Alipay sandbox configured from our settings.

One source of truth: the sandbox trusts the app's public key and app id from settings, and
listens where ALIPAY_GATEWAY points.
"""
import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the local Alipay sandbox (lib.al_pay.sandbox) for ALIPAY_GATEWAY."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(settings.VAR_DIR / "sandbox"))
        parser.add_argument("--time-scale", default=os.environ.get("SANDBOX_TIME_SCALE", "0.01"),
                            help="multiplies Alipay's notify retry delays (4m, 10m, ...)")

    def handle(self, *args, data_dir, time_scale, **options):
        gateway = urlsplit(settings.ALIPAY_GATEWAY)
        if gateway.hostname not in ("127.0.0.1", "localhost") or not gateway.port:
            raise CommandError(f"ALIPAY_GATEWAY={settings.ALIPAY_GATEWAY} is not a local sandbox")
        argv = [sys.executable, "-m", "lib.al_pay.sandbox", "--host", gateway.hostname,
                "--port", str(gateway.port), "--data-dir", data_dir,
                "--app-id", settings.ALIPAY_APP_ID,
                "--app-public-key", settings.ALIPAY_APP_PUBLIC_KEY_FILE,
                "--time-scale", str(time_scale)]
        if settings.ALIPAY_SELLER_ID:
            argv += ["--seller-id", settings.ALIPAY_SELLER_ID]
        os.chdir(settings.BASE_DIR)
        os.execv(sys.executable, argv)  # noqa: S606 (our argv) -- become the sandbox: signals reach it directly
