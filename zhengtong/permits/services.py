"""Every write of the permits app. Each service validates all of its input, checks the caller's
scope through accounts.scopes, writes in one transaction and records who made the change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core import audit
from zhengtong.core.bulk import insert_rows
from zhengtong.core.cleaners import clean_decimal, clean_note, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.permits.catalogue import Fact, load_catalogue
from zhengtong.permits.classification import ClassificationInputError, Result, classify, line_key
from zhengtong.permits.models import (
    Classification,
    FixedSource,
    ManagementClass,
    ReadingDecision,
    Registration,
    UnitFacts,
)
from zhengtong.permits.quantities import parse_day
from zhengtong.registry.models import Unit

TRUE_WORDS = {"1", "true", "yes", "on", "是", "有", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "否", "无", "n"}


# Facts -----------------------------------------------------------------------------------


def _fact_value(errors: FieldErrors, fact: Fact, raw: Any) -> Any:
    """One declared fact, checked against its definition in the rules file; None = not given."""
    if raw is None or raw == "" or raw == []:
        return None
    if fact.type == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        errors.add(fact.key, _("Answer yes or no."))
        return None
    if fact.type == "number":
        value = clean_decimal(errors, fact.key, raw)
        if value is None:
            return None
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(raw, str):
        values = [raw]
    elif isinstance(raw, list | tuple | set) and all(isinstance(v, str) for v in raw):
        values = list(raw)
    else:
        errors.add(fact.key, _("Choose one or more of the choices."))
        return None
    known = {c[0] for c in fact.choices}
    unknown = [v for v in values if v not in known]
    if unknown:
        errors.add(fact.key, _("“%(v)s” is not one of the choices.") % {"v": ", ".join(map(str, unknown))})
        return None
    return sorted(set(values))


def _date_value(errors: FieldErrors, key: str, raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    day = parse_day(raw if isinstance(raw, date) else str(raw).strip())
    if day is None or not 1900 <= day.year <= 2100:
        errors.add(key, _("Enter a date as YYYY-MM-DD."))
        return None
    return day.isoformat()


def _number_value(errors: FieldErrors, key: str, raw: Any) -> int | float | None:
    value = clean_decimal(errors, key, raw)
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


SUB_EIA, SUB_UNIT = "eia", "unit"
OUTPUT_UNITS = ("t/h", "MW")


def _sub_key(key: str, facts: dict[str, Fact]) -> tuple[Fact, str] | None:
    """``fact__2023`` / ``fact__eia`` (a note 2 quantity's year or EIA figure) and ``fact__unit`` (t/h
    or MW): the fact and the part; None when ``key`` names no such part."""
    base, sep, part = key.partition("__")
    fact = facts.get(base)
    if not sep or fact is None:
        return None
    if fact.note2 and (part == SUB_EIA or (len(part) == 4 and part.isdigit())):
        return fact, part
    if fact.pairs and part == SUB_UNIT:
        return fact, part
    return None


def clean_facts(data: dict[str, Any]) -> dict[str, Any]:
    """Validate declared facts against the catalogue's fact definitions; raise naming each field.

    A value is checked against its fact's type. A note 2 quantity (catalogue 表注2) is one figure
    (as declared before the years were asked) or its parts, each its own key: ``fact__2023`` a
    year's quantity, ``fact__eia`` the approved EIA document's figure; a boiler output is in t/h,
    or in MW with ``fact__unit`` = ``MW``. Parts come back under their own keys (None: cleared)."""
    facts = load_catalogue().facts
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    for key, raw in data.items():
        fact = facts.get(key)
        if fact is None:
            part = _sub_key(key, facts)
            if part is None:
                errors.add(key, _("Not a fact the catalogue asks about."))
            elif part[1] == SUB_UNIT:
                if raw not in ("", None, *OUTPUT_UNITS):
                    errors.add(key, _("Choose t/h or MW."))
                else:
                    cleaned[key] = raw or None
            else:
                cleaned[key] = _number_value(errors, key, raw)
                if part[1] != SUB_EIA and not 1990 <= int(part[1]) <= 2100:
                    errors.add(key, _("Not a year the catalogue can count."))
            continue
        if fact.type == "date":
            value = _date_value(errors, key, raw)
        elif fact.note2 and isinstance(raw, dict):
            errors.add(key, _("Give each year as its own field."))
            continue
        else:
            value = _fact_value(errors, fact, raw)
        if value is not None:
            cleaned[key] = value
    errors.raise_if_any()
    return cleaned


def merge_facts(facts: dict[str, Any], data: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """The declared facts with ``data`` applied (``cleaned`` its clean values): a key given empty is
    cleared; a part (``fact__2023``, ``fact__eia``, ``fact__unit``) updates its fact's entry, which
    becomes ``{"years": {...}, "eia": ...}`` or ``{"value": ..., "unit": "MW"}``; a note 2 quantity
    given as one figure replaces its years (and the years replace a figure given alone)."""
    catalogue_facts = load_catalogue().facts
    for key in data:
        if "__" not in key or key in catalogue_facts:
            facts.pop(key, None)
            if key in cleaned:
                facts[key] = cleaned[key]
    for key in data:
        if "__" in key and key not in catalogue_facts:
            base, _sep, part = key.partition("__")
            value = cleaned.get(key)
            current = facts.get(base)
            if part == SUB_UNIT:
                number = current.get("value") if isinstance(current, dict) else current
                if number is None:
                    continue
                facts[base] = {"value": number, "unit": "MW"} if value == "MW" else number
                continue
            entry = dict(current) if isinstance(current, dict) else {}
            years = dict(entry.get("years") or {})
            if part == SUB_EIA:
                entry.pop("eia", None)
                if value is not None:
                    entry["eia"] = value
            else:
                years.pop(part, None)
                if value is not None:
                    years[part] = value
            entry.pop("years", None)
            if years:
                entry["years"] = dict(sorted(years.items()))
            if entry:
                facts[base] = entry
            elif isinstance(current, dict):
                facts.pop(base, None)
    return facts


def line_codes_asking(codes: list[str], key: str) -> list[str]:
    """Which of a unit's industry lines (codes) have a catalogue row that asks the fact ``key``."""
    catalogue = load_catalogue()
    base = key.partition("__")[0]
    return [code for code in codes if base in catalogue.asked(code)]


