"""WeChat Pay API v3: SDK client wrapper, notify verify+decrypt, trade bill parser, local sandbox.

Nothing here imports Django, the app or utils/: configuration arrives as a WechatPayConfig
(config.py) and metrics as optional callables. The sandbox (sandbox/) imports nothing from
client.py or notify.py, so a protocol mistake on our side is not mirrored on its side.

- config.py    WechatPayConfig (frozen): merchant ids, keys, gateway, verification mode
- errors.py    WechatPayError(code, message, status, unknown)
- money.py     yuan_to_fen / fen_to_yuan (exact, Decimal)
- times.py     RFC 3339 +08:00 both ways
- keys.py      dev key pairs, the sandbox's platform certificate, APIv3 key files
- client.py    WechatPayClient: native, h5, query, close, refund, refund_query, trade_bill;
               download_platform_certificates (certificate mode's first start)
- results.py   Transaction, Refund: the client's typed answers
- notify.py    notify_authenticate -> PaymentNotify | RefundNotify, or NotifyRefused
- crypto.py    the verifying side: RSA-SHA256, AES-256-GCM, platform key by Wechatpay-Serial
- statement.py parse_trade_bill: the trade bill CSV as typed rows plus its summary
"""
