"""Writes to accounts: users, their role assignments, passwords, lockouts and whether they may sign in.

Who may do what is decided in ``accounts.scopes`` (``can_manage_accounts``, ``account_users_q``,
``can_assign_role``); each service checks it and raises ``core.errors.DomainError`` naming the field.
Nothing here deletes: an assignment is ended (``ended_at``, ``ended_by``), a user deactivated, and
every action is kept as an ``AccountEvent`` (who, when, what) shown on the user's page.

A password set by someone else (a new account's initial password, an administrator's reset) must be
changed by its user on signing in (``UserProfile.must_change_password``; accounts.middleware).
"""

import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.accounts.models import SCOPE_FIELD, AccountEvent, Role, RoleAssignment, UserProfile
from zhengtong.core.cleaners import clean_phone, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.core.ids import valid_id
from zhengtong.registry.models import Department, Region, Site, Unit

# A generated password: letters and digits a person reads out without confusing (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14


def _event(target: Any, actor: Any, action: str, detail: str = "",
           assignment: RoleAssignment | None = None) -> AccountEvent:
    return AccountEvent.objects.create(
        user=target, actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        action=action, detail=detail[:300], assignment=assignment,
    )


def _check_manager(user: Any) -> None:
    if not scopes.can_manage_accounts(user):
        raise DomainError(_("You may not manage accounts."), status=403)


def _managed(user: Any, target: Any, *, lock: bool = False) -> AbstractUser:
    """``target`` again, locked for the transaction, when ``user`` manages its account; otherwise the
    refusal a page turns into a 404 (whether the account exists is not for them to learn)."""
    _check_manager(user)
    qs = get_user_model().objects.filter(scopes.account_users_q(user), pk=target.pk)
    found = (qs.select_for_update() if lock else qs).first()
    if found is None:
        raise DomainError(_("This account is not yours to manage."), status=404)
    return found


def _check_password(errors: FieldErrors, password: str, target: Any, field: str = "password") -> None:
    if not password:
        errors.add(field, _("This field is required."))
        return
    try:
        validate_password(password, user=target)
    except ValidationError as e:
        for message in e.messages:
            errors.add(field, message)


def generate_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_LENGTH))


# Users ---------------------------------------------------------------------------------------


@transaction.atomic
def user_create(*, user: Any, data: dict) -> AbstractUser:
    """A new account: ``username``, ``name``, ``phone``, an initial ``password`` that meets the
    password validators (settings.AUTH_PASSWORD_VALIDATORS) and, optionally, the first assignment
    (``role`` with its scope field and ``is_head``; required of a county officer, whose users are
    those of the county's sites). The user must change the password on first signing in."""
    _check_manager(user)
    User = get_user_model()
    errors = FieldErrors()
    username = clean_text(errors, data, "username", required=True, max_length=150)
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as e:
            errors.add("username", str(e.messages[0]))
        if User.objects.filter(username__iexact=username).exists():
            errors.add("username", _("A user with this username already exists."))
    name = clean_text(errors, data, "name", required=True, max_length=150)
    phone = clean_phone(errors, data, "phone")
    password = data.get("password") or ""
    _check_password(errors, password, User(username=username, first_name=name))
    role = data.get("role") or ""
    if not role and not scopes.is_city_admin(user):
        errors.add("role", _("Give the new user a role at one of your county's sites."))
    assignment = _clean_assignment(user, errors, data) if role else None
    errors.raise_if_any()
    target = User(username=username, first_name=name)
    target.set_password(password)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:  # the same username, created by another request meanwhile
        raise DomainError(_("A user with this username already exists."), field="username") from None
    UserProfile.objects.create(user=target, phone=phone, must_change_password=True)
    _event(target, user, AccountEvent.Action.CREATED, username)
    if assignment is not None:
        _assign(user, target, *assignment)
    return target


@transaction.atomic
def user_update(*, user: Any, target: Any, data: dict) -> AbstractUser:
    """A managed user's ``name`` and ``phone``."""
    target = _managed(user, target, lock=True)
    errors = FieldErrors()
    name = clean_text(errors, data, "name", required=True, max_length=150)
    phone = clean_phone(errors, data, "phone")
    errors.raise_if_any()
    profile, _created = UserProfile.objects.get_or_create(user=target)
    if (target.first_name, profile.phone) == (name, phone):
        return target
    target.first_name = name
    target.save(update_fields=["first_name"])
    profile.phone = phone
    profile.save(update_fields=["phone"])
    _event(target, user, AccountEvent.Action.UPDATED, f"{name} {phone}".strip())
    return target


@transaction.atomic
def user_set_active(*, user: Any, target: Any, active: bool) -> AbstractUser:
    """Deactivate (or reactivate) an account: a deactivated user cannot sign in, their sessions and API
    tokens stop working, and their assignments stay as they are. Nobody deactivates themselves."""
    target = _managed(user, target, lock=True)
    if target.pk == user.pk and not active:
        raise DomainError(_("You cannot deactivate your own account."), field="is_active", status=403)
    if target.is_active == active:
        return target
    target.is_active = active
    target.save(update_fields=["is_active"])
    _event(target, user, AccountEvent.Action.REACTIVATED if active else AccountEvent.Action.DEACTIVATED)
    return target