def facts_by_line(codes: list[str], flat: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """One set of facts split as a unit declares them: the whole unit's, and each line's own facts
    under every code whose rows ask them (the demo and the benchmark declare this way)."""
    catalogue = load_catalogue()
    lines: dict[str, dict[str, Any]] = {}
    for code in codes:
        asked = set(catalogue.asked(code))
        own = {k: v for k, v in flat.items() if catalogue.is_line_fact(k) and k.partition("__")[0] in asked}
        if own:
            lines[code] = own
    return {k: v for k, v in flat.items() if not catalogue.is_line_fact(k)}, lines


def route_facts(codes: list[str], data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], str]]:
    """Split declared ``data`` into the whole unit's facts (under "") and each industry line's (under
    its code). A line's fact is keyed ``code:key`` (``1511:has_fermentation``, its parts
    ``1511:fact__2023``); given without a code it goes to the one line that asks it (or to the
    unit's only line), and is refused where several lines ask it. The whole unit's facts (the
    rules file's ``unit_facts``) are given without a code. Raises naming each key. Returns the parts
    and, for each (code, key) routed, the key as it was given (errors name it so)."""
    catalogue = load_catalogue()
    errors = FieldErrors()
    routed: dict[str, dict[str, Any]] = {"": {}}
    given: dict[tuple[str, str], str] = {}
    for key, value in data.items():
        code, sep, rest = key.rpartition(":")
        if not sep:
            rest = key
        base = rest.partition("__")[0]
        if code:
            if code not in codes:
                errors.add(key, _("%(code)s is not one of the unit's industries (%(codes)s).")
                           % {"code": code, "codes": ", ".join(codes)})
                continue
            if base in catalogue.unit_wide:
                errors.add(key, _("This fact is declared once for the whole unit, not per industry line."))
                continue
            routed.setdefault(code, {})[rest] = value
            given[code, rest] = key
        elif catalogue.is_line_fact(rest):
            asking = line_codes_asking(codes, rest)
            if len(codes) == 1:
                asking = codes
            if len(asking) == 1:
                routed.setdefault(asking[0], {})[rest] = value
                given[asking[0], rest] = key
            elif not asking:
                errors.add(key, _("None of the unit's industries (%(codes)s) is asked this fact by the catalogue.")
                           % {"codes": ", ".join(codes)})
            else:
                errors.add(key, _("Several of the unit's industry lines are asked this fact (%(codes)s): declare it "
                                  "for each line, as %(example)s.")
                           % {"codes": ", ".join(asking), "example": line_key(asking[0], rest)})
        else:
            routed[""][rest] = value
            given["", rest] = key
    errors.raise_if_any()
    return routed, given


