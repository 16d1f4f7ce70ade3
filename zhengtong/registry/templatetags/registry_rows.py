"""The rows of the registry's lists (units, sites, people, departments), written out in Python.

Through the template engine, a page of 50 rows cost some 48,000 of the county officer's 69,000 calls on
the unit list: five ``{% translate %}`` and a ``{% url %}`` a row, the variable lookups, the choices'
labels (issue 16 §8). These tags give the same markup as the templates' loops did, with
zhengtong.core.rows: the values escaped, the labels translated once a page, the link to an object from
a prefix reversed once. What the lists hold is still the selectors' (``unit_list``, ``person_list`` …)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhengtong.core.rows import day, empty_row, labels, text, url_prefix
from zhengtong.registry.models import Department, Person, Site, Unit

register = template.Library()


class Repeated:
    """A cell that many rows of a page share (a county's name, a kind's label), written (escaped) once a
    page for each of its keys: the rows' region or choice, of which the cell is the same on every row."""

    def __init__(self, write: Callable[[Any], str]) -> None:
        self.write = write
        self.written: dict[Hashable, str] = {}

    def cell(self, key: Hashable, row: Any) -> str:
        try:
            return self.written[key]
        except KeyError:
            written = self.written[key] = self.write(row)
            return written


@register.simple_tag
def unit_rows(units: Iterable[Unit]) -> SafeString:
    """The rows of the unit list (``registry/_unit_table.html``)."""
    href = url_prefix("registry:unit_detail")
    name, uscc, county, industry, status = labels(
        _("Name"), _("Unified social credit code"), _("County"), _("Industry"), _("Status"))
    counties, statuses = Repeated(lambda u: text(u.county.name)), Repeated(
        lambda u: f'<span class="badge {text(u.status)}">{text(u.get_status_display())}</span>')
    out = [
        f'<tr><td data-label="{name}"><a href="{href}{u.pk}/">{text(u.name)}</a></td>'
        f'<td data-label="{uscc}"><code>{text(u.uscc)}</code></td>'
        f'<td data-label="{county}">{counties.cell(u.county_id, u)}</td>'
        f'<td data-label="{industry}">{text(u.industry)}</td>'
        f'<td data-label="{status}">{statuses.cell(u.status, u)}</td>'
        f'</tr>\n'
        for u in units]
    return mark_safe("".join(out)) if out else empty_row(5, _("No units match."))


@register.simple_tag
def site_rows(sites: Iterable[Site]) -> SafeString:
    """The rows of the site list (``registry/_site_table.html``)."""
    href = url_prefix("registry:site_detail")
    name, unit, kind, county, capacity, address = labels(
        _("Name"), _("Unit"), _("Kind"), _("County"), _("Capacity"), _("Address"))
    kinds, counties = Repeated(lambda s: text(s.get_kind_display())), Repeated(lambda s: text(s.county.name))
    out = [
        f'<tr><td data-label="{name}"><a href="{href}{s.pk}/">{text(s.name)}</a></td>'
        f'<td data-label="{unit}">{text(s.unit.name)}</td>'
        f'<td data-label="{kind}">{kinds.cell(s.kind, s)}</td>'
        f'<td data-label="{county}">{counties.cell(s.county_id, s)}</td>'
        f'<td class="num" data-label="{capacity}">{text(s.capacity or "—")}</td>'
        f'<td data-label="{address}">{text(s.address or "—")}</td></tr>\n'
        for s in sites]
    return mark_safe("".join(out)) if out else empty_row(6, _("No sites match."))


@register.simple_tag
def person_rows(people: Iterable[Person]) -> SafeString:
    """The rows of the people list (``registry/_person_table.html``): people ``person_list`` annotated
    ``is_former`` and ``left_on``; the ID number masked (``id_number_masked``), or the badge of a
    person registered without one."""
    href = url_prefix("registry:person_detail")
    name, id_number, phone, registered = labels(_("Name"), _("ID number"), _("Phone"), _("Registered"))
    former, unverified = labels(_("Former"), _("Unverified: no ID number"))
    until = _("Former, until %(until)s")  # a {% blocktranslate %}: its text is not escaped, its value is
    out = []
    for p in people:
        css = badge = ""
        if getattr(p, "is_former", False):
            css = ' class="former" data-former="1"'
            left_on = getattr(p, "left_on", None)  # person_list's annotations
            badge = (f' <span class="badge closed" data-testid="former">'
                     f'{until % {"until": day(left_on)} if left_on else former}</span>')
        number = (f'<span class="badge closed" data-testid="unverified">{unverified}</span>' if p.unverified else
                  f'<code>{text(p.id_number_masked)}</code>')
        out.append(
            f'<tr{css}><td data-label="{name}"><a href="{href}{p.pk}/">{text(p.name)}</a>{badge}</td>'
            f'<td data-label="{id_number}">{number}</td>'
            f'<td data-label="{phone}">{text(p.phone or "—")}</td>'
            f'<td data-label="{registered}">{day(p.created_at)}</td></tr>\n')
    return mark_safe("".join(out)) if out else empty_row(4, _("No people match."))


@register.simple_tag
def department_rows(departments: Iterable[Department]) -> SafeString:
    """The rows of the department list (``registry/_department_table.html``)."""
    href = url_prefix("registry:department_detail")
    name, code, kind, region = labels(_("Name"), _("Code"), _("Kind"), _("Region"))
    kinds, regions = Repeated(lambda d: text(d.get_kind_display())), Repeated(lambda d: text(d.region.name))
    out = [
        f'<tr><td data-label="{name}"><a href="{href}{d.pk}/">{text(d.name)}</a></td>'
        f'<td data-label="{code}"><code>{text(d.code)}</code></td>'
        f'<td data-label="{kind}">{kinds.cell(d.kind, d)}</td>'
        f'<td data-label="{region}">{regions.cell(d.region_id, d)}</td></tr>\n'
        for d in departments]
    return mark_safe("".join(out)) if out else empty_row(4, _("No departments match."))
