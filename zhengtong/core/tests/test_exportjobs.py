"""core.exportjobs: a file written from an iterator, downloadable by its owner only until it expires;
a refusal while writing (too many rows for a sheet) fails the export with the reason and no file."""

import openpyxl
import pytest
from django.http import Http404
from django.utils import timezone

from zhengtong.core import exportjobs, exports
from zhengtong.core.models import ExportFile
from zhengtong.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def rows(n):
    for i in range(n):
        yield [i, f"=HYPERLINK(\"x{i}\")", timezone.now()]


def test_a_file_is_written_from_an_iterator_with_its_row_count(folder):
    owner, other = UserFactory(), UserFactory()
    export = ExportFile.objects.create(user=owner, title="t", task="x")
    exportjobs.export_file_write(export, ["n", "text", "time"], rows(5), sheet_name="t")
    export.refresh_from_db()
    assert (export.status, export.rows) == ("done", 5)
    _, path = exportjobs.export_file_path(user=owner, pk=export.pk)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("n", "text", "time") and values[1][:2] == (0, "'=HYPERLINK(\"x0\")")
    with pytest.raises(Http404):
        exportjobs.export_file_path(user=other, pk=export.pk)
    with pytest.raises(Http404):
        exportjobs.export_file_path(user=owner, pk=export.pk, now=export.expires_at)
    with pytest.raises(Http404):
        exportjobs.export_file_path(user=owner, pk="x")


def test_a_refusal_while_writing_fails_the_export_and_leaves_no_file(folder, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    export = ExportFile.objects.create(user=UserFactory(), title="t", task="x")
    exportjobs.export_file_write(export, ["n", "text", "time"], rows(10))
    export.refresh_from_db()
    assert export.status == "failed" and "2" in export.error and not export.file_name
    assert list(folder.iterdir()) == []


def test_a_pending_export_is_not_downloadable(folder):
    owner = UserFactory()
    export = ExportFile.objects.create(user=owner, title="t", task="x")
    with pytest.raises(Http404):
        exportjobs.export_file_path(user=owner, pk=export.pk)
