"""Every write to the registry. Each service validates all of its input, checks the caller's
scope through accounts.scopes, writes in one transaction and records who made the change."""

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.accounts import scopes
from zhengtong.core import audit
from zhengtong.core.cleaners import clean_choice, clean_date, clean_phone, clean_text
from zhengtong.core.errors import DomainError, FieldErrors
from zhengtong.registry import ports, selectors
from zhengtong.registry.codes import CodeError, check_id_number, check_uscc, mask_id_number
from zhengtong.registry.identity import encrypt_id_number, id_number_hash
from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit

MAX_CAPACITY = 1_000_000

UNIT_FIELDS = (
    "uscc", "name", "kind", "county", "industry", "other_industries", "address",
    "legal_representative", "contact_name", "contact_phone", "status",
)
SITE_FIELDS = ("name", "kind", "county", "address", "capacity", "is_active", "visitors_without_id")


# Field checks of the registry's nouns ---------------------------------------------------


def _county(errors: FieldErrors, data: dict, name: str = "county", *, city_level: bool = False) -> Region | None:
    """The county-level division named by code or name; with ``city_level``, also the city itself
    (430400: a unit the city regulates directly)."""
    value = data.get(name)
    region: Region | None
    if isinstance(value, Region):
        region = value
    else:
        code = str(value or "").strip()
        if not code:
            errors.add(name, _("This field is required."))
            return None
        region = Region.objects.filter(code=code).first() or Region.objects.filter(name=code).first()
        if region is None:
            errors.add(name, _("“%(v)s” is not a region code (GB/T 2260) of this system.") % {"v": code})
            return None
    if city_level and region.level == Region.Level.CITY:
        return region
    if not region.is_county_level:
        errors.add(name, _("Choose a county-level division (district, county or county-level city)."))
        return None
    return region


def _industry(errors: FieldErrors, value: Any, name: str) -> Industry | None:
    industry: Industry | None
    if isinstance(value, Industry):
        industry = value
    else:
        code = str(value or "").strip()
        if not code:
            errors.add(name, _("This field is required."))
            return None
        industry = Industry.objects.filter(code=code).first()
        if industry is None and code.isdigit() and len(code) < 4:
            # A spreadsheet that stored 0111 as a number gives 111.
            industry = Industry.objects.filter(code=code.zfill(4)).first()
        if industry is None:
            errors.add(name, _("“%(v)s” is not a GB/T 4754-2017 industry code.") % {"v": code})
            return None
    if industry.level != Industry.Level.CLASS:
        errors.add(
            name,
            _("%(code)s %(name)s is a %(level)s; choose a 4-digit class.")
            % {"code": industry.code, "name": industry.name, "level": industry.get_level_display()},
        )
        return None
    return industry


MAX_OTHER_INDUSTRIES = 30  # a unit's other industries: a few; thousands would cost a look-up each


def _industries(errors: FieldErrors, values: Any, name: str) -> list[Industry]:
    if values is None or values == "":
        return []
    if isinstance(values, str):
        values = [v for v in re.split(r"[,，;；、/\s]+", values) if v]
    if not isinstance(values, list | tuple):
        values = [values]
    if len(values) > MAX_OTHER_INDUSTRIES:
        errors.add(name, _("At most %(n)d other industries (this has %(m)d).")
                   % {"n": MAX_OTHER_INDUSTRIES, "m": len(values)})
        return []
    result = []
    for value in values:
        industry = _industry(errors, value, name)
        if industry is not None and industry not in result:
            result.append(industry)
    return result


# Units -------------------------------------------------------------------------------------


