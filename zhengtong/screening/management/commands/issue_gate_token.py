"""`zhengtong issue_gate_token SITE_ID --name NAME`: a new gate device for a site, and its key.

The key is printed once, on standard output alone (so that a script can capture it); only its hash
is stored. Revoke a device by setting its "revoked at" in the admin: its key then answers 401.
"""

from django.core.management.base import BaseCommand, CommandError

from zhengtong.core.ids import valid_id
from zhengtong.registry.models import Site
from zhengtong.screening.models import GateDevice


class Command(BaseCommand):
    help = ("Register a gate device for a site and print its API key once (Authorization: Bearer ztg_…). "
            "Only the key's hash is stored: a lost key cannot be shown again, issue a new one.")

    def add_arguments(self, parser):
        parser.add_argument("site_id", type=int, help="id of the site whose entrance the device screens")
        parser.add_argument("--name", required=True, help="a name to tell the device by, e.g. 'North gate tablet'")

    def handle(self, *args, **options):
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("Give the device a name of 1 to 100 characters.")
        site_id = options["site_id"]
        site = Site.objects.filter(pk=site_id).first() if valid_id(site_id) else None
        if site is None:
            raise CommandError(f"No site with id {site_id}.")
        device, key = GateDevice.issue(site=site, name=name)
        self.stderr.write(f"Gate device {device.pk} ({name}) at {site.name}. Its key, shown only this once:")
        self.stdout.write(key)
