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
