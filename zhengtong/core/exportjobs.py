"""Exports too large for a request: a row of ``ExportFile``, a django-q2 task that writes the file
(through ``core.exports``, cells neutralised, constant memory), and the user's "My exports" page
(accounts) to download it from. Only the user who asked may download it (anyone else: 404); files
are deleted EXPORT_KEEP_HOURS after they were written (the ``core.expire_exports`` job).

The app that owns the list gives ``export_file_create`` the dotted path of its own task function
(which takes the export's id, reads ``params`` again with the user's scope and calls
``export_file_write``): core never imports an app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from zhengtong.core import exports
from zhengtong.core.errors import DomainError
from zhengtong.core.ids import valid_id
from zhengtong.core.models import ExportFile

Status = ExportFile.Status


def export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_file_create(*, user: Any, title: str, task: str, params: dict[str, Any]) -> ExportFile:
    """Record the export and queue its task (django-q2; the row and the queued task commit together
    with the ORM broker, and run at once when django-q2 is in sync mode)."""
    from django_q.tasks import async_task

    with transaction.atomic():
        export = ExportFile.objects.create(user=user, title=title[:200], task=task, params=params)
        async_task(task, export.pk, task_name=f"export-{export.pk}")
    export.refresh_from_db()
    return export


def export_file_write(export: ExportFile, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                      sheet_name: str | None = None, widths: Sequence[float] | None = None) -> ExportFile:
    """Write the file of an export from its rows (an iterator: constant memory), under a name of its
    own in EXPORT_DIR, then mark it ready. A refusal (too many rows for a sheet) or a failure marks it
    failed with the reason, and leaves no file behind."""
    ExportFile.objects.filter(pk=export.pk).update(status=Status.RUNNING)
    name = f"{uuid.uuid4().hex}.xlsx"
    path = export_dir() / name
    counted = _Counter(rows)
    try:
        exports.write_xlsx_to(path, headers, counted, sheet_name=sheet_name, widths=widths)
    except DomainError as e:
        path.unlink(missing_ok=True)
        return _finish(export, status=Status.FAILED, error=e.message)
    except Exception:
        path.unlink(missing_ok=True)
        _finish(export, status=Status.FAILED, error="internal error")
        raise
    now = timezone.now()
    return _finish(export, status=Status.DONE, rows=counted.n, file_name=name, finished_at=now,
                   expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS))


def export_file_fail(export: ExportFile, message: str) -> ExportFile:
    return _finish(export, status=Status.FAILED, error=message)


def _finish(export: ExportFile, **fields: Any) -> ExportFile:
    if "error" in fields:
        fields["error"] = str(fields["error"])[:300]
    for name, value in fields.items():
        setattr(export, name, value)
    export.save(update_fields=list(fields))
    return export


class _Counter:
    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows, self.n = rows, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.n += 1
            yield row


def export_get_for_task(pk: Any) -> ExportFile | None:
    """The export a task was queued for (None when it is gone: the user was deleted)."""
    return ExportFile.objects.filter(pk=valid_id(pk) or 0).select_related("user").first()


def export_list(*, user: Any) -> QuerySet[ExportFile]:
    """The user's own exports, newest first."""
    return ExportFile.objects.filter(user=user).order_by("-created_at", "-pk")


def export_file_path(*, user: Any, pk: Any, now: datetime | None = None) -> tuple[ExportFile, Path]:
    """The file of one of the user's own ready exports; someone else's, one not ready, expired or
    missing is a 404."""
    export = ExportFile.objects.filter(user=user, pk=valid_id(pk) or 0, status=Status.DONE).first()
    if export is None or (export.expires_at and export.expires_at <= (now or timezone.now())):
        raise Http404
    path = export_dir() / export.file_name
    if not export.file_name or os.sep in export.file_name or not path.is_file():
        raise Http404
    return export, path


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their time and mark them expired; returns how many."""
    now = now or timezone.now()
    expired = ExportFile.objects.filter(status=Status.DONE, expires_at__lte=now)
    n = 0
    for export in expired:
        if export.file_name and os.sep not in export.file_name:
            (export_dir() / export.file_name).unlink(missing_ok=True)
        _finish(export, status=Status.EXPIRED, file_name="")
        n += 1
    return n
