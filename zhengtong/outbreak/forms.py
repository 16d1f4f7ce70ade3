from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.core.forms import DateInput
from zhengtong.outbreak.models import CaseStatus, IsolationPlace, IsolationReason

DATE = DateInput()


class CaseReportForm(forms.Form):
    """What a site manager or a county officer knows when reporting; the service checks it."""

    site = forms.ChoiceField(label=_("Site where found"), required=False)
    county = forms.ChoiceField(label=_("County that handles it"), required=False,
                               help_text=_("Only when the case was not found at one of the person's sites."))
    status = forms.ChoiceField(label=_("Status"), choices=[(CaseStatus.SUSPECTED, CaseStatus.SUSPECTED.label)])
    onset_date = forms.CharField(label=_("Onset date"), required=False, widget=DATE)
    sample_date = forms.CharField(label=_("Sample date"), required=False, widget=DATE,
                                  help_text=_("For a case without symptoms: the day the positive sample was taken."))
    symptoms = forms.CharField(label=_("Symptoms"), required=False, max_length=500)
    where_found = forms.CharField(
        label=_("Where found"), required=False, max_length=200,
        help_text=_("How the case came to light: the gate's screening, a health check, a fever clinic…"))
    reason = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites=(), counties=(), may_confirm=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("site", [("", "—")] + [(s.pk, s.name) for s in sites])
        self.choose("county", [("", "—")] + [(c.pk, c.name) for c in counties])
        if may_confirm:
            self.choose("status", [(s.value, s.label) for s in (CaseStatus.SUSPECTED, CaseStatus.CONFIRMED)])

    def choose(self, name: str, choices: list) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class CaseMoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IsolationOrderForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=IsolationReason.choices)
    place = forms.ChoiceField(label=_("Place"), choices=IsolationPlace.choices)
    site = forms.ChoiceField(label=_("Site"), required=False,
                             help_text=_("Where the person is isolated, when at a site."))
    place_note = forms.CharField(label=_("Address or hotel"), required=False, max_length=200)
    county = forms.ChoiceField(label=_("County that releases it"), required=False,
                               help_text=_("Only when the isolation is not at a site and follows no case."))
    planned_end = forms.CharField(label=_("Planned end"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites=(), counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(s.pk, s.name) for s in sites]
        field = self.fields["county"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(c.pk, c.name) for c in counties]


class IsolationCheckForm(forms.Form):
    temperature = forms.CharField(label=_("Temperature (°C)"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    symptoms = forms.CharField(label=_("Symptoms"), required=False, max_length=200)


class IsolationExtendForm(forms.Form):
    planned_end = forms.CharField(label=_("New planned end"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IsolationReleaseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason for an early release"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
