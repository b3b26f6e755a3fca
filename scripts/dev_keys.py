"""`make keys`: the laptop's dev keys, generated once into the git-ignored var/ (never committed).

Alipay: our app key pair (var/keys/) and the sandbox's "Alipay" pair (var/sandbox/).
WeChat Pay: our merchant key pair and APIv3 key (var/keys/), and the WeChat sandbox's platform
identity (var/wechat-sandbox/: key pair, PUB_KEY_ID, certificate), made now so that the site,
started beside the sandbox, already knows the public key and its id.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.al_pay.keys import ensure_key_pair  # noqa: E402
from lib.wx_pay.keys import ensure_dev_keys  # noqa: E402
from lib.wx_pay.sandbox import identity  # noqa: E402


def main():
    var = ROOT / "var"
    if ensure_key_pair(var / "keys/app_private_key.pem", var / "keys/app_public_key.pem"):
        print("generated var/keys/app_*.pem")
    if ensure_key_pair(var / "sandbox/alipay_private_key.pem",
                       var / "sandbox/alipay_public_key.pem"):
        print("generated var/sandbox/alipay_*.pem")
    wechat = ensure_dev_keys(var / "keys")
    sandbox_dir = var / "wechat-sandbox"
    sandbox_dir.mkdir(parents=True, exist_ok=True)
    _, created = identity.load(
        sandbox_dir, mchid=os.environ.get("WECHATPAY_MCHID", "1900000001"),
        merchant_public_key_pem=wechat["merchant_public_key"].read_bytes(),
        apiv3_key=wechat["apiv3_key"].read_text().strip())
    if created:
        print("generated var/keys/wechat_* and var/wechat-sandbox/ (the WeChat sandbox's keys)")


if __name__ == "__main__":
    main()
