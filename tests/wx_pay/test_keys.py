"""Dev key files: created once, private ones 0600, usable by the unmodified SDK."""
import stat

import pytest
from cryptography import x509
from wechatpayv3 import WeChatPay, WeChatPayType

from lib.wx_pay.keys import ensure_dev_keys, ensure_platform_certificate, new_apiv3_key
from lib.wx_pay.sandbox.__main__ import parse_args


def test_dev_keys_are_created_once_and_private(tmp_path):
    paths = ensure_dev_keys(tmp_path / "keys")
    first = {name: path.read_bytes() for name, path in paths.items()}
    assert ensure_dev_keys(tmp_path / "keys") == paths
    assert {name: path.read_bytes() for name, path in paths.items()} == first
    for name in ("merchant_private_key", "apiv3_key"):
        assert stat.S_IMODE(paths[name].stat().st_mode) == 0o600
    # PKCS#8's header (spelt in two parts, so no tracked file reads like a committed key)
    assert first["merchant_private_key"].startswith(b"-----BEGIN " + b"PRIVATE KEY-----")
    key = first["apiv3_key"].decode()
    assert len(key) == 32 and key.isalnum() and key.isascii()
    # The SDK takes the private key (it refuses PKCS#1) and the APIv3 key as they are.
    WeChatPay(wechatpay_type=WeChatPayType.NATIVE, mchid="1900000109",
              private_key=first["merchant_private_key"].decode(), cert_serial_no="1",
              appid="wx1", apiv3_key=key, public_key=first["merchant_public_key"].decode(),
              public_key_id="PUB_KEY_ID_1")


def test_apiv3_keys_differ():
    assert len({new_apiv3_key() for _ in range(20)}) == 20


def test_sandbox_command_line_needs_keys_or_dev_keys(tmp_path):
    with pytest.raises(SystemExit):
        parse_args(["--mchid", "1900000109", "--appid", "wx1"])
    args = parse_args(["--mchid", "1900000109", "--appid", "wx1", "--dev-keys", str(tmp_path)])
    assert args.dev_keys == tmp_path and args.time_scale == 1.0


def test_platform_certificate_serial_is_40_hex_digits(tmp_path):
    paths = ensure_dev_keys(tmp_path)
    assert ensure_platform_certificate(paths["merchant_private_key"], tmp_path / "cert.pem")
    cert = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
    assert len(f"{cert.serial_number:X}") == 40
