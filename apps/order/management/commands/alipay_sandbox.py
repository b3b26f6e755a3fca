"""`manage.py alipay_sandbox`: start the local Alipay sandbox configured from our settings.

One source of truth: the sandbox trusts the app's public key and app id from settings, and
listens where ALIPAY_GATEWAY points.
"""
from django.conf import settings
from django.core.management.base import BaseCommand

from ..local_sandbox import TIME_SCALE_DEFAULT, become_sandbox, local_gateway


class Command(BaseCommand):
    help = "Run the local Alipay sandbox (lib.al_pay.sandbox) for ALIPAY_GATEWAY."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(settings.VAR_DIR / "sandbox"))
        parser.add_argument("--time-scale", default=TIME_SCALE_DEFAULT,
                            help="multiplies Alipay's notify retry delays (4m, 10m, ...)")

    def handle(self, *args, data_dir, time_scale, **options):
        host, port = local_gateway("ALIPAY_GATEWAY")
        seller = ["--seller-id", settings.ALIPAY_SELLER_ID] if settings.ALIPAY_SELLER_ID else []
        become_sandbox("lib.al_pay.sandbox", host, port, data_dir, time_scale,
                       "--app-id", settings.ALIPAY_APP_ID,
                       "--app-public-key", settings.ALIPAY_APP_PUBLIC_KEY_FILE, *seller)