def _clean_routed(routed: dict[str, dict[str, Any]], given: dict[tuple[str, str], str]) -> dict[str, dict[str, Any]]:
    """clean_facts for each part of ``route_facts``' result, errors named by the keys as given."""
    errors = FieldErrors()
    cleaned: dict[str, dict[str, Any]] = {}
    for code, data in routed.items():
        try:
            cleaned[code] = clean_facts(data)
        except DomainError as e:
            for key, messages in e.errors.items():
                for message in messages:
                    errors.add(given.get((code, key), line_key(code, key) if code else key), message)
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def unit_facts_save(*, user, unit: Unit, data: dict[str, Any], replace: bool = False,
                    source: int | None = None) -> UnitFacts:
    """Record what the unit declares about one of its fixed sources (``source``: its sequence
    number; default 1, the first), then classify that source again.

    ``data`` maps fact keys (or a fact's part, see clean_facts) to values; an industry line's own
    facts are keyed ``code:key`` (see route_facts); an empty value clears it. With ``replace`` the
    declared facts are exactly ``data``; otherwise ``data`` updates the facts already given. Facts
    of a line the source no longer has are kept (its history) and read by no row."""
    if not scopes.can_declare_for_unit(user, unit):
        raise PermissionDenied
    source = source_number(unit, source)
    routed, given = route_facts(source_industry_codes(unit, source), data)
    cleaned = _clean_routed(routed, given)
    record = (UnitFacts.objects.select_for_update().filter(unit=unit, source=source).first()
              or UnitFacts(unit=unit, source=source))
    facts = merge_facts({} if replace else dict(record.facts), routed[""], cleaned[""])
    lines = {} if replace else {code: dict(own) for code, own in record.lines.items()}
    for code, part in routed.items():
        if code:
            lines[code] = merge_facts(lines.get(code, {}), part, cleaned[code])
    lines = {code: own for code, own in lines.items() if own}
    if facts != record.facts or lines != record.lines or record.pk is None:
        record.facts, record.lines = facts, lines
        audit.record(record, user)
        record.save()
    source_classify(unit=unit, source=source)
    return record


def declared_facts(unit_id: int, source: int = 1) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """What a unit declared of one fixed source: the whole source's facts, and each industry line's
    by code."""
    found = UnitFacts.objects.filter(unit_id=unit_id, source=source).values_list("facts", "lines").first()
    return (found[0] or {}, found[1] or {}) if found else ({}, {})


# Classification --------------------------------------------------------------------------


def unit_industry_codes(unit: Unit) -> list[str]:
    return [unit.industry.code, *sorted(i.code for i in unit.other_industries.all())]


def source_industry_codes(unit: Unit, source: int = 1) -> list[str]:
    """The industry lines at one fixed source: those the source names (``FixedSource.industry_codes``)
    that are still the unit's, in the unit's order; all the unit's where it names none (a unit at one
    location) or none of them is the unit's any more."""
    codes = unit_industry_codes(unit)
    named = FixedSource.objects.filter(unit=unit, sequence=source).values_list("industry_codes", flat=True).first()
    here = [code for code in codes if code in (named or ())]
    return here or codes


def unit_sources(unit_id: int) -> list[int]:
    """The sequence numbers of a unit's fixed sources: 1 always (the unit's first location, numbered
    or not yet), then those numbered, and any with declared facts."""
    numbers = {1, *FixedSource.objects.filter(unit_id=unit_id).values_list("sequence", flat=True),
               *UnitFacts.objects.filter(unit_id=unit_id).values_list("source", flat=True)}
    return sorted(numbers)


def source_number(unit: Unit, source: int | str | None) -> int:
    """A fixed source of the unit by its sequence number (None: 1), refused by field when the unit
    has no such source."""
    if source in (None, ""):
        return 1
    try:
        number = int(str(source))
    except ValueError:
        number = 0
    if number != 1 and not FixedSource.objects.filter(unit=unit, sequence=number).exists():
        raise DomainError(_("The unit has no fixed source %(n)s.") % {"n": source}, field="fixed_source")
    return number


