"""The tables of core: the holiday calendar's entries, which every clock counts with, and the access
log, which every app writes when someone views health data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HolidayOverride(models.Model):
    """A statutory holiday or make-up working day entered by the city administrator, for years
    the holiday library has no data for (2027 on) or to correct it."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory holiday")
        WORKDAY = "workday", _("Make-up working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords(table_name="permits_historicalholidayoverride")

    class Meta:
        db_table = "permits_holidayoverride"  # made by the permits app, which held the calendar first
        ordering = ["day"]
        verbose_name = _("holiday calendar entry")
        verbose_name_plural = _("holiday calendar entries")

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class AccessRecord(models.Model):
    """One view of health data (issue 15): who saw whose data, when, on which page or endpoint, from
    which address. Written by ``core.access.record_view``, one row per page or API answer however
    many rows it shows; never changed or deleted (the admin offers neither). The user's name is kept
    as text too, so that the record still says who it was when the account is gone."""

    class Kind(models.TextChoices):
        ID_NUMBER = "id_number", _("Unmasked ID number")
        HEALTH = "health", _("Temperatures and health checks")
        ENTRIES = "entries", _("Entry log")
        CASE = "case", _("Case")
        TRACE = "trace", _("Contact trace")
        ISOLATION = "isolation", _("Isolation orders")

    class SubjectType(models.TextChoices):
        PERSON = "person", _("Person")
        SITE = "site", _("Site")
        LIST = "list", _("List")
        CASE = "case", _("Case")
        ISOLATION_ORDER = "isolationorder", _("Isolation order")

    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                             db_index=False, verbose_name=_("user"))  # the (user, at) index serves
    username = models.CharField(_("username"), max_length=150)
    via = models.CharField(_("token or device"), max_length=120, blank=True,
                           help_text=_("The API token or gate device the view was made with, if any."))
    kind = models.CharField(_("kind of data"), max_length=16, choices=Kind.choices)
    subject_type = models.CharField(_("whose data (kind)"), max_length=16, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField(_("whose data (id)"), null=True, blank=True)
    subject = models.CharField(_("whose data"), max_length=200)
    detail = models.CharField(_("detail"), max_length=300, blank=True,
                              help_text=_("For a list: its filter and page."))
    path = models.CharField(_("page or endpoint"), max_length=300)
    route = models.CharField(_("route"), max_length=120, blank=True)  # method and URL pattern
    address = models.CharField(_("client address"), max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [
            models.Index(fields=["at"], name="access_at"),
            models.Index(fields=["user", "at"], name="access_user_at"),
            models.Index(fields=["subject_type", "subject_id", "at"], name="access_subject_at"),
            models.Index(fields=["kind", "at"], name="access_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind} {self.subject}"


class ExportFile(models.Model):
    """A spreadsheet too large to write during the request (more rows than EXPORT_MAX_ROWS_INLINE):
    written by a django-q2 job (core.exportjobs), downloaded by the user who asked for it and nobody
    else, deleted EXPORT_KEEP_HOURS after it was written. ``task`` is the function of the app that
    owns the list (it reads ``params`` again, with the user's scope, when the job runs)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    title = models.CharField(_("list"), max_length=200)
    task = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("written at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "created_at"], name="export_user_created")]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE

class DemoState(models.Model):
    """The demo city loaded into this database (``zhengtong demo``, core.demo_clock): the newspaper's day and
    the day it is shown as. One row while the demo is loaded, none otherwise."""

    story_day = models.DateField(_("the newspaper's day"))
    anchor = models.DateField(_("shown as"))
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("demo city")
        verbose_name_plural = _("demo city")

    def __str__(self) -> str:
        return f"{self.story_day} → {self.anchor}"
