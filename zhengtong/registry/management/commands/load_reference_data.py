from django.core.management.base import BaseCommand

from zhengtong.registry.refdata import load_reference_data


class Command(BaseCommand):
    help = "Load or correct the shipped reference data (regions, industries, permit catalogue); idempotent."

    def handle(self, *args, **options):
        counts = load_reference_data()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
