from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhengtong.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user (a device or an integration acts as that user). The key is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="device", help="what the token is for, e.g. 'gate 1, 衡州监狱'")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        token, key = ApiToken.issue(user=user, name=name)
        self.stdout.write(f"token {token.pk} for {username} ({name}): {key}")
