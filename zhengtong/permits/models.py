"""Pollutant discharge permits (排污许可): the catalogue, each unit's facts and class, the
campaign's deadlines, fixed sources and registrations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhengtong.registry.models import Industry, Site, Unit


class ManagementClass(models.TextChoices):
    KEY = "key", _("Key management")
    SIMPLIFIED = "simplified", _("Simplified management")
    REGISTRATION = "registration", _("Registration")
    NONE = "none", _("Not in the catalogue")
    UNDETERMINED = "undetermined", _("Undetermined (facts missing)")
    REVIEW = "review", _("Needs review (the catalogue's text leaves it open)")


class CatalogueEntry(models.Model):
    """One numbered row of the 2019 classification catalogue, as printed."""

    version = models.CharField(_("catalogue edition"), max_length=8, default="2019")
    row = models.PositiveSmallIntegerField(_("row"))
    section = models.CharField(_("section"), max_length=60)
    industry_text = models.CharField(_("industry category"), max_length=400)
    industry_codes = models.CharField(_("industry codes"), max_length=200, blank=True)
    key_text = models.TextField(_("key management"))
    simplified_text = models.TextField(_("simplified management"))
    registration_text = models.TextField(_("registration"))

    class Meta:
        ordering = ["version", "row"]
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        constraints = [models.UniqueConstraint(fields=["version", "row"], name="catalogue_row_unique")]

    def __str__(self) -> str:
        return f"{self.row} {self.industry_text[:40]}"


class UnitFacts(models.Model):
    """What a unit has declared for classification about one of its fixed sources (``source``: the
    HJ 608 sequence number, 1 for 001; a unit with one location has only 1, before any fixed source
    is numbered), keyed as in the rules file: ``facts`` those of the whole fixed source (the key-list
    flag, general-process equipment, Art. 7 emissions: the rules file's ``unit_facts``), ``lines``
    each industry line's own (capacities, processes) by industry code,
    ``{"1511": {"has_fermentation": true}}``."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="discharge_facts", verbose_name=_("unit"))
    source = models.PositiveSmallIntegerField(_("fixed source"), default=1)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    lines = models.JSONField(_("facts per industry line"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("discharge facts")
        verbose_name_plural = _("discharge facts")
        constraints = [models.UniqueConstraint(fields=["unit", "source"], name="unit_facts_once_per_source")]

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.source:03d}"


class Classification(models.Model):
    """The current class of one of a unit's fixed sources (``source``, as UnitFacts) under the
    catalogue and the row that decided it: a permit belongs to one fixed source, and two locations
    of a unit can differ. The full reading (every row, every fact) is worked out again when a page
    shows it: the same facts and the same catalogue give the same reading."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="classifications", verbose_name=_("unit"))
    source = models.PositiveSmallIntegerField(_("fixed source"), default=1)
    management_class = models.CharField(_("management class"), max_length=12, choices=ManagementClass.choices,
                                        db_index=True)
    scope = models.CharField(_("scope"), max_length=20, blank=True)
    deciding_row = models.PositiveSmallIntegerField(_("deciding row"), null=True, blank=True)
    at_least = models.CharField(_("at least"), max_length=12, blank=True)
    missing = models.JSONField(_("facts missing"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    open_readings = models.JSONField(_("open readings"), default=list, blank=True)
    catalogue_version = models.CharField(_("catalogue edition"), max_length=8, default="2019")
    classified_at = models.DateTimeField(_("classified at"))

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        constraints = [models.UniqueConstraint(fields=["unit", "source"], name="classification_once_per_source")]

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.source:03d} {self.management_class}"


class ReadingDecision(models.Model):
    """A permit reviewer's decision on a place where the catalogue's text leaves a unit's class open
    (the rules file's ``[readings]``), with the reason. ``key`` carries a fingerprint of the facts
    the open point rests on: the decision is used while they stay the same; when a fact changes,
    the unit needs review again and this decision stays here, in its history, and on the page."""

    class Choice(models.TextChoices):
        A = "a", _("First reading")
        B = "b", _("Second reading")

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="reading_decisions", verbose_name=_("unit"))
    source = models.PositiveSmallIntegerField(_("fixed source"), default=1)
    reading = models.CharField(_("open reading"), max_length=60)
    key = models.CharField(_("open point"), max_length=80)
    choice = models.CharField(_("reading chosen"), max_length=1, choices=Choice.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision on an open reading")
        verbose_name_plural = _("decisions on open readings")
        constraints = [models.UniqueConstraint(fields=["unit", "source", "key"],
                                               name="reading_decision_once_per_point")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.key} {self.choice}"


class Campaign(models.Model):
    """A permit campaign (the 2020 campaign under the 2019 catalogue) with its two deadlines: one
    for the industries on its early list, one for every other unit (catalogue Art. 4: existing
    units apply within the time limits the ministry sets)."""

    name = models.CharField(_("name"), max_length=100)
    catalogue_version = models.CharField(_("catalogue edition"), max_length=8, default="2019")
    early_deadline = models.DateField(_("deadline for the listed industries"))
    late_deadline = models.DateField(_("deadline for all other units"))
    early_list_source = models.CharField(_("source of the industry list"), max_length=300, blank=True)
    reminder_days = models.PositiveSmallIntegerField(_("remind this many days before"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-late_deadline"]
        verbose_name = _("permit campaign")
        verbose_name_plural = _("permit campaigns")

    def __str__(self) -> str:
        return self.name


class CampaignIndustry(models.Model):
    """An industry on a campaign's early list; editable, because no text we hold lists them."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="early_industries")
    industry = models.ForeignKey(Industry, models.PROTECT, verbose_name=_("industry"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["industry__code"]
        verbose_name = _("industry on the early list")
        verbose_name_plural = _("industries on the early list")
        constraints = [models.UniqueConstraint(fields=["campaign", "industry"], name="campaign_industry_unique")]

    def __str__(self) -> str:
        return f"{self.industry_id}"


class FixedSource(models.Model):
    """HJ 608-2017 固定污染源: one unit's facilities at one location, numbered 001, 002 … per unit.
    Its code is the unit's USCC + the 3-digit sequence + an identifier character."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="fixed_sources", verbose_name=_("unit"))
    sequence = models.PositiveSmallIntegerField(_("sequence number"))
    site = models.ForeignKey(Site, models.SET_NULL, null=True, blank=True, verbose_name=_("site"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The unit's industry lines at this location (codes); empty: all of them (one location).
    industry_codes = models.JSONField(_("industries at this location"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["unit", "sequence"]
        verbose_name = _("fixed source")
        verbose_name_plural = _("fixed sources")
        constraints = [
            models.UniqueConstraint(fields=["unit", "sequence"], name="fixed_source_sequence_unique"),
            models.CheckConstraint(condition=models.Q(sequence__gte=1, sequence__lte=999),
                                   name="fixed_source_sequence_range"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.sequence:03d}"

    def code(self, letter: str) -> str:
        """The fixed-source code with this identifier letter, checked (permits.numbers.mint)."""
        from zhengtong.permits.numbers import mint

        return mint(self, letter)


class Registration(models.Model):
    """排污登记表: filed by a registration-class unit, recorded at once with its number and
    receipt, no review (catalogue Art. 2; 排污许可管理条例 Art. 24). A correction is a new
    version; the earlier one is kept, marked superseded."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUPERSEDED = "superseded", _("Superseded by a later version")
        CANCELLED = "cancelled", _("Cancelled")

    fixed_source = models.ForeignKey(FixedSource, models.PROTECT, related_name="registrations",
                                     verbose_name=_("fixed source"))
    number = models.CharField(_("registration number"), max_length=22, db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALID)
    unit_name = models.CharField(_("unit name"), max_length=200)
    address = models.CharField(_("production address"), max_length=200)
    industry_codes = models.CharField(_("industry codes"), max_length=100)
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    discharge_destinations = models.TextField(_("where pollutants go"))
    standards = models.TextField(_("discharge standards followed"))
    control_measures = models.TextField(_("pollution prevention measures"))
    management_class = models.CharField(_("class when filed"), max_length=12, choices=ManagementClass.choices)
    classification_snapshot = models.JSONField(_("classification when filed"), default=dict)
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                 verbose_name=_("filed by"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["fixed_source", "version"], name="registration_version_unique"),
            models.UniqueConstraint(fields=["fixed_source"], condition=models.Q(status="valid"),
                                    name="registration_one_valid_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"


class Reminder(models.Model):
    """A reminder sent to a unit (deadline coming, renewal due, report due); one per unit, kind
    and due date, so the daily job can run any number of times."""

    class Kind(models.TextChoices):
        CAMPAIGN_DEADLINE = "campaign_deadline", _("Permit or registration deadline")
        RENEWAL = "renewal", _("Permit renewal")
        REPORT = "report", _("Compliance report due")

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="permit_reminders", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due = models.DateField(_("due"))
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "due"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.due}"


class Application(models.Model):
    """An application for a permit (申领), from draft to issued or refused. A submitted application
    is never changed: a completion (补正) after a return is a new version that points to it."""

    class Kind(models.TextChoices):
        FIRST = "first", _("First application")
        RENEWAL = "renewal", _("Renewal")
        CHANGE = "change", _("Change")
        REAPPLY = "reapply", _("New application (material change)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for completion")
        ACCEPTED = "accepted", _("Accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        NOTICE = "notice", _("Public notice")
        APPROVED = "approved", _("Approved")
        ISSUED = "issued", _("Permit issued")
        REFUSED = "refused", pgettext_lazy("permit application", "Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded by a completed version")

    fixed_source = models.ForeignKey(FixedSource, models.PROTECT, related_name="applications",
                                     verbose_name=_("fixed source"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIRST)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("earlier version"))
    renews = models.ForeignKey("Permit", models.PROTECT, null=True, blank=True, related_name="renewals",
                               verbose_name=_("permit renewed or changed"))
    management_class = models.CharField(_("management class"), max_length=12, choices=ManagementClass.choices)
    basic_info = models.JSONField(_("basic information"), default=dict)
    facilities = models.JSONField(_("production and treatment facilities"), default=list)
    monitoring_plan = models.TextField(_("self-monitoring plan"), blank=True)
    # The national platform's sections we had no place for: 主要产品及产能, 主要原辅材料及燃料, 环境管理台账.
    products = models.JSONField(_("main products and capacity"), default=list, blank=True)
    materials = models.JSONField(_("main raw and auxiliary materials and fuels"), default=list, blank=True)
    ledger_plan = models.TextField(_("environmental management ledger"), blank=True)
    onsite_check = models.BooleanField(_("on-site check needed"), default=False)
    public_notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    public_notice_to = models.DateField(_("public notice to"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("accepted by law (no notice within the limit)"), default=False)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("reviewer"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        constraints = [
            # One open application per fixed source at a time.
            models.UniqueConstraint(
                fields=["fixed_source"],
                condition=models.Q(status__in=["draft", "submitted", "returned", "accepted", "notice", "approved"]),
                name="application_one_open_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.fixed_source.unit.name} {self.get_kind_display()} v{self.version}"


class Outlet(models.Model):
    """排放口, coded as HJ 608-2017 prescribes: D + medium (A air, W water) + 3-digit sequence."""

    class Medium(models.TextChoices):
        AIR = "A", _("Air")
        WATER = "W", _("Water")

    application = models.ForeignKey(Application, models.CASCADE, related_name="outlets")
    code = models.CharField(_("outlet code"), max_length=5)
    name = models.CharField(_("name"), max_length=100)
    medium = models.CharField(_("medium"), max_length=1, choices=Medium.choices)
    destination = models.CharField(_("discharged to"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        constraints = [models.UniqueConstraint(fields=["application", "code"], name="outlet_code_unique")]

    def __str__(self) -> str:
        return self.code


class PollutantLimit(models.Model):
    """A permitted concentration and annual quantity for one pollutant at one outlet."""

    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="limits")
    pollutant = models.CharField(_("pollutant"), max_length=60)
    concentration = models.DecimalField(_("permitted concentration"), max_digits=12, decimal_places=4,
                                        null=True, blank=True)
    concentration_unit = models.CharField(_("unit of concentration"), max_length=20, blank=True)
    annual_quantity = models.DecimalField(_("permitted quantity per year (t/a)"), max_digits=14, decimal_places=4,
                                          null=True, blank=True)
    standard = models.CharField(_("discharge standard"), max_length=100, blank=True)

    class Meta:
        ordering = ["outlet", "pollutant"]
        verbose_name = _("pollutant limit")
        verbose_name_plural = _("pollutant limits")
        constraints = [models.UniqueConstraint(fields=["outlet", "pollutant"], name="limit_pollutant_unique")]

    def __str__(self) -> str:
        return self.pollutant


class ApplicationStep(models.Model):
    """One move of an application, for its history and the statutory clocks."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=14)
    to_status = models.CharField(_("to"), max_length=14)
    on = models.DateField(_("on"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")

    def __str__(self) -> str:
        return f"{self.action} {self.on}"


class Permit(models.Model):
    """排污许可证: the issued permit with its content frozen from the application, valid by the
    rules in force on the decision date."""

    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("permit status", "Valid")
        SUPERSEDED = "superseded", _("Replaced (changed or renewed)")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        CANCELLED = "cancelled", _("Cancelled")

    fixed_source = models.ForeignKey(FixedSource, models.PROTECT, related_name="permits",
                                     verbose_name=_("fixed source"))
    application = models.OneToOneField(Application, models.PROTECT, related_name="permit",
                                       verbose_name=_("application"))
    number = models.CharField(_("permit number"), max_length=22, db_index=True)
    national_number = models.CharField(_("number issued by the national platform"), max_length=40, blank=True)
    management_class = models.CharField(_("management class"), max_length=12, choices=ManagementClass.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALID,
                              db_index=True)
    decided_on = models.DateField(_("decided on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    validity_basis = models.CharField(_("validity rule"), max_length=100)
    content = models.JSONField(_("content"), default=dict)
    report_cadence = models.JSONField(_("compliance report cadence"), default=list)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason it ended"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.UniqueConstraint(fields=["fixed_source"], condition=models.Q(status="valid"),
                                    name="permit_one_valid_per_source"),
        ]

    def __str__(self) -> str:
        return self.number


class ComplianceReport(models.Model):
    """执行报告: the unit's report of actual discharges for one period of its permit (条例 Art. 22).
    Never changed after submission: a correction is a new version, the earlier one superseded."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        SEMIANNUAL = "semiannual", _("Semi-annual")
        QUARTERLY = "quarterly", _("Quarterly")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SUPERSEDED = "superseded", _("Superseded by a correction")

    permit = models.ForeignKey(Permit, models.PROTECT, related_name="reports", verbose_name=_("permit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    due = models.DateField(_("due"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    stopped_production = models.BooleanField(_("production stopped in the period"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    exceedances = models.JSONField(_("exceedances found"), default=list, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-version"]
        verbose_name = _("compliance report")
        verbose_name_plural = _("compliance reports")
        constraints = [
            models.UniqueConstraint(fields=["permit", "kind", "period_start", "version"], name="report_version_unique"),
            models.UniqueConstraint(fields=["permit", "kind", "period_start"], condition=models.Q(status="submitted"),
                                    name="report_one_current_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id} {self.kind} {self.period_start}"

    @property
    def is_late(self) -> bool:
        return self.submitted_at.date() > self.due


class ReportValue(models.Model):
    """Actual discharge of one pollutant at one outlet in the period."""

    report = models.ForeignKey(ComplianceReport, models.CASCADE, related_name="values")
    outlet_code = models.CharField(_("outlet code"), max_length=5)
    pollutant = models.CharField(_("pollutant"), max_length=60)
    concentration = models.DecimalField(_("measured concentration (highest)"), max_digits=12, decimal_places=4,
                                        null=True, blank=True)
    concentration_unit = models.CharField(_("unit of concentration"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity in the period (t)"), max_digits=14, decimal_places=4,
                                   null=True, blank=True)

    class Meta:
        ordering = ["outlet_code", "pollutant"]
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")

    def __str__(self) -> str:
        return f"{self.outlet_code} {self.pollutant}"


class EnforcementCase(models.Model):
    """A violation found, with its legal basis, measures and fine, on its path to closure."""

    class Kind(models.TextChoices):
        NO_PERMIT = "no_permit", _("Discharging without a permit")
        NO_REGISTRATION = "no_registration", _("Registration not filed")
        EXCEEDANCE = "exceedance", _("Not per the permit: limit exceeded")
        LATE_REPORT = "late_report", _("Compliance report late")
        MISSING_REPORT = "missing_report", _("Compliance report missing")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("enforcement case", "Open")
        DECIDED = "decided", _("Penalty decided")
        RECTIFYING = "rectifying", _("Under rectification")
        CLOSED = "closed", pgettext_lazy("enforcement case", "Closed")

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="enforcement_cases", verbose_name=_("unit"))
    kind = models.CharField(_("violation"), max_length=16, choices=Kind.choices)
    reference = models.CharField(_("what it concerns"), max_length=120)
    violation_date = models.DateField(_("violation date"))
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    basis = models.CharField(_("legal basis chosen"), max_length=40, blank=True)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    fine = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("assigned officer"))
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-violation_date", "-id"]
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "reference"], name="case_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.reference}"

    @property
    def basis_text(self) -> str:
        """The chosen legal basis as the law names it (its key if no longer known)."""
        from zhengtong.permits.law import penalty

        chosen = penalty(self.basis) if self.basis else None
        return chosen.text if chosen else self.basis


class AttachmentRequirement(models.Model):
    """A document the city asks for with a permit application, besides those 条例 Art. 8 names; the
    city administrator edits the list (admin). Shown on the checklist marked as the city's."""

    name = models.CharField(_("document"), max_length=200)
    management_class = models.CharField(
        _("for"), max_length=12, blank=True,
        choices=[("", _("every application")), ("key", _("Key management")),
                 ("simplified", _("Simplified management"))])
    required = models.BooleanField(_("required before submission"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("city's application document")
        verbose_name_plural = _("city's application documents")

    def __str__(self) -> str:
        return self.name


class ApplicationDocument(models.Model):
    """A document attached to an application (maps, approvals, monitoring data…). Served only
    through a view that checks who may see the application, never as a public media file."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="documents")
    # The checklist item it answers (selectors.attachment_checklist): "art8_1" (条例 Art. 8 (一)),
    # "city-<id>" (an AttachmentRequirement), or "" (another document).
    item = models.CharField(_("checklist item"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="permits/documents/%Y/%m/")
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.name


class DecisionDocument(models.Model):
    """A decision document of an enforcement case (责令改正违法行为决定书, 责令限制生产或停产整治决定书,
    行政处罚决定书), numbered per kind and year and generated once: the PDF issued is kept as issued
    (``pdf``, ``sha256``) with what it says (``content``); it is never generated again."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Decision ordering correction")
        RESTRICTION = "restriction", _("Decision restricting or suspending production")
        PENALTY = "penalty", _("Administrative penalty decision")

    case = models.ForeignKey(EnforcementCase, models.PROTECT, related_name="documents", verbose_name=_("case"))
    kind = models.CharField(_("document"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("document number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    content = models.JSONField(_("content"), default=dict)
    template_confirmed = models.BooleanField(_("template confirmed"), default=False)
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("decision document")
        verbose_name_plural = _("decision documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "sequence"], name="decision_document_number"),
            models.UniqueConstraint(fields=["case", "kind"], name="decision_document_once_per_case"),
        ]

    def __str__(self) -> str:
        return self.number
