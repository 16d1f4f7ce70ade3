"""The screening overview's rows (``screening/site_list.html``) and a site's state badge, written out in
Python.

Through the template engine each site's row (its link, its state badge and six figures, each with
its translated label) cost some 1,900 Python calls, 50 rows a page: most of the overview's time
beside a bare query of the same rows (issue 16 §8). These tags give the same markup: the values
escaped, the labels translated once a page, the link to a site from a prefix reversed once. What a
row shows is still decided by the selectors (``screening.selectors.with_figures``, ``figure_totals``)."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_PK = 2_147_483_647  # any id: the link to a site is this prefix, the id and "/"
# (figure, its label, whether a figure above zero is marked "warn")
_FIGURES = (("inside_now", "Inside now", False), ("admitted_today", "Admitted today", False),
            ("refused_today", "Refused today", True), ("unchecked_today", "Unchecked today", True),
            ("open_alerts", "Your open alerts", True), ("overdue_areas", "Areas overdue for disinfection", True))


def _text(value: Any) -> str:
    return escape("" if value is None else value)


def _figure(figures: Any, name: str) -> Any:
    return figures[name] if isinstance(figures, dict) else getattr(figures, name)


def _figure_cells(figures: Any, labels: list[str]) -> str:
    cells = []
    for (name, _label, warns), label in zip(_FIGURES, labels, strict=True):
        value = _figure(figures, name)
        css = "num warn" if warns and value else "num"
        cells.append(f'<td class="{css}" data-figure="{name}" data-label="{label}">{_text(value)}</td>')
    return "\n".join(cells)


def _labels() -> list[str]:
    return [escape(_(label)) for _name, label, _warns in _FIGURES]


@register.simple_tag
def figure_cells(figures: Any) -> SafeString:
    """The six figures of a site (``with_figures``) or of all of them (``figure_totals``), a cell each."""
    return mark_safe(_figure_cells(figures, _labels()))


@register.simple_tag
def state_badge(site: Any) -> SafeString:
    """Closed management since a day, or open."""
    if site.closed_since:
        text = _("Closed from %(since)s") % {"since": site.closed_since.isoformat()}
        return mark_safe(f'<span class="badge closed" data-state="closed">{escape(text)}</span>')
    return mark_safe(f'<span class="badge active" data-state="open">{escape(_("Open"))}</span>')


@register.simple_tag
def overview_rows(sites: Any) -> SafeString:
    """The overview's sites (a page of ``with_figures``) as rows, or the one row saying none match."""
    if not sites:
        return mark_safe(f'<tr><td colspan="9" class="muted">{escape(_("No sites match."))}</td></tr>')
    url = reverse("screening:site", args=[_PK])
    href = url[: -len(f"{_PK}/")]
    labels, county, state = _labels(), escape(_("County")), escape(_("State"))
    out = []
    for site in sites:
        out.append(
            f'<tr data-site="{site.pk}"><td><a href="{href}{site.pk}/">{_text(site.name)}</a>'
            f'<div class="muted">{_text(site.unit.name)}</div></td>\n'
            f'<td data-label="{county}">{_text(site.county.name)}</td>\n'
            f'<td data-label="{state}">{state_badge(site)}<div class="muted">'
            f'{_text(site.get_visitor_policy_display())}</div></td>\n'
            f'{_figure_cells(site, labels)}\n</tr>\n')
    return mark_safe("".join(out))
