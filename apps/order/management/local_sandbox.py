"""What `manage.py alipay_sandbox` and `wechat_sandbox` share: a gateway setting that must name
a local port, and becoming the sandbox process."""
import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import CommandError

TIME_SCALE_DEFAULT = os.environ.get("SANDBOX_TIME_SCALE", "0.01")


def local_gateway(name) -> tuple[str, int]:
    """(host, port) of the gateway setting `name`; CommandError unless it is this machine."""
    gateway = urlsplit(getattr(settings, name))
    if gateway.hostname not in ("127.0.0.1", "localhost") or not gateway.port:
        raise CommandError(f"{name}={getattr(settings, name)} is not a local sandbox")
    return gateway.hostname, gateway.port


def become_sandbox(module, host, port, data_dir, time_scale, *arguments):
    """Replace this process by `python -m module`: Ctrl-C and SIGTERM reach the sandbox."""
    argv = [sys.executable, "-m", module, "--host", host, "--port", str(port),
            "--data-dir", data_dir, "--time-scale", str(time_scale), *arguments]
    os.chdir(settings.BASE_DIR)
    os.execv(sys.executable, argv)  # noqa: S606 (our argv)
