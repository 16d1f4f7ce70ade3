"""Forms that render and parse the registry's pages. They only turn text into values: every
rule lives in registry.services, whose errors are put back on the form by ``core.forms.apply_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.core.forms import ChoicesOnce, DateInput
from zhengtong.registry.models import Department, Site, SitePerson, Unit
from zhengtong.registry.selectors import city_region, county_names


def county_options() -> list[tuple[str, str]]:
    """The county-level divisions as a form's choices, with an empty first choice."""
    return [("", "—")] + [(code, f"{name} ({code})") for code, name in county_names()]


def unit_region_options() -> list[tuple[str, str]]:
    """A unit's region: a county-level division, or the city for the units it regulates directly."""
    city = city_region()
    extra = [(city.code, _("%(city)s, regulated by the city directly (%(code)s)") % {"city": city.name,
                                                                                    "code": city.code})] if city else []
    return county_options()[:1] + extra + county_options()[1:]


class UnitFilterForm(ChoicesOnce, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False, choices=county_options)
    industry = forms.CharField(label=_("Industry code"), required=False, max_length=4)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Unit.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Unit.Status.choices])


class UnitForm(ChoicesOnce, forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), required=False, max_length=40)
    name = forms.CharField(label=_("Name"), required=False, max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    county = forms.ChoiceField(label=_("County"), choices=unit_region_options, required=False)
    industry = forms.CharField(
        label=_("Main industry (GB/T 4754-2017 class)"), required=False, max_length=10,
        widget=forms.TextInput(attrs={"list": "industry-classes", "placeholder": "4411"}),
    )
    other_industries = forms.CharField(
        label=_("Other industries"), required=False, help_text=_("Class codes separated by commas"),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=250)
    legal_representative = forms.CharField(label=_("Legal representative"), required=False, max_length=60)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=40)
    status = forms.ChoiceField(label=_("Status"), choices=Unit.Status.choices)

    @classmethod
    def for_unit(cls, unit: Unit) -> "UnitForm":
        return cls(initial={
            "uscc": unit.uscc, "name": unit.name, "kind": unit.kind, "county": unit.county.code,
            "industry": unit.industry.code, "address": unit.address,
            "other_industries": ", ".join(i.code for i in unit.other_industries.all()),
            "legal_representative": unit.legal_representative, "contact_name": unit.contact_name,
            "contact_phone": unit.contact_phone, "status": unit.status,
        })


class SiteFilterForm(ChoicesOnce, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False, choices=county_options)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Site.Kind.choices])


class SiteForm(ChoicesOnce, forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=Site.Kind.choices)
    county = forms.ChoiceField(label=_("County"), choices=county_options, required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=250)
    capacity = forms.CharField(label=_("Capacity (people)"), required=False, max_length=10)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    visitors_without_id = forms.BooleanField(
        label=_("Visitors without an ID card may be registered at the gate by name and phone"), required=False,
        help_text=_("Each such registration is a new person marked unverified, never merged with another."))

    def __init__(self, *args, county_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if county_locked:  # shown, not sent: a disabled field keeps its initial value
            self.fields["county"].disabled = True
            self.fields["county"].help_text = _("Only the city administrator places a site in another county.")

    @classmethod
    def for_site(cls, site: Site, data=None, *, county_locked: bool = False) -> "SiteForm":
        return cls(data, county_locked=county_locked, initial={
            "name": site.name, "kind": site.kind, "county": site.county.code, "address": site.address,
            "capacity": site.capacity if site.capacity is not None else "", "is_active": site.is_active,
            "visitors_without_id": site.visitors_without_id,
        })


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, phone or ID number"), required=False)
    relation = forms.ChoiceField(
        label=_("Relation"), required=False, choices=[("", "—"), *SitePerson.Relation.choices]
    )
    former = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("Current people only")), ("all", _("Current and former people")), ("only", _("Former people only")),
    ])


class PersonForm(forms.Form):
    site = forms.ChoiceField(label=_("Site"))
    name = forms.CharField(label=_("Name"), required=False, max_length=60)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=30)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    relation = forms.ChoiceField(label=_("Relation to the site"), choices=SitePerson.Relation.choices)
    since = forms.CharField(label=_("Since"), required=False, widget=DateInput())
    until = forms.CharField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s.pk, f"{s.name} · {s.unit.name}") for s in sites]
        self.fields["site"].choices = choices  # type: ignore[attr-defined]


class PersonEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=60)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    locked_note: str = ""  # why the fields are shown but not changeable (registry.services.person_update)


class DepartmentForm(forms.Form):
    code = forms.CharField(label=_("Code"), required=False, max_length=40)
    name = forms.CharField(label=_("Name"), required=False, max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Department.Kind.choices)
    region = forms.CharField(label=_("Region code"), required=False, max_length=6, initial="430400")
    parent = forms.CharField(label=_("Parent department code"), required=False, max_length=40)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_department(cls, d: Department) -> "DepartmentForm":
        return cls(initial={
            "code": d.code, "name": d.name, "kind": d.kind, "region": d.region.code,
            "parent": d.parent.code if d.parent else "", "phone": d.phone, "is_active": d.is_active,
        })


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class InmateReleaseDateForm(forms.Form):
    release_date = forms.DateField(label=_("Release date"), required=False, widget=DateInput(),
                                   help_text=_("The day the sentence ends. Setting it ends nothing."))


class InmateReleaseForm(forms.Form):
    released_on = forms.DateField(label=_("Day of release"), required=False, widget=DateInput(),
                                  help_text=_("Today when left empty. Refused until the pre-release isolation is "
                                              "complete."))
