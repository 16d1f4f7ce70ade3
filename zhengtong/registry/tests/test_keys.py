"""Keys: none written in the source is used; a development run keeps its own in var/; production
refuses to start without SECRET_KEY; a personal-data key that is SECRET_KEY is warned about, and
`zhengtong rekey_personal_data` moves the stored ID numbers to a key of their own, resuming where an
interrupted run stopped."""

import os
import stat
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengtong.core.keys import LEGACY_DEVELOPMENT_KEY
from zhengtong.registry import checks, rekey
from zhengtong.registry.identity import decrypt_id_number, id_number_hash
from zhengtong.registry.models import Person
from zhengtong.tests_support.codes import make_id_number
from zhengtong.tests_support.factories import PersonFactory

OLD = "the-old-key-that-was-secret-key"
NEW = "a-new-personal-data-key-of-its-own"
PRINT_KEYS = "from django.conf import settings as s; print(s.SECRET_KEY); print(s.PERSONAL_DATA_KEY)"


def _settings_process(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "ZT_PERSONAL_DATA_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "ZT_VAR_DIR"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="zhengtong.settings")
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], capture_output=True,
                          text=True, env=clean, timeout=60)


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _settings_process(PRINT_KEYS, DEBUG="0", ZT_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert not list(tmp_path.iterdir())  # and makes no key of its own


def test_a_development_run_makes_its_keys_in_var_once_and_keeps_them(tmp_path):
    first = _settings_process(PRINT_KEYS, DEBUG="1", ZT_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    secret, personal = first.stdout.split()
    assert len({secret, personal, LEGACY_DEVELOPMENT_KEY}) == 3 and len(secret) >= 50
    for name, key in (("secret_key", secret), ("personal_data_key", personal)):
        path = tmp_path / name
        assert path.read_text().strip() == key
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = _settings_process(PRINT_KEYS, DEBUG="1", ZT_VAR_DIR=str(tmp_path))
    assert again.stdout.split() == [secret, personal]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["personal_data_key", "secret_key"]


def test_production_with_secret_key_only_keeps_it_as_the_personal_data_key(tmp_path):
    """An installation of an earlier version stored its numbers under SECRET_KEY: it keeps reading them."""
    result = _settings_process(PRINT_KEYS, DEBUG="0", SECRET_KEY="s3cret-from-env", ZT_VAR_DIR=str(tmp_path))
    assert result.stdout.split() == ["s3cret-from-env", "s3cret-from-env"]


def test_a_personal_data_key_equal_to_secret_key_is_warned_about(settings):
    assert checks.personal_data_key_check() == []
    settings.PERSONAL_DATA_KEY = settings.SECRET_KEY
    assert [m.id for m in checks.personal_data_key_check()] == ["registry.W001"]
    settings.PERSONAL_DATA_KEY = LEGACY_DEVELOPMENT_KEY
    assert [m.id for m in checks.personal_data_key_check()] == ["registry.W002"]


def _people(settings, count: int) -> dict[int, str]:
    """``count`` people stored under OLD, each with a history row; their numbers by pk."""
    settings.PERSONAL_DATA_KEY = OLD
    numbers = {}
    for _ in range(count):
        number = make_id_number()
        numbers[PersonFactory(id_number=number).pk] = number
    settings.PERSONAL_DATA_KEY = NEW
    return numbers


def _assert_under_new_key(numbers: dict[int, str]) -> None:
    for person in Person.objects.filter(pk__in=numbers):
        assert decrypt_id_number(person.id_number_encrypted, key=NEW) == numbers[person.pk]
        assert person.id_number_hash == id_number_hash(numbers[person.pk], key=NEW)
        assert set(person.history.values_list("id_number_hash", flat=True)) == {person.id_number_hash}


@pytest.mark.django_db
def test_the_rekey_command_moves_every_number_and_its_hashes_to_the_new_key(settings, monkeypatch, capsys):
    numbers = _people(settings, 5)
    monkeypatch.setenv("ZT_OLD_KEY", OLD)
    call_command("rekey_personal_data", "--old-key-env", "ZT_OLD_KEY", "--batch-size", "2")
    assert "5 re-keyed now" in capsys.readouterr().out
    _assert_under_new_key(numbers)
    some = next(iter(numbers.values()))
    assert Person.objects.filter(id_number_hash=id_number_hash(some)).exists()  # look-ups find them again


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_rekey_resumes_without_encrypting_twice(settings):
    numbers = _people(settings, 5)

    def stop_after_two(result):
        if result.people == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rekey.personal_data_rekey(old_key=OLD, new_key=NEW, batch_size=2, after_batch=stop_after_two)
    assert rekey.key_in_use(key=NEW) == "mixed"
    assert [m.id for m in checks.stored_id_numbers_check(databases=["default"])] == ["registry.W004"]

    result = rekey.personal_data_rekey(old_key=OLD, new_key=NEW, batch_size=2)
    assert (result.people, result.already, result.rekeyed) == (5, 2, 3)
    _assert_under_new_key(numbers)
    assert checks.stored_id_numbers_check(databases=["default"]) == []


@pytest.mark.django_db
def test_a_wrong_old_key_undoes_its_batch_and_says_so(settings, monkeypatch):
    numbers = _people(settings, 3)
    before = dict(Person.objects.values_list("pk", "id_number_encrypted"))
    monkeypatch.setenv("ZT_OLD_KEY", "not-the-old-key")
    with pytest.raises(CommandError, match="neither key"):
        call_command("rekey_personal_data", "--old-key-env", "ZT_OLD_KEY")
    assert dict(Person.objects.values_list("pk", "id_number_encrypted")) == before
    assert len(numbers) == 3


@pytest.mark.django_db
def test_the_rekey_refuses_when_the_configured_key_is_still_the_old_one(settings, monkeypatch):
    settings.PERSONAL_DATA_KEY = OLD
    monkeypatch.setenv("ZT_OLD_KEY", OLD)
    with pytest.raises(CommandError, match="ZT_PERSONAL_DATA_KEY"):
        call_command("rekey_personal_data", "--old-key-env", "ZT_OLD_KEY")


@pytest.mark.django_db
def test_numbers_under_the_old_built_in_key_are_named_and_moved(settings):
    settings.PERSONAL_DATA_KEY = LEGACY_DEVELOPMENT_KEY
    number = make_id_number()
    person = PersonFactory(id_number=number)
    settings.PERSONAL_DATA_KEY = NEW
    assert [m.id for m in checks.stored_id_numbers_check(databases=["default"])] == ["registry.W003"]
    call_command("rekey_personal_data", "--from-legacy-development-key")
    person.refresh_from_db()
    assert decrypt_id_number(person.id_number_encrypted) == number
    assert checks.stored_id_numbers_check(databases=["default"]) == []


@pytest.mark.django_db
def test_a_history_row_of_a_number_no_one_has_now_loses_its_old_key_hash(settings):
    numbers = _people(settings, 2)
    gone = min(numbers)
    Person.objects.get(pk=gone).delete()  # its history keeps the hash under the old key
    result = rekey.personal_data_rekey(old_key=OLD, new_key=NEW)
    assert result.history_cleared == 2  # its "+" and "-" rows
    assert set(Person.history.filter(id=gone).values_list("id_number_hash", flat=True)) == {""}
    _assert_under_new_key({pk: n for pk, n in numbers.items() if pk != gone})


@pytest.mark.django_db
def test_a_registration_held_for_the_city_keeps_its_claimed_hash_under_the_new_key(settings):
    """A held registration (registry.services.person_register, a name that did not match) is found
    by ``claimed_hash``: the re-key recomputes it, and keeps it out of ``id_number_hash``."""
    from zhengtong.accounts.models import Role
    from zhengtong.registry import services
    from zhengtong.tests_support.world import build_world

    settings.PERSONAL_DATA_KEY = OLD
    world = build_world()
    number = make_id_number()
    known = PersonFactory(site=world.site_b, id_number=number, name="李四")
    held = services.person_register(user=world.users[Role.SITE_MANAGER], site=world.site_a,
                                    data={"name": "王五", "id_number": number, "relation": "worker"})
    settings.PERSONAL_DATA_KEY = NEW
    rekey.personal_data_rekey(old_key=OLD, new_key=NEW)
    held.refresh_from_db()
    known.refresh_from_db()
    assert held.id_number_hash is None and held.claimed_hash == id_number_hash(number, key=NEW)
    assert known.id_number_hash == id_number_hash(number, key=NEW) and known.claimed_hash == ""


@pytest.mark.django_db
def test_a_person_without_an_id_number_is_left_alone_by_the_rekey(settings):
    """A visitor registered without their ID card (unverified) has no number to move: the re-key and
    key_in_use pass over them."""
    numbers = _people(settings, 2)
    unverified = Person.objects.create(name="无证戊", phone="13800000005", id_number_hash=None,
                                       id_number_masked="", id_number_encrypted="", unverified=True)
    assert rekey.key_in_use(key=OLD) == "this"
    result = rekey.personal_data_rekey(old_key=OLD, new_key=NEW)
    assert (result.people, result.rekeyed) == (2, 2)
    _assert_under_new_key(numbers)
    unverified.refresh_from_db()
    assert (unverified.id_number_encrypted, unverified.id_number_hash) == ("", None)
    assert rekey.key_in_use(key=NEW) == "this"