_RESULT_FIELDS = ("unit_id", "source", "management_class", "scope", "deciding_row", "at_least", "missing", "notes",
                  "open_readings", "catalogue_version", "classified_at")


def _result_values(unit_id: int, source: int, result: Result, now, version: str) -> tuple:
    """A result as the values of a Classification row (``_RESULT_FIELDS``)."""
    deciding = result.deciding
    return (unit_id, source, result.management_class, result.scope, deciding.row if deciding else None,
            result.at_least or "", list(result.missing), list(result.notes), [p.as_dict() for p in result.open],
            version, now)


def unit_decisions(unit_id: int, source: int = 1) -> dict[str, str]:
    """The reviewers' decisions on a fixed source's open readings, by open point (classification.OpenPoint.key)."""
    return dict(ReadingDecision.objects.filter(unit_id=unit_id, source=source).values_list("key", "choice"))


def source_result(unit: Unit, source: int = 1, as_of: date | None = None) -> Result:
    """The catalogue's reading of one fixed source: its industry lines, its declared facts and the
    reviewers' decisions on it, on the day ``as_of`` (default today)."""
    facts, lines = declared_facts(unit.pk, source)
    try:
        return classify(source_industry_codes(unit, source), facts, decisions=unit_decisions(unit.pk, source),
                        as_of=as_of or timezone.localdate(), lines=lines)
    except ClassificationInputError as e:
        raise DomainError(_("The unit's industry code %(code)s is not in GB/T 4754-2017.") % {"code": e.code},
                          field="industry") from e


def source_classify(*, unit: Unit, source: int = 1) -> Classification:
    """Classify one fixed source of a unit (catalogue Arts. 3, 5–7), with the reviewers' decisions
    where the text leaves it open."""
    result = source_result(unit, source)
    row = Classification(**dict(zip(_RESULT_FIELDS, _result_values(unit.pk, source, result, timezone.now(),
                                                                   load_catalogue().version), strict=True)))
    row.pk = Classification.objects.filter(unit=unit, source=source).values_list("pk", flat=True).first()
    row.save()
    return row


def unit_classify(*, unit: Unit) -> Classification:
    """Classify each of the unit's fixed sources (``unit_sources``; after its industries change);
    returns the first source's class (that of a unit at one location)."""
    return [source_classify(unit=unit, source=n) for n in unit_sources(unit.pk)][0]


def source_classification(unit: Unit, source: int = 1) -> Classification:
    """A fixed source's stored class, worked out now where it has none yet."""
    return (Classification.objects.filter(unit=unit, source=source).first()
            or source_classify(unit=unit, source=source))


def classification_results(units: Iterable[tuple[tuple[int, int], list[str], dict, dict]],
                           decisions: dict[tuple[int, int], dict[str, str]] | None = None,
                           as_of: date | None = None) -> Iterable[tuple[tuple[int, int], Result]]:
    """Classify ((unit id, source), industry codes, facts, facts per line) tuples, with the reviewers'
    decisions by (unit, source), on the classification day ``as_of`` (catalogue note 2; default
    today); the pure loop the benchmark times."""
    catalogue = load_catalogue()
    decisions = decisions or {}
    as_of = as_of or timezone.localdate()
    for key, codes, facts, lines in units:
        yield key, classify(codes, facts, catalogue, decisions.get(key), as_of, lines)


def _registry_rows(units: QuerySet[Unit] | list[int] | None) -> list[tuple[tuple[int, int], list[str], dict, dict]]:
    """Each fixed source's ((unit id, source), industry codes, facts, facts per line) for every unit of
    ``units`` (a queryset, ids, or all), in four queries: source 1 of every unit, and each other
    source numbered or declared (``unit_sources``, ``source_industry_codes``)."""
    if units is None:
        units = Unit.objects.all()
    elif not isinstance(units, QuerySet):
        units = Unit.objects.filter(pk__in=units)
    codes = {pk: [code] for pk, code in units.values_list("pk", "industry__code").iterator(chunk_size=10_000)}
    others = Unit.other_industries.through.objects.values_list("unit_id", "industry__code")
    for unit_id, code in others.iterator(chunk_size=10_000):
        if unit_id in codes:
            codes[unit_id].append(code)
    for unit_codes in codes.values():
        unit_codes[1:] = sorted(unit_codes[1:])
    declared = {(unit_id, source): (facts, lines) for unit_id, source, facts, lines
                in UnitFacts.objects.values_list("unit_id", "source", "facts", "lines").iterator(chunk_size=10_000)}
    named: dict[tuple[int, int], list[str]] = {
        (unit_id, sequence): list(here or ()) for unit_id, sequence, here
        in FixedSource.objects.values_list("unit_id", "sequence", "industry_codes").iterator(chunk_size=10_000)}
    sources = sorted({*((pk, 1) for pk in codes), *(k for k in declared if k[0] in codes),
                      *(k for k in named if k[0] in codes)})
    none: tuple[dict, dict] = ({}, {})
    rows = []
    for key in sources:
        unit_codes = codes[key[0]]
        here = [code for code in unit_codes if code in named.get(key, ())]
        rows.append((key, here or unit_codes, *declared.get(key, none)))
    return rows


