"""The access log's and the account pages' forms: they only turn the query into values (accounts.selectors
filters, accounts.services checks)."""

import json
from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from zhengtong.accounts.models import SCOPE_FIELD, Role
from zhengtong.core.forms import DateInput
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
                            widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, validators=DATE_BOUNDS,
                          widget=DateInput())


# Accounts: the forms turn the request into values; accounts.services checks them and names the field.

ACTIVE_CHOICES = [("", "—"), ("yes", _("Active")), ("no", _("Deactivated"))]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=150,
                        help_text=_("Part of a username, name or phone"))
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—"), *Role.choices])
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "—"), *((r, labels[r]) for r in roles)]  # only the roles the user manages


class AssignmentForm(forms.Form):
    """A role and its scope: the region, department, site or unit, as the role needs (the other scope
    fields are left empty). The choices offered are those the signed-in user may give, but what is
    posted goes to accounts.services as it is, which refuses a role or a scope the user may not give
    (403) and names the field of anything else wrong."""

    role = forms.CharField(label=_("Role"), required=False, max_length=20, widget=forms.Select)
    region = forms.CharField(label=_("Region"), required=False, max_length=20, widget=forms.Select,
                             help_text=_("For the city administrator (the city) and a county officer (a county)"))
    department = forms.CharField(label=_("Department"), required=False, max_length=20, widget=forms.Select,
                                 help_text=_("For a department officer and a permit reviewer"))
    site = forms.CharField(label=_("Site"), required=False, max_length=20, widget=forms.Select,
                           help_text=_("For a site manager and a gatekeeper"))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20,
                           help_text=_("For an enterprise clerk: the unit's unified social credit code"))
    is_head = forms.BooleanField(label=_("Head of the department or team"), required=False)

    def __init__(self, *args, roles: list[str], sites, regions, departments, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        widgets = {name: self.fields[name].widget for name in ("role", "region", "department", "site")}
        widgets["role"].choices = [("", "—"), *((r, labels[r]) for r in roles)]
        # site.js shows only the scope field the chosen role needs
        widgets["role"].attrs["data-role-scope"] = json.dumps({r: SCOPE_FIELD[Role(r)] for r in roles})
        widgets["site"].choices = [("", "—"), *((str(s.pk), s.name) for s in sites)]
        widgets["region"].choices = [("", "—"), *((str(r.pk), r.name) for r in regions)]
        widgets["department"].choices = [("", "—"), *((str(d.pk), d.name) for d in departments)]
        if not regions:  # a county officer gives the site roles only
            for name in ("region", "department", "unit"):
                del self.fields[name]


class UserCreateForm(AssignmentForm):
    username = forms.CharField(label=_("Username"), max_length=150, required=False)
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(label=_("Initial password"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("The user must change it when first signing in."))

    field_order = ["username", "name", "phone", "password", "role", "region", "department", "site", "unit",
                   "is_head"]


class UserEditForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have one generated; it is shown once. The user must change it when signing in."))
