"""Dev key files: created once, private ones 0600, usable by the unmodified SDK."""
import stat

from wechatpayv3 import WeChatPay, WeChatPayType

from lib.wx_pay.keys import ensure_dev_keys, new_apiv3_key


def test_dev_keys_are_created_once_and_private(tmp_path):
    paths = ensure_dev_keys(tmp_path / "keys")
    first = {name: path.read_bytes() for name, path in paths.items()}
    assert ensure_dev_keys(tmp_path / "keys") == paths
    assert {name: path.read_bytes() for name, path in paths.items()} == first
    for name in ("merchant_private_key", "apiv3_key"):
        assert stat.S_IMODE(paths[name].stat().st_mode) == 0o600
    assert first["merchant_private_key"].startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
    key = first["apiv3_key"].decode()
    assert len(key) == 32 and key.isalnum() and key.isascii()
    # The SDK takes the private key (it refuses PKCS#1) and the APIv3 key as they are.
    WeChatPay(wechatpay_type=WeChatPayType.NATIVE, mchid="1900000109",
              private_key=first["merchant_private_key"].decode(), cert_serial_no="1",
              appid="wx1", apiv3_key=key, public_key=first["merchant_public_key"].decode(),
              public_key_id="PUB_KEY_ID_1")


def test_apiv3_keys_differ():
    assert len({new_apiv3_key() for _ in range(20)}) == 20
