"""Who may act where: a user holds role assignments, each with the scope its role needs."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhengtong.registry.models import Department, Region, Site, Unit


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    COUNTY_OFFICER = "county_officer", _("County officer")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    SITE_MANAGER = "site_manager", _("Site manager")
    GATEKEEPER = "gatekeeper", _("Site gatekeeper")
    ENTERPRISE_CLERK = "enterprise_clerk", _("Enterprise clerk")
    PERMIT_REVIEWER = "permit_reviewer", _("Permit reviewer")


# The scope field each role needs; every other scope field must be empty.
SCOPE_FIELD = {
    Role.CITY_ADMIN: "region",
    Role.COUNTY_OFFICER: "region",
    Role.DEPARTMENT_OFFICER: "department",
    Role.SITE_MANAGER: "site",
    Role.GATEKEEPER: "site",
    Role.ENTERPRISE_CLERK: "unit",
    Role.PERMIT_REVIEWER: "department",
}
SCOPE_FIELDS = ("region", "department", "site", "unit")


def _scope_condition() -> Q:
    condition = Q()
    for role, field in SCOPE_FIELD.items():
        filled = {f"{f}__isnull": f != field for f in SCOPE_FIELDS}
        condition |= Q(role=role, **filled)
    return condition


def active_assignments_q(path: str = "") -> Q:
    """The assignments that grant their role now: not ended. ``path`` is the relation that leads to
    them from another model (``"user__assignments__"``)."""
    return Q(**{f"{path}ended_at__isnull": True})


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self) -> "RoleAssignmentQuerySet":
        """The assignments that grant their role now: not ended."""
        return self.filter(active_assignments_q())


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, verbose_name=_("region"))
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, verbose_name=_("department")
    )
    site = models.ForeignKey(Site, models.CASCADE, null=True, blank=True, verbose_name=_("site"))
    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, verbose_name=_("unit"))
    is_head = models.BooleanField(_("head of department or team"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned by"),
    )
    # Ending an assignment keeps it: it grants nothing from then on (accounts.scopes reads active ones).
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ended by"),
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        # One active assignment per user, role and scope. Each role fills exactly one scope field
        # (the check), so one partial unique index per scope field says it without NULLs in the key:
        # SQLite enforces it as PostgreSQL does (a NULLS NOT DISTINCT index would be skipped there).
        constraints = [
            models.CheckConstraint(condition=_scope_condition(), name="assignment_scope_matches_role"),
            *(
                models.UniqueConstraint(
                    fields=["user", "role", f], condition=Q(ended_at__isnull=True, **{f"{f}__isnull": False}),
                    name=f"assignment_one_active_{f}",
                )
                for f in SCOPE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.scope}"

    @property
    def scope(self):
        return getattr(self, SCOPE_FIELD[Role(self.role)])

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class UserProfile(models.Model):
    """What Django's user lacks: a phone, and whether the password was set by someone else (a new
    account's initial password, an administrator's reset), which the user must change on signing in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class AccountEvent(models.Model):
    """Who did what to an account, and when: kept for the account's page (never edited, never deleted
    with the account's assignments)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Account created")
        UPDATED = "updated", _("Name or phone changed")
        ASSIGNED = "assigned", _("Role assigned")
        ENDED = "ended", _("Role assignment ended")
        PASSWORD_RESET = "password_reset", _("Password reset")
        UNLOCKED = "unlocked", _("Sign-in lockout lifted")
        DEACTIVATED = "deactivated", _("Account deactivated")
        REACTIVATED = "reactivated", _("Account reactivated")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_events", verbose_name=_("user")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    assignment = models.ForeignKey(
        RoleAssignment, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("role assignment")
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)  # data (a username, a phone), not prose
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)  # kept if the actor is removed
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.user}"


class HashedKey(models.Model):
    """A secret key of which only a hash is stored: shown once when issued, then found by its hash."""

    KEY_PREFIX = "zt_"

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def _issue(cls, **fields):
        key = cls.KEY_PREFIX + secrets.token_urlsafe(32)
        return cls._default_manager.create(key_hash=cls.hash_key(key), prefix=key[:8], **fields), key


class ApiToken(HashedKey):
    """A bearer token for a device or an integration; acts as its user. Only a hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        return cls._issue(user=user, name=name)
