"""Reads of the permits app: scoped querysets and the explanations pages show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import router
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core.cleaners import filter_text, search_text
from zhengtong.core.compiled import Compiled, compile_once, kept
from zhengtong.core.compiled import rows as compiled_rows
from zhengtong.core.http import get_or_404
from zhengtong.core.ids import valid_id
from zhengtong.core.listing import ModelRows, Statement, Statements
from zhengtong.core.panels import Figure, Todo
from zhengtong.permits import classification as engine
from zhengtong.permits import quantities
from zhengtong.permits.catalogue import (
    CLASSES,
    GENERAL_PROCESS_ROWS,
    Catalogue,
    load_catalogue,
)
from zhengtong.permits.classification import line_key
from zhengtong.permits.models import (
    Application,
    Campaign,
    CampaignIndustry,
    CatalogueEntry,
    Classification,
    ManagementClass,
    Permit,
)
from zhengtong.registry.models import Industry, Region, Unit

NOTE_TEXT = {
    engine.STRICTEST_NOTE: lambda: _(
        "Several industries at one site get one permit (catalogue Art. 5); its class is the strictest "
        "any row gives. This reading of Art. 5 is ours: the text does not say so in words."),
    engine.ART6_NOTE: lambda: _(
        "Catalogue Art. 6: the duty comes only from the general processes (rows 109–112), so the "
        "permit covers those processes only, not the other facilities."),
    engine.ART7_NOTE: lambda: _(
        "Catalogue Art. 7: a unit of row 108 applies or registers for its general processes only."),
    engine.ART7_WHOLE_NOTE: lambda: _(
        "Catalogue Art. 7: one of the article's six cases applies, so the whole facility needs a "
        "key-management permit."),
    engine.ART8_NOTE: lambda: _(
        "The catalogue does not cover this unit (Art. 8: where management is truly needed, the "
        "province proposes a class to the ministry)."),
    engine.NOTE1_NOTE: lambda: _(
        "Table note 1: rows marked ﹡ cover units producing in an industrial building; the text "
        "says nothing of units outside one."),
}


# Catalogue ----------------------------------------------------------------------------------


def catalogue_search(*, q: str = "", management_class: str = "") -> QuerySet[CatalogueEntry]:
    """Rows whose text contains ``q``, or which cover the industry code ``q``."""
    qs = CatalogueEntry.objects.filter(version=load_catalogue().version)
    q = filter_text(q)
    if q:
        match = Q(industry_text__icontains=q) | Q(section__icontains=q) | Q(key_text__icontains=q)
        match |= Q(simplified_text__icontains=q) | Q(registration_text__icontains=q)
        if q.isascii() and q.isdigit() and len(q) <= 4:  # str.isdigit() alone takes "²", which int() refuses
            catalogue = load_catalogue()
            rows = catalogue.rows_for(q) if len(q) == 4 else tuple(
                n for n, row in catalogue.rows.items() if any(c.startswith(q) or q.startswith(c) for c in row.codes))
            match |= Q(row__in=rows) | Q(industry_codes__contains=q)
            if len(q) <= 3 and int(q) <= 112:
                match |= Q(row=int(q))
        qs = qs.filter(match)
    if management_class in CLASSES:
        field_name = {"key": "key_text", "simplified": "simplified_text", "registration": "registration_text"}
        qs = qs.exclude(**{field_name[management_class]: "/"})
    return qs


# Facts and explanation ----------------------------------------------------------------------


@dataclass
class FactGroup:
    title: str
    facts: list[Any] = field(default_factory=list)
    line: str = ""  # an industry line's own facts: its code (fields ``code:key``)


def unit_rows(unit: Unit, catalogue: Catalogue | None = None) -> list[int]:
    """The catalogue rows that read this unit: its industries' rows (or 108), then 109–112."""
    from zhengtong.permits.services import unit_industry_codes

    catalogue = catalogue or load_catalogue()
    rows: list[int] = []
    for code in unit_industry_codes(unit):
        rows.extend(catalogue.line_rows(code))
    return list(dict.fromkeys(rows)) + list(GENERAL_PROCESS_ROWS)


def fact_groups(unit: Unit, source: int = 1) -> list[FactGroup]:
    """The facts the catalogue asks of one of the unit's fixed sources, grouped as the form shows
    them: the whole source's (the rules file's ``unit_facts``) once, then each industry line's own
    (the lines at this source: services.source_industry_codes), then the general processes."""
    from zhengtong.permits.services import source_industry_codes

    catalogue = load_catalogue()
    general = [f for n in GENERAL_PROCESS_ROWS for f in catalogue.rows[n].facts]
    common = ["on_key_list", "in_industrial_building", "operation_start"]
    here = source_industry_codes(unit, source)
    industries = [i for i in [unit.industry, *sorted(unit.other_industries.all(), key=lambda i: i.code)]
                  if i.code in here]
    unit_wide: list[str] = []
    lines: list[FactGroup] = []
    for industry in industries:
        numbers = catalogue.line_rows(industry.code)
        asked = catalogue.asked(industry.code)
        unit_wide.extend(f for f in asked if f in catalogue.unit_wide and f not in common and f not in general)
        own = [catalogue.facts[k] for k in asked if catalogue.is_line_fact(k)]
        rows = "、".join(str(n) for n in numbers)
        lines.append(FactGroup(_("Industry line %(code)s %(name)s (catalogue row %(rows)s)")
                               % {"code": industry.code, "name": industry.name, "rows": rows}, own, industry.code))
    groups = [
        FactGroup(_("The unit"), [catalogue.facts[k] for k in dict.fromkeys(common + unit_wide)]),
        *lines,
        FactGroup(_("General processes (rows 109–112)"),
                  [catalogue.facts[k] for k in dict.fromkeys(general) if k not in common]),
    ]
    return [g for g in groups if g.facts]


def unit_sources(unit: Unit) -> list[dict[str, Any]]:
    """The unit's fixed sources as its page lists them: sequence number, address, the industry lines
    carried on there and the stored class of each (source 1 always: the unit's first location,
    numbered when it first files)."""
    from zhengtong.permits.models import FixedSource
    from zhengtong.permits.services import source_industry_codes, unit_sources

    numbered = {s.sequence: s for s in FixedSource.objects.filter(unit=unit)}
    classes = {c.source: c for c in Classification.objects.filter(unit=unit)}
    shown = []
    for n in unit_sources(unit.pk):
        record = numbered.get(n)
        shown.append({"sequence": n, "label": f"{n:03d}",
                      "address": (record.address if record else "") or unit.address,
                      "codes": source_industry_codes(unit, n), "classification": classes.get(n)})
    return shown


