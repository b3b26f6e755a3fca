"""RSA-2048 key pairs for Alipay signing: generated locally, never committed."""
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def generate_key_pair_pem() -> tuple[bytes, bytes]:
    """Return (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM) of a new RSA-2048 key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def ensure_key_pair(private_path, public_path) -> bool:
    """Create the key pair at the two paths unless the private key exists; True if created.

    The private key file is written 0600 so a shared laptop does not leak it.
    """
    private_path, public_path = Path(private_path), Path(public_path)
    if private_path.exists():
        if not public_path.exists():
            key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
            public_path.write_bytes(key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return False
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    private_pem, public_pem = generate_key_pair_pem()
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    public_path.write_bytes(public_pem)
    return True
