"""`zhengtong rekey_personal_data --old-key-env NAME`: move stored ID numbers to the configured
personal-data key (registry/rekey.py)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhengtong.core.keys import LEGACY_DEVELOPMENT_KEY
from zhengtong.registry import rekey


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored ID number and recompute its look-up hash, from the old key to the one "
        "configured now (ZT_PERSONAL_DATA_KEY, or in development var/personal_data_key), one transaction "
        "per batch. Stop the web and job processes first. Interrupted, run it again: numbers already under "
        "the new key are left alone."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--old-key-env", metavar="NAME",
                            help="the environment variable that holds the old key (for example one set to the "
                                 "old SECRET_KEY); the key itself is never a command-line argument")
        source.add_argument("--from-legacy-development-key", action="store_true",
                            help="the old key is the one earlier versions used when SECRET_KEY was unset")
        parser.add_argument("--batch-size", type=int, default=rekey.BATCH_SIZE)

    def handle(self, *args, old_key_env=None, from_legacy_development_key=False, batch_size=rekey.BATCH_SIZE,
               **options):
        if from_legacy_development_key:
            old_key = LEGACY_DEVELOPMENT_KEY
        else:
            old_key = os.environ.get(old_key_env, "")
            if not old_key:
                raise CommandError(f"The environment variable {old_key_env} is not set.")
        new_key = settings.PERSONAL_DATA_KEY
        if new_key == old_key:
            raise CommandError("The configured personal-data key is the old key: set ZT_PERSONAL_DATA_KEY to the "
                               "new key (and keep it with the database backups), then run this again.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(result: rekey.RekeyResult) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"{result.people} people seen, {result.rekeyed} re-keyed")

        try:
            result = rekey.personal_data_rekey(old_key=old_key, new_key=new_key, batch_size=batch_size,
                                               after_batch=progress)
        except rekey.RekeyError as e:
            raise CommandError(f"{e}: is the old key right? The batches before it are done; run again with "
                               "the right key to go on.") from None
        self.stdout.write(self.style.SUCCESS(
            f"{result.people} people: {result.rekeyed} re-keyed now, {result.already} were under the new key "
            f"already; {result.history_rows} history rows re-hashed, {result.history_cleared} history rows of a "
            "number no person has now left without a hash."))
