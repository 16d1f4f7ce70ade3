"""Resumption of work and production (复工复产): a unit's declarations and their stages, the list of
units expected to declare, and the difficulties (困难和问题) enterprises report, routed to departments.

Nothing here is changed after the fact: a declaration or a stage that was wrong is corrected by a new
row that names the one it corrects and why (``corrects``, ``reason``); a difficulty's report, replies
and moves are rows of its thread (``DifficultyEvent``), never edited.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from zhengtong.registry.models import Department, Unit


class DeclarationStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting answer")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RETURNED = "returned", _("Returned for correction")


class ResumptionDeclaration(models.Model):
    """A unit's declaration of its resumption: the planned date, its workforce and its prevention
    measures. The lead department answers it within its clock (``answer_due``). A correction is a
    new declaration with ``corrects`` and ``reason``; the unit's current declaration is the one no
    other corrects."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="resumption_declarations", verbose_name=_("unit"))
    corrects = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="correction",
                                    verbose_name=_("corrects"))
    reason = models.TextField(_("reason for the correction"), blank=True)
    planned_date = models.DateField(_("planned resumption date"))
    workforce_total = models.PositiveIntegerField(_("workforce (total)"))
    workforce_returned = models.PositiveIntegerField(_("returned"))
    returned_from_outside = models.PositiveIntegerField(_("returned from outside the city"))
    outside_isolated = models.PositiveIntegerField(_("of those, completed isolation"))
    temperature_checks = models.BooleanField(_("temperature checks at the entrance"), default=False)
    masks = models.BooleanField(_("masks"), default=False)
    disinfection_schedule = models.BooleanField(_("disinfection schedule"), default=False)
    canteen_arrangements = models.BooleanField(_("canteen arrangements"), default=False)
    isolation_room = models.BooleanField(_("isolation room"), default=False)
    measures_note = models.TextField(_("notes on the measures"), blank=True)
    declared_on = models.DateField(_("declared on"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("declared by"))
    lead_department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                        verbose_name=_("lead department"))
    answer_due = models.DateField(_("answer due"))
    answer_confirmed = models.BooleanField(_("holiday calendar confirmed"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.FILED)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    history = HistoricalRecords()

    MEASURES = ("temperature_checks", "masks", "disinfection_schedule", "canteen_arrangements", "isolation_room")

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("resumption declaration")
        verbose_name_plural = _("resumption declarations")
        indexes = [models.Index(fields=["unit", "declared_at"], name="declaration_unit_time"),
                   models.Index(fields=["lead_department", "status"], name="declaration_dept_status")]
        constraints = [
            models.CheckConstraint(condition=Q(workforce_returned__lte=F("workforce_total")),
                                   name="declaration_returned_le_total"),
            models.CheckConstraint(condition=Q(returned_from_outside__lte=F("workforce_returned")),
                                   name="declaration_outside_le_returned"),
            models.CheckConstraint(condition=Q(outside_isolated__lte=F("returned_from_outside")),
                                   name="declaration_isolated_le_outside"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.planned_date}"

    @property
    def measures(self) -> list[tuple[str, bool]]:
        """(label, taken) of each prevention measure, in the checklist's order."""
        fields = {f.name: f for f in self._meta.concrete_fields}
        return [(str(fields[name].verbose_name), getattr(self, name)) for name in self.MEASURES]


class Stage(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction resumed")
    PARTLY = "partly", _("Partly resumed")
    FULLY = "fully", _("Fully resumed")


class ResumptionStage(models.Model):
    """A stage the unit reached (construction resumed, partly resumed, fully resumed) on a date,
    with its capacity in % of normal output. Corrected by a new row (``corrects``, ``reason``)."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="resumption_stages", verbose_name=_("unit"))
    declaration = models.ForeignKey(ResumptionDeclaration, models.PROTECT, related_name="stages",
                                    verbose_name=_("declaration"))
    corrects = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="correction",
                                    verbose_name=_("corrects"))
    reason = models.TextField(_("reason for the correction"), blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    reached_on = models.DateField(_("date"))
    capacity_pct = models.PositiveSmallIntegerField(_("capacity (per cent of normal output)"))
    note = models.TextField(_("note"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("reported by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["reached_on", "reported_at", "id"]
        verbose_name = _("resumption stage")
        verbose_name_plural = _("resumption stages")
        indexes = [models.Index(fields=["unit", "reached_on"], name="stage_unit_day")]
        constraints = [models.CheckConstraint(condition=Q(capacity_pct__gte=0, capacity_pct__lte=100),
                                              name="stage_capacity_0_100")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_stage_display()} {self.reached_on}"


class ExpectedUnit(models.Model):
    """The city's edits to the units expected to declare (the rates' denominator): by default every
    active enterprise; a row adds a unit (``expected=True``) or takes one out (``expected=False``),
    with the reason."""

    unit = models.OneToOneField(Unit, models.CASCADE, related_name="resumption_expected", verbose_name=_("unit"))
    expected = models.BooleanField(_("expected to declare"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit expected to declare")
        verbose_name_plural = _("units expected to declare")

    def __str__(self) -> str:
        return f"{self.unit} · {self.expected}"


# Difficulties (困难和问题) ---------------------------------------------------------------------------


class DifficultyCategory(models.TextChoices):
    WORKFORCE = "workforce", _("Workforce")
    RAW_MATERIALS = "raw_materials", _("Raw materials")
    LOGISTICS = "logistics", _("Logistics")
    FUNDS = "funds", _("Funds")
    APPROVALS = "approvals", _("Approvals")
    PREVENTION_SUPPLIES = "prevention_supplies", _("Prevention supplies")
    OTHER = "other", _("Other")


class DifficultyStatus(models.TextChoices):
    REPORTED = "reported", _("Reported, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, being solved")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed, confirmed")


class DifficultyRoute(models.Model):
    """The routing table the city edits: which department a new difficulty of a category goes to."""

    category = models.CharField(_("category"), max_length=20, choices=DifficultyCategory.choices, unique=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["category"]
        verbose_name = _("difficulty route")
        verbose_name_plural = _("difficulty routes")

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.department}"


class Difficulty(models.Model):
    """A difficulty an enterprise reported, routed to a department. Its state moves by the table in
    ``services.DIFFICULTIES``; every move and reply is a ``DifficultyEvent``. ``accept_due`` and
    ``resolve_due`` are the working-day clocks (settings, per category for resolving)."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="difficulties", verbose_name=_("unit"))
    category = models.CharField(_("category"), max_length=20, choices=DifficultyCategory.choices)
    title = models.CharField(_("title"), max_length=100)
    details = models.TextField(_("details"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="difficulties",
                                   verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=10, choices=DifficultyStatus.choices,
                              default=DifficultyStatus.REPORTED)
    reported_on = models.DateField(_("reported on"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("reported by"))
    clock_started = models.DateField(_("clock started"))
    accept_due = models.DateField(_("acceptance due"))
    resolve_due = models.DateField(_("resolution due"))
    due_confirmed = models.BooleanField(_("holiday calendar confirmed"), default=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")
        indexes = [models.Index(fields=["department", "status"], name="difficulty_dept_status"),
                   models.Index(fields=["unit", "reported_at"], name="difficulty_unit_time"),
                   # the lists' default order (the latest first): a page of them without sorting them all
                   models.Index(fields=["-reported_at", "-id"], name="difficulty_latest"),
                   # the overdue ones the city counts on its overview (selectors.overdue_q): an index-only
                   # scan instead of reading every difficulty from the table; a county's, from its units
                   models.Index(fields=["status", "resolve_due", "accept_due"], name="difficulty_status_due"),
                   models.Index(fields=["unit", "status", "resolve_due", "accept_due"],
                                name="difficulty_unit_overdue")]
        constraints = [models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                              name="difficulty_rating_1_5")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"


class DifficultyEvent(models.Model):
    """One row of a difficulty's thread: its report, a routing or reassignment, a move, a reply.
    Never changed or deleted."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Reported by the enterprise")
        ROUTE = "route", _("Routed")
        REASSIGN = "reassign", _("Reassigned")
        ACCEPT = "accept", _("Accepted")
        REPLY = "reply", _("Reply")
        RESOLVE = "resolve", _("Resolved")
        CONFIRM = "confirm", _("Confirmed by the enterprise")
        REOPEN = "reopen", _("Reopened")
        ESCALATE = "escalate", _("Escalated, overdue")

    class Clock(models.TextChoices):
        ACCEPT = "accept", _("Acceptance")
        RESOLVE = "resolve", _("Resolution")

    difficulty = models.ForeignKey(Difficulty, models.PROTECT, related_name="events", verbose_name=_("difficulty"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=DifficultyStatus.choices)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("department"))
    text = models.TextField(_("text"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    # An escalation (kind "escalate", written by the daily job, no change of state): the clock that ran
    # out, its due date, and the people it went to (services.difficulties_escalate).
    clock = models.CharField(_("clock"), max_length=8, choices=Clock.choices, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                      verbose_name=_("escalated to"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("difficulty event")
        verbose_name_plural = _("difficulty events")
        constraints = [models.UniqueConstraint(fields=["difficulty", "clock", "due"], condition=Q(kind="escalate"),
                                               name="difficulty_escalated_once_per_clock")]

    def __str__(self) -> str:
        return f"{self.difficulty_id} {self.kind}"


class DifficultyAttachment(models.Model):
    """A file attached to a difficulty's report or to an entry of its thread (core.uploads: the types and
    the size cap of documents). Never changed or deleted; served only through a page that checks who
    sees the difficulty, never as a public media file."""

    difficulty = models.ForeignKey(Difficulty, models.PROTECT, related_name="attachments",
                                   verbose_name=_("difficulty"))
    event = models.ForeignKey(DifficultyEvent, models.PROTECT, related_name="attachments", verbose_name=_("entry"))
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="resumption/difficulties/%Y/%m/")
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("difficulty attachment")
        verbose_name_plural = _("difficulty attachments")

    def __str__(self) -> str:
        return self.name


# The donation drive (捐款活动) ------------------------------------------------------------------


class DonationCampaign(models.Model):
    """A donation drive organised by a department (a party committee office's, say): not the permit
    ``Campaign``."""

    name = models.CharField(_("name"), max_length=100)
    organiser = models.ForeignKey(Department, models.PROTECT, related_name="donation_campaigns",
                                  verbose_name=_("organiser"))
    purpose = models.TextField(_("purpose"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("created by"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("donation campaign")
        verbose_name_plural = _("donation campaigns")
        constraints = [models.UniqueConstraint(fields=["organiser", "name"], name="donation_campaign_name")]

    def __str__(self) -> str:
        return self.name


class DonorKind(models.TextChoices):
    PERSON = "person", _("A person")
    ORGANISATION = "organisation", _("An organisation")


class Donation(models.Model):
    """One donation as recorded. Never changed: a wrong one is corrected by a new row naming it
    (``corrects``) with the reason; a correction may withdraw it (``withdrawn``, no amount). The
    donations that count are those with no correction and not withdrawn."""

    campaign = models.ForeignKey(DonationCampaign, models.PROTECT, related_name="donations",
                                 verbose_name=_("donation campaign"))
    corrects = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="correction",
                                    verbose_name=_("corrects"))
    reason = models.TextField(_("reason for the correction"), blank=True)
    donor_kind = models.CharField(_("donor"), max_length=12, choices=DonorKind.choices, default=DonorKind.PERSON)
    donor_name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=100,
                                    help_text=_("The donor's organisation (for an organisation: itself)."))
    party_member = models.BooleanField(_("party member"), default=False)
    is_leader = models.BooleanField(_("leader"), default=False)
    title = models.CharField(_("title"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    donated_on = models.DateField(_("donated on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        ordering = ["donated_on", "-is_leader", "recorded_at", "id"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [models.Index(fields=["campaign", "donated_on"], name="donation_campaign_day")]
        constraints = [
            models.CheckConstraint(condition=Q(withdrawn=True, amount__isnull=True) | Q(withdrawn=False, amount__gt=0),
                                   name="donation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.donor_name} {self.amount}"


# Leaders' visits and instructions (调研, 指导意见) ------------------------------------------------


class InspectionVisit(models.Model):
    """A leader's visit (调研) to units, with the instructions given there. The leader is recorded by
    title (市委书记), never by name. Recorded once; its instructions move by their own table."""

    leader_title = models.CharField(_("leader (title)"), max_length=100)
    visited_on = models.DateField(_("date of the visit"))
    units = models.ManyToManyField(Unit, related_name="inspection_visits", verbose_name=_("units visited"))
    summary = models.TextField(_("summary"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("leader's visit")
        verbose_name_plural = _("leaders' visits")
        indexes = [models.Index(fields=["visited_on"], name="visit_day")]

    def __str__(self) -> str:
        return f"{self.leader_title} · {self.visited_on}"


class InstructionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, being carried out")
    DONE = "done", _("Reported done, awaiting confirmation")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed, confirmed done")


class Instruction(models.Model):
    """An instruction (指导意见) given on a visit, about one of the units visited or the visit as a
    whole, assigned to a department with a due date. It moves by the table in ``visits.INSTRUCTIONS``;
    every move and reply is an ``InstructionEvent``."""

    visit = models.ForeignKey(InspectionVisit, models.PROTECT, related_name="instructions", verbose_name=_("visit"))
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="instructions",
                             verbose_name=_("unit"))
    text = models.TextField(_("instruction"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="instructions",
                                   verbose_name=_("department"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=InstructionStatus.choices,
                              default=InstructionStatus.ASSIGNED)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    done_on = models.DateField(_("reported done on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        indexes = [models.Index(fields=["department", "status", "due_on"], name="instruction_dept_status")]

    def __str__(self) -> str:
        return f"{self.visit} · {self.text[:30]}"


class InstructionEvent(models.Model):
    """One row of an instruction's thread: its assignment, a move, a reply. Never changed or deleted."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", pgettext_lazy("instruction event", "Assigned")
        ACCEPT = "accept", _("Accepted")
        REPLY = "reply", _("Reply")
        REPORT_DONE = "report_done", _("Reported done")
        CONFIRM = "confirm", _("Confirmed done")
        REOPEN = "reopen", _("Reopened")

    instruction = models.ForeignKey(Instruction, models.PROTECT, related_name="events", verbose_name=_("instruction"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=InstructionStatus.choices)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("department"))
    text = models.TextField(_("text"), blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True,
                              help_text=_("The due date this event set: the first on the assignment, a new one on a "
                                          "reopening."))
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("instruction event")
        verbose_name_plural = _("instruction events")

    def __str__(self) -> str:
        return f"{self.instruction_id} {self.kind}"