def unit_facts(unit: Unit, source: int = 1) -> dict[str, Any]:
    """A fixed source's declared facts as one mapping: the whole source's by key, each line's as ``code:key``."""
    from zhengtong.permits.services import declared_facts

    facts, lines = declared_facts(unit.pk, source)
    return {**facts, **{line_key(code, k): v for code, own in lines.items() for k, v in own.items()}}


def _line_part(key: str) -> tuple[str, str]:
    """``1511:has_fermentation`` → ("1511", "has_fermentation"); a whole-unit key → ("", key)."""
    code, _sep, base = key.rpartition(":")
    return code, base


def _fact_label(key: str) -> str:
    """The name of a fact the catalogue asks for (a fact still missing has a name but no value); a
    part of one (``fact__2023``, ``fact__eia``) is named with its year or as the EIA figure."""
    code, key = _line_part(key)
    if code:
        return _("%(fact)s (industry line %(code)s)") % {"fact": _fact_label(key), "code": code}
    facts = load_catalogue().facts
    fact = facts.get(key)
    if fact is not None:
        return str(fact.label)
    base, sep, part = key.partition("__")
    fact = facts.get(base) if sep else None
    if fact is None:
        return key
    if part == "eia":
        return _("%(fact)s: the approved EIA document's figure") % {"fact": fact.label}
    if part.isdigit():
        return _("%(fact)s: year %(year)s") % {"fact": fact.label, "year": part}
    return str(fact.label)


def _number(value: Any, unit: str = "") -> str:
    if isinstance(value, float):
        shown = f"{value:,.4f}".rstrip("0").rstrip(".")
    else:
        shown = f"{value:,}"
    return f"{shown} {unit}".strip()


def _entered(fact, value: Any) -> str:
    """A declared value as the clerk entered it (a note 2 quantity's years, an output in MW)."""
    if fact.type == "date":
        return str(value)
    if isinstance(value, dict):
        if "value" in value:
            return _number(value.get("value"), str(value.get("unit") or fact.unit))
        parts = [f"{year}: {_number(q, fact.unit)}" for year, q in sorted((value.get("years") or {}).items())]
        if value.get("eia") is not None:
            parts.append(_("EIA approval: %(v)s") % {"v": _number(value["eia"], fact.unit)})
        return "; ".join(parts) or "—"
    if fact.type == "bool":
        return _("yes") if value else _("no")
    if fact.type == "choices":
        return "、".join(fact.choice_label(v) for v in value)
    return _number(value, fact.unit)


def _fact_display(key: str, value: Any, derived: Any = None) -> dict[str, str]:
    """One fact as a page shows it: its name, its value, and how a worked-out value was worked out
    (catalogue note 2, MW); never fails on a value of another shape (a fact redefined since)."""
    catalogue = load_catalogue()
    code, key = _line_part(key)
    fact = catalogue.facts.get(key)
    if fact is None:
        return {"label": key, "value": str(value), "how": ""}
    if code:
        return {**_fact_display(key, value, derived), "label": _fact_label(line_key(code, key))}
    try:
        if value is None or value == "":
            shown = "—"
        elif isinstance(value, quantities.Derived):
            shown = _derived_value(fact, value)
        else:
            shown = _entered(fact, value)
    except (TypeError, ValueError, AttributeError):
        shown = str(value)
    return {"label": fact.label, "value": shown, "how": _how(fact, value, derived)}


def _derived_value(fact, d) -> str:
    low = min(c.low for c in d.candidates)
    return _("at least %(v)s") % {"v": _number(low, fact.unit)} if low else _("not known exactly")


HOW_TEXT = {
    quantities.THREE_YEARS: lambda y: _("the largest year of the last three (%(year)s), catalogue "
                                        "note 2") % {"year": y},
    quantities.SINCE_START: lambda y: _("the largest year since the start of operation (%(year)s), catalogue "
                                        "note 2") % {"year": y},
    quantities.EIA: lambda y: _("the approved EIA document's figure (not yet operating or under a year), "
                                "catalogue note 2"),
    quantities.IMPLIED: lambda y: _("implied: the output of boilers other than electric ones is given"),
}


def _how(fact, value: Any, derived: Any) -> str:
    """How the value the rule compared was worked out, in words."""
    try:
        if derived is None:
            if fact.note2 and isinstance(value, int | float) and not isinstance(value, bool):
                return _("as declared, one figure: the years are not given (catalogue note 2 takes the largest "
                         "year of the last three)")
            return ""
        if derived.candidates and derived.candidates[0].how == quantities.MW:
            return _("entered as %(mw)s MW; the catalogue's 14 MW = 20 t/h (rows 96, 109)") % {
                "mw": _number(derived.entered.get("value"))}
        if len(derived.candidates) != 1:
            return _("the start of operation is not given; every way catalogue note 2 counts it gives the same answer")
        c = derived.candidates[0]
        text = HOW_TEXT.get(c.how)
        if text is None:
            return ""
        if c.low != c.high:
            missing = ", ".join(m.partition("__")[2] for m in c.missing)
            return _("%(how)s; so far, not yet given: %(missing)s") % {"how": text(c.year or "—"), "missing": missing}
        return text(c.year)
    except (TypeError, ValueError, AttributeError):
        return ""


def _class_label(value: str | None) -> str:
    if not value:
        return _("no class from this row")
    return str(ManagementClass(value).label)


def classification_explained(classification: Classification | None) -> dict[str, Any] | None:
    """The stored classification as a page shows it: the deciding row and cell, the facts that
    decided, what is still missing, and the notes on the articles applied."""
    if classification is None:
        return None
    from zhengtong.permits.services import source_result

    catalogue = load_catalogue()
    unit, source = classification.unit, classification.source
    as_of = timezone.localdate(classification.classified_at)  # the day the stored class was worked out
    result = source_result(unit, source, as_of)
    findings = []
    for f in result.findings:
        row = catalogue.rows[f.row]
        findings.append({
            "row": f.row, "code": f.code, "industry": row.industry_text, "section": row.section,
            "class": f.management_class, "class_label": _class_label(f.management_class),
            "undetermined": f.undetermined, "cell": row.cells.get(f.management_class, "") if f.management_class else "",
            "facts": [_fact_display(k, v, result.derived.get(line_key(f.code, k)) or result.derived.get(k))
                      for k, v in f.facts if k != "general"],
            "via_general": f.via_general,
            "missing": [_fact_label(k) for k in f.missing], "note": row.note,
        })
    deciding = next((f for f in findings if f["row"] == classification.deciding_row
                     and f["class"] == classification.management_class), None)
    return {
        "record": classification,
        "class_label": ManagementClass(classification.management_class).label,
        "at_least_label": _class_label(classification.at_least) if classification.at_least else "",
        "deciding": deciding,
        "findings": findings,
        "missing": [_fact_label(k) for k in classification.missing],
        "undetermined_quantities": [_fact_display(k, d.value if d.value is not None else d, d)
                                    for k, d in result.derived.items() if d.value is None],
        "notes": [NOTE_TEXT[n]() for n in classification.notes if n in NOTE_TEXT],
        "general_only": classification.scope == engine.GENERAL_ONLY,
        "permit_lines": classification.scope == engine.PERMIT_LINES,
        "open": open_readings(unit, result.open, catalogue, source),
        "earlier_decisions": earlier_decisions(unit, result.open, source),
    }


