"""Pass cards: a QR code a site prints for its own people. The code is signed, so a typed or
forged code for another site or person is refused."""

from django.core import signing

SALT = "zhengtong.screening.pass"


def pass_code(*, site_id: int, person_id: int) -> str:
    return "ZTP1:" + signing.dumps([site_id, person_id], salt=SALT, compress=False)


def read_pass_code(code: str) -> tuple[int, int] | None:
    """(site_id, person_id) of a valid code, None for anything else."""
    code = (code or "").strip()
    if not code.startswith("ZTP1:"):
        return None
    try:
        site_id, person_id = signing.loads(code[5:], salt=SALT)
        return int(site_id), int(person_id)
    except (signing.BadSignature, ValueError, TypeError):
        return None
