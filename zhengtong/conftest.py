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