def units_classify(*, user, batch_size: int = 5_000) -> dict[str, int]:
    """Classify every fixed source of every unit the user may review, in one action; returns the
    counts by class (of fixed sources).

    Only results that differ from the stored ones are written, in batches, each batch in its own
    transaction, so a crash midway leaves every source with either its old class or its new one."""
    if not (scopes.can_review_permits(user) or scopes.is_city_admin(user)):
        raise PermissionDenied
    scope = scopes.permit_review_units_q(user)
    units = Unit.objects.filter(scope)
    stored_qs = Classification.objects.all() if not scope else Classification.objects.filter(unit__in=units)
    stored = {(row[0], row[1]): row for row in stored_qs.values_list(*_RESULT_FIELDS[:-1]).iterator(chunk_size=10_000)}
    decisions: dict[tuple[int, int], dict[str, str]] = {}
    for unit_id, source, key, choice in ReadingDecision.objects.values_list("unit_id", "source", "key", "choice"):
        decisions.setdefault((unit_id, source), {})[key] = choice
    now = timezone.now()
    version = load_catalogue().version
    counts: Counter[str] = Counter()
    rows: list[tuple] = []
    replaced: list[tuple[int, int]] = []
    for (unit_id, source), result in classification_results(_registry_rows(units), decisions, timezone.localdate()):
        counts[result.management_class] += 1
        values = _result_values(unit_id, source, result, now, version)
        before = stored.get((unit_id, source))
        if before == values[:-1]:  # the same result (all but the time): nothing to write
            continue
        if before is not None:
            replaced.append((unit_id, source))
        rows.append(values)
        if len(rows) >= batch_size:
            _write_classifications(rows, replaced)
            rows, replaced = [], []
    _write_classifications(rows, replaced)
    return dict(counts)


@transaction.atomic
def _write_classifications(rows: list[tuple], replaced: list[tuple[int, int]]) -> None:
    """Write a batch of results: the stored results of ``replaced`` (unit id, source) go, the new ones
    come in (COPY on PostgreSQL: core.bulk)."""
    if replaced:
        by_source: dict[int, list[int]] = {}
        for unit_id, source in replaced:
            by_source.setdefault(source, []).append(unit_id)
        for source, unit_ids in by_source.items():
            Classification.objects.filter(source=source, unit_id__in=unit_ids).delete()
    insert_rows(Classification, _RESULT_FIELDS, rows)


# Open readings ---------------------------------------------------------------------------


def needs_review_message() -> str:
    return _("The catalogue's text leaves this unit's class open: a permit reviewer decides the reading first.")


@transaction.atomic
def reading_decide(*, user, unit: Unit, key: str, choice: str, reason: str,
                   source: int | None = None) -> ReadingDecision:
    """Record a permit reviewer's decision on one of a fixed source's open readings (a place where
    the catalogue's text does not settle the class, quoted in the rules file's ``[readings]``), with
    its reason, then classify the source again with it. Deciding the same point again replaces the
    decision; the earlier one is kept in the decision's history."""
    if not scopes.can_review_permits(user, unit):
        raise PermissionDenied
    errors = FieldErrors()
    if choice not in ReadingDecision.Choice.values:
        errors.add("choice", _("Choose one of the two readings."))
    reason = clean_text(errors, {"reason": reason}, "reason", required=True, max_length=2000)
    errors.raise_if_any()
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    source = source_number(unit, source)
    point = next((p for p in source_result(unit, source).open if p.key == key), None)
    if point is None:
        raise DomainError(_("The unit's facts have changed since the page was shown: this reading is no longer "
                            "open as it was. Look at the unit again."), field="key", status=409)
    decision = ReadingDecision.objects.filter(unit=unit, source=source, key=key).first() or ReadingDecision(
        unit=unit, source=source, key=key, reading=point.reading)
    decision.choice, decision.reason = choice, reason
    decision.decided_by, decision.decided_at = user, timezone.now()
    audit.record(decision, user, reason)
    decision.save()
    source_classify(unit=unit, source=source)
    return decision


