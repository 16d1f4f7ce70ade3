"""My exports: the spreadsheets too long to write during a request (core.exportjobs), each
downloadable by the user who asked for it, and by nobody else (404), until it expires."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhengtong.core import exportjobs, exports


@login_required
@require_GET
def export_list(request):
    page = Paginator(exportjobs.export_list(user=request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/exports.html", {
        "page": page, "query": QueryDict(), "keep_hours": settings.EXPORT_KEEP_HOURS,
        "waiting": any(e.status in (e.Status.PENDING, e.Status.RUNNING) for e in page),
    })


@login_required
@require_GET
def export_download(request, pk: int):
    export, path = exportjobs.export_file_path(user=request.user, pk=pk)
    stamp = export.created_at.strftime("%Y%m%d-%H%M")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"export-{export.pk}-{stamp}.xlsx",
                        content_type=exports.XLSX_TYPE)
