"""Epidemic prevention at sites: areas, entries at the gate, health checks, disinfection, alerts,
and the gate devices that post entries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhengtong.accounts.models import HashedKey
from zhengtong.registry.models import Person, Site


class Area(models.Model):
    """A part of a site that matters for tracing and disinfection: a wing, a floor, a workshop."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="areas", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="area_unique_name_per_site")]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    ADMIT = "admit", _("Admitted")
    REFUSE = "refuse", _("Refused")


class Reason(models.TextChoices):
    """Why a decision was taken: one code per screening rule (screening.rules)."""

    OK = "ok", _("Checks passed")
    FEVER = "fever", _("Fever")
    CLOSED = "closed", _("Closed management: not one of the site's people")
    NO_VISITORS = "no_visitors", _("The site receives no visitors")
    APPOINTMENT = "appointment", _("Visitors by appointment only")
    # never the order's reason: a gatekeeper has no health duty
    ISOLATION = "isolation", _("Health order: ask the site manager")
    INACTIVE = "inactive", _("The site is not active")
    FORMER = "former", _("No longer one of the site's people")
    OFF_DUTY = "off_duty", _("Closed duty: not in the rotation on duty")


class Entry(models.Model):
    """One passage through a site's (or an area's) entrance and the stay that follows it, with its
    screening result. On PostgreSQL the table is range-partitioned by month of ``entered_at``."""

    class Source(models.TextChoices):
        PAGE = "page", _("Gate screen")
        API = "api", _("Gate device")
        SYNC = "sync", _("Offline sync")

    # The largest table: no foreign-key constraints in the database (a check per row would halve
    # the insert rate of offline sync); the services only store ids they have just read, and the
    # registry never deletes a site or a person that has entries (PROTECT in the ORM still holds).
    # Look-ups by client UUID use the unique (client_uuid, entered_at) index.
    id = models.BigAutoField(primary_key=True)
    client_uuid = models.UUIDField(_("client UUID"))
    site = models.ForeignKey(Site, models.PROTECT, related_name="entries", verbose_name=_("site"), db_index=False,
                             db_constraint=False)
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, related_name="entries",
                             verbose_name=_("area"), db_index=False, db_constraint=False)
    person = models.ForeignKey(Person, models.PROTECT, related_name="entries", verbose_name=_("person"),
                               db_index=False, db_constraint=False)
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_estimated = models.BooleanField(_("exit estimated"), default=False)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True)
    decision = models.CharField(_("decision"), max_length=6, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    source = models.CharField(_("source"), max_length=4, choices=Source.choices, default=Source.PAGE)
    # What an offline gate decided, kept as taken; ``disagreement`` when the rules now say otherwise.
    gate_decision = models.CharField(_("gate's decision"), max_length=6, choices=Decision.choices, blank=True)
    disagreement = models.BooleanField(_("disagreement"), default=False)
    visit_host = models.CharField(_("visiting whom"), max_length=100, blank=True)
    visit_purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", db_index=False, db_constraint=False)
    device = models.ForeignKey("GateDevice", models.SET_NULL, null=True, blank=True, related_name="+",
                               db_index=False, db_constraint=False)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            # On a partitioned table a unique key must include the partition key.
            models.UniqueConstraint(fields=["client_uuid", "entered_at"], name="entry_unique_client_uuid"),
        ]
        indexes = [
            # (…, time, id): the entry log's keyset pages (core.keyset) read them in this order.
            models.Index(fields=["site", "entered_at", "id"], name="entry_site_time_id"),
            models.Index(fields=["person", "entered_at", "id"], name="entry_person_time_id"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.site_id} {self.entered_at:%Y-%m-%d %H:%M} {self.decision}"

    @staticmethod
    def stay_q(prefix: str = "") -> models.Q:
        """The entries that began a stay: admitted by the rules, or by an offline gate whatever the
        rules now say (the person went in; the disagreement stays flagged). Who is inside, exits,
        the overdue-stay job and the figures of admissions all count these."""
        return (models.Q(**{f"{prefix}decision": Decision.ADMIT})
                | models.Q(**{f"{prefix}gate_decision": Decision.ADMIT}))

    @property
    def is_stay(self) -> bool:
        return Decision.ADMIT in (self.decision, self.gate_decision)


# How long a visitor's texts may be: the columns' lengths, which the page, the API and the batch check.
VISIT_TEXT_LIMITS: dict[str, int] = {
    name: getattr(Entry._meta.get_field(name), "max_length") for name in ("visit_host", "visit_purpose")  # noqa: B009
}


class HealthCheck(models.Model):
    """A daily temperature check of someone who lives or works inside a site."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="health_checks", verbose_name=_("site"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="health_checks", verbose_name=_("person"))
    checked_on = models.DateField(_("day"))
    checked_at = models.DateTimeField(_("checked at"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    is_fever = models.BooleanField(_("fever"), default=False)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        indexes = [models.Index(fields=["site", "checked_on"], name="healthcheck_site_day"),
                   models.Index(fields=["site", "checked_at", "id"], name="healthcheck_site_time_id")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.site_id} {self.checked_on}: {self.temperature}"


class Disinfection(models.Model):
    site = models.ForeignKey(Site, models.CASCADE, related_name="disinfections", verbose_name=_("site"))
    area = models.ForeignKey(Area, models.CASCADE, related_name="disinfections", verbose_name=_("area"))
    agent = models.CharField(_("agent"), max_length=100)
    done_at = models.DateTimeField(_("time"))
    operator = models.CharField(_("operator"), max_length=50)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_at"]
        verbose_name = _("disinfection")
        verbose_name_plural = _("disinfections")
        indexes = [models.Index(fields=["site", "done_at", "id"], name="disinfection_site_time_id")]

    def __str__(self) -> str:
        return f"{self.area} {self.done_at:%Y-%m-%d %H:%M} {self.agent}"


class Alert(models.Model):
    """Something a person must see and acknowledge. ``channel`` is where it was delivered; the
    web list is the first channel, SMS or e-mail can be added in screening.alerts."""

    class Kind(models.TextChoices):
        FEVER = "fever", _("Fever at the gate")
        HEALTH_FEVER = "health_fever", _("Fever at a health check")
        DISAGREEMENT = "disagreement", _("Offline gate decision disagrees with the rules")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    site = models.ForeignKey(Site, models.CASCADE, related_name="alerts", verbose_name=_("site"))
    person = models.ForeignKey(Person, models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.CharField(_("message"), max_length=300)
    channel = models.CharField(max_length=10, default="web")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["recipient", "acknowledged_at"], name="alert_open"),
                   models.Index(fields=["site", "created_at", "id"], name="alert_site_time_id")]

    def __str__(self) -> str:
        return self.message


class GateDevice(HashedKey):
    """A phone or tablet at one site's entrance, authenticated by its own token (hash stored)."""

    KEY_PREFIX = "ztg_"

    site = models.ForeignKey(Site, models.CASCADE, related_name="devices", verbose_name=_("site"))

    class Meta:
        verbose_name = _("gate device")
        verbose_name_plural = _("gate devices")

    @classmethod
    def issue(cls, *, site: Site, name: str) -> tuple["GateDevice", str]:
        return cls._issue(site=site, name=name)


class EntryHold(models.Model):
    """A person's entries within a span that an investigation needs past the retention period: the
    purge keeps them while the hold is active. Written by ``services.entries_hold``, which other apps
    call (the outbreak app, for a case's trace); released, never deleted, when the need ends."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    holder = models.CharField(_("held by"), max_length=100, db_index=True,
                              help_text=_("What needs the entries, e.g. a case's trace."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("held at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("entries held")
        verbose_name_plural = _("entries held")
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="entry_hold_span")]
        indexes = [models.Index(fields=["person", "start"], name="entry_hold_person_start")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d} ({self.holder})"


class Rotation(models.Model):
    """A closed-duty rotation (封闭式管理下的轮岗) of a site's staff: on duty inside from ``on_duty_from``
    through ``on_duty_until``, then ``isolation_days`` of isolation before going home. While a rotation
    of a site under closed management is on duty, the gate admits among the site's staff only the
    members of a rotation on duty (screening.rules); its end asks the app that orders isolation, through
    screening.ports, to isolate its members (``ended_at``: when that was asked)."""

    site = models.ForeignKey(Site, models.PROTECT, related_name="rotations", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    on_duty_from = models.DateField(_("on duty from"))
    on_duty_until = models.DateField(_("on duty until"), help_text=_("The last day on duty inside."))
    isolation_days = models.PositiveSmallIntegerField(_("days of isolation after duty"), default=14)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("planned by"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("ended by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-on_duty_from", "-id"]
        verbose_name = _("closed-duty rotation")
        verbose_name_plural = _("closed-duty rotations")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="rotation_unique_name_per_site"),
            models.CheckConstraint(condition=models.Q(on_duty_until__gte=models.F("on_duty_from")),
                                   name="rotation_duty_span"),
        ]
        indexes = [models.Index(fields=["site", "on_duty_until"], name="rotation_site_until")]

    def __str__(self) -> str:
        return self.name

    def is_on_duty(self, day) -> bool:
        return self.on_duty_from <= day <= self.on_duty_until


class RotationMember(models.Model):
    """One staff member of a rotation, and what became of their isolation when it ended."""

    rotation = models.ForeignKey(Rotation, models.CASCADE, related_name="members", verbose_name=_("rotation"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="rotations", verbose_name=_("person"))
    isolation_ordered = models.BooleanField(_("isolation ordered"), default=False)
    isolation_note = models.CharField(_("isolation"), max_length=300, blank=True)

    class Meta:
        ordering = ["rotation", "person__name", "id"]
        verbose_name = _("rotation member")
        verbose_name_plural = _("rotation members")
        constraints = [models.UniqueConstraint(fields=["rotation", "person"], name="rotation_member_unique")]

    def __str__(self) -> str:
        return f"{self.rotation_id}: {self.person_id}"


class AdmittedDaily(models.Model):
    """How many people a site admitted on a day (local time, ``TIME_ZONE``): an aggregate of its entries
    with no personal data, kept past the entries' retention period. ``people`` counts distinct people
    whose entry began a stay (``Entry.stay_q``: admitted by the rules, or by an offline gate); ``admitted``
    those entries, ``refused`` the others. Written by ``counts.admitted_count`` (the job
    ``screening.count_admitted``, and the purge for any day it would delete uncounted); a row exists for
    every site-day with an entry, so a day is counted when each of its sites has its row."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="+", verbose_name=_("site"))
    day = models.DateField(_("day"))
    people = models.PositiveIntegerField(_("people admitted"))
    admitted = models.PositiveIntegerField(_("entries admitted"))
    refused = models.PositiveIntegerField(_("entries refused"))
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        ordering = ["site", "day"]
        verbose_name = _("people admitted per day")
        verbose_name_plural = _("people admitted per day")
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="admitted_daily_unique_site_day")]
        indexes = [models.Index(fields=["day"], name="admitted_daily_day")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}: {self.people}"
