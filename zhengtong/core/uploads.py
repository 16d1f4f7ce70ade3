"""Upload size caps, enforced while the request body is read: a file past its cap is never held in
memory or on disk (Django's FILE_UPLOAD_MAX_MEMORY_SIZE only chooses between the two).

A view declares its cap with ``@upload_limit("DOCUMENT_MAX_MB", field="file", label=...)``;
UploadLimitMiddleware (before the CSRF middleware, which is the first to read the body) puts a
handler in front of Django's that skips a file once it passes the cap, or at once when the request's
Content-Length already does; the form's other fields are read as usual. The view then asks
``refusal(request)`` for the error to show, which names the field.

A stored document (a permit application's, a difficulty's attachment) passes ``document_checked``
first: one of ``DOCUMENT_TYPES``, not empty, within its cap; it gives the name kept and the file's
SHA-256."""

import hashlib
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zhengtong.core.errors import DomainError

MB = 1024 * 1024
# Room in a request for the form's other fields and the multipart framing around the file.
FORM_SLACK = 256 * 1024


# What a stored document may be, by its name's suffix: PDF, images, Office files, OFD, ZIP.
DOCUMENT_TYPES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".zip"})


def document_checked(upload: Any, *, field: str, label: str, limit_mb: int) -> tuple[str, str]:
    """(name, sha256) of an uploaded document that may be kept, or the refusal naming ``field``: a
    missing file, a type not in ``DOCUMENT_TYPES``, an empty file, one over ``limit_mb`` megabytes."""
    if upload is None:
        raise DomainError(_("Choose a file."), field=field)
    name = PurePath(upload.name or "").name[:200]
    if PurePath(name).suffix.lower() not in DOCUMENT_TYPES:
        raise DomainError(_("Attach PDF, images, Office documents, OFD or ZIP files."), field=field)
    if not upload.size:
        raise DomainError(_("The file is empty."), field=field)
    if upload.size > limit_mb * MB:
        raise too_large(field=field, label=label, limit_mb=limit_mb)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name, digest.hexdigest()


def too_large(*, field: str, label: str, limit_mb: int, whole: bool = False) -> DomainError:
    """The refusal of a file over ``limit_mb`` megabytes, naming the field; ``whole``: of a submission
    whose files together are over it (the request's cap, ``upload_limit``)."""
    message = (_("%(label)s: at most %(limit)s MB in all in one submission.") if whole
               else _("%(label)s: at most %(limit)s MB per file."))
    return DomainError(message % {"label": label, "limit": limit_mb}, field=field)


def upload_limit(setting: str, *, field: str, label: Any, many: bool = False) -> Callable:
    """Cap the uploads of a view at ``settings.<setting>`` megabytes; ``label`` names the field in
    the error (a lazy translation); ``many``: the field takes several files, which the cap counts
    together (the error says so)."""

    def mark(view: Callable) -> Callable:
        view.upload_limit = (setting, field, label, many)  # type: ignore[attr-defined]
        return view

    return mark


class _CappedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.body_too_large = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_too_large = content_length > self.max_bytes + FORM_SLACK
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.body_too_large:
            self._skip()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self._skip()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _skip(self) -> None:
        self.request.upload_too_large = True  # type: ignore[union-attr]
        raise SkipFile


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any) -> None:
        limit = getattr(view_func, "upload_limit", None)
        if limit is None or request.method != "POST":
            return None
        setting, field, label, many = limit
        limit_mb = int(getattr(settings, setting))
        request.upload_limit = (field, label, limit_mb, many)  # type: ignore[attr-defined]
        request.upload_handlers.insert(0, _CappedUploadHandler(request, limit_mb * MB))  # type: ignore[union-attr]
        return None


def refusal(request: HttpRequest) -> DomainError | None:
    """The error for a file the cap skipped in this request, or None."""
    request.FILES  # noqa: B018  (reads the body, if nothing has yet)
    if not getattr(request, "upload_too_large", False):
        return None
    field, label, limit_mb, many = request.upload_limit  # type: ignore[attr-defined]
    return too_large(field=field, label=str(label), limit_mb=limit_mb, whole=many)
