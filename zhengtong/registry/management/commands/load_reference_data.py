from django.core.management.base import BaseCommand

from zhengtong.registry.refdata import load_reference_data


class Command(BaseCommand):
    help = "Load or correct GB/T 2260 regions and GB/T 4754-2017 industries from registry/data (idempotent)."

    def handle(self, *args, **options):
        counts = load_reference_data()
        self.stdout.write(f"regions: {counts['regions']}, industries: {counts['industries']}")
