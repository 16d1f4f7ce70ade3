"""`zhengtong purge_entries [--dry-run]`: the retention purge of entries, as the nightly job runs it."""

from django.conf import settings
from django.core.management.base import BaseCommand

from zhengtong.screening import partitions


class Command(BaseCommand):
    help = (
        "Delete personal entry data older than the retention period "
        f"(ZT_ENTRY_RETENTION_DAYS, now {settings.ENTRY_RETENTION_DAYS} days) "
        "except rows a case investigation holds. On PostgreSQL whole expired monthly partitions are dropped, "
        "the rest is deleted row by row. The scheduled job screening.purge_entries does the same every night."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Change nothing: say which partitions and how many rows would go.")

    def handle(self, *args, **options):
        result = partitions.drop_expired_partitions(dry_run=options["dry_run"])
        self.stdout.write(result.summary())