SCOPE_LABELS = {
    engine.WHOLE: lambda: _("the whole facility"),
    engine.GENERAL_ONLY: lambda: _("the general processes only"),
    engine.PERMIT_LINES: lambda: _("the industries that need a permit; the other registers"),
}


def _option(option, same_class: str | None) -> dict[str, str]:
    cls = same_class if option.management_class == "same" else option.management_class
    scope = SCOPE_LABELS[option.scope]() if option.scope in SCOPE_LABELS else ""
    return {"text": option.text, "class_label": str(ManagementClass(cls).label) if cls else _class_label(None),
            "scope_label": scope if cls not in (None, "none") else ""}


def open_readings(unit: Unit, points, catalogue: Catalogue | None = None, source: int = 1) -> list[dict[str, Any]]:
    """A fixed source's open readings as the page shows them: the words of the text that leave it
    open, both readings with the class and scope each gives, and the reviewer's decision where one holds."""
    from zhengtong.permits.models import ReadingDecision

    catalogue = catalogue or load_catalogue()
    decisions = {d.key: d for d in ReadingDecision.objects.filter(unit=unit, source=source).select_related(
        "decided_by")}
    classification = Classification.objects.filter(unit=unit, source=source).first()
    same = classification.at_least or classification.management_class if classification else None
    if same not in CLASSES:
        same = None
    shown = []
    for point in points:
        reading = catalogue.readings[point.reading]
        shown.append({
            "key": point.key, "reading": point.reading, "title": reading.title, "quote": reading.quote,
            "row": point.row, "code": point.code, "chosen": point.chosen,
            "a": _option(reading.a, same), "b": _option(reading.b, same),
            "decision": decisions.get(point.key) if point.chosen else None,
        })
    return shown


def earlier_decisions(unit: Unit, points, source: int = 1) -> list[Any]:
    """Decisions on points that no longer hold as they were (a fact changed since): kept and shown."""
    from zhengtong.permits.models import ReadingDecision

    current = {p.key for p in points}
    return [d for d in ReadingDecision.objects.filter(unit=unit, source=source).select_related("decided_by")
            if d.key not in current]


# Statistics -------------------------------------------------------------------------------


def classified_units(*, user) -> QuerySet[Classification]:
    return Classification.objects.filter(unit__in=Unit.objects.filter(scopes.units_q(user)))


def classification_get(*, user, unit_pk, source: int = 1) -> Classification:
    """The class of one fixed source (by its sequence number) of a unit the user sees (public, like
    the unit's permits). Missing, a unit outside the scope and a unit or source not classified yet
    are the same 404."""
    unit_pk = valid_id(unit_pk)
    classification = classified_units(user=user).filter(unit_id=unit_pk, source=source).first() if unit_pk else None
    if classification is None:
        raise Http404
    return classification


def deciding_entry(classification: Classification) -> CatalogueEntry | None:
    """The printed catalogue row that decided the class (None: no row decided it)."""
    if classification.deciding_row is None:
        return None
    return CatalogueEntry.objects.filter(version=classification.catalogue_version,
                                         row=classification.deciding_row).first()


def classification_counts(*, user) -> dict[str, Any]:
    """Counts by class, by county and by industry division, over the fixed sources of the units the
    user sees (a unit at one location is one source); ``unclassified`` counts units."""
    qs = classified_units(user=user)
    classes = [c for c in ManagementClass.values]
    by_class = dict(qs.values_list("management_class").annotate(n=Count("pk")))
    counties = {r.pk: r for r in Region.objects.filter(units__isnull=False).distinct()}
    by_county: dict[int, dict[str, int]] = {}
    for county_id, cls, n in qs.values_list("unit__county_id", "management_class").annotate(n=Count("pk")):
        by_county.setdefault(county_id, {})[cls] = n
    divisions = {i.code: i for i in Industry.objects.filter(level=Industry.Level.DIVISION)}
    by_division: dict[str, dict[str, int]] = {}
    for code, cls, n in qs.values_list("unit__industry__code", "management_class").annotate(n=Count("pk")):
        row = by_division.setdefault(code[:2], {})
        row[cls] = row.get(cls, 0) + n
    total_units = Unit.objects.filter(scopes.units_q(user)).count()
    return {
        "classes": [(c, ManagementClass(c).label, by_class.get(c, 0)) for c in classes],
        "total": sum(by_class.values()),
        "unclassified": total_units - qs.values("unit_id").distinct().count(),
        "by_county": [
            (counties[cid], [row.get(c, 0) for c in classes], sum(row.values()))
            for cid, row in sorted(by_county.items(), key=lambda kv: counties[kv[0]].code) if cid in counties
        ],
        "by_division": [
            (divisions.get(code), code, [row.get(c, 0) for c in classes], sum(row.values()))
            for code, row in sorted(by_division.items())
        ],
        "class_labels": [ManagementClass(c).label for c in classes],
        "class_values": classes,
    }


# The campaign -------------------------------------------------------------------------------


def campaign_current():
    """The active campaign (the latest deadline first), or None: its statement compiled once per database."""
    alias = router.db_for_read(Campaign)
    statement = kept(_CAMPAIGN_STATEMENTS, ("current", alias), lambda: Statement.of(
        Campaign.objects.using(alias).filter(is_active=True).order_by("-late_deadline")
        .values_list(*_CAMPAIGN.fields)[:1]))
    found = statement.rows()
    return _CAMPAIGN.build(found[0], alias) if found else None