# Fixed sources and registrations ---------------------------------------------------------

REGISTRATION_TEXT_FIELDS = {
    "address": 200, "legal_representative": 50, "contact_name": 50, "contact_phone": 30,
    "discharge_destinations": 2000, "standards": 2000, "control_measures": 2000,
}


def fixed_source_for(*, unit: Unit, sequence: int | None = None) -> FixedSource:
    """The unit's fixed source with this sequence number, or its first (001, made when the unit
    has none). HJ 608-2017: the code is the USCC + a 3-digit sequence per source."""
    if sequence is None:
        return FixedSource.objects.filter(unit=unit).order_by("sequence").first() or \
            FixedSource.objects.create(unit=unit, sequence=1, address=unit.address)
    source = FixedSource.objects.filter(unit=unit, sequence=sequence).first()
    if source is None and sequence == 1:  # the unit's first location, numbered when it first files
        source = FixedSource.objects.create(unit=unit, sequence=1, address=unit.address)
    if source is None:
        raise DomainError(_("The unit has no fixed source %(n)03d.") % {"n": sequence}, field="fixed_source")
    return source


def _clean_source_codes(unit: Unit, codes: Any) -> list[str]:
    """The industry lines named for a fixed source: each one of the unit's industries, at least one."""
    if isinstance(codes, str):
        codes = codes.replace("，", ",").replace(",", " ").split()
    given = [str(c).strip() for c in codes or () if str(c).strip()]
    unit_codes = unit_industry_codes(unit)
    errors = FieldErrors()
    for code in given:
        if code not in unit_codes:
            errors.add("industry_codes", _("%(code)s is not one of the unit's industries (%(codes)s).")
                       % {"code": code, "codes": ", ".join(unit_codes)})
    if not given:
        errors.add("industry_codes", _("Name at least one of the unit's industries carried on at this location."))
    errors.raise_if_any()
    return [code for code in unit_codes if code in given]


@transaction.atomic
def fixed_source_add(*, user, unit: Unit, address: str, site=None, industry_codes: Any = None) -> FixedSource:
    """Another location of the unit's facilities: the next sequence number, with the industry lines
    carried on there (``industry_codes``, each one of the unit's; default all of them). The new
    source is classified at once; its facts are declared on their own (none are copied: another
    location has its own equipment)."""
    if not scopes.can_declare_for_unit(user, unit):
        raise PermissionDenied
    errors = FieldErrors()
    given, codes = address, []
    try:
        address = clean_note(given, "address", required=_("This field is required."), max_length=200)
    except DomainError as e:
        errors.errors.update(e.errors)
    try:
        codes = _clean_source_codes(unit, industry_codes) if industry_codes is not None else []
    except DomainError as e:
        errors.errors.update(e.errors)
    errors.raise_if_any()
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    if not FixedSource.objects.filter(unit=unit).exists():  # the first location is 001: the unit's own address
        FixedSource.objects.create(unit=unit, sequence=1, address=unit.address)
    last = FixedSource.objects.filter(unit=unit).order_by("-sequence").first()
    number = (last.sequence + 1) if last else 1
    if number > 999:
        raise DomainError(_("A unit has at most 999 fixed sources."), field="address")
    source = FixedSource(unit=unit, sequence=number, site=site, address=address, industry_codes=codes)
    audit.record(source, user)
    source.save()
    source_classify(unit=unit, source=number)
    return source


@transaction.atomic
def fixed_source_industries(*, user, unit: Unit, source: int, industry_codes: Any) -> FixedSource:
    """Which of the unit's industry lines are carried on at one of its locations (each one of the
    unit's, at least one), e.g. 001 once a line has moved wholly to 002; the location is classified
    again from its lines. Facts declared for a line no longer there are kept and read by no row."""
    if not scopes.can_declare_for_unit(user, unit):
        raise PermissionDenied
    codes = _clean_source_codes(unit, industry_codes)
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    record = fixed_source_for(unit=unit, sequence=source_number(unit, source))
    if record.industry_codes != codes:
        record.industry_codes = codes
        audit.record(record, user)
        record.save(update_fields=["industry_codes"])
    source_classify(unit=unit, source=record.sequence)
    return record


