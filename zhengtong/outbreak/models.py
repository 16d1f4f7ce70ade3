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