def campaign_early_industries(campaign) -> list[Any]:
    """The campaign's early list (CampaignIndustry, with its industry), by industry code: its statement
    compiled once per database, the campaign's id put in on each read."""
    alias = router.db_for_read(CampaignIndustry)

    def make() -> Compiled:
        qs = (CampaignIndustry.objects.using(alias).filter(campaign_id=_ANY_ID).select_related("industry")
              .values_list(*_EARLY.fields))
        return compile_once(qs, _ANY_ID)

    statement = kept(_CAMPAIGN_STATEMENTS, ("early", alias), make)
    return [_EARLY.build(values, alias) for values in compiled_rows(statement, campaign.pk)]


_CAMPAIGN_STATEMENTS: dict[tuple, Any] = {}
_CAMPAIGN = ModelRows(Campaign)
_EARLY = ModelRows(CampaignIndustry, (("industry", None),))
_ANY_ID = -918_273_645  # no campaign's id: where the id goes in the compiled statement


@dataclass(frozen=True)
class Due:
    date: Any
    early: bool  # from the campaign's early list
    industry: str = ""  # the listed industry that made it early


def early_codes(campaign) -> set[str]:
    return set(campaign.early_industries.values_list("industry__code", flat=True))


def covered_unit_ids(unit_ids=None) -> set[int]:
    """Units each of whose fixed sources that must file holds a valid registration or a valid permit
    (``uncovered_sources``), among those with at least one source that must file."""
    qs = Classification.objects.filter(NEEDS_FILING_Q)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    must = set(qs.values_list("unit_id", flat=True))
    return must - set(qs.filter(uncovered_sources()).values_list("unit_id", flat=True))


def _source_holds(model) -> Exists:
    """A classification's fixed source (the unit and sequence number) holds a valid ``model``
    (Registration or Permit); for a Classification queryset."""
    return Exists(model.objects.filter(status="valid", fixed_source__unit_id=OuterRef("unit_id"),
                                       fixed_source__sequence=OuterRef("source")))


def uncovered_sources() -> Q:
    """Classifications whose fixed source holds neither a valid registration nor a valid permit."""
    from zhengtong.permits.models import Permit, Registration

    return ~Q(_source_holds(Registration)) & ~Q(_source_holds(Permit))


def uncovered_filing(unit_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each unit's fixed sources that must file and hold neither a valid registration nor a valid
    permit (``uncovered_sources``): (sequence number, the class it must file in), by unit. What is
    missing at a unit, source by source: a permit at one location and a registration at another."""
    found: dict[int, list[tuple[int, str]]] = {}
    for start in range(0, len(unit_ids), 500):
        rows = (Classification.objects.filter(NEEDS_FILING_Q, unit_id__in=unit_ids[start:start + 500])
                .filter(uncovered_sources()).annotate(cls=_FILING_CLASS).order_by("unit_id", "source")
                .values_list("unit_id", "source", "cls"))
        for unit_id, source, cls in rows:
            found.setdefault(unit_id, []).append((source, cls))
    return found


NEEDS_FILING = ("key", "simplified", "registration")
# A unit under review whose class is at least one of these must file all the same (the readings
# differ above that class, or only in what the permit or registration covers).
def needs_filing_q(prefix: str = "") -> Q:
    """Classifications (or, with a prefix, rows joined to them) that must apply or register."""
    return (Q(**{f"{prefix}management_class__in": NEEDS_FILING})
            | Q(**{f"{prefix}management_class": "review", f"{prefix}at_least__in": NEEDS_FILING}))


NEEDS_FILING_Q = needs_filing_q()
# A classification's filing class (``filing_class`` as SQL), and its strictness for "the strictest".
_FILING_CLASS = Case(When(management_class__in=NEEDS_FILING, then=F("management_class")), default=F("at_least"),
                     output_field=CharField())
_FILING_RANK = Case(*(When(Q(management_class=c) | Q(management_class="review", at_least=c), then=Value(n))
                      for n, c in enumerate(reversed(NEEDS_FILING), start=1)),
                    default=Value(0), output_field=IntegerField())


def filing_class(classification: Classification | None) -> str | None:
    """The class the unit must at least apply or register in (None: nothing to file yet)."""
    if classification is None:
        return None
    if classification.management_class in NEEDS_FILING:
        return classification.management_class
    if classification.management_class == "review" and classification.at_least in NEEDS_FILING:
        return classification.at_least
    return None


def campaign_queryset(*, user, campaign, today: date, early: list[int] | None = None) -> QuerySet[Any]:  # Units
    """The campaign's one rule, as a query: the units the user sees (None: every unit, for the
    scheduled jobs) whose class must apply or register, each annotated with

    - ``early_industry``: the first of its industries (the main one, then the others in the order they
      were given) on the campaign's early list, or None; ``is_late``: it has none;
    - ``due``: the campaign's early deadline when it has one, the late one otherwise (``unit_due``);
    - ``covered``: it holds a valid registration or a valid permit;
    - ``days_left``: days from ``today`` to ``due``; ``past_due``: not covered and ``due`` before ``today``.

    The page sorts, pages and counts it in the database; the jobs, the export and ``campaign_units``
    read the same annotations. ``early``: the ids of the campaign's early industries, read already."""

    seen = Q() if user is None else scopes.units_q(user)
    if early is None:
        early = list(campaign.early_industries.values_list("industry_id", flat=True))
    if early:
        others = Unit.other_industries.through.objects.filter(unit_id=OuterRef("pk"), industry_id__in=early)
        # whether: a hashed semi-join over the few units with a listed other industry; which: read for
        # the rows shown only (the first in the order the unit's other industries were given)
        late: Any = ~Q(industry_id__in=early) & ~Q(Exists(others))
        early_industry: Any = Case(When(industry_id__in=early, then=F("industry__code")),
                                   default=Subquery(others.order_by("pk").values("industry__code")[:1]),
                                   output_field=CharField())
    else:
        late, early_industry = Q(pk__isnull=False), Value(None, output_field=CharField())
    filing = Classification.objects.filter(NEEDS_FILING_Q, unit_id=OuterRef("pk"))
    strictest = filing.annotate(cls=_FILING_CLASS, rank=_FILING_RANK).order_by("-rank", "source").values("cls")[:1]
    covered = ~Exists(filing.filter(uncovered_sources()))
    return (
        Unit.objects.filter(seen).filter(Exists(filing))
        .select_related("county", "industry")
        .annotate(early_industry=early_industry, filing_class=Subquery(strictest, output_field=CharField()))
        .annotate(
            is_late=ExpressionWrapper(late, output_field=BooleanField()),
            due=Case(When(late, then=Value(campaign.late_deadline)), default=Value(campaign.early_deadline),
                     output_field=DateField()),
            days_left=Case(When(late, then=Value((campaign.late_deadline - today).days)),
                           default=Value((campaign.early_deadline - today).days), output_field=IntegerField()),
            covered=ExpressionWrapper(covered, output_field=BooleanField()),
        )
        .annotate(past_due=Case(When(covered=True, then=Value(False)), When(due__lt=today, then=Value(True)),
                                default=Value(False), output_field=BooleanField()))
    )


