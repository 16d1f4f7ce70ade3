"""Jobs, demo data and reference data found by convention (core.discovery), in INSTALLED_APPS order."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_q.models import Schedule

from zhengtong.core import discovery, scheduling

PACKAGE = Path(__file__).resolve().parents[2]  # zhengtong/


def test_installed_apps_list_the_registry_before_screening_before_permits():
    ours = [name for name in settings.INSTALLED_APPS if name.startswith("zhengtong.")]
    assert ours.index("zhengtong.registry") < ours.index("zhengtong.screening") < ours.index("zhengtong.permits")
    assert [app.name for app in discovery.project_apps()] == ours


def test_modules_are_found_in_the_order_of_installed_apps():
    assert [app.label for app, _m in discovery.app_modules("demo")] == ["registry", "screening", "permits", "outbreak",
                                                                          "resumption"]
    assert [app.label for app, _m in discovery.app_modules("jobs")] == ["core", "screening", "permits", "resumption"]
    assert [app.label for app, _m in discovery.app_modules("refdata")] == ["registry", "permits"]
    assert discovery.app_modules("no_such_module") == []


def test_the_jobs_are_every_apps_jobs_with_their_timings():
    assert [(job.name, job.func, job.when()) for job in scheduling.all_jobs()] == [
        ("core.expire_exports", "zhengtong.core.jobs.expire_exports", "every hour, on the hour"),
        ("screening.close_overdue_stays", "zhengtong.screening.jobs.close_overdue_stays", "every hour, on the hour"),
        ("screening.maintain_partitions", "zhengtong.screening.jobs.maintain_partitions",
         "every day at 02:30 Asia/Shanghai"),
        ("screening.count_admitted", "zhengtong.screening.jobs.count_admitted", "every day at 02:45 Asia/Shanghai"),
        ("screening.purge_entries", "zhengtong.screening.jobs.purge_entries", "every day at 03:00 Asia/Shanghai"),
        ("screening.end_rotations", "zhengtong.screening.jobs.end_rotations", "every day at 00:10 Asia/Shanghai"),
        ("permits.daily", "zhengtong.permits.jobs.daily", "every day at 08:00 Asia/Shanghai"),
        ("resumption.daily", "zhengtong.resumption.jobs.daily", "every day at 08:00 Asia/Shanghai"),
    ]


def test_the_registry_demo_runs_the_other_apps_demo_modules_in_order():
    from zhengtong.registry import demo

    assert [label for label, _m in demo.app_demos()] == ["entries", "permits", "cases", "resumption"]


@pytest.mark.django_db
def test_migrate_puts_back_every_apps_schedules():
    names = [job.name for job in scheduling.all_jobs()]
    Schedule.objects.filter(name__in=names).delete()

    call_command("migrate", verbosity=0, interactive=False)

    rows = {s.name: s for s in Schedule.objects.filter(name__in=names)}
    assert set(rows) == set(names)
    assert (rows["permits.daily"].func, rows["permits.daily"].schedule_type) == ("zhengtong.permits.jobs.daily", "D")


@pytest.mark.django_db
def test_reference_data_is_loaded_from_every_app():
    assert list(call_and_parse("load_reference_data")) == ["regions", "industries", "catalogue"]


def call_and_parse(command: str) -> dict[str, str]:
    from io import StringIO

    out = StringIO()
    call_command(command, stdout=out)
    return dict(part.split(": ") for part in out.getvalue().strip().split(", "))


def test_no_apps_py_names_another_apps_module():
    apps_files = sorted(PACKAGE.glob("*/apps.py"))
    assert len(apps_files) >= 4
    for path in apps_files:
        own = path.parent.name
        named = set(re.findall(r"zhengtong\.(\w+)", path.read_text(encoding="utf-8"))) - {own}
        assert not named, f"{path.relative_to(PACKAGE.parent)} names {sorted(named)}"


def test_core_imports_no_app():
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")} - {"core"}
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        if "tests" in path.parts:
            continue
        named = set(re.findall(r"zhengtong\.(\w+)", path.read_text(encoding="utf-8"))) & apps
        assert not named, f"{path.relative_to(PACKAGE.parent)} names {sorted(named)}"
