"""`manage.py wechat_sandbox`: start the local WeChat Pay sandbox configured from our settings.

One source of truth: the sandbox trusts our merchant public key, mchid, appid and APIv3 key
from settings, and listens where WECHATPAY_GATEWAY points; its platform key (and the
PUB_KEY_ID the app verifies with) lives in WECHATPAY_SANDBOX_DIR, made by `make keys`.
"""
from django.conf import settings
from django.core.management.base import BaseCommand

from ..local_sandbox import TIME_SCALE_DEFAULT, become_sandbox, local_gateway


class Command(BaseCommand):
    help = "Run the local WeChat Pay sandbox (lib.wx_pay.sandbox) for WECHATPAY_GATEWAY."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(settings.WECHATPAY_SANDBOX_DIR))
        parser.add_argument("--time-scale", default=TIME_SCALE_DEFAULT,
                            help="multiplies WeChat's notify retry delays (15s, 15s, 30s, ...)")

    def handle(self, *args, data_dir, time_scale, **options):
        host, port = local_gateway("WECHATPAY_GATEWAY")
        become_sandbox("lib.wx_pay.sandbox", host, port, data_dir, time_scale,
                       "--mchid", settings.WECHATPAY_MCHID, "--appid", settings.WECHATPAY_APPID,
                       "--merchant-public-key", settings.WECHATPAY_PUBLIC_MERCHANT_KEY_FILE,
                       "--apiv3-key-file", settings.WECHATPAY_APIV3_KEY_FILE,
                       "--notify-serial",
                       "certificate" if settings.WECHATPAY_CERT_DIR else "public-key")
