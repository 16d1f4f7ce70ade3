"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Where Chromium is missing the tests are skipped on a developer's machine, but CI sets
ZT_REQUIRE_BROWSER=1 and then a missing browser is a failure."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
CHROMIUM = os.getenv("ZT_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.getenv("ZT_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Chromium is required (ZT_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "tests_browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"],
    }


@pytest.fixture
def live_world(transactional_db):
    from zhengtong.tests_support.world import build_world

    return build_world()


@pytest.fixture
def login(page, live_server):
    from zhengtong.tests_support.factories import PASSWORD

    def _login(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login
