"""Accounts without the Django admin: the city administrator's (and a county officer's, for the site
managers and gatekeepers of the county's sites) users, role assignments, passwords, lockouts.

Who may: accounts.scopes (a page of someone who manages no accounts is a 403, an account outside the
manager's scope a 404); what is valid: accounts.services, whose field errors go back on the forms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhengtong.accounts import scopes, selectors, services
from zhengtong.accounts.forms import AssignmentForm, PasswordResetForm, UserCreateForm, UserEditForm, UserFilterForm
from zhengtong.accounts.models import RoleAssignment, UserProfile
from zhengtong.core.errors import DomainError
from zhengtong.core.forms import apply_errors
from zhengtong.core.http import get_or_404


def _require_manager(request) -> None:
    if not scopes.can_manage_accounts(request.user):
        raise PermissionDenied


def _refused(error: DomainError) -> None:
    """A refusal no form can show: outside the scope is a 404, a forbidden change a 403."""
    if error.status == 404:
        raise Http404
    if error.status == 403:
        raise PermissionDenied(error.message)


def _assignment_form(request, data=None, form_class=AssignmentForm, **kwargs):
    user = request.user
    return form_class(
        data, roles=scopes.assignable_roles(user), sites=selectors.assignable_sites(user=user),
        regions=list(selectors.assignable_regions(user=user)),
        departments=selectors.assignable_departments(user=user), **kwargs,
    )


@login_required
@require_GET
def user_list(request):
    """The managed accounts: search (as one types, with HTMX: the table alone), filter by role and status,
    pages."""
    _require_manager(request)
    filters = UserFilterForm(request.GET, roles=scopes.assignable_roles(request.user))
    filters.is_valid()
    qs = selectors.account_user_list(user=request.user, filters=filters.cleaned_data)
    query = request.GET.copy()
    query.pop("page", None)
    template = "accounts/_user_table.html" if request.htmx else "accounts/user_list.html"
    return render(request, template, {
        "filters": filters, "query": query, "nav_active": "users",
        "page": Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page")),
    })


@login_required
def user_create(request):
    _require_manager(request)
    form = _assignment_form(request, request.POST or None, form_class=UserCreateForm)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.user_create(user=request.user, data=form.cleaned_data)
        except DomainError as e:
            if e.status in (403, 404):
                _refused(e)
            apply_errors(form, e)
        else:
            messages.success(request, _("The account %(name)s has been created.") % {"name": target.username})
            return redirect("account_user_detail", target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "nav_active": "users"},
                  status=400 if form.errors else 200)


def _target(request, pk):
    _require_manager(request)
    return get_or_404(selectors.account_users(user=request.user), pk)


def _detail(request, target, *, status=200, **forms):
    profile = UserProfile.objects.filter(user=target).first()
    context = {
        "target": target, "profile": profile, "nav_active": "users",
        "assignments": selectors.assignment_history(user=request.user, target=target),
        "events": selectors.account_events(user=request.user, target=target),
        "locked": selectors.is_locked_out(username=target.get_username()),
        "edit_form": forms.get("edit_form") or UserEditForm(initial={
            "name": target.first_name, "phone": profile.phone if profile else ""}),
        "assign_form": forms.get("assign_form") or _assignment_form(request),
        "password_form": forms.get("password_form") or PasswordResetForm(),
        "new_password": forms.get("new_password"),
        "is_self": target.pk == request.user.pk,
    }
    context["can_end"] = {a.pk for a in context["assignments"] if scopes.can_end_assignment(request.user, a)}
    response = render(request, "accounts/user_detail.html", context, status=status)
    if forms.get("new_password"):
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def user_detail(request, pk):
    """The account: its details, its assignments (active and ended, who gave and ended each), who did
    what to it, and the forms to change it."""
    return _detail(request, _target(request, pk))


def _post(request, pk, form, form_key, call, done: str):
    """Run ``call(cleaned_data)`` on a valid form; its refusal goes back on the form of the page."""
    target = _target(request, pk)
    if form.is_valid():
        try:
            result = call(target, form.cleaned_data)
        except DomainError as e:
            if e.status in (403, 404):
                _refused(e)
            apply_errors(form, e)
        else:
            if done:
                messages.success(request, done)
                return redirect("account_user_detail", target.pk)
            return result
    return _detail(request, target, status=400, **{form_key: form})


@login_required
@require_POST
def user_edit(request, pk):
    return _post(request, pk, UserEditForm(request.POST), "edit_form",
                 lambda t, d: services.user_update(user=request.user, target=t, data=d), _("Saved."))


@login_required
@require_POST
def assignment_create(request, pk):
    return _post(request, pk, _assignment_form(request, request.POST), "assign_form",
                 lambda t, d: services.assignment_create(user=request.user, target=t, data=d),
                 _("The role has been assigned."))


@login_required
@require_POST
@never_cache
def password_reset(request, pk):
    """Set a new password, or a generated one shown on this answer only (never stored in clear)."""
    def reset(target, data):
        password = services.password_reset(user=request.user, target=target, password=data["new_password"])
        if data["new_password"]:
            messages.success(request, _("The password has been set. The user must change it when signing in."))
            return redirect("account_user_detail", target.pk)
        return _detail(request, target, new_password=password)

    return _post(request, pk, PasswordResetForm(request.POST), "password_form", reset, "")


@login_required
@require_POST
def assignment_end(request, pk):
    _require_manager(request)
    qs = RoleAssignment.objects.filter(user__in=selectors.account_users(user=request.user))
    assignment = get_or_404(qs, pk)
    try:
        services.assignment_end(user=request.user, assignment=assignment)
    except DomainError as e:
        _refused(e)
        messages.error(request, e.message)
    else:
        messages.success(request, _("The assignment has ended."))
    return redirect("account_user_detail", assignment.user_id)


@login_required
@require_POST
def account_unlock(request, pk):
    target = _target(request, pk)
    try:
        services.account_unlock(user=request.user, target=target)
    except DomainError as e:
        _refused(e)
        raise
    messages.success(request, _("The sign-in lockout has been lifted."))
    return redirect("account_user_detail", target.pk)


@login_required
@require_POST
def account_set_active(request, pk):
    target = _target(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(user=request.user, target=target, active=active)
    except DomainError as e:
        _refused(e)
        messages.error(request, e.message)
    else:
        messages.success(request, _("The account has been reactivated.") if active
                         else _("The account has been deactivated: the user can no longer sign in."))
    return redirect(reverse("account_user_detail", args=[target.pk]))
