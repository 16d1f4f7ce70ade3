"""The one table of core: the holiday calendar's entries, which every clock counts with."""

from django.db import models
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