def campaign_row(unit: Any) -> dict[str, Any]:
    """One unit of ``campaign_queryset`` as the pages, the export and the jobs read it: ``filing_class``
    the strictest class any of its fixed sources must file in."""
    early = unit.early_industry is not None
    return {"filing_class": unit.filing_class, "class_label": ManagementClass(unit.filing_class).label, "unit": unit,
            "due": Due(unit.due, early, unit.early_industry or ""),
            "covered": bool(unit.covered), "past_due": bool(unit.past_due), "days_left": unit.days_left}


def campaign_filtered(qs: QuerySet[Any], *, only_past_due: bool = False,
                      due_within: int | None = None) -> QuerySet[Any]:
    """Only the units past due (due date passed, neither permit nor registration), or only those not
    covered whose due date lies within ``due_within`` days from today (today included)."""
    if only_past_due:
        qs = qs.filter(past_due=True)
    if due_within is not None:
        qs = qs.filter(covered=False, days_left__gte=0, days_left__lte=due_within)
    return qs


def campaign_units(*, user, campaign, today, only_past_due: bool = False, due_within: int | None = None):
    """Units the user sees that must apply or register in the campaign, with their due date and
    whether they are covered (``campaign_queryset``), by name as people count."""
    qs = campaign_filtered(campaign_queryset(user=user, campaign=campaign, today=today),
                           only_past_due=only_past_due, due_within=due_within)
    return [campaign_row(u) for u in qs.order_by("name_key", "pk")]


def unit_due(unit: Unit, campaign, today: date) -> Due | None:
    """A unit's deadline in the campaign: the early one when any of its industries is on the
    campaign's early list (editable data), the late one otherwise (``campaign_queryset``'s rule);
    None when its class need not file."""
    row = campaign_queryset(user=None, campaign=campaign, today=today).filter(pk=unit.pk).first()
    return campaign_row(row)["due"] if row is not None else None


# The campaign page's statements, kept per ``campaign_key`` (core.compiled.kept): the progress's, and the
# list's per filter, order and page (core.listing.Statements).
_CAMPAIGN_PROGRESS: dict[tuple, tuple[str, tuple]] = {}
_CAMPAIGN_PAGES: dict[tuple, Any] = {}
# What the page's rows are read from (``campaign_list``): the fields the rows show, in the models' order of
# fields (``from_db`` takes them so), the unit's county and campaign_queryset's annotations.
_CAMPAIGN_UNIT = tuple(f.attname for f in Unit._meta.concrete_fields
                       if f.attname in ("id", "uscc", "name", "county_id"))
_CAMPAIGN_VALUES = ("early_industry", "filing_class", "due", "covered", "past_due", "days_left")
_UNIT_COUNTY = Unit._meta.get_field("county")


def campaign_key(*, user, campaign, today: date, early: list[int]) -> tuple:
    """Everything ``campaign_queryset``'s statement for ``user`` is made of: the database, the user's scope
    (``scopes.units_q`` reads nothing else), the campaign's deadlines and early industries (``early``, read
    this request: an edit in the admin is a new key), and the day (its days left and past due)."""
    return (router.db_for_read(Unit), scopes.scope_key(user), campaign.early_deadline, campaign.late_deadline,
            tuple(early), today)


def _campaign_row_of(values: list) -> dict[str, Any]:
    """``campaign_row`` of a unit read as ``campaign_list``'s values: the unit with the fields the rows
    show (the others deferred) and its county's name, annotated as ``campaign_queryset`` annotates it."""
    n = len(_CAMPAIGN_UNIT)
    alias = router.db_for_read(Unit)
    unit = Unit.from_db(alias, _CAMPAIGN_UNIT, values[:n])
    _UNIT_COUNTY.set_cached_value(unit, Region.from_db(alias, ("id", "name"), (unit.county_id, values[n])))
    for name, value in zip(_CAMPAIGN_VALUES, values[n + 1:], strict=True):
        setattr(unit, name, value)
    return campaign_row(unit)


def campaign_list(*, user, campaign, today: date, early: list[int], only_past_due: bool, columns) -> Statements:
    """The campaign page's rows (``campaign_filtered(campaign_queryset(...))``), each a ``campaign_row``,
    read by statements compiled once per ``campaign_key``, filter, order (by ``columns``, the page's
    only) and page: the same rows as the queryset's, without building it on each request (issue 16 §8)."""
    key = (*campaign_key(user=user, campaign=campaign, today=today, early=early), only_past_due)
    return Statements(
        _CAMPAIGN_PAGES, key,
        lambda: campaign_filtered(campaign_queryset(user=user, campaign=campaign, today=today, early=early),
                                  only_past_due=only_past_due),
        columns, fields=(*_CAMPAIGN_UNIT, "county__name", *_CAMPAIGN_VALUES), build=_campaign_row_of)


def campaign_progress(*, user, campaign, today, every: QuerySet[Any] | None = None,
                      early: list[int] | None = None) -> dict[str, Any]:
    """The progress of every unit the user sees in the campaign (all of them, not only those past
    due), by deadline: how many, how many covered, how many past due. Counted in the database in one
    pass over ``campaign_queryset`` (``every``, when the caller has built it already; otherwise its
    statement is compiled once per ``campaign_key``): each unit's deadline and cover are worked out
    once, then grouped; a group not covered whose deadline has passed is past due (``past_due``'s
    rule, per group)."""
    from django.db import connection

    if every is None:
        if early is None:
            early = list(campaign.early_industries.values_list("industry_id", flat=True))
        listed = early
        inner, params = kept(
            _CAMPAIGN_PROGRESS, campaign_key(user=user, campaign=campaign, today=today, early=listed),
            lambda: campaign_queryset(user=user, campaign=campaign, today=today, early=listed)
            .order_by().values("is_late", "covered").query.sql_with_params(), limit=1_000)
    else:
        inner, params = every.order_by().values("is_late", "covered").query.sql_with_params()
    progress = {
        group: {"deadline": campaign.early_deadline if group == "early" else campaign.late_deadline,
                "total": 0, "covered": 0, "past_due": 0}
        for group in ("early", "late")
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT u.is_late, u.covered, COUNT(*) FROM ({inner}) u "  # noqa: S608
                       "GROUP BY u.is_late, u.covered", params)
        for late, covered, n in cursor.fetchall():
            row = progress["late" if late else "early"]
            row["total"] += n
            if covered:
                row["covered"] += n
            elif row["deadline"] < today:
                row["past_due"] += n
    return progress


