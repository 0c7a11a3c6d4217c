"""TOTP secrets encrypted at rest: AES-GCM under a key derived from SECRET_KEY with HKDF.

The stored value is base64url(nonce ‖ ciphertext ‖ tag) of the secret's 20 raw bytes, 64
characters, bound to the user's id as associated data (a value copied to another account
does not decrypt). A changed SECRET_KEY makes every stored secret unreadable: the sign-in
then says so, and an admin resets the account's two-factor sign-in.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# A label of its own, so that this key is used for nothing else derived from SECRET_KEY.
# The migration that encrypted existing secrets (3f0a9c2d7b41) derives it the same way.
HKDF_INFO = b"innovation-tracker/two-factor/totp-secret/v1"
NONCE_BYTES = 12
STORED_LENGTH = 64  # users.totp_secret is VARCHAR(64)


class SecretUnreadable(Exception):
    """The stored secret does not decrypt: SECRET_KEY changed, or the value was altered."""


def _key(secret_key: str | bytes | None = None) -> AESGCM:
    secret_key = current_app.config["SECRET_KEY"] if secret_key is None else secret_key
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
    return AESGCM(hkdf.derive(material))


def _associated_data(user_id: int) -> bytes:
    return f"users.totp_secret:{user_id}".encode()


def seal(user_id: int, secret: str, secret_key: str | bytes | None = None) -> str:
    """The base32 secret, encrypted for storage on the user row user_id."""
    raw = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + _key(secret_key).encrypt(nonce, raw, _associated_data(user_id))
    stored = base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")
    if len(stored) > STORED_LENGTH:
        raise ValueError("The TOTP secret is longer than 160 bits and does not fit the column.")
    return stored


def reveal(user_id: int, stored: str, secret_key: str | bytes | None = None) -> str:
    """The base32 secret from its stored form; SecretUnreadable when it does not decrypt."""
    try:
        sealed = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        raw = _key(secret_key).decrypt(nonce, ciphertext, _associated_data(user_id))
    except (binascii.Error, ValueError, InvalidTag) as error:
        raise SecretUnreadable(f"The TOTP secret of user {user_id} does not decrypt.") from error
    return base64.b32encode(raw).decode("ascii").rstrip("=")
