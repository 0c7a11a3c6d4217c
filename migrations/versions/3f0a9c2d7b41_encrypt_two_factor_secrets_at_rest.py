"""encrypt two-factor secrets at rest

Revision ID: 3f0a9c2d7b41
Revises: 20471800dca2
Create Date: 2026-11-25 15:36:14.654391

"""
import base64
import binascii
import os

from alembic import op
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


# revision identifiers, used by Alembic.
revision = '3f0a9c2d7b41'
down_revision = '20471800dca2'
branch_labels = None
depends_on = None


# The same format as tracker/auth/two_factor_crypto.py, kept here so that this migration does
# not change when the application does: AES-GCM under HKDF-SHA256(SECRET_KEY, info below),
# base64url(nonce || ciphertext || tag) of the secret's raw bytes, the user id as associated
# data. The 32-character base32 secrets (160 bits) give 64 characters: the column's width.
HKDF_INFO = b"innovation-tracker/two-factor/totp-secret/v1"
NONCE_BYTES = 12

users = sa.table(
    "users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String(64))
)


def _aead() -> AESGCM:
    # flask db upgrade runs inside the app context: the key of the app being upgraded.
    secret_key = current_app.config["SECRET_KEY"]
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
    return AESGCM(hkdf.derive(material))


def _aad(user_id: int) -> bytes:
    return f"users.totp_secret:{user_id}".encode()


def _seal(aead: AESGCM, user_id: int, secret: str) -> str:
    try:
        raw = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    except binascii.Error as error:
        raise RuntimeError(
            f"users.totp_secret of user {user_id} is not a base32 TOTP secret; fix or clear "
            "it (UPDATE users SET totp_secret = NULL ...) and run the upgrade again."
        ) from error
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + aead.encrypt(nonce, raw, _aad(user_id))
    stored = base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")
    if len(stored) > 64:
        raise RuntimeError(f"The TOTP secret of user {user_id} is too long to encrypt in place.")
    return stored


def _reveal(aead: AESGCM, user_id: int, stored: str) -> str:
    try:
        sealed = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        raw = aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(user_id))
    except (binascii.Error, ValueError, InvalidTag) as error:
        raise RuntimeError(
            f"The TOTP secret of user {user_id} does not decrypt with this SECRET_KEY; run the "
            "downgrade with the key the secrets were encrypted with (nothing was changed)."
        ) from error
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def _rewrite(convert) -> int:
    """Every stored secret through convert(aead, user_id, value), all checked before any write."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))
    ).all()
    if not rows:
        return 0
    aead = _aead()
    new_values = [(user_id, convert(aead, user_id, value)) for user_id, value in rows]
    for user_id, value in new_values:
        connection.execute(
            users.update().where(users.c.id == user_id).values(totp_secret=value)
        )
    return len(new_values)


def upgrade():
    count = _rewrite(_seal)
    if count:
        print(f"Encrypted {count} two-factor secret(s) with a key derived from SECRET_KEY.")


def downgrade():
    count = _rewrite(_reveal)
    if count:
        print(f"Decrypted {count} two-factor secret(s); they are stored in clear again.")
