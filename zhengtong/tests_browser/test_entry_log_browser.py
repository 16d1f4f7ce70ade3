"""Issue 16 §3 in a browser: the site manager opens the entry log from the site's page, filters it by
decision, downloads the export of the filtered log; at 390 px the rows are stacked cards."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhengtong.screening.models import Entry

pytestmark = pytest.mark.browser


@pytest.fixture
def entries(live_world):
    now = timezone.now()
    for i, decision in enumerate(["admit", "refuse", "admit"]):
        Entry.objects.create(client_uuid=uuid.uuid4(), site=live_world.site_a, person=live_world.person_a,
                             entered_at=now - timedelta(hours=i + 1), decision=decision,
                             reason="fever" if decision == "refuse" else "ok",
                             temperature=Decimal("38.1" if decision == "refuse" else "36.5"))
    return live_world


def test_the_manager_filters_the_entry_log_and_downloads_its_export(entries, login, page, live_server):
    login("manager")
    page.goto(f"{live_server.url}/screening/sites/{entries.site_a.pk}/")
    page.click("[data-link=entry-log]")
    table = page.locator("[data-testid=log-table]")
    expect(table.locator("tbody tr")).to_have_count(3)
    page.select_option("#id_status", "refuse")
    page.click("[data-testid=log-filters] button[type=submit]")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("38.1")
    expect(table).to_contain_text(entries.id_number_a)  # a site manager sees whole ID numbers
    with page.expect_download() as caught:
        page.click("[data-testid=log-export]")
    download = caught.value
    assert download.suggested_filename.startswith("entries-") and download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == entries.person_a.name and rows[1][5] == 38.1


def test_the_entry_log_stacks_its_rows_on_a_phone(entries, login, page, live_server):
    page.set_viewport_size({"width": 390, "height": 800})
    login("gate")
    page.goto(f"{live_server.url}/screening/sites/{entries.site_a.pk}/log/entries/")
    expect(page.locator("[data-testid=log-table] tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cell = page.locator("[data-testid=log-table] tbody tr").first.locator("td").nth(2)
    assert page.evaluate("e => getComputedStyle(e, '::before').content", cell.element_handle()) != "none"
    expect(page.locator("[data-testid=log-table]")).not_to_contain_text(entries.id_number_a)  # masked for the gate
