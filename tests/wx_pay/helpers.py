"""WeChat Pay test helpers: throwaway keys, configs, and notifies built with the sandbox's signer."""
import json
import time
from functools import lru_cache

from cryptography.hazmat.primitives import serialization

from lib.wx_pay.config import WechatPayConfig
from lib.wx_pay.keys import generate_key_pair_pem
from lib.wx_pay.sandbox import signing

MCHID, APPID = "1900000109", "wxd678efh567hg6787"
APIV3_KEY = "a" * 16 + "B" * 16
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092024010100000000000001"


@lru_cache(maxsize=4)
def key_pair(name: str) -> tuple[bytes, bytes]:
    """(private PKCS#8 PEM, public PEM) made once per test run per name."""
    return generate_key_pair_pem()


def private_key(name: str):
    return serialization.load_pem_private_key(key_pair(name)[0], password=None)


def config(**overrides) -> WechatPayConfig:
    """Public-key mode against the "platform" key pair unless overridden."""
    values = dict(mchid=MCHID, appid=APPID, private_key_pem=key_pair("merchant")[0].decode(),
                  cert_serial_no="3775B6A45ACD588826D15E583A95F5DD00000001", apiv3_key=APIV3_KEY,
                  notify_url="https://shop.example/api/order/wechat/notify/",
                  public_key_pem=key_pair("platform")[1].decode(), public_key_id=PUBLIC_KEY_ID)
    values.update(overrides)
    return WechatPayConfig(**values)


def transaction_resource(**overrides) -> dict:
    data = {"appid": APPID, "mchid": MCHID, "out_trade_no": "LUFFY20240101000001",
            "transaction_id": "4200000001202401010000000001", "trade_type": "NATIVE",
            "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS",
            "attach": "", "success_time": "2024-01-01T10:00:05+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {"total": 9900, "payer_total": 9900, "currency": "CNY",
                       "payer_currency": "CNY"}}
    data.update(overrides)
    return data


def refund_resource(**overrides) -> dict:
    data = {"mchid": MCHID, "out_trade_no": "LUFFY20240101000001",
            "transaction_id": "4200000001202401010000000001", "out_refund_no": "R1",
            "refund_id": "50000000382019052709732678859", "refund_status": "SUCCESS",
            "success_time": "2024-01-02T10:00:00+08:00", "user_received_account": "支付用户零钱",
            "amount": {"total": 9900, "refund": 100, "payer_total": 9900, "payer_refund": 100}}
    data.update(overrides)
    return data


def envelope(resource: dict, event_type="TRANSACTION.SUCCESS", *, apiv3_key=APIV3_KEY,
             associated_data="transaction") -> dict:
    return {"id": "EV-2018022511223320873", "create_time": "2024-01-01T10:00:06+08:00",
            "resource_type": "encrypt-resource", "event_type": event_type, "summary": "支付成功",
            "resource": dict(signing.encrypt(apiv3_key, json.dumps(resource).encode(),
                                             associated_data),
                             original_type="transaction" if event_type.startswith("TRANS")
                             else "refund")}


def signed(body: bytes, *, key="platform", serial=PUBLIC_KEY_ID, timestamp=None,
           nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS") -> dict:
    """Headers as WeChat sends them, signing TS\\nNONCE\\nBODY\\n with the named private key."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signing.sign(private_key(key), message),
            "Wechatpay-Serial": serial, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}


def notify(resource=None, event_type="TRANSACTION.SUCCESS", **sign_kwargs):
    """(headers, body) of a valid notify."""
    resource = transaction_resource() if resource is None else resource
    body = json.dumps(envelope(resource, event_type), ensure_ascii=False).encode()
    return signed(body, **sign_kwargs), body