def _registration_class_check(unit: Unit, source: int = 1) -> Classification:
    """Only a registration-class source files a registration: filing one when a permit is required
    is itself punishable (登记指南, "擅自降低管理类别"), so the class is checked and kept."""
    classification = source_classification(unit, source)
    cls = classification.management_class
    if cls in (ManagementClass.KEY, ManagementClass.SIMPLIFIED):
        raise DomainError(
            _("This unit needs a permit (%(cls)s, catalogue row %(row)s); a registration does not replace it.")
            % {"cls": ManagementClass(cls).label, "row": classification.deciding_row},
            field="management_class", status=409)
    if cls == ManagementClass.UNDETERMINED:
        raise DomainError(_("The unit's class is not decided yet: declare the facts the catalogue needs first."),
                          field="management_class", status=409)
    if cls == ManagementClass.REVIEW:
        raise DomainError(needs_review_message(), field="management_class", status=409)
    if cls == ManagementClass.NONE:
        raise DomainError(_("The catalogue does not cover this unit: no registration is needed."),
                          field="management_class", status=409)
    return classification


def _clean_registration(data: dict[str, Any]) -> dict[str, str]:
    errors = FieldErrors()
    cleaned = {name: clean_text(errors, data, name, required=True, max_length=max_length)
               for name, max_length in REGISTRATION_TEXT_FIELDS.items()}
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def registration_file(*, user, unit: Unit, data: dict[str, Any], sequence: int | None = None) -> Registration:
    """File the registration form (catalogue Art. 2 para. 3; 条例 Art. 24): basic information, where
    pollutants go, the standards followed, the prevention measures. It is checked for
    completeness and recorded at once with its number, no review. Filing again for the same
    fixed source is a change: a new version, the earlier one kept as superseded (条例 Art. 24:
    changes are filed within 20 days)."""
    if not scopes.can_declare_for_unit(user, unit):
        raise PermissionDenied
    cleaned = _clean_registration(data)
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one filing per unit at a time
    source = fixed_source_for(unit=unit, sequence=sequence)
    classification = _registration_class_check(unit, source.sequence)
    current = Registration.objects.filter(fixed_source=source, status=Registration.Status.VALID).first()
    reason = clean_note(data.get("change_reason"), "change_reason", max_length=300)
    if current is not None and not reason:
        raise DomainError(_("This source is already registered: say what changed."), field="change_reason")
    now = timezone.now()
    if current is not None:
        current.status = Registration.Status.SUPERSEDED
        audit.record(current, user, reason)
        current.save(update_fields=["status"])
    last = Registration.objects.filter(fixed_source=source).order_by("-version").first()
    years = settings.REGISTRATION_VALID_YEARS
    today = timezone.localdate(now)
    registration = Registration(
        fixed_source=source, number=source.code(settings.REGISTRATION_SOURCE_LETTER),
        version=(last.version + 1) if last else 1, unit_name=unit.name,
        industry_codes=" ".join(source_industry_codes(unit, source.sequence)),
        management_class=classification.management_class,
        classification_snapshot={"row": classification.deciding_row, "notes": classification.notes,
                                 "classified_at": classification.classified_at.isoformat()},
        filed_at=now, filed_by=user, change_reason=reason,
        valid_until=add_years(today, years) if years else None, **cleaned,
    )
    audit.record(registration, user, reason)
    registration.save()
    return registration


def add_years(day, years: int):
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def registration_cancel(*, user, registration: Registration, reason: str) -> Registration:
    """A unit that no longer discharges (closure) cancels its registration."""
    if not scopes.can_declare_for_unit(user, registration.fixed_source.unit):
        raise PermissionDenied
    reason = clean_note(reason, "reason", required=_("Say why the registration is cancelled."), max_length=300)
    if registration.status != Registration.Status.VALID:
        raise DomainError(_("Only a valid registration can be cancelled."), field="status", status=409)
    registration.status = Registration.Status.CANCELLED
    audit.record(registration, user, reason)
    registration.save(update_fields=["status"])
    return registration