# Registrations and the public list ------------------------------------------------------------


def unit_registrations(unit: Unit):
    from zhengtong.permits.models import Registration

    return Registration.objects.filter(fixed_source__unit=unit).select_related("fixed_source", "filed_by")


def registration_get(*, user, pk):
    from zhengtong.permits.models import Registration

    qs = Registration.objects.filter(fixed_source__unit__in=Unit.objects.filter(scopes.units_q(user)))
    return get_or_404(qs.select_related("fixed_source__unit__county", "filed_by"), pk)


@dataclass(frozen=True)
class NumberCheck:
    """A stored number that is not in the HJ 608-2017 form, as the data check beside it shows it."""

    label: str
    value: str
    problems: tuple[str, ...]
    kept_as_given: bool  # dated before 2018-03-01: kept, marked, never refused


def number_checks(*, permit=None, registration=None) -> list[NumberCheck]:
    """The data check of a permit's or a registration's stored numbers (permits.numbers): those
    not in the HJ 608-2017 form, each with what is wrong at which position. Never raises."""
    from zhengtong.permits import numbers

    found: list[tuple[str, str, Any]] = []
    if permit is not None:
        found += [(_("Permit number"), permit.number, permit.decided_on),
                  (_("Number from the national platform"), permit.national_number, permit.decided_on)]
    if registration is not None:
        found.append((_("Registration number"), registration.number, registration.filed_at.date()))
    checks = []
    for label, value, dated in found:
        code = numbers.stored_code(value, dated=dated)
        if code.value and not code.conforms:
            checks.append(NumberCheck(str(label), code.value, tuple(p.message for p in code.problems),
                                      code.kept_as_given))
    return checks


@dataclass(frozen=True)
class PublicRecord:
    kind: str  # "permit" | "registration"
    number: str
    unit_name: str
    uscc: str
    industry_codes: str
    county: str
    date: Any
    valid_until: Any
    management_class: str
    number_conforms: bool = True  # False: the data check finds the number not in the HJ 608-2017 form


def public_records(*, q: str = "", industry: str = "") -> list[PublicRecord]:
    """Valid registrations and permits, searchable by unit name, USCC, number and industry."""
    from zhengtong.permits.models import Permit, Registration

    q = filter_text(q)
    industry = filter_text(industry)
    records: list[PublicRecord] = []
    registrations = Registration.objects.filter(status="valid").select_related("fixed_source__unit__county")
    permits = Permit.objects.filter(status="valid").select_related("fixed_source__unit__county")
    if q:
        registrations = registrations.filter(Q(unit_name__icontains=q) | Q(number__istartswith=q.upper())
                                             | Q(fixed_source__unit__uscc__istartswith=q.upper()))
        permits = permits.filter(Q(fixed_source__unit__name__icontains=q) | Q(number__istartswith=q.upper())
                                 | Q(national_number__istartswith=q.upper()))
    if industry:
        registrations = registrations.filter(industry_codes__contains=industry)
        permits = permits.filter(Q(fixed_source__unit__industry__code__startswith=industry)
                                 | Q(fixed_source__unit__other_industries__code__startswith=industry)).distinct()
    from zhengtong.permits.numbers import stored_code

    for r in registrations[:5000]:
        unit = r.fixed_source.unit
        records.append(PublicRecord("registration", r.number, r.unit_name, unit.uscc, r.industry_codes,
                                    unit.county.name, r.filed_at.date(), r.valid_until, r.management_class,
                                    stored_code(r.number, dated=r.filed_at.date()).conforms))
    for p in permits[:5000]:
        unit = p.fixed_source.unit
        number = p.national_number or p.number
        records.append(PublicRecord("permit", number, unit.name, unit.uscc,
                                    p.content.get("industry_codes", ""), unit.county.name,
                                    p.decided_on, p.valid_until, p.management_class,
                                    stored_code(number, dated=p.decided_on).conforms))
    return sorted(records, key=lambda r: (r.unit_name, r.kind))


# Applications and permits -----------------------------------------------------------------------


def _permit_units(user):
    return Unit.objects.filter(scopes.permit_work_units_q(user))


# The application and permit lists' statements (core.listing.Statements), kept per database, scope, filter,
# order and page; a row is the application or permit with its fixed source's unit and county, as the
# queryset's select_related reads them.
_LIST_STATEMENTS: dict[tuple, Any] = {}
_WITH_UNIT = (("fixed_source", ("unit_id",)), ("fixed_source__unit", ("name", "county_id")),
              ("fixed_source__unit__county", ("name",)))
_APPLICATION_ROWS = ModelRows(Application, _WITH_UNIT)
_PERMIT_ROWS = ModelRows(Permit, _WITH_UNIT)


def _kept_list(name: str, rows: ModelRows, queryset, *, user, status: str, q: str, columns) -> Statements:
    alias = router.db_for_read(rows.model)
    return Statements(_LIST_STATEMENTS, (name, alias, scopes.scope_key(user), filter_text(status), search_text(q)),
                      queryset, columns, fields=rows.fields, build=lambda values: rows.build(values, alias))


def application_list_rows(*, user, status: str = "", q: str = "", columns) -> Statements | QuerySet[Any]:
    """``application_list``'s rows for its page, sorted by ``columns``: read by statements kept per scope,
    filter, order and page (each an application with its unit and county, as the queryset's); a scope
    without a unit: the empty queryset, which nothing reads."""
    if scopes.permit_work_units_q(user) == scopes.NOTHING:
        return application_list(user=user, status=status, q=q)
    return _kept_list("applications", _APPLICATION_ROWS, lambda: application_list(user=user, status=status, q=q),
                      user=user, status=status, q=q, columns=columns)


def permit_list_rows(*, user, status: str = "", q: str = "", columns) -> Statements | QuerySet[Any]:
    """``permit_list``'s rows for its page, as ``application_list_rows``."""
    if scopes.permit_work_units_q(user) == scopes.NOTHING:
        return permit_list(user=user, status=status, q=q)
    return _kept_list("permits", _PERMIT_ROWS, lambda: permit_list(user=user, status=status, q=q),
                      user=user, status=status, q=q, columns=columns)