@transaction.atomic
def password_reset(*, user: Any, target: Any, password: str = "") -> str:
    """Set a managed user's password: the one given (it must meet the password validators) or, when
    none is given, a generated one. Returns it, to be shown once; it is stored only as a hash. The user
    must change it on signing in, and their other sessions end (the password's hash changed)."""
    target = _managed(user, target, lock=True)
    password = password or generate_password()
    errors = FieldErrors()
    _check_password(errors, password, target, "new_password")
    errors.raise_if_any()
    target.set_password(password)
    target.save(update_fields=["password"])
    UserProfile.objects.update_or_create(user=target, defaults={"must_change_password": True})
    _event(target, user, AccountEvent.Action.PASSWORD_RESET)
    return password


@transaction.atomic
def account_unlock(*, user: Any, target: Any) -> int:
    """Lift the sign-in lockout of a managed user (django-axes: its failed attempts under the username,
    from every address). Returns how many attempt records were removed."""
    target = _managed(user, target)
    removed = axes_reset(username=target.get_username())
    _event(target, user, AccountEvent.Action.UNLOCKED)
    return removed


def password_changed(*, user: Any) -> None:
    """The user chose their own password: nothing is owed any more."""
    UserProfile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


# Role assignments ----------------------------------------------------------------------------


def _clean_assignment(user: Any, errors: FieldErrors, data: dict) -> tuple[str, str, Any, bool] | None:
    """(role, scope field, scope record, is_head) from the form's values, or errors. A role the user may
    not give at all is a 403; so is a site outside a county officer's county."""
    role = data.get("role") or ""
    if role not in Role.values:
        errors.add("role", _("Choose a role."))
        return None
    if role not in scopes.assignable_roles(user):
        raise DomainError(_("You may not give this role."), field="role", status=403)
    field = SCOPE_FIELD[Role(role)]
    record = _scope_record(errors, field, data.get(field), role)
    if record is None:
        return None
    if not scopes.can_assign_role(user, role, record if field == "site" else None):
        raise DomainError(_("This site is not in your county."), field=field, status=403)
    return role, field, record, bool(data.get("is_head"))


def _scope_record(errors: FieldErrors, field: str, value: Any, role: str) -> Any:
    """The region, department, site or unit a role is given for; a unit by its id or unified social
    credit code. The city administrator's region is the city, a county officer's a county."""
    text = str(value or "").strip()
    if not text:
        errors.add(field, _("This role needs a %(scope)s.") % {"scope": _scope_label(field)})
        return None
    record: Any = None
    pk = valid_id(text)
    if field == "unit" and len(text) == 18:
        record = Unit.objects.filter(uscc=text.upper()).first()
    elif pk is not None:
        model: Any = {"region": Region, "department": Department, "site": Site, "unit": Unit}[field]
        record = model.objects.filter(pk=pk).first()
    if record is None:
        errors.add(field, _("No such %(scope)s.") % {"scope": _scope_label(field)})
        return None
    if field == "region":
        if role == Role.COUNTY_OFFICER and not record.is_county_level:
            errors.add(field, _("A county officer's region is a county, district or county-level city."))
            return None
        if role == Role.CITY_ADMIN and record.level != Region.Level.CITY:
            errors.add(field, _("A city administrator's region is the city."))
            return None
    return record


def _scope_label(field: str) -> str:
    return {"region": _("region"), "department": _("department"), "site": _("site"), "unit": _("unit")}[field]


def _assign(user: Any, target: Any, role: str, field: str, record: Any, is_head: bool) -> RoleAssignment:
    """One active assignment per user, role and scope: checked here with the user's row locked (a
    second request for the same waits, then sees the first), and held by the partial unique
    constraints on both databases should anything else write."""
    duplicate = RoleAssignment.objects.active().filter(user=target, role=role, **{field: record}).exists()
    if duplicate:
        raise DomainError(_("This user already holds this role for this %(scope)s.") % {
            "scope": _scope_label(field)}, field=field, status=409)
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=target, role=role, is_head=is_head, created_by=user, **{field: record})
    except IntegrityError:
        raise DomainError(_("This user already holds this role for this %(scope)s.") % {
            "scope": _scope_label(field)}, field=field, status=409) from None
    _event(target, user, AccountEvent.Action.ASSIGNED, assignment=assignment)
    return assignment


@transaction.atomic
def assignment_create(*, user: Any, target: Any, data: dict) -> RoleAssignment:
    """Give a managed user a role with its scope (``role``; ``region``, ``department``, ``site`` or
    ``unit`` as the role needs; ``is_head``)."""
    target = _managed(user, target, lock=True)
    errors = FieldErrors()
    cleaned = _clean_assignment(user, errors, data)
    errors.raise_if_any()
    assert cleaned is not None
    return _assign(user, target, *cleaned)


@transaction.atomic
def assignment_end(*, user: Any, assignment: RoleAssignment) -> RoleAssignment:
    """End an assignment now: it is kept, with who ended it and when, and grants nothing from then on.
    Who may: accounts.scopes.can_end_assignment (never one's own city administrator's assignment)."""
    _managed(user, assignment.user, lock=True)
    assignment = RoleAssignment.objects.select_related("site", "user").get(pk=assignment.pk)
    if assignment.ended_at is not None:
        raise DomainError(_("This assignment has already ended."), status=409)
    if not scopes.can_end_assignment(user, assignment):
        raise DomainError(_("You may not end this assignment."), status=403)
    assignment.ended_at = timezone.now()
    assignment.ended_by = user
    assignment.save(update_fields=["ended_at", "ended_by"])
    _event(assignment.user, user, AccountEvent.Action.ENDED, assignment=assignment)
    return assignment
