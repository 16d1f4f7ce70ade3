"""The access log's filter form: it only turns the query into values (accounts.selectors filters)."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from zhengtong.core.models import AccessRecord

# A date outside these years cannot be turned into a time in UTC on every database.
DATE_BOUNDS = [MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(9998, 12, 31))]


class AccessFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("Kind of data"), required=False, choices=[("", "—"), *AccessRecord.Kind.choices])
    subject_type = forms.ChoiceField(label=_("Whose data (kind)"), required=False,
                                     choices=[("", "—"), *AccessRecord.SubjectType.choices])
    whose = forms.CharField(label=_("Whose data"), required=False, max_length=200,
                            help_text=_("A name, or the id of a person, site or case"))
    start = forms.DateField(label=_("From"), required=False, validators=DATE_BOUNDS,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, validators=DATE_BOUNDS,
                          widget=forms.DateInput(attrs={"type": "date"}))
