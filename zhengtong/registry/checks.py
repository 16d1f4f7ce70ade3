"""System checks of the personal-data key (README, "Keys"): registered in RegistryConfig.ready()."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from zhengtong.core.keys import LEGACY_DEVELOPMENT_KEY

REKEY = ("Set ZT_PERSONAL_DATA_KEY to a new key of its own, keep it with the database backups, stop the web "
         "and job processes and run `zhengtong rekey_personal_data --old-key-env NAME`, NAME being a variable "
         "that holds the old key (README, 'Keys').")


@checks.register(checks.Tags.security)
def personal_data_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The personal-data key is a key of its own: one that equals SECRET_KEY (as earlier versions had it
    when ZT_PERSONAL_DATA_KEY was unset) is a warning, not a refusal, since refusing would leave the
    stored ID numbers unreadable."""
    if settings.PERSONAL_DATA_KEY == LEGACY_DEVELOPMENT_KEY:
        return [checks.Warning("The personal-data key is the development key earlier versions wrote in their "
                               "source.", hint=REKEY, id="registry.W002")]
    if settings.PERSONAL_DATA_KEY == settings.SECRET_KEY:
        return [checks.Warning("The personal-data key (ID numbers) is SECRET_KEY.", hint=REKEY, id="registry.W001")]
    return []


@checks.register(checks.Tags.database)
def stored_id_numbers_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Stored ID numbers decrypt with the configured key (run by `migrate` and `check --database default`):
    an installation started with the development key of earlier versions, or a re-key left half done,
    is named with the command that mends it."""
    if not databases or "default" not in databases:
        return []
    from zhengtong.registry import rekey

    try:
        state = rekey.key_in_use(key=settings.PERSONAL_DATA_KEY)
        legacy = state == "other" and rekey.key_in_use(key=LEGACY_DEVELOPMENT_KEY) == "this"
    except DatabaseError:  # not migrated yet
        return []
    if legacy:
        return [checks.Warning(
            "Stored ID numbers are encrypted with the development key earlier versions wrote in their source.",
            hint="Stop the server and run `zhengtong rekey_personal_data --from-legacy-development-key` (with the "
                 "environment the server runs with): it moves them to the configured key.", id="registry.W003")]
    if state in ("other", "mixed"):
        return [checks.Warning(
            "Some stored ID numbers do not decrypt with the configured personal-data key.",
            hint="A re-key left half done is finished by running it again; otherwise ZT_PERSONAL_DATA_KEY is not the "
                 "key the numbers were stored with (README, 'Keys').", id="registry.W004")]
    return []
