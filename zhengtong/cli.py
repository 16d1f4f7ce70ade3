"""The `zhengtong` console script: Django's management commands, plus our own.

    zhengtong demo                 load the demo city (if the database is empty, or --force; --today DATE)
    zhengtong run_job [NAME]       list the scheduled jobs, or run one by hand
    zhengtong import units FILE    import units from .xlsx or .csv
    zhengtong migrate | runserver | createsuperuser | ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengtong.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) >= 3 and argv[1] == "import":
        argv = [argv[0], f"import_{argv[2]}", *argv[3:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
