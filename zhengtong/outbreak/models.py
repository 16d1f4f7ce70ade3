"""A case of infection, and every move of its state (the case's history, never deleted)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.registry.models import Person, Region, Site


class CaseStatus(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")
    EXCLUDED = "excluded", _("Excluded")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")


class Case(models.Model):
    """A suspected or confirmed case of one person, in the county that handles it (the county of
    the site where it was found, or the reporting officer's). ``onset_date`` for a case with
    symptoms, ``sample_date`` for one without: at least one is known."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="cases", verbose_name=_("person"))
    site = models.ForeignKey(Site, models.PROTECT, null=True, blank=True, related_name="cases",
                             verbose_name=_("site where found"))
    county = models.ForeignKey(Region, models.PROTECT, related_name="cases", verbose_name=_("county"))
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.SUSPECTED)
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    sample_date = models.DateField(_("sample date"), null=True, blank=True,
                                   help_text=_("For a case without symptoms: the day the positive sample was taken."))
    symptoms = models.CharField(_("symptoms"), max_length=500, blank=True)
    where_found = models.CharField(
        _("where found"), max_length=200, blank=True,
        help_text=_("How the case came to light: the gate's screening, a health check, a fever clinic…"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("reported by"))

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["county", "status"], name="case_county_status"),
                   models.Index(fields=["site", "reported_at"], name="case_site_reported")]
        constraints = [models.CheckConstraint(
            condition=models.Q(onset_date__isnull=False) | models.Q(sample_date__isnull=False),
            name="case_onset_or_sample")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"

    @property
    def first_day(self):
        """The day the case counts from: its onset, else its sample."""
        return self.onset_date or self.sample_date


class CaseMove(models.Model):
    """One move of a case's state: who, when, why (the first row is the report itself)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="moves", verbose_name=_("case"))
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=CaseStatus.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case move")
        verbose_name_plural = _("case moves")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} → {self.to_status}"

    def get_from_status_display(self) -> str:
        return str(CaseStatus(self.from_status).label) if self.from_status in CaseStatus.values else ""


class IsolationReason(models.TextChoices):
    PRE_RELEASE = "pre_release", _("Pre-release isolation")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    ARRIVAL = "arrival", _("Arrival from outside")
    FEVER = "fever", _("Fever")
    ROTATION = "rotation", _("Closed-duty rotation")


class IsolationPlace(models.TextChoices):
    SITE = "site", _("At a site")
    HOTEL = "hotel", _("Designated hotel")
    HOME = "home", _("At home")


class IsolationStatus(models.TextChoices):
    ACTIVE = "active", _("In isolation")
    RELEASED = "released", _("Released")


class IsolationOrder(models.Model):
    """One person's isolation: from ``start`` until released (never before ``planned_end`` without
    an approved early release). While active, every gate refuses the person (screening.ports)."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="isolation_orders", verbose_name=_("person"))
    county = models.ForeignKey(Region, models.PROTECT, related_name="isolation_orders",
                               verbose_name=_("county"), help_text=_("The county whose officers release the order."))
    reason = models.CharField(_("reason"), max_length=16, choices=IsolationReason.choices)
    place = models.CharField(_("place"), max_length=8, choices=IsolationPlace.choices)
    site = models.ForeignKey(Site, models.PROTECT, null=True, blank=True, related_name="isolation_orders",
                             verbose_name=_("site"))
    place_note = models.CharField(_("address or hotel"), max_length=200, blank=True)
    case = models.ForeignKey(Case, models.PROTECT, null=True, blank=True, related_name="isolation_orders",
                             verbose_name=_("case"), help_text=_("The case the person was in contact with, if any."))
    status = models.CharField(_("status"), max_length=8, choices=IsolationStatus.choices,
                              default=IsolationStatus.ACTIVE)
    start = models.DateTimeField(_("start"))
    planned_end = models.DateField(_("planned end"))
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("ordered by"))
    early_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                           related_name="+", verbose_name=_("early release asked by"))
    early_reason = models.TextField(_("reason for an early release"), blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("released by"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("early release approved by"))

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("isolation order")
        verbose_name_plural = _("isolation orders")
        indexes = [models.Index(fields=["person", "start"], name="isolation_person_start"),
                   models.Index(fields=["county", "status"], name="isolation_county_status")]
        constraints = [models.UniqueConstraint(fields=["person"], condition=models.Q(status="active"),
                                               name="isolation_one_active_per_person")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_reason_display()}"


class IsolationMove(models.Model):
    """One step of an order: ordered, extended, a check recorded, early release asked, released."""

    class Action(models.TextChoices):
        ORDER = "order", _("Ordered")
        CHECK = "check", _("Checked")
        EXTEND = "extend", _("Extended")
        ASK_EARLY = "ask_early", _("Early release asked")
        RELEASE = "release", _("Released")
        RELEASE_EARLY = "release_early", _("Released early (approved)")

    order = models.ForeignKey(IsolationOrder, models.PROTECT, related_name="moves", verbose_name=_("isolation order"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("isolation step")
        verbose_name_plural = _("isolation steps")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class IsolationCheck(models.Model):
    """A daily health check during an order, wherever the person is isolated (a site's own daily
    checks count as well)."""

    order = models.ForeignKey(IsolationOrder, models.PROTECT, related_name="checks", verbose_name=_("isolation order"))
    checked_on = models.DateField(_("day"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    is_fever = models.BooleanField(_("fever"), default=False)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("checked by"))

    class Meta:
        ordering = ["checked_at", "id"]
        verbose_name = _("isolation check")
        verbose_name_plural = _("isolation checks")

    def __str__(self) -> str:
        return f"{self.order_id} {self.checked_on} {self.temperature}"


class Trace(models.Model):
    """One contact trace of a case, with the parameters it used (they changed as protocols did)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="traces", verbose_name=_("case"))
    lookback_days = models.PositiveSmallIntegerField(_("days before onset"))
    min_overlap_minutes = models.PositiveSmallIntegerField(_("minimum overlap (minutes)"))
    degree = models.PositiveSmallIntegerField(_("degree"))
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    contacts = models.PositiveIntegerField(_("contacts found"))
    traced_at = models.DateTimeField(_("traced at"), default=timezone.now)
    traced_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                  verbose_name=_("traced by"))

    class Meta:
        ordering = ["-traced_at", "-id"]
        verbose_name = _("contact trace")
        verbose_name_plural = _("contact traces")

    def __str__(self) -> str:
        return f"{self.case_id} · {self.traced_at:%Y-%m-%d %H:%M}"


class TraceContact(models.Model):
    """A contact a kept trace found, as it found them: the chains of transmission between cases read
    these (a case whose person was a contact in another case's trace), after the entries are purged."""

    trace = models.ForeignKey(Trace, models.PROTECT, related_name="found", verbose_name=_("contact trace"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    degree = models.PositiveSmallIntegerField(_("degree"))
    minutes = models.PositiveIntegerField(_("minutes of overlap"))
    estimated = models.BooleanField(_("estimated"), default=False)
    via = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+",
                            verbose_name=_("via"), help_text=_("For the second degree: the first-degree contact."))

    class Meta:
        ordering = ["trace", "degree", "-minutes", "id"]
        verbose_name = _("traced contact")
        verbose_name_plural = _("traced contacts")
        indexes = [models.Index(fields=["person"], name="tracecontact_person")]
        constraints = [models.UniqueConstraint(fields=["trace", "person"], name="tracecontact_one_per_trace")]

    def __str__(self) -> str:
        return f"{self.trace_id} · {self.person_id}"
