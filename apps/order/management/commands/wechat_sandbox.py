"""`manage.py wechat_sandbox`: start the local WeChat Pay sandbox configured from our settings.

One source of truth: the sandbox trusts our merchant public key, mchid, appid and APIv3 key
from settings, and listens where WECHATPAY_GATEWAY points; its platform key (and the
PUB_KEY_ID the app verifies with) lives in WECHATPAY_SANDBOX_DIR, made by `make keys`.
"""
import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the local WeChat Pay sandbox (lib.wx_pay.sandbox) for WECHATPAY_GATEWAY."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(settings.WECHATPAY_SANDBOX_DIR))
        parser.add_argument("--time-scale", default=os.environ.get("SANDBOX_TIME_SCALE", "0.01"),
                            help="multiplies WeChat's notify retry delays (15s, 15s, 30s, ...)")

    def handle(self, *args, data_dir, time_scale, **options):
        gateway = urlsplit(settings.WECHATPAY_GATEWAY)
        if gateway.hostname not in ("127.0.0.1", "localhost") or not gateway.port:
            raise CommandError(f"WECHATPAY_GATEWAY={settings.WECHATPAY_GATEWAY} is not a local sandbox")
        argv = [sys.executable, "-m", "lib.wx_pay.sandbox", "--host", gateway.hostname,
                "--port", str(gateway.port), "--data-dir", data_dir,
                "--mchid", settings.WECHATPAY_MCHID, "--appid", settings.WECHATPAY_APPID,
                "--merchant-public-key", settings.WECHATPAY_PUBLIC_MERCHANT_KEY_FILE,
                "--apiv3-key-file", settings.WECHATPAY_APIV3_KEY_FILE,
                "--notify-serial", "certificate" if settings.WECHATPAY_CERT_DIR else "public-key",
                "--time-scale", str(time_scale)]
        os.chdir(settings.BASE_DIR)
        os.execv(sys.executable, argv)  # noqa: S606 (our argv) -- become the sandbox: signals reach it directly