def application_list(*, user, status: str = "", q: str = ""):
    if scopes.permit_work_units_q(user) == scopes.NOTHING:  # no unit: nothing to build, compile or read
        return Application.objects.none()
    qs = Application.objects.filter(fixed_source__unit__in=_permit_units(user)).select_related(
        "fixed_source__unit__county")
    status, q = filter_text(status), search_text(q)
    if status == "open":
        qs = qs.filter(status__in=["submitted", "accepted", "notice", "approved"])
    elif status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(fixed_source__unit__name__icontains=q) | Q(fixed_source__unit__uscc__istartswith=q.upper()))
    return qs.exclude(status="superseded")


def permit_list(*, user, status: str = "", q: str = "") -> QuerySet[Any]:
    """The permits of the units whose permit work the user may read (as ``permit_get``), by status
    and by the unit's name, credit code or the permit's number."""
    if scopes.permit_work_units_q(user) == scopes.NOTHING:  # no unit: nothing to build, compile or read
        return Permit.objects.none()
    qs = Permit.objects.filter(fixed_source__unit__in=_permit_units(user)).select_related(
        "fixed_source__unit__county")
    status, q = filter_text(status), search_text(q)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(fixed_source__unit__name__icontains=q) | Q(fixed_source__unit__uscc__istartswith=q.upper())
                       | Q(number__istartswith=q))
    return qs


def application_get(*, user, pk):
    from zhengtong.permits.models import Application

    qs = Application.objects.filter(fixed_source__unit__in=_permit_units(user)).select_related(
        "fixed_source__unit__county", "renews", "previous")
    return get_or_404(qs, pk)


def permit_get(*, user, pk):
    from zhengtong.permits.models import Permit

    qs = Permit.objects.filter(fixed_source__unit__in=_permit_units(user)).select_related(
        "fixed_source__unit__county", "application", "issued_by")
    return get_or_404(qs, pk)


def permit_work_unit_get(*, user, pk) -> Unit:
    """A unit whose applications the user may read (scopes.permit_work_units_q), else 404."""
    return get_or_404(_permit_units(user), pk)


def permit_public_get(*, user, pk):
    """A permit as the public sees it (number, class, validity, limits, certificate), for whoever
    sees its unit: a unit's permits are public (scopes). Its reports and history are the permit
    work's (``works_on_unit``); its changes go through permit_get."""
    from zhengtong.permits.models import Permit

    qs = Permit.objects.filter(fixed_source__unit__in=Unit.objects.filter(scopes.units_q(user)))
    return get_or_404(qs.select_related("fixed_source__unit__county", "application", "issued_by"), pk)


def works_on_unit(*, user, unit: Unit) -> bool:
    """The user reads the unit's permit work (applications, documents, reports, cases):
    ``scopes.permit_work_units_q``."""
    return _permit_units(user).filter(pk=unit.pk).exists()


def unit_permits(unit: Unit):
    from zhengtong.permits.models import Permit

    return Permit.objects.filter(fixed_source__unit=unit)


def unit_applications(unit: Unit):
    from zhengtong.permits.models import Application

    return Application.objects.filter(fixed_source__unit=unit).exclude(status="superseded")


def application_clock(application, today, *, calendar=None, paused=None) -> dict[str, Any] | None:
    """The statutory clock the application is on now, as a page shows it. ``calendar``, ``paused``:
    read already for a list of them (``application_clocks``)."""
    from zhengtong.permits import law, workflow

    if application.status == "submitted":
        kind = "acceptance_notice"
        limit = law.acceptance_notice_limit(application.received_on)
        state = workflow.acceptance_clock(application, today, calendar)
        label = _("Notice of missing materials")
    elif application.status == "approved" and application.decided_on:
        kind = "certificate"
        limit = law.certificate_limit()
        state = workflow.certificate_clock(application, today, calendar)
        label = _("Certificate")
    elif application.status in ("accepted", "notice", "issued", "refused"):
        if application.accepted_on is None:
            return None
        kind = "decision"
        limit = workflow.decision_limit(application)
        state = workflow.decision_clock(application, today, calendar, paused)
        label = _("Decision")
    else:
        return None
    overdue_days = 0
    if state.overdue:  # by how many days of the clock's own basis, to today or to the decision
        from zhengtong.core import workdays
        from zhengtong.core.holidays import city_calendar

        end = application.decided_on if state.stopped and application.decided_on else today
        overdue_days = max(workdays.days_between(state.due, end, state.basis,
                                                 calendar if calendar is not None else city_calendar()), 0)
    return {
        "kind": kind, "label": label, "state": state, "status": state.status(), "article": limit.article,
        "overdue_days": overdue_days,
        "limit_confirmed": limit.confirmed, "basis": state.basis,
        "basis_label": _("working days") if state.basis == "working" else _("calendar days"),
    }


def attachment_checklist(application) -> list[dict[str, Any]]:
    """The documents asked for with this application, each with those attached for it: first those
    条例 Art. 8 names for its class (in the text's words, permits.law), then the city's
    (models.AttachmentRequirement), marked as the city's. ``present``: at least one attached."""
    from zhengtong.permits import law, workflow

    documents = list(application.documents.all())
    items: list[dict[str, Any]] = [
        {"key": d.key, "text": d.text, "source": d.article, "city": False, "required": False, "note": ""}
        for d in law.APPLICATION_DOCUMENTS if d.management_class in ("", application.management_class)]
    items += [{"key": f"city-{r.pk}", "text": r.name, "source": _("asked for by the city"), "city": True,
               "required": r.required, "note": r.note} for r in workflow.city_attachments(application)]
    for item in items:
        item["documents"] = [d for d in documents if d.item == item["key"]]
        item["present"] = bool(item["documents"])
    return items


def application_clocks(applications, today) -> list[dict[str, Any] | None]:
    """``application_clock`` of each application (a page of them, the reviewer's queue), with one read
    of the city's calendar and one of the applications' pauses instead of one of each per row."""
    from zhengtong.core.holidays import city_calendar
    from zhengtong.permits import workflow

    applications = list(applications)
    if not applications:  # an empty page reads neither the calendar nor any pause
        return []
    calendar = city_calendar()
    paused = workflow.pauses_of(applications)
    return [application_clock(a, today, calendar=calendar, paused=paused[a.pk]) for a in applications]


# Reports and enforcement -------------------------------------------------------------------------


def report_get(*, user, pk):
    from zhengtong.permits.models import ComplianceReport

    qs = ComplianceReport.objects.filter(permit__fixed_source__unit__in=_permit_units(user)).select_related(
        "permit__fixed_source__unit", "submitted_by")
    return get_or_404(qs, pk)


