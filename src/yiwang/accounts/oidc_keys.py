"""The OpenID Connect signing key: read from a PEM file, created on first start if missing.

Kept free of Django imports because settings.py calls it.
"""

from __future__ import annotations

import os
from pathlib import Path


def load_or_create_rsa_key(path: Path) -> str:
    env_key = os.environ.get("OIDC_RSA_PRIVATE_KEY")
    if env_key:
        return env_key
    if path.exists():
        return path.read_text()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(pem)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)  # atomic: concurrent first starts agree on one key file
    return path.read_text()
