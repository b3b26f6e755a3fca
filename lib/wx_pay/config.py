"""WechatPayConfig: everything the client and the notify verifier need, handed in by the app."""
from dataclasses import dataclass, field

DEFAULT_GATEWAY = "https://api.mch.weixin.qq.com"


@dataclass(frozen=True)
class WechatPayConfig:
    """One merchant's WeChat Pay settings.

    Exactly one verification mode: public-key mode (public_key_pem + public_key_id, the
    `PUB_KEY_ID_…` WeChat shows in the merchant console) or platform-certificate mode (cert_dir
    holding `<serial>.pem` certificates, refreshed from /v3/certificates by the SDK).
    """

    mchid: str
    appid: str
    private_key_pem: str          # the merchant API private key, PKCS#8 ("BEGIN PRIVATE KEY")
    cert_serial_no: str           # serial of the merchant API certificate, sent in Authorization
    apiv3_key: str = field(repr=False)  # 32 characters; decrypts notifies and certificates
    notify_url: str
    gateway: str = DEFAULT_GATEWAY
    public_key_pem: str | None = None
    public_key_id: str | None = None
    cert_dir: str | None = None
    timeout: float = 10.0

    def __post_init__(self):
        if (self.public_key_pem is None) != (self.public_key_id is None):
            raise ValueError("public_key_pem and public_key_id go together")
        if (self.public_key_pem is None) == (self.cert_dir is None):
            raise ValueError("give either public_key_pem+public_key_id or cert_dir, not both")
        if len(self.apiv3_key.encode("utf-8")) != 32:
            raise ValueError("apiv3_key must be 32 bytes (AES-256)")
        if "BEGIN RSA PRIVATE KEY" in self.private_key_pem:
            raise ValueError("private_key_pem must be PKCS#8 (BEGIN PRIVATE KEY), not PKCS#1")

    @property
    def public_key_mode(self) -> bool:
        return self.public_key_pem is not None
