"""The outbreak app's spreadsheets: a trace's contacts, the case list, the isolation list.

Each writes what its page shows, through ``core.listing``'s columns (``core.exports``: no cell becomes
a formula): the same rows, filtered as the page, every page of them; a trace's contacts outside the
viewer's scope as the trace page masks them (no name, the masked ID number). ID numbers are written
masked, as the lists show them. Every export is health data and writes an access record (the views).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengtong.core.listing import Column
from zhengtong.outbreak.models import IsolationOrder
from zhengtong.outbreak.tracing import Contact


def _places(contact: Contact) -> str:
    return "; ".join(f"{p.site}{' · ' + p.area if p.area else ''} ({round(p.minutes)})"
                     for p in contact.places.values())


TRACE_COLUMNS = (
    Column("contact", pgettext_lazy("trace", "Contact"), cell=lambda c: c.name),
    Column("id_number", _("ID number"), cell=lambda c: c.id_number_masked),
    Column("degree", _("Degree"), cell=lambda c: c.degree),
    Column("via", _("Via"), cell=lambda c: c.via_name),
    Column("minutes", _("Minutes of overlap"), cell=lambda c: c.overlap_minutes),
    Column("estimated", _("Estimated"), cell=lambda c: c.estimated),
    Column("places", _("Sites and areas (minutes)"), cell=_places),
    Column("first_exposure", _("First exposure"), cell=lambda c: c.first_exposure),
    Column("in_scope", _("In your scope"), cell=lambda c: c.in_scope),
)


def _local(value):
    return timezone.localtime(value) if value else None


CASE_COLUMNS = (
    Column("id", _("No."), cell=lambda c: c.pk),
    Column("person", _("Person"), cell=lambda c: c.person.name),
    Column("id_number", _("ID number"), cell=lambda c: c.person.id_number_masked),
    Column("status", _("Status"), cell=lambda c: c.get_status_display()),
    Column("onset_date", _("Onset date"), cell=lambda c: c.onset_date),
    Column("sample_date", _("Sample date"), cell=lambda c: c.sample_date),
    Column("site", _("Site where found"), cell=lambda c: c.site.name if c.site else ""),
    Column("county", _("County"), cell=lambda c: c.county.name),
    Column("symptoms", _("Symptoms"), cell=lambda c: c.symptoms),
    Column("where_found", _("Where found"), cell=lambda c: c.where_found),
    Column("reported_at", _("Reported"), cell=lambda c: _local(c.reported_at)),
)


def _place(order: IsolationOrder) -> str:
    where = order.site.name if order.site else order.place_note
    return f"{order.get_place_display()} · {where}" if where else str(order.get_place_display())


ISOLATION_COLUMNS = (
    Column("id", _("No."), cell=lambda o: o.pk),
    Column("person", _("Person"), cell=lambda o: o.person.name),
    Column("id_number", _("ID number"), cell=lambda o: o.person.id_number_masked),
    Column("reason", _("Reason"), cell=lambda o: o.get_reason_display()),
    Column("place", _("Place"), cell=_place),
    Column("county", _("County"), cell=lambda o: o.county.name),
    Column("case", _("Case"), cell=lambda o: o.case_id),
    Column("start", _("Start"), cell=lambda o: _local(o.start)),
    Column("planned_end", _("Planned end"), cell=lambda o: o.planned_end),
    Column("status", _("Status"), cell=lambda o: o.get_status_display()),
    Column("released_at", _("Released at"), cell=lambda o: _local(o.released_at)),
)
