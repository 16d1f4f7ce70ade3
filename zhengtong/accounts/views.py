"""Sign-in pages, and the access log for the city administrator."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhengtong.accounts import scopes, selectors, services
from zhengtong.accounts.forms import AccessFilterForm
from zhengtong.accounts.middleware import SESSION_KEY
from zhengtong.core import exports
from zhengtong.core.errors import DomainError

login_view = auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
logout_view = auth_views.LogoutView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user changes their own password: the old one, then the new one twice, checked by the
    password validators of settings.AUTH_PASSWORD_VALIDATORS; the session stays signed in."""

    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        self.request.session[SESSION_KEY] = False
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change_view = PasswordChangeView.as_view()

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _access_records(request):
    """The city administrator's filtered access log (anyone else: 403), and the filter form."""
    if not scopes.is_city_admin(request.user):
        raise PermissionDenied
    filters = AccessFilterForm(request.GET)
    filters.is_valid()
    return filters, selectors.access_record_list(user=request.user, filters=filters.cleaned_data)


@login_required
@require_GET
def access_log(request):
    """Who viewed whose health data (core.access): filters, pages, an export of what is filtered.
    Reading the log is not itself logged."""
    filters, qs = _access_records(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/access_log.html", {
        "filters": filters, "query": query, "nav_active": "access",
        "page": Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page")),
    })


def _export_rows(qs):
    for r in qs.iterator(chunk_size=2000):
        yield [r.at, r.username, r.via, r.get_kind_display(), r.get_subject_type_display(), r.subject_id,
               r.subject, r.detail, r.path, r.route, r.address]


@login_required
@require_GET
def access_log_export(request, fmt: str):
    """The filtered access log as .xlsx or .csv, every cell through core.exports' safe writers."""
    filters, qs = _access_records(request)
    headers = [_("Time"), _("User"), _("Token or device"), _("Kind of data"), _("Whose data (kind)"),
               _("Whose data (id)"), _("Whose data"), _("Detail"), _("Page or endpoint"), _("Route"),
               _("Client address")]
    try:
        if fmt == "xlsx":
            body = exports.write_xlsx(headers, _export_rows(qs), sheet_name=_("Access log"),
                                      widths=[20, 14, 16, 18, 10, 10, 30, 30, 36, 28, 16])
        else:
            body = exports.write_csv(headers, _export_rows(qs))
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(f"{reverse('access_log')}?{request.GET.urlencode()}")
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.{fmt}"'
    return response