def case_list(*, user, status: str = "", kind: str = "", county: Any = None, basis: str = "", assignee: str = ""):
    """The enforcement cases of the units whose permit work the user may read. A permit reviewer who
    is no head sees the cases assigned to them and those not yet assigned; heads, county officers,
    the unit's clerk and the city administrator see all of theirs. Filters: status, violation,
    county (id), legal basis (key), assignee ("me", "none" or a user id)."""
    from zhengtong.permits.models import EnforcementCase

    qs = EnforcementCase.objects.filter(unit__in=_permit_units(user)).select_related(
        "unit__county", "assignee")
    s = scopes.get_scope(user)
    if (s.review_regions or s.review_city) and not (s.is_city or s.is_head or s.counties or s.clerk_units):
        qs = qs.filter(Q(assignee=None) | Q(assignee=user))
    if status := filter_text(status):
        qs = qs.filter(status=status)
    if kind := filter_text(kind):
        qs = qs.filter(kind=kind)
    if (county_id := valid_id(county)) is not None:
        qs = qs.filter(unit__county_id=county_id)
    if basis := filter_text(basis):
        qs = qs.filter(basis=basis)
    assignee = filter_text(assignee)
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee=None)
    elif (assignee_id := valid_id(assignee)) is not None:
        qs = qs.filter(assignee_id=assignee_id)
    return qs


def case_documents(*, case):
    """The decision documents issued for a case the user sees (``case_get``), oldest first, without
    their bytes."""
    return case.documents.defer("pdf").select_related("issued_by").order_by("issued_at", "id")


def case_document_get(*, user, case_pk, pk):
    case = case_get(user=user, pk=case_pk)
    return get_or_404(case.documents.all(), pk)


def case_get(*, user, pk):

    return get_or_404(case_list(user=user), pk)


def permit_statistics(*, user) -> dict[str, Any]:
    """Valid permits by class and county, valid registrations by county, permits and
    registrations by industry division, and permits decided per year."""
    from django.db.models.functions import ExtractYear

    from zhengtong.permits.models import Permit, Registration

    units = Unit.objects.filter(scopes.units_q(user))
    permits = Permit.objects.filter(fixed_source__unit__in=units)
    valid = permits.filter(status="valid")
    registrations = Registration.objects.filter(fixed_source__unit__in=units, status="valid")
    counties: dict[str, dict[str, int]] = {}
    for name, cls, n in valid.values_list("fixed_source__unit__county__name", "management_class").annotate(
            n=Count("pk")):
        counties.setdefault(name, {})[cls] = n
    for name, n in registrations.values_list("fixed_source__unit__county__name").annotate(n=Count("pk")):
        counties.setdefault(name, {})["registration"] = n
    divisions = {i.code: i.name for i in Industry.objects.filter(level=Industry.Level.DIVISION)}
    by_division: dict[str, dict[str, int]] = {}
    for code, cls, n in valid.values_list("fixed_source__unit__industry__code", "management_class").annotate(
            n=Count("pk")):
        row = by_division.setdefault(code[:2], {})
        row[cls] = row.get(cls, 0) + n
    for code, n in registrations.values_list("fixed_source__unit__industry__code").annotate(n=Count("pk")):
        row = by_division.setdefault(code[:2], {})
        row["registration"] = row.get("registration", 0) + n
    first = permits.filter(application__kind="first").annotate(year=ExtractYear("decided_on"))
    return {
        "by_county": sorted((name, row.get("key", 0), row.get("simplified", 0), row.get("registration", 0))
                            for name, row in counties.items()),
        "by_division": [(code, divisions.get(code, ""), row.get("key", 0), row.get("simplified", 0),
                         row.get("registration", 0)) for code, row in sorted(by_division.items())],
        "first_by_year": list(first.values_list("year").annotate(n=Count("pk")).order_by("year")),
        "valid": valid.count(), "registrations": registrations.count(),
    }


def todo(*, user, today: date) -> list[Todo]:
    """The permit to-dos on the home page: the reviewer's queue and overdue clocks; the clerk's
    class, deadline, reminders and missing reports."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from zhengtong.permits import compliance
    from zhengtong.permits.models import Reminder

    items: list[Todo] = []
    if scopes.can_review_permits(user):
        waiting = list(application_list(user=user, status="open").filter(
            fixed_source__unit__in=Unit.objects.filter(scopes.permit_review_units_q(user))))
        overdue = sum(1 for c in application_clocks(waiting, today) if c and c["state"].overdue)
        if waiting:
            items.append(Todo(text=ngettext("%(n)d permit application waits for a decision (%(o)d overdue).",
                                            "%(n)d permit applications wait for a decision (%(o)d overdue).",
                                            len(waiting)) % {"n": len(waiting), "o": overdue},
                              url=reverse("permits:applications"), urgent=overdue > 0))
    for unit in Unit.objects.filter(pk__in=scopes.own_unit_ids(user)):
        several = Classification.objects.filter(unit=unit).exclude(source=1).exists()
        for classification in Classification.objects.filter(
                unit=unit, management_class__in=NEEDS_FILING).filter(uncovered_sources()).order_by("source"):
            if classification.management_class == "registration":
                text = _("%(unit)s: registration class — file the registration form.")
            else:
                text = _("%(unit)s: %(cls)s — apply for a permit.")
            name, url = unit.name, reverse("permits:unit", args=[unit.pk])
            if several:  # the location it is about, and its page
                name += " · " + _("fixed source %(n)s") % {"n": f"{classification.source:03d}"}
                url += f"?source={classification.source}" if classification.source != 1 else ""
            items.append(Todo(text=text % {"unit": name, "cls": classification.get_management_class_display()},
                              url=url, urgent=True))
        for reminder in Reminder.objects.filter(unit=unit, read_at__isnull=True)[:3]:
            items.append(Todo(text=reminder.message, url=reverse("permits:unit", args=[unit.pk])))
        for permit in unit_permits(unit).filter(status="valid"):
            missing = [r for r in compliance.expected_reports(permit, today) if r["missing"]]
            if missing:
                items.append(Todo(text=ngettext("%(n)d compliance report missing for permit %(p)s.",
                                                "%(n)d compliance reports missing for permit %(p)s.",
                                                len(missing)) % {"n": len(missing), "p": permit.number},
                                  url=reverse("permits:permit", args=[permit.pk]), urgent=True))
    return items


def figures(*, user, now: datetime) -> list[Figure]:
    """The home page shows no permit figures: the permit overview (classification) carries them."""
    return []
