"""`zhengtong import units FILE [--user USERNAME]`: import units from an .xlsx or .csv file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengtong.core.errors import DomainError
from zhengtong.registry import imports


class Command(BaseCommand):
    help = (
        "Import units from an .xlsx or .csv file (first row: the column headers). Without --user it is a "
        "system import with no scope limits; with --user, that user's scope applies. Exits with 1 when a row "
        "was invalid (the valid rows are imported)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--user", dest="username", help="import as this user (their scope applies)")

    def handle(self, *args, file: str, username: str | None = None, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as e:
            raise CommandError(_("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": e.strerror}) from None
        user = imports.SYSTEM if not username else self._user(username)
        try:
            report = imports.units_import(user=user, file_name=path.name, content=content)
        except PermissionDenied as e:
            raise CommandError(str(e) or _("You may not import units.")) from None
        except DomainError as e:
            raise CommandError("\n".join(m["message"] for m in e.as_list())) from None

        self.stdout.write(
            _("%(file)s: %(rows)d rows, %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
              "%(invalid)d invalid.") % {"file": path.name, **report.counts}
        )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for error in report.errors:
            self.stdout.write(
                _("row %(row)d, %(column)s: %(message)s [%(uscc)s %(name)s]")
                % {"row": error.row, "column": error.column, "message": error.message, "uscc": error.uscc,
                   "name": error.name}
            )
        if report.invalid:
            message = ngettext(
                "%(n)d row was not imported; correct it and import the file again.",
                "%(n)d rows were not imported; correct them and import the file again.",
                report.invalid,
            ) % {"n": report.invalid}
            raise CommandError(message, returncode=1)

    def _user(self, username: str):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(_("No user is called “%(name)s”.") % {"name": username}) from None
        if not user.is_active:
            raise CommandError(_("The user “%(name)s” is not active.") % {"name": username})
        return user
