"""Forms of the permit pages. They only turn text into values: the rules live in
permits.services, whose errors are put back on the form by ``core.forms.apply_errors``."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengtong.core.forms import DateInput
from zhengtong.permits import formlists
from zhengtong.permits.models import ManagementClass
from zhengtong.permits.numbers import normalise_outlet_code
from zhengtong.permits.selectors import FactGroup
from zhengtong.permits.workflow import MATERIAL_KINDS

YES_NO = [("", _("not given")), ("yes", _("yes")), ("no", _("no"))]


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search (text, industry code or row)"), required=False, max_length=100)
    management_class = forms.ChoiceField(
        label=_("Has a cell for"), required=False,
        choices=[("", "—"), *[(c, label) for c, label in ManagementClass.choices[:3]]],
    )


class FactsForm(forms.Form):
    """One field per fact the catalogue asks of the unit; an empty answer means "not given".

    A note 2 quantity (catalogue 表注2) is asked by year, for the three calendar years before
    ``year`` (the classification day's), and as the approved EIA document's figure: fields
    ``fact__2023`` …, ``fact__eia``. A boiler output has its unit beside it (``fact__unit``: t/h or
    MW). The start of operation is a date."""

    def __init__(self, groups: list[FactGroup], *args, initial_facts: dict | None = None, year: int = 0,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        initial_facts = initial_facts or {}
        for group in groups:
            names: list[str] = []
            prefix = f"{group.line}:" if group.line else ""  # an industry line's own facts: ``code:key``
            for fact in group.facts:
                name = prefix + fact.key
                value = initial_facts.get(name)
                if fact.note2:
                    names.extend(self._note2_fields(fact, value, year, prefix))
                    continue
                self.fields[name] = self._field(fact)
                if fact.type == "bool" and value is not None:
                    value = "yes" if value else "no"
                names.append(name)
                if fact.pairs:
                    entered = value if isinstance(value, dict) else {"value": value, "unit": "t/h"}
                    value = entered.get("value")
                    unit_key = f"{name}__unit"
                    self.fields[unit_key] = forms.ChoiceField(
                        label=_("%(fact)s: unit") % {"fact": fact.label}, required=False,
                        choices=[("t/h", _("t/h")), ("MW", _("MW"))])
                    self.initial[unit_key] = entered.get("unit") or "t/h"
                    names.append(unit_key)
                self.initial[name] = value
            self.groups.append((group.title, names))

    def _note2_fields(self, fact, value, year: int, prefix: str = "") -> list[str]:
        entered = value if isinstance(value, dict) else {}
        names = []
        declared = ""
        if value is not None and not isinstance(value, dict):
            declared = _("Declared as one figure: %(v)s %(unit)s (the years not given); kept until the years or "
                         "the EIA figure are entered.") % {"v": value, "unit": fact.unit}
        for y in range(year - 3, year):
            key = f"{prefix}{fact.key}__{y}"
            self.fields[key] = forms.CharField(
                label=_("%(fact)s: year %(year)s") % {"fact": fact.label, "year": y} + f" ({fact.unit})",
                required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                help_text=(fact.help + (" " + declared if declared else "")) if y == year - 3 else "")
            years = entered.get("years")
            self.initial[key] = years.get(str(y)) if isinstance(years, dict) else None
            names.append(key)
        key = f"{prefix}{fact.key}__eia"
        self.fields[key] = forms.CharField(
            label=_("%(fact)s: the approved EIA document's figure") % {"fact": fact.label} + f" ({fact.unit})",
            required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            help_text=_("Used for a unit not yet operating or operating under a year (catalogue note 2)."))
        self.initial[key] = entered.get("eia")
        names.append(key)
        return names

    @staticmethod
    def _field(fact) -> forms.Field:
        label = f"{fact.label} ({fact.unit})" if fact.unit and not fact.pairs else fact.label
        if fact.type == "bool":
            return forms.ChoiceField(label=label, choices=YES_NO, required=False, help_text=fact.help)
        if fact.type == "date":
            return forms.DateField(label=label, required=False, help_text=fact.help,
                                   widget=DateInput())
        if fact.type == "choices":
            return forms.MultipleChoiceField(
                label=label, required=False, help_text=fact.help, widget=forms.CheckboxSelectMultiple,
                choices=[(c[0], fact.choice_label(c[0])) for c in fact.choices],
            )
        return forms.CharField(label=label, required=False, max_length=30, help_text=fact.help,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def grouped(self):
        return [(title, [self[name] for name in names]) for title, names in self.groups]


class FixedSourceForm(forms.Form):
    """Another location of the unit's facilities (HJ 608 固定污染源): where, and which of the unit's
    industry lines are carried on there."""

    address = forms.CharField(label=_("Address of the location"), max_length=200)
    industry_codes = forms.MultipleChoiceField(label=_("Industries carried on there"),
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, unit, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        industries = [unit.industry, *sorted(unit.other_industries.all(), key=lambda i: i.code)]
        field = self.fields["industry_codes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.code, f"{i.code} {i.name}") for i in industries]
        if len(industries) == 1:  # a unit of one industry carries it on there: nothing to choose
            field.initial = [industries[0].code]


class SourceIndustriesForm(FixedSourceForm):
    """The industry lines carried on at a location already numbered (the address stays)."""

    def __init__(self, unit, *args, **kwargs) -> None:
        super().__init__(unit, *args, **kwargs)
        del self.fields["address"]


class RegistrationForm(forms.Form):
    address = forms.CharField(label=_("Production address"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    discharge_destinations = forms.CharField(
        label=_("Where pollutants go"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: wastewater to the municipal sewage plant; waste gas to air through a 15 m stack."))
    standards = forms.CharField(label=_("Discharge standards followed"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}), help_text=_("For example: GB 8978-1996"))
    control_measures = forms.CharField(label=_("Pollution prevention measures"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    change_reason = forms.CharField(label=_("What changed (when filing again)"), max_length=300, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, code or number"), required=False, max_length=100)
    industry = forms.CharField(label=_("Industry code"), required=False, max_length=4)


class ApplicationForm(forms.Form):
    """The draft's text fields, in the national platform's sections (``SECTIONS``); the sections'
    tables (products, materials, facilities, outlets, limits) come as rows (``table_rows``)."""

    unit_name = forms.CharField(label=_("Unit name"), max_length=200, required=False)
    address = forms.CharField(label=_("Production address"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    public_notice_from = forms.DateField(label=_("Disclosed from (key management)"), required=False,
                                         widget=DateInput())
    public_notice_to = forms.DateField(label=_("Disclosed until"), required=False,
                                       widget=DateInput())
    onsite_check = forms.BooleanField(label=_("An on-site check is needed (45 days, key management)"),
                                      required=False)
    production_description = forms.CharField(
        label=_("Production (products, capacity, processes)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The processes in words; the products and their capacity in the table below."))
    monitoring_plan = forms.CharField(
        label=_("Self-monitoring plan"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For each outlet: the pollutants monitored, how often, how (automatic or manual) and by whom."))
    ledger_plan = forms.CharField(
        label=_("Environmental management ledger"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is recorded (production, facilities' operation, monitoring), how often, who keeps it; "
                    "records are kept at least 5 years (条例 Arts. 19, 21)."))


# The national platform's sections of an application, in its order: (key, title, the form's fields
# shown in it, the table shown in it).
SECTIONS = (
    ("basic", _("Basic information"),
     ("unit_name", "address", "legal_representative", "contact_name", "contact_phone", "public_notice_from",
      "public_notice_to", "onsite_check"), ""),
    ("products", _("Main products and capacity"), ("production_description",), "product"),
    ("materials", _("Main raw and auxiliary materials and fuels"), (), "material"),
    ("facilities", _("Pollution-producing stages and pollution prevention facilities"), (), "facility"),
    ("outlets", _("Outlets"), (), "outlet"),
    ("limits", _("Permitted discharge limits"), (), "limit"),
    ("monitoring", _("Self-monitoring plan"), ("monitoring_plan",), ""),
    ("ledger", _("Environmental management ledger"), ("ledger_plan",), ""),
)

# What a page calls each key of an application's basic information and each material it may lack:
# the form's own labels, and the parts entered in the tables beside it.
APPLICATION_LABELS = {name: field.label for name, field in ApplicationForm.base_fields.items()} | {
    "industry_codes": _("Industry codes"),
    "facilities": _("Production and treatment facilities"),
    "outlets": _("Outlets and permitted limits"),
    "products": _("Main products and capacity"),
    "materials": _("Main raw and auxiliary materials and fuels"),
    "documents": _("Documents"),
}


def application_label(key: str) -> str:
    """The label of a basic-information key or of a completeness field, never the raw key."""
    return str(APPLICATION_LABELS.get(key, key))


FACILITY_COLUMNS = ("name", "kind", "capacity")
OUTLET_COLUMNS = ("code", "name", "destination")
# A limit row names its outlet by code; "name" and "destination" are still read when a row gives them.
LIMIT_COLUMNS = ("code", "name", "destination", "pollutant", "concentration", "concentration_unit",
                 "annual_quantity", "standard")
PRODUCT_COLUMNS = ("name", "capacity", "unit")
MATERIAL_COLUMNS = ("name", "kind", "amount", "unit")
FACILITY_KINDS = {"production": _("production facility"), "treatment": _("pollution prevention facility")}


@dataclass(frozen=True)
class Column:
    """A column of a table the clerk fills in place: ``kind`` text, decimal, select (``options``:
    value, label) or pollutant (text with the list offered, free text allowed)."""

    key: str
    label: Any
    kind: str = "text"
    options: tuple = ()
    size: int = 10


def _unit_options(units: tuple[str, ...]) -> tuple:
    return (("", "—"), *((u, u) for u in units))


def table_columns(prefix: str) -> tuple[Column, ...]:
    """The columns the form shows for a table (the unit lists come from formlists)."""
    lists = formlists.lists()
    return {
        "product": (Column("name", _("Product"), size=16),
                    Column("capacity", pgettext_lazy("production", "Capacity"), "decimal", size=8),
                    Column("unit", _("Unit"), "select", _unit_options(lists.quantity_units))),
        "material": (Column("name", _("Material or fuel"), size=16),
                     Column("kind", _("Kind"), "select", (("", "—"), *MATERIAL_KINDS.items())),
                     Column("amount", _("Per year"), "decimal", size=8),
                     Column("unit", _("Unit"), "select", _unit_options(lists.quantity_units))),
        "facility": (Column("name", _("Facility or stage"), size=16),
                     Column("kind", _("Kind"), "select", (("", "—"), *FACILITY_KINDS.items())),
                     Column("capacity", _("Capacity or treatment"), size=14)),
        "outlet": (Column("code", _("Outlet code"), size=6), Column("name", _("Outlet name"), size=12),
                   Column("destination", _("Discharged to"), size=14)),
        "limit": (Column("code", _("Outlet code"), size=6), Column("pollutant", _("Pollutant"), "pollutant", size=10),
                  Column("concentration", _("Concentration"), "decimal", size=7),
                  Column("concentration_unit", _("Unit"), "select", _unit_options(lists.limit_units)),
                  Column("annual_quantity", _("Per year (t/a)"), "decimal", size=7),
                  Column("standard", _("Standard"), size=12)),
    }[prefix]


SPARE_ROWS = 2  # empty rows below the filled ones: enough to add without JavaScript, then save for more


def table_context(prefix: str, rows: list[dict[str, str]], spare: int = SPARE_ROWS) -> dict[str, Any]:
    """A table as the template draws it: its rows (the given ones and ``spare`` empty ones), each cell
    with its input's name, value and, for a pollutant not on the list, a note; and the empty row the
    "add a row" button clones (names with ``__i__``)."""
    columns = table_columns(prefix)

    def cells(row: dict[str, str], index: str) -> list[dict[str, Any]]:
        out = []
        for c in columns:
            value = str(row.get(c.key) or "")
            options = c.options
            if c.kind == "select" and value and value not in {o[0] for o in options}:
                options = (*options, (value, value))  # shown as typed: the service says why it is refused
            out.append({"name": f"{prefix}-{index}-{c.key}", "value": value, "column": c, "options": options,
                        "off_list": c.kind == "pollutant" and bool(value) and not formlists.on_list(value)})
        return out

    all_rows = [*rows, *([{}] * spare)]
    return {"prefix": prefix, "columns": columns, "next": len(all_rows),
            "rows": [cells(row, str(i)) for i, row in enumerate(all_rows)], "template": cells({}, "__i__")}


def table_rows(data, prefix: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a table of inputs named ``prefix-<n>-<column>``; empty rows are dropped."""
    rows = []
    n = 0
    while f"{prefix}-{n}-{columns[0]}" in data:
        row = {c: (data.get(f"{prefix}-{n}-{c}") or "").strip() for c in columns}
        if any(row.values()):
            rows.append(row)
        n += 1
    return rows


def outlets_from_rows(rows: list[dict[str, str]], outlet_rows: Sequence[dict[str, str]] = ()) -> list[dict]:
    """The outlets of the outlet table (code, name, destination), then one limit per row of the limit
    table, put under its outlet by code (a limit row may name an outlet the outlet table lacks, with
    its name and destination), in the order given."""
    outlets: dict[str, dict] = {}
    for row in outlet_rows:
        code = normalise_outlet_code(row["code"])
        outlet = outlets.setdefault(code, {"code": code, "name": "", "destination": "", "limits": []})
        outlet["name"] = outlet["name"] or row.get("name", "")
        outlet["destination"] = outlet["destination"] or row.get("destination", "")
    for row in rows:
        code = normalise_outlet_code(row["code"])
        outlet = outlets.setdefault(code, {"code": code, "name": row.get("name", ""),
                                           "destination": row.get("destination", ""), "limits": []})
        outlet["name"] = outlet["name"] or row.get("name", "")
        outlet["destination"] = outlet["destination"] or row.get("destination", "")
        if row["pollutant"] or row["concentration"] or row["annual_quantity"]:
            outlet["limits"].append({k: row[k] for k in ("pollutant", "concentration", "concentration_unit",
                                                         "annual_quantity", "standard")})
    return list(outlets.values())


class MoveForm(forms.Form):
    """Whatever a move needs besides the click."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    start = forms.DateField(label=_("Notice from"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Notice until"), required=False, widget=DateInput())
    # Long enough that a wrong length reaches permits.numbers, which says what is wrong.
    national_number = forms.CharField(label=_("Number from the national platform (if issued there)"),
                                      max_length=200, required=False)


# What the permit pages call each field a service's refusal names where no form field shows the error
# (core.forms.labelled_messages): a move's note, a case's decision, a report, the rows of a table.
MOVE_LABELS = {name: MoveForm.base_fields["note"].label for name in ("note", "missing", "reasons", "approval")} | {
    "national_number": MoveForm.base_fields["national_number"].label,
    "start": MoveForm.base_fields["start"].label, "end": MoveForm.base_fields["end"].label,
}
CASE_LABELS = {
    "basis": _("Legal basis"), "measures": _("Measures"), "fine": _("Fine (yuan)"),
    "instances": _("Instances (per-instance fines)"), "note": _("How the case ends"),
    "deadline": _("Rectification deadline"), "assignee": _("Assigned officer"), "kind": _("Document"),
}
REASON_LABELS = {"reason": CancelForm.base_fields["reason"].label}  # ending a permit, cancelling a registration
REPORT_LABELS = {
    "kind": _("Kind"), "period_start": _("Period from (first day)"), "notes": _("Notes"),
    "correction_reason": _("Reason for the correction (when this period was reported already)"),
}
COLUMN_LABELS = {
    "code": _("Outlet code"), "name": _("Name"), "destination": _("Discharged to"), "pollutant": _("Pollutant"),
    "concentration": _("Concentration"), "concentration_unit": _("Unit"), "annual_quantity": _("Per year (t/a)"),
    "standard": _("Standard"), "kind": _("Kind"), "capacity": pgettext_lazy("production", "Capacity"),
    "quantity": _("Quantity in the period (t)"), "limits": _("Pollutant"), "unit": _("Unit"),
    "amount": _("Per year"),
}
ROW_PATH = re.compile(r"^(outlets|facilities|values|products|materials)\[(\d+)\](?:\.limits\[(\d+)\])?(?:\.(\w+))?$")
TABLE_TITLES = {"facilities": _("Facilities"), "products": _("Products"), "materials": _("Materials and fuels")}


def row_label(field: str, *, outlets: Sequence[dict] = (), values: Sequence[dict] = ()) -> str:
    """A field of a table's row (``outlets[0].limits[1].concentration_unit``) as the page shows it: the
    outlet's code and the pollutant (data), or the row's number, then the column's label."""
    match = ROW_PATH.match(field)
    if match is None:
        return ""
    table, i, j, column = match.group(1), int(match.group(2)), match.group(3), match.group(4)
    if table in TABLE_TITLES:
        parts = [str(_("Row %(n)d") % {"n": i + 1})]
        if table != "facilities":  # facilities' rows were named by number alone before the other tables came
            parts.insert(0, str(TABLE_TITLES[table]))
    elif table == "values":
        row = values[i] if i < len(values) else {}
        parts = [str(row.get("outlet_code", "")), str(row.get("pollutant", ""))]
    else:
        outlet = outlets[i] if i < len(outlets) else {}
        parts = [str(outlet.get("code") or _("Row %(n)d") % {"n": i + 1})]
        limits = outlet.get("limits") or []
        if j is not None:
            k = int(j)
            parts.append(str(limits[k].get("pollutant") or "") if k < len(limits) else "")
    if column:
        parts.append(str(COLUMN_LABELS.get(column, column)))
    return " · ".join(p for p in parts if p)
