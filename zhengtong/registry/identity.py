"""Personal ID numbers at rest: a keyed hash for look-ups, Fernet encryption for the number
itself, and a masked form for display. Both keys derive from settings.PERSONAL_DATA_KEY (or, for
the re-key in `rekey.py`, from the key it is given)."""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _keys(secret: str) -> tuple[bytes, Fernet]:
    hash_key = hashlib.sha256(b"zhengtong-id-hash:" + secret.encode()).digest()
    enc_key = base64.urlsafe_b64encode(hashlib.sha256(b"zhengtong-id-enc:" + secret.encode()).digest())
    return hash_key, Fernet(enc_key)


def id_number_hash(code: str, *, key: str | None = None) -> str:
    hash_key, _ = _keys(settings.PERSONAL_DATA_KEY if key is None else key)
    return hmac.new(hash_key, code.encode(), hashlib.sha256).hexdigest()


def encrypt_id_number(code: str, *, key: str | None = None) -> str:
    _, fernet = _keys(settings.PERSONAL_DATA_KEY if key is None else key)
    return fernet.encrypt(code.encode()).decode()


def decrypt_id_number(token: str, *, key: str | None = None) -> str:
    """The number; ``cryptography.fernet.InvalidToken`` when ``token`` was not made with this key
    (Fernet tokens are authenticated, so a token never decrypts under a wrong key)."""
    _, fernet = _keys(settings.PERSONAL_DATA_KEY if key is None else key)
    return fernet.decrypt(token.encode()).decode()
