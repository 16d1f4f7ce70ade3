"""Moving stored ID numbers to a new personal-data key: each number is decrypted with the old key,
encrypted with the new one and its look-up hash recomputed (the person and the person's history rows
carry the hash), one transaction per batch of people.

The marker of what is done is the data itself: Fernet tokens are authenticated, so a number that
decrypts with the new key was re-encrypted (with its hash, in the same transaction) and is left
alone. An interrupted run is simply started again; it never encrypts a number twice. The web and
job processes are stopped meanwhile: a number re-encrypted under them is unreadable with the key they
hold."""

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Value, When

from zhengtong.registry.identity import decrypt_id_number, encrypt_id_number, id_number_hash
from zhengtong.registry.models import Person

BATCH_SIZE = 1000


class RekeyError(Exception):
    """A stored number that decrypts with neither key: the old key given is not the one it was made with."""


@dataclass
class RekeyResult:
    people: int = 0  # every person seen
    rekeyed: int = 0  # moved to the new key by this run
    already: int = 0  # found under the new key (an earlier, interrupted run moved them)
    history_rows: int = 0  # history rows whose hash was recomputed
    history_cleared: int = 0  # history rows of a number no person now has: hash emptied


def personal_data_rekey(*, old_key: str, new_key: str, batch_size: int = BATCH_SIZE,
                        after_batch: Callable[[RekeyResult], None] | None = None) -> RekeyResult:
    """Re-encrypt every stored ID number from ``old_key`` to ``new_key`` and recompute its look-up hash
    (registry.identity), in batches of ``batch_size`` people, each batch one transaction. Raises
    RekeyError, with that batch undone, on a number that decrypts with neither key."""
    if not old_key or not new_key or old_key == new_key:
        raise ValueError("the old and the new key must be given and differ")
    history = Person.history.model
    result = RekeyResult()
    last = 0
    while True:
        with transaction.atomic():
            rows = list(Person.objects.select_for_update().filter(pk__gt=last).exclude(id_number_encrypted="")
                        .order_by("pk")
                        .values_list("pk", "id_number_hash", "claimed_hash", "id_number_encrypted")[:batch_size])
            if not rows:
                break
            # pk, old hash (None: a registration held for the city, keyed by claimed_hash), new hash, new token
            moved: list[tuple[int, str | None, str, str]] = []
            for pk, digest, _claimed, token in rows:
                result.people += 1
                try:
                    decrypt_id_number(token, key=new_key)
                except InvalidToken:
                    pass
                else:
                    result.already += 1
                    continue
                try:
                    number = decrypt_id_number(token, key=old_key)
                except InvalidToken:
                    raise RekeyError(f"person {pk}: the ID number decrypts with neither key") from None
                moved.append((pk, digest, id_number_hash(number, key=new_key), encrypt_id_number(number, key=new_key)))
            if moved:
                Person.objects.bulk_update(
                    [Person(pk=pk, id_number_hash=new if old is not None else None,
                            claimed_hash="" if old is not None else new, id_number_encrypted=token)
                     for pk, old, new, token in moved],
                    ["id_number_hash", "claimed_hash", "id_number_encrypted"])
                # A hash stands for one number, so a history row with the old hash gets the new one.
                identities = [(old, new) for _pk, old, new, _t in moved if old is not None]
                if identities:
                    result.history_rows += history.objects.filter(
                        id_number_hash__in=[old for old, _new in identities]).update(
                        id_number_hash=Case(*(When(id_number_hash=old, then=Value(new)) for old, new in identities),
                                            default="id_number_hash"))
                result.rekeyed += len(moved)
            last = rows[-1][0]
        if after_batch is not None:
            after_batch(result)
    # A history row may carry the hash of a number no person has now (a deleted person): it cannot be
    # recomputed without the number, and left as it is it would keep a hash under the old key.
    with transaction.atomic():
        result.history_cleared = (history.objects.exclude(id_number_hash="")
                                  .filter(~Exists(Person.objects.filter(id_number_hash=OuterRef("id_number_hash"))))
                                  .update(id_number_hash=""))
    return result


def key_in_use(*, key: str) -> str:
    """Which key the stored numbers are under, by the first and the last person: ``"none"`` (no one
    stored), ``"this"`` (both decrypt with ``key``), ``"other"`` (neither does), ``"mixed"`` (one does:
    an interrupted re-key)."""
    stored = Person.objects.exclude(id_number_encrypted="")  # an unverified person has no number
    first = stored.order_by("pk").values_list("id_number_encrypted", flat=True).first()
    last_ = stored.order_by("-pk").values_list("id_number_encrypted", flat=True).first()
    if first is None or last_ is None:
        return "none"
    readable = []
    for token in (first, last_):
        try:
            decrypt_id_number(token, key=key)
        except InvalidToken:
            readable.append(False)
        else:
            readable.append(True)
    if all(readable):
        return "this"
    return "mixed" if any(readable) else "other"
