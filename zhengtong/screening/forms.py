"""Forms that render and parse the screening pages. They only turn text into values: every rule
lives in screening.services and screening.rules, whose errors go back on the form through
core.forms.apply_errors."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengtong.core.forms import ChoicesOnce, DateInput, DateTimeLocalInput
from zhengtong.registry.forms import county_options
from zhengtong.registry.models import VisitorPolicy
from zhengtong.screening.models import VISIT_TEXT_LIMITS


class GateForm(forms.Form):
    """What the gate screen posts: who (a pass, an ID number or a name, or the person chosen from
    a name search), the temperature, and for a visitor the registration of the visit."""

    code = forms.CharField(label=_("Pass, ID number or name"), required=False, max_length=300)
    person = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    temperature = forms.CharField(label=_("Temperature (°C)"), required=False, max_length=20)
    area = forms.CharField(label=_("Entrance"), required=False, max_length=20)
    mode = forms.ChoiceField(choices=[("entry", _("Entry")), ("exit", _("Exit"))], required=False)
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    visitor_name = forms.CharField(label=_("Visitor's name"), required=False, max_length=60)
    visitor_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    visit_host = forms.CharField(label=_("Visiting whom"), required=False, max_length=VISIT_TEXT_LIMITS["visit_host"])
    visit_purpose = forms.CharField(label=_("Purpose"), required=False,
                                    max_length=VISIT_TEXT_LIMITS["visit_purpose"])

    def clean_mode(self):
        return self.cleaned_data.get("mode") or "entry"


STATE_CHOICES = [("open", _("Open")), ("closed", _("Closed management"))]


class SiteStateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, widget=forms.RadioSelect)
    closed_since = forms.CharField(
        label=_("Closed management since"), required=False, widget=DateInput(),
        help_text=_("Leave empty to close from today."),
    )
    visitor_policy = forms.ChoiceField(label=_("Visitors"), choices=VisitorPolicy.choices, widget=forms.RadioSelect)
    fever_threshold = forms.CharField(
        label=_("Fever threshold of this site (°C)"), required=False, max_length=10,
        help_text=_("Leave empty to use the city's threshold."),
    )
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=150)

    @classmethod
    def for_site(cls, site) -> "SiteStateForm":
        return cls(initial={
            "state": "closed" if site.closed_since else "open",
            "closed_since": site.closed_since.isoformat() if site.closed_since else "",
            "visitor_policy": site.visitor_policy,
            "fever_threshold": site.fever_threshold if site.fever_threshold is not None else "",
        })

    def service_data(self) -> dict:
        """What screening.services.site_set_state takes: closed since a date, or open (None)."""
        data = dict(self.cleaned_data)
        if data.pop("state") == "open":
            data["closed_since"] = None
        elif not data.get("closed_since"):
            data["closed_since"] = timezone.localdate().isoformat()
        return data


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name of the area"), required=False, max_length=150,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Dormitory 2, Canteen")}))


class HealthCheckForm(forms.Form):
    person = forms.CharField(widget=forms.HiddenInput, max_length=20)
    temperature = forms.CharField(label=_("Temperature (°C)"), required=False, max_length=20)


class DisinfectionForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)
    agent = forms.CharField(label=_("Disinfectant"), required=False, max_length=150)
    done_at = forms.CharField(label=_("Time"), required=False,
                              widget=DateTimeLocalInput())
    operator = forms.CharField(label=_("Operator"), required=False, max_length=80)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(a.pk, a.name) for a in areas]
        self.fields["area"].choices = choices  # type: ignore[attr-defined]


class OverviewFilterForm(ChoicesOnce, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False, choices=county_options)
    closed = forms.BooleanField(label=_("Closed management only"), required=False)


class LogFilterForm(forms.Form):
    """The filters of a log (entries, health checks, alerts, disinfections: screening.logs): a day or a
    span of days, the log's status (an entry's decision, a check's fever, an alert's acknowledgement),
    an area of the site and a person (name or ID number, as the people search). The fields a log has
    no use for are removed."""

    day_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    day_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    q = forms.CharField(label=_("Person (name or ID number)"), required=False, max_length=100)

    def __init__(self, *args, log, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        status.label = log.status_label
        status.choices = [("", "—"), *log.statuses]  # type: ignore[attr-defined]
        if not log.statuses:
            del self.fields["status"]
        if log.has_area and areas is not None:
            self.fields["area"].choices = [("", "—")] + [(str(a.pk), a.name) for a in areas]  # type: ignore[attr-defined]
        else:
            del self.fields["area"]
        if not log.has_person:
            del self.fields["q"]

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("day_from"), data.get("day_to")
        if start and end and end < start:
            self.add_error("day_to", _("The last day comes before the first."))
        return data


class RotationForm(forms.Form):
    """A closed-duty rotation: its name, the staff members on it (the site's staff, as choices), its
    first and last day on duty, then the days of isolation."""

    name = forms.CharField(label=_("Name"), required=False, max_length=150,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Rotation 3")}))
    on_duty_from = forms.CharField(label=_("On duty from"), required=False,
                                   widget=DateInput())
    on_duty_until = forms.CharField(label=_("On duty until (last day)"), required=False,
                                    widget=DateInput())
    isolation_days = forms.CharField(label=_("Days of isolation after duty"), required=False, max_length=10)
    members = forms.MultipleChoiceField(label=_("Staff on this rotation"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.name}（{p.id_number_masked}）") for p in staff]

    @classmethod
    def initial_of(cls, rotation) -> dict:
        return {"name": rotation.name, "on_duty_from": rotation.on_duty_from.isoformat(),
                "on_duty_until": rotation.on_duty_until.isoformat(), "isolation_days": rotation.isolation_days,
                "members": [str(pk) for pk in rotation.members.values_list("person_id", flat=True)]}
