"""Personal ID numbers at rest: a keyed hash for look-ups, Fernet encryption for the number
itself, and a masked form for display. Both keys derive from settings.PERSONAL_DATA_KEY."""

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


def id_number_hash(code: str) -> str:
    hash_key, _ = _keys(settings.PERSONAL_DATA_KEY)
    return hmac.new(hash_key, code.encode(), hashlib.sha256).hexdigest()


def encrypt_id_number(code: str) -> str:
    _, fernet = _keys(settings.PERSONAL_DATA_KEY)
    return fernet.encrypt(code.encode()).decode()


def decrypt_id_number(token: str) -> str:
    _, fernet = _keys(settings.PERSONAL_DATA_KEY)
    return fernet.decrypt(token.encode()).decode()
