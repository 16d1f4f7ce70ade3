"""The shared nouns of every campaign: regions, industries, units, departments, sites, people."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhengtong.core.natsort import KEY_LENGTH, natural_key

models.CharField.register_lookup(Length)


class Region(models.Model):
    """An administrative division (GB/T 2260), loaded from data/regions-hengyang.csv."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("Prefecture-level city")
        PREFECTURE = "prefecture", _("Autonomous prefecture")
        DISTRICT = "district", _("District")
        COUNTY = "county", _("County")
        COUNTY_CITY = "county_city", _("County-level city")

    COUNTY_LEVELS = (Level.DISTRICT, Level.COUNTY, Level.COUNTY_CITY)

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def is_county_level(self) -> bool:
        return self.level in self.COUNTY_LEVELS


class Industry(models.Model):
    """A GB/T 4754-2017 entry (with Amendment No. 1), loaded from data/gbt4754-2017.csv."""

    class Level(models.TextChoices):
        SECTION = "section", _("Section")
        DIVISION = "division", _("Division")
        GROUP = "group", _("Group")
        CLASS = "class", _("Class")

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Department(models.Model):
    """A government department or county government that work is routed to."""

    class Kind(models.TextChoices):
        CITY_DEPARTMENT = "city_department", _("City department")
        COUNTY_GOVERNMENT = "county_government", _("County government")
        COUNTY_DEPARTMENT = "county_department", _("County department")
        PARTY_OFFICE = "party_office", _("Party committee office")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("region"), related_name="departments")
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="branches", verbose_name=_("parent")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """Any organisation the city regulates, keyed by its unified social credit code."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution")
        GOVERNMENT_BODY = "government_body", _("Government body")
        SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    # The name as people count (core.natsort), what the campaign list sorts by in the database; set by
    # save(), and by the writers that bypass it (the import's bulk writes, the demo load).
    name_key = models.CharField(_("name sort key"), max_length=KEY_LENGTH, blank=True, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    county = models.ForeignKey(Region, models.PROTECT, verbose_name=_("county"), related_name="units")
    industry = models.ForeignKey(
        Industry, models.PROTECT, verbose_name=_("main industry"), related_name="main_units"
    )
    other_industries = models.ManyToManyField(
        Industry, blank=True, verbose_name=_("other industries"), related_name="other_units"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[other_industries], excluded_fields=["name_key"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(condition=models.Q(uscc__length=18), name="unit_uscc_18_chars"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = natural_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class VisitorPolicy(models.TextChoices):
    ALLOWED = "allowed", _("Visitors allowed")
    APPOINTMENT = "appointment", _("By appointment only")
    NONE = "none", _("No visitors")


class Site(models.Model):
    """A unit's place with an entrance, where people are screened."""

    VisitorPolicy = VisitorPolicy

    class Kind(models.TextChoices):
        PRISON = "prison", _("Prison")
        WELFARE_HOME = "welfare_home", _("Welfare home")
        WORKSHOP = "workshop", _("Workshop")
        CONSTRUCTION_SITE = "construction_site", _("Construction site")
        FACTORY = "factory", _("Factory")
        OFFICE = "office", _("Office")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(Unit, models.PROTECT, verbose_name=_("unit"), related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    # The name as people count (core.natsort: 二监区 before 十一监区), what lists sort by; set by save().
    name_key = models.CharField(_("name sort key"), max_length=KEY_LENGTH, blank=True, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    county = models.ForeignKey(Region, models.PROTECT, verbose_name=_("county"), related_name="sites")
    address = models.CharField(_("address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Closed management (封闭式管理) since a date; null when the site is open.
    closed_since = models.DateField(_("closed management since"), null=True, blank=True)
    visitor_policy = models.CharField(
        _("visitor policy"), max_length=12, choices=VisitorPolicy.choices, default=VisitorPolicy.ALLOWED
    )
    # The site's own fever threshold, overriding the city setting (ZT_FEVER_THRESHOLD).
    fever_threshold = models.DecimalField(
        _("fever threshold (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    disinfection_interval_hours = models.PositiveIntegerField(_("disinfection every (hours)"), default=24)
    # A visitor without an ID card may be registered at the gate by name and phone (an unverified person).
    visitors_without_id = models.BooleanField(_("visitors without an ID card registered by name and phone"),
                                              default=False)
    history = HistoricalRecords(excluded_fields=["name_key"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="site_unique_name_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = natural_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.closed_since is not None

    def is_closed_on(self, day: date) -> bool:
        """Under closed management on ``day``: closed since that day or before (``closed_on_q`` is
        the same rule as a query)."""
        return self.closed_since is not None and self.closed_since <= day

    @staticmethod
    def closed_on_q(day: date, prefix: str = "") -> Q:
        """The sites under closed management on ``day`` (``is_closed_on`` as a query)."""
        return Q(**{f"{prefix}closed_since__isnull": False, f"{prefix}closed_since__lte": day})


class Person(models.Model):
    """Someone who enters sites. The ID number is kept encrypted, looked up by a keyed hash and
    shown masked to everyone without a health duty in the person's scope."""

    name = models.CharField(_("name"), max_length=50, db_index=True)
    # The identity's look-up hash; empty (NULL) on a registration held for the city's check, which
    # keeps the hash of the number it was registered with in ``claimed_hash`` instead. NULL, not "",
    # so that the unique index lets many held registrations be.
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    claimed_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    id_number_encrypted = models.TextField(editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Registered at a gate without an ID number (a visitor without their ID card, where the site allows
    # it): no hash, no number; one person per registration, never merged with anyone automatically.
    unverified = models.BooleanField(_("unverified (no ID number)"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["id_number_encrypted", "claimed_hash"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    @property
    def is_held(self) -> bool:
        """Registered with an ID number known under another name: what was typed, kept apart from
        the identity until the city decides (registry.services.identity_resolve)."""
        return bool(self.claimed_hash)

    @staticmethod
    def by_id_number_q(digest: str) -> Q:
        """The people an ID number's hash finds: its identity and the registrations held with it."""
        return Q(id_number_hash=digest) | Q(claimed_hash=digest)

    @staticmethod
    def id_number_rank(*, held: bool, here: bool) -> int | None:
        """Which of the people ``by_id_number_q`` finds a site means, lowest first: what the site typed
        (a registration held and related to it), the identity related to it, the identity; a
        registration held at another site never (None). The gate's single check-in
        (registry.selectors.person_by_id_number) and its batch (screening.sync) both rank by this."""
        if held:
            return 0 if here else None
        return 1 if here else 2


class SitePerson(models.Model):
    """A person's relation to a site: inmate, resident, staff, worker or visitor; an inmate's has a
    release date."""

    class Relation(models.TextChoices):
        INMATE = "inmate", _("Inmate")
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff")
        WORKER = "worker", _("Worker")
        VISITOR = "visitor", _("Visitor")

    BELONGS = (Relation.INMATE, Relation.RESIDENT, Relation.STAFF, Relation.WORKER)

    site = models.ForeignKey(Site, models.CASCADE, verbose_name=_("site"), related_name="memberships")
    person = models.ForeignKey(Person, models.CASCADE, verbose_name=_("person"), related_name="memberships")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    # An inmate's day of release as the sentence sets it; the relation itself ends (``until``) only when
    # the release is recorded (registry.services.inmate_release), which registry.ports may refuse.
    release_date = models.DateField(_("release date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relation to a site")
        verbose_name_plural = _("relations to sites")
        constraints = [
            models.UniqueConstraint(fields=["site", "person"], name="siteperson_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.site_id}: {self.relation}"

    @staticmethod
    def in_force(until: date | None, day: date) -> bool:
        """A relation counts on ``day`` unless its ``until`` has passed (it holds through that day);
        ``in_force_q`` is the same rule as a query."""
        return until is None or until >= day

    def is_in_force_on(self, day: date) -> bool:
        return self.in_force(self.until, day)

    @staticmethod
    def in_force_q(day: date, prefix: str = "") -> Q:
        """The relations in force on ``day`` (``in_force`` as a query); ``prefix`` reaches them
        through a relation ("memberships__")."""
        return Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": day})


class UnitImport(models.Model):
    """One upload of a units spreadsheet: who, when, what it did, and the rows it refused."""

    user = models.ForeignKey(
        "auth.User", models.SET_NULL, null=True, related_name="unit_imports", verbose_name=_("user")
    )
    file_name = models.CharField(_("file"), max_length=255)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    invalid = models.PositiveIntegerField(_("invalid"), default=0)
    errors = models.JSONField(_("row errors"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    columns = models.JSONField(_("columns read"), default=list)  # [[header in the file, field label], …]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unit import")
        verbose_name_plural = _("unit imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
