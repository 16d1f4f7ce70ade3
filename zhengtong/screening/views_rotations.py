"""Closed-duty rotations of a site's staff (screening.rotations): the list, planning and changing
one, and ending it.

Who: the site must be in the user's screening scope (else 404: another county's officer never sees
them); planning, changing and ending need ``scopes.can_plan_rotations`` (else 403: never a
gatekeeper, who reads the list to know who is on duty). What became of each member's isolation at
the end is shown to those with health duties only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.accounts import scopes
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import save_form
from zhengtong.screening import rotations, selectors
from zhengtong.screening.forms import RotationForm


def _planned(request, pk):
    site = selectors.screening_site_get(user=request.user, pk=pk)
    if not scopes.can_plan_rotations(request.user, site):
        raise PermissionDenied
    return site


@login_required
@require_GET
def rotation_list(request, pk: int):
    site = selectors.screening_site_get(user=request.user, pk=pk)
    today = timezone.localdate()
    return render(request, "screening/rotations.html", {
        "site": site, "nav_active": "screening", "today": today, "rotations": selectors.rotation_list(site=site),
        "can_plan": scopes.can_plan_rotations(request.user, site), "closed": site.is_closed_on(today),
        "can_manage": scopes.can_manage_site(request.user, site),
        "can_screen": scopes.can_screen_at(request.user, site),
        "health_data": scopes.can_see_health_data(request.user, {site.pk}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def rotation_edit(request, pk: int, rotation_pk: int | None = None):
    site = _planned(request, pk)
    rotation = selectors.rotation_get(site=site, pk=rotation_pk) if rotation_pk is not None else None
    staff = selectors.rotation_staff(site=site)
    if request.method == "POST":
        form = RotationForm(request.POST, staff=staff)
    else:
        initial = RotationForm.initial_of(rotation) if rotation else {"isolation_days": rotations.default_days()}
        form = RotationForm(initial=initial, staff=staff)
    if request.method == "POST":
        saved = save_form(form, lambda data: rotations.rotation_save(user=request.user, site=site, data=data,
                                                                     rotation=rotation))
        if saved is not None:
            messages.success(request, _("Rotation %(name)s saved.") % {"name": saved.name})
            return redirect("screening:rotation_detail", pk=site.pk, rotation_pk=saved.pk)
    return render(request, "screening/rotation_form.html", {
        "site": site, "rotation": rotation, "form": form, "nav_active": "screening",
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def rotation_detail(request, pk: int, rotation_pk: int):
    site = selectors.screening_site_get(user=request.user, pk=pk)
    rotation = selectors.rotation_get(site=site, pk=rotation_pk)
    today = timezone.localdate()
    return render(request, "screening/rotation_detail.html", {
        "site": site, "rotation": rotation, "members": selectors.rotation_members(rotation=rotation),
        "nav_active": "screening", "today": today, "on_duty": rotation.is_on_duty(today),
        "can_plan": scopes.can_plan_rotations(request.user, site),
        "may_end": today >= rotation.on_duty_until,
        "health_data": scopes.can_see_health_data(request.user, {site.pk}),
    })


@login_required
@require_POST
def rotation_end(request, pk: int, rotation_pk: int):
    site = _planned(request, pk)
    rotation = selectors.rotation_get(site=site, pk=rotation_pk)
    try:
        ended = rotations.rotation_end(user=request.user, rotation=rotation)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        if not ended.asked:
            messages.error(request, _("Nobody was isolated: no app orders isolation here."))
        else:
            messages.success(request, _("Rotation %(name)s ended: %(n)d isolated, %(m)d not (see each member).")
                             % {"name": rotation.name, "n": ended.ordered, "m": ended.refused})
    return redirect("screening:rotation_detail", pk=site.pk, rotation_pk=rotation.pk)


urlpatterns = [
    path("sites/<int:pk>/rotations/", rotation_list, name="rotation_list"),
    path("sites/<int:pk>/rotations/new/", rotation_edit, name="rotation_new"),
    path("sites/<int:pk>/rotations/<int:rotation_pk>/", rotation_detail, name="rotation_detail"),
    path("sites/<int:pk>/rotations/<int:rotation_pk>/edit/", rotation_edit, name="rotation_edit"),
    path("sites/<int:pk>/rotations/<int:rotation_pk>/end/", rotation_end, name="rotation_end"),
]
