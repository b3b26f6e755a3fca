"""`manage.py wechat_certificates`: fetch WeChat Pay's platform certificates into WECHATPAY_CERT_DIR.

Certificate mode only (WECHATPAY_CERT_DIR set): run it once before the first start and again
when WeChat rotates its certificates. They are fetched from WECHATPAY_GATEWAY with our request
signature and decrypted with the APIv3 key (which is what authenticates them).
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.order.providers.wechat import wechat_config
from lib.wx_pay.client import download_platform_certificates
from lib.wx_pay.errors import WechatPayError


class Command(BaseCommand):
    help = "Download WeChat Pay's platform certificates into WECHATPAY_CERT_DIR."

    def handle(self, *args, **options):
        if not settings.WECHATPAY_CERT_DIR:
            raise CommandError("WECHATPAY_CERT_DIR is not set: public-key mode needs no certificates")
        try:
            serials = download_platform_certificates(wechat_config())
        except (WechatPayError, OSError, ValueError) as exc:
            raise CommandError(f"platform certificates not downloaded: {exc}") from exc
        self.stdout.write(f"{len(serials)} certificate(s) in {settings.WECHATPAY_CERT_DIR}: "
                          f"{', '.join(serials)}")
