import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans): a request made by an earlier test leaves its
    own language active in the thread, so a test that expects English must say so (override("en"))."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data comes with the migrations, but a transactional test (the browser tests)
    empties every table when it ends: load it again for whichever test runs next."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif marker or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from zhengtong.permits.models import CatalogueEntry
    from zhengtong.registry.models import Industry
    from zhengtong.registry.refdata import load_reference_data

    if not Industry.objects.exists() or not CatalogueEntry.objects.exists():
        load_reference_data()


@pytest.fixture
def world(db):
    from zhengtong.tests_support.world import build_world

    return build_world()


# The demo city crawl's figures (tests_crawl): each test writes its account's figures to a folder the
# controller makes here (xdist workers inherit the environment), and the summary adds them up.
CRAWL_FIGURES = "ZHENGTONG_CRAWL_FIGURES"


def pytest_configure(config):
    import tempfile

    if not hasattr(config, "workerinput"):
        os.environ[CRAWL_FIGURES] = tempfile.mkdtemp(prefix="zhengtong-crawl-")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    import json
    import shutil
    from pathlib import Path

    if hasattr(config, "workerinput") or not os.environ.get(CRAWL_FIGURES):
        return
    folder = Path(os.environ[CRAWL_FIGURES])
    rows = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    shutil.rmtree(folder, ignore_errors=True)
    if not rows:
        return
    routes = set().union(*(set(r["routes"]) for r in rows))
    terminalreporter.section("demo city crawl")
    for r in rows:
        terminalreporter.write_line(
            f"{r['account']:<10} {r['pages']:>4} pages {len(r['routes']):>3} routes "
            f"{r['failures']:>3} problems {r['known']:>3} known {r['seconds']:>6} s")
    terminalreporter.write_line(
        f"{len(rows)} accounts, {sum(r['pages'] for r in rows)} pages, {len(routes)} routes, "
        f"{sum(r['failures'] for r in rows)} problems, {sum(r['known'] for r in rows)} known (xfail)")