def clean_unit_data(data: dict, *, instance: Unit | None = None) -> dict[str, Any]:
    """Validate every unit field at once; raise DomainError naming each bad field."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    try:
        cleaned["uscc"] = check_uscc(str(data.get("uscc") or ""))
    except CodeError as e:
        errors.add("uscc", str(e))
    cleaned["name"] = clean_text(errors, data, "name", required=True)
    cleaned["kind"] = clean_choice(errors, data, "kind", Unit.Kind, default=Unit.Kind.ENTERPRISE)
    cleaned["county"] = _county(errors, data, city_level=True)
    cleaned["industry"] = _industry(errors, data.get("industry"), "industry")
    cleaned["other_industries"] = _industries(errors, data.get("other_industries"), "other_industries")
    cleaned["address"] = clean_text(errors, data, "address")
    cleaned["legal_representative"] = clean_text(errors, data, "legal_representative", max_length=50)
    cleaned["contact_name"] = clean_text(errors, data, "contact_name", max_length=50)
    cleaned["contact_phone"] = clean_phone(errors, data, "contact_phone")
    cleaned["status"] = clean_choice(errors, data, "status", Unit.Status, default=Unit.Status.ACTIVE)
    if "uscc" in cleaned:
        clash = Unit.objects.filter(uscc=cleaned["uscc"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.add("uscc", _("A unit with this unified social credit code is already registered."))
            if len(errors.errors) == 1:
                raise DomainError(errors=errors.errors, status=409)  # a conflict, not bad input
    errors.raise_if_any()
    return cleaned


def _save_unit(unit: Unit, cleaned: dict, user, reason: str) -> Unit:
    """Save only what changed, so that saving the same values again writes no history row."""
    others = cleaned.pop("other_industries")
    changed = unit.pk is None or any(getattr(unit, k) != v for k, v in cleaned.items())
    for key, value in cleaned.items():
        setattr(unit, key, value)
    audit.record(unit, user, reason)
    try:
        with transaction.atomic():
            if changed:
                unit.save()
            if unit.pk is None or set(unit.other_industries.all()) != set(others):
                unit.other_industries.set(others)
    except IntegrityError:
        raise DomainError(
            _("A unit with this unified social credit code is already registered."), field="uscc", status=409
        ) from None
    return unit


@transaction.atomic
def unit_create(*, user, data: dict) -> Unit:
    """Register a unit. County officers register units in their own county only."""
    cleaned = clean_unit_data(data)
    if not scopes.can_create_unit(user, cleaned["county"].pk):
        raise PermissionDenied(_("You may not register units in this county."))
    return _save_unit(Unit(), cleaned, user, "create")


@transaction.atomic
def unit_update(*, user, unit: Unit, data: dict) -> Unit:
    """Change a unit. Fields absent from ``data`` keep their value; an enterprise clerk cannot
    move the unit to another county or change its code."""
    if not Unit.objects.filter(scopes.units_editable_q(user), pk=unit.pk).exists():
        raise PermissionDenied(_("You may not change this unit."))
    current = {f: getattr(unit, f) for f in UNIT_FIELDS if f != "other_industries"}
    current["other_industries"] = list(unit.other_industries.all())
    merged = {**current, **{k: v for k, v in data.items() if k in UNIT_FIELDS}}
    cleaned = clean_unit_data(merged, instance=unit)
    if not scopes.can_create_unit(user, cleaned["county"].pk):
        for field in ("county", "uscc"):
            if cleaned[field] != getattr(unit, field):
                raise DomainError(_("Only the city or the county may change a unit's county or code."), field=field)
    return _save_unit(unit, cleaned, user, "update")


# Sites -------------------------------------------------------------------------------------


def clean_site_data(data: dict) -> dict[str, Any]:
    errors = FieldErrors()
    cleaned: dict[str, Any] = {
        "name": clean_text(errors, data, "name", required=True),
        "kind": clean_choice(errors, data, "kind", Site.Kind),
        "county": _county(errors, data),
        "address": clean_text(errors, data, "address"),
    }
    capacity = data.get("capacity")
    if capacity in (None, ""):
        cleaned["capacity"] = None
    else:
        try:
            cleaned["capacity"] = int(capacity)
            if not 0 <= cleaned["capacity"] <= MAX_CAPACITY:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("capacity", _("Enter a whole number of people from 0 to %(max)d.") % {"max": MAX_CAPACITY})
    cleaned["is_active"] = bool(data.get("is_active", True))
    cleaned["visitors_without_id"] = bool(data.get("visitors_without_id", False))
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def site_create(*, user, unit: Unit, data: dict) -> Site:
    if not scopes.can_create_site(user, unit):
        raise PermissionDenied(_("You may not add sites to this unit."))
    cleaned = clean_site_data(data)
    if not scopes.can_place_site(user, unit, cleaned["county"].pk):
        raise DomainError(
            _("You may add sites only in your own county (an enterprise: in the unit's county). "
              "The city administrator places sites elsewhere."), field="county")
    if Site.objects.filter(unit=unit, name=cleaned["name"]).exists():
        raise DomainError(_("This unit already has a site of this name."), field="name", status=409)
    site = Site(unit=unit, **cleaned)
    audit.record(site, user, "create")
    site.save()
    return site


@transaction.atomic
def site_update(*, user, site: Site, data: dict) -> Site:
    if not Site.objects.filter(scopes.sites_editable_q(user), pk=site.pk).exists():
        raise PermissionDenied(_("You may not change this site."))
    current = {f: getattr(site, f) for f in SITE_FIELDS}
    cleaned = clean_site_data({**current, **{k: v for k, v in data.items() if k in SITE_FIELDS}})
    if cleaned["county"] != site.county and not scopes.can_move_sites(user):
        raise DomainError(_("Only the city administrator may move a site to another county."), field="county")
    if Site.objects.filter(unit=site.unit, name=cleaned["name"]).exclude(pk=site.pk).exists():
        raise DomainError(_("This unit already has a site of this name."), field="name", status=409)
    for key, value in cleaned.items():
        setattr(site, key, value)
    audit.record(site, user, "update")
    site.save()
    return site


# People ------------------------------------------------------------------------------------


@transaction.atomic
def person_register(*, user, site: Site, data: dict) -> Person:
    """Register a person at a site, or add the site to a person already known by ID number.

    The ID number is kept encrypted and found again by its keyed hash, so one person is one row
    however many sites they enter. A name that does not match the number's identity never tells
    the caller that the number is known elsewhere: unless the caller already sees that person, what
    was typed is registered apart, held for the city (``identity_resolve``), and the answer is the
    one a new registration gets."""
    if not Site.objects.filter(scopes.people_sites_q(user), pk=site.pk).exists():
        raise PermissionDenied(_("You may not register people at this site."))
    errors = FieldErrors()
    relation = clean_choice(errors, data, "relation", SitePerson.Relation)
    since = clean_date(errors, data, "since")
    until = clean_date(errors, data, "until")
    if since and until and until < since:
        errors.add("until", _("The end date is before the start date."))
    person = _person_identified(user, data, errors)
    membership = SitePerson.objects.filter(site=site, person=person).first()
    if _ends_inmate(membership, relation, until):  # a release, by another road: the same check
        _release_cleared(site, person, until or timezone.localdate(), "until" if until else "relation")
    if membership is None:  # the relation's history says who registered it (the site's own view shows it)
        membership = SitePerson(site=site, person=person, relation=relation, since=since, until=until)
        audit.record(membership, user, "create")
        membership.save()
    elif (membership.relation, membership.since, membership.until) != (relation, since, until):
        membership.relation, membership.since, membership.until = relation, since, until
        audit.record(membership, user, "update")
        membership.save()
    return person


def _ends_inmate(membership: SitePerson | None, relation: str, until) -> bool:
    """Whether writing (relation, until) over ``membership`` ends an inmate's relation: an end date
    set or brought forward, or an inmate who becomes something else."""
    if membership is None:
        return relation == SitePerson.Relation.INMATE and until is not None
    if membership.relation != SitePerson.Relation.INMATE:
        return False
    if relation != SitePerson.Relation.INMATE:
        return True
    return until is not None and (membership.until is None or until < membership.until)


def _release_cleared(site: Site, person: Person, day, field: str) -> None:
    """Refuse (409, naming ``field``) a release that a registered check (registry.ports: the outbreak
    app's pre-release isolation) does not clear; until a check registers, none is refused."""
    reasons = ports.release_refusals(site=site, days={person.pk: day}).get(person.pk)
    if reasons:
        raise DomainError(errors={field: [_("%(name)s may not be released on %(day)s: %(why)s")
                                          % {"name": person.name, "day": day, "why": " ".join(reasons)}]},
                          status=409)


def _inmate(user, site: Site, person: Person) -> SitePerson:
    """The person's relation to the site as an inmate, in force today and the user's to release."""
    if not Site.objects.filter(scopes.people_sites_q(user), pk=site.pk).exists() or \
            not scopes.can_release_inmates(user, site):
        raise PermissionDenied(_("You may not release inmates of this site."))
    membership = (SitePerson.objects.select_for_update()
                  .filter(SitePerson.in_force_q(timezone.localdate()), site=site, person=person,
                          relation=SitePerson.Relation.INMATE).first())
    if membership is None:
        raise DomainError(_("%(name)s is not an inmate of this site.") % {"name": person.name}, field="person",
                          status=409)
    return membership


@transaction.atomic
def inmate_release_date_set(*, user, site: Site, person: Person, data: dict) -> SitePerson:
    """Record (or correct) the day an inmate's sentence ends: the site page lists the inmates due
    within RELEASE_DUE_DAYS whose release is not cleared yet. Setting it ends nothing."""
    membership = _inmate(user, site, person)
    errors = FieldErrors()
    day = clean_date(errors, data, "release_date")
    if day is None and "release_date" not in errors.errors:
        errors.add("release_date", _("Give the day of release."))
    elif day is not None and membership.since and day < membership.since:
        errors.add("release_date", _("The release comes after the inmate's arrival (%(since)s).")
                   % {"since": membership.since})
    errors.raise_if_any()
    if membership.release_date != day:
        membership.release_date = day
        audit.record(membership, user, "release date")
        membership.save(update_fields=["release_date"])
    return membership


@transaction.atomic
def inmate_release(*, user, site: Site, person: Person, data: dict) -> SitePerson:
    """Record an inmate's release (``released_on``, default today, never in the future): the relation
    ends on that day (``until``; the gate treats them as a former member from the next day). Refused,
    naming ``released_on``, while a registered check does not clear it (registry.ports: the outbreak
    app refuses an inmate who has not completed pre-release isolation)."""
    membership = _inmate(user, site, person)
    errors = FieldErrors()
    today = timezone.localdate()
    day = clean_date(errors, data, "released_on") or today
    if day > today and "released_on" not in errors.errors:
        errors.add("released_on", _("A release is recorded on its day or after it, not in advance."))
    elif membership.since and day < membership.since:
        errors.add("released_on", _("The release comes after the inmate's arrival (%(since)s).")
                   % {"since": membership.since})
    errors.raise_if_any()
    _release_cleared(site, person, day, "released_on")
    membership.until = day
    audit.record(membership, user, "release")
    membership.save(update_fields=["until"])
    return membership


@transaction.atomic
def person_record(*, user, site: Site, data: dict) -> Person:
    """A person identified at a site's gate who gets no relation to it (a visitor the site refuses):
    found again by ID number, or recorded, as ``person_register`` does, but not one of the site's
    people. Their entry is what ties them to the site. ``user`` is None for a gate device, whose
    site its caller (screening.services.Actor.check_site) checked."""
    if user is not None and not Site.objects.filter(scopes.people_sites_q(user), pk=site.pk).exists():
        raise PermissionDenied(_("You may not register people at this site."))
    return _person_identified(user, data, FieldErrors())


@transaction.atomic
def person_register_without_id(*, user, site: Site, data: dict, relate: bool = True) -> Person:
    """A visitor without their ID card, registered at the gate by name and phone where the site allows
    it (Site.visitors_without_id): a new person each time, marked unverified, with no ID number, never
    found again by one nor merged with anyone automatically; related to the site as a visitor unless
    ``relate`` is false (a visitor the site refuses: their entry ties them to it). Everywhere else an
    ID number stays required (``person_register``)."""
    if not Site.objects.filter(scopes.people_sites_q(user), pk=site.pk).exists():
        raise PermissionDenied(_("You may not register people at this site."))
    errors = FieldErrors()
    if not site.visitors_without_id:
        errors.add("id_number", _("This site registers visitors with their ID number only."))
    name = clean_text(errors, data, "name", required=True, max_length=50)
    phone = clean_phone(errors, data, "phone")
    if not phone and "phone" not in errors.errors:
        errors.add("phone", _("A visitor without an ID card is registered with their phone."))
    errors.raise_if_any()
    person = Person(name=name, phone=phone, id_number_hash=None, id_number_masked="", id_number_encrypted="",
                    unverified=True)
    audit.record(person, user, "create: without an ID number (unverified)")
    person.save()
    if relate:
        membership = SitePerson(site=site, person=person, relation=SitePerson.Relation.VISITOR)
        audit.record(membership, user, "create")
        membership.save()
    return person


def _person_identified(user, data: dict, errors: FieldErrors) -> Person:
    """The person a name, phone and ID number name: the identity of the number (its phone filled in
    or updated where the user may), a registration held for the city when the name does not match
    it, or a new person. Raises the field errors collected so far with these fields' own."""
    name = clean_text(errors, data, "name", required=True, max_length=50)
    phone = clean_phone(errors, data, "phone")
    try:
        id_number = check_id_number(str(data.get("id_number") or ""))
    except CodeError as e:
        errors.add("id_number", str(e))
    errors.raise_if_any()
    digest = id_number_hash(id_number)
    person = Person.objects.select_for_update().filter(id_number_hash=digest).first()
    if person is None:
        person = Person(
            name=name, phone=phone, id_number_hash=digest, id_number_masked=mask_id_number(id_number),
            id_number_encrypted=encrypt_id_number(id_number),
        )
        audit.record(person, user, "create")
        person.save()
    elif person.name != name:
        if Person.objects.filter(scopes.people_q(user), pk=person.pk).exists():
            raise DomainError(
                _("This ID number is registered under another name. Check the name and the number."),
                field="name", status=409,
            )
        person = _held_registration(user, name=name, phone=phone, id_number=id_number, digest=digest)
    elif phone and person.phone != phone and (
            not person.phone or selectors.person_may_change(user=user, person=person)):
        person.phone = phone
        audit.record(person, user, "update")
        person.save()
    return person


def _held_registration(user, *, name: str, phone: str, id_number: str, digest: str) -> Person:
    """What was typed, as a person of its own held for the city: the same typed name and number
    registered again (at any site) is the same held record."""
    held = Person.objects.select_for_update().filter(claimed_hash=digest, name=name).first()
    if held is None:
        held = Person(name=name, phone=phone, id_number_hash=None, claimed_hash=digest,
                      id_number_masked=mask_id_number(id_number), id_number_encrypted=encrypt_id_number(id_number))
        audit.record(held, user, "held: the name does not match the ID number's identity")
        held.save()
    return held


@transaction.atomic
def person_update(*, user, person: Person, data: dict) -> Person:
    """Change a person's name or phone (the ID number is their identity and never changes). A
    person is one identity across the city: the city, or a user who sees all of the person's
    sites, changes it."""
    if not Person.objects.filter(scopes.people_q(user), pk=person.pk).exists():
        raise PermissionDenied(_("You may not change this person."))
    if not selectors.person_may_change(user=user, person=person):
        raise DomainError(_("This person is registered at other sites too: the city administrator changes "
                            "their name and phone."), field="name", status=403)
    errors = FieldErrors()
    name = clean_text(errors, {"name": data.get("name", person.name)}, "name", required=True, max_length=50)
    phone = clean_phone(errors, {"phone": data.get("phone", person.phone)}, "phone")
    errors.raise_if_any()
    person.name, person.phone = name, phone
    audit.record(person, user, "update")
    person.save()
    return person


IDENTITY_ACTIONS = ("link", "rename")


@transaction.atomic
def identity_resolve(*, user, held: Person, action: str) -> Person:
    """The city decides a held registration: ``link`` (the typed name was wrong: the registration
    joins the identity under its name) or ``rename`` (the identity's name was wrong: it takes the
    typed name, then the registration joins it). Every record of the held person (relations,
    entries, checks…) moves to the identity; a relation to a site the identity already has is
    dropped for the identity's own. Returns the identity."""
    if not scopes.can_resolve_identities(user):
        raise PermissionDenied(_("Only the city administrator resolves held registrations."))
    if action not in IDENTITY_ACTIONS:
        raise DomainError(_("Choose how to resolve the registration."), field="action")
    current = Person.objects.select_for_update().filter(pk=held.pk).exclude(claimed_hash="").first()
    if current is None:
        raise DomainError(_("This registration is not held any more."), field="action", status=409)
    held = current
    identity = Person.objects.select_for_update().filter(id_number_hash=held.claimed_hash).first()
    if identity is None:  # the identity is gone: the held registration becomes it
        held.id_number_hash, held.claimed_hash = held.claimed_hash, ""
        audit.record(held, user, "identity confirmed")
        held.save()
        return held
    if action == "rename" or (not identity.phone and held.phone):
        if action == "rename":
            identity.name = held.name
        identity.phone = identity.phone or held.phone
        audit.record(identity, user, f"identity resolved: {action}")
        identity.save()
    _move_records(user, held, identity)
    audit.record(held, user, f"identity resolved: {action}, joined person {identity.pk}")
    held.delete()
    return identity


def _move_records(user, source: Person, target: Person) -> None:
    """Point every record of ``source`` at ``target``: the relations (one per site), then every
    other table that refers to a person, found from the model so that no app is named here."""
    for membership in SitePerson.objects.filter(person=source):
        if SitePerson.objects.filter(person=target, site_id=membership.site_id).exists():
            audit.record(membership, user, "identity resolved: the identity's own relation kept")
            membership.delete()
        else:
            membership.person = target
            audit.record(membership, user, "identity resolved")
            membership.save()
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model, name = rel.related_model, rel.field.name  # type: ignore[union-attr]
        if model is SitePerson or not (isinstance(model, type) and issubclass(model, models.Model)):
            continue
        model._base_manager.filter(**{name: source}).update(**{name: target})


# Departments -------------------------------------------------------------------------------


@transaction.atomic
def department_save(*, user, data: dict, department: Department | None = None) -> Department:
    if not scopes.can_change_departments(user):
        raise PermissionDenied(_("Only the city administrator may change departments."))
    errors = FieldErrors()
    base = {} if department is None else {
        "code": department.code, "name": department.name, "kind": department.kind,
        "region": department.region.code, "parent": department.parent.code if department.parent else "",
        "phone": department.phone, "is_active": department.is_active,
    }
    data = {**base, **data}
    code = clean_text(errors, data, "code", required=True, max_length=40)
    if code and not re.fullmatch(r"[a-z0-9\-_]+", code):
        errors.add("code", _("Use lower-case letters, digits, hyphens and underscores."))
    name = clean_text(errors, data, "name", required=True, max_length=100)
    kind = clean_choice(errors, data, "kind", Department.Kind)
    region_code = str(data.get("region") or "").strip()
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors.add("region", _("“%(v)s” is not a region code (GB/T 2260) of this system.") % {"v": region_code})
    parent = None
    if data.get("parent"):
        parent = Department.objects.filter(code=str(data["parent"]).strip()).first()
        if parent is None:
            errors.add("parent", _("No department has this code."))
        elif department is not None and parent.pk == department.pk:
            errors.add("parent", _("A department cannot be its own parent."))
    phone = clean_phone(errors, data, "phone")
    clash = Department.objects.filter(code=code) | Department.objects.filter(name=name)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    for other in clash:
        if other.code == code:
            errors.add("code", _("Another department already uses this code."))
        if other.name == name:
            errors.add("name", _("Another department already uses this name."))
    errors.raise_if_any()
    department = department or Department()
    department.code, department.name, department.kind = code, name, kind
    assert region is not None  # raise_if_any() refused a missing region
    department.region, department.parent, department.phone = region, parent, phone
    department.is_active = bool(data.get("is_active", True))
    audit.record(department, user, "save")
    department.save()
    return department
