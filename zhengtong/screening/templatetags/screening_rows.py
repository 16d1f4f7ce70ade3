"""The screening overview's rows (``screening/site_list.html``) and a site's state badge, written out in
Python.

Through the template engine each site's row (its link, its state badge and six figures, each with
its translated label) cost some 1,900 Python calls, 50 rows a page: most of the overview's time
beside a bare query of the same rows (issue 16 §8). These tags give the same markup, with
zhengtong.core.rows: the values escaped, the labels translated once a page, the link to a site from a
prefix reversed once. What a row shows is still decided by the selectors
(``screening.selectors.with_figures``, ``figure_totals``)."""

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from zhengtong.core.compiled import kept
from zhengtong.core.rows import empty_row, labels, text, url_prefix

register = template.Library()

# (figure, its label, whether a figure above zero is marked "warn")
_FIGURES = (("inside_now", "Inside now", False), ("admitted_today", "Admitted today", False),
            ("refused_today", "Refused today", True), ("unchecked_today", "Unchecked today", True),
            ("open_alerts", "Your open alerts", True), ("overdue_areas", "Areas overdue for disinfection", True))


def _figure(figures: Any, name: str) -> Any:
    return figures[name] if isinstance(figures, dict) else getattr(figures, name)


def _figure_cells(figures: Any, figure_labels: tuple[str, ...]) -> str:
    cells = []
    for (name, _label, warns), label in zip(_FIGURES, figure_labels, strict=True):
        value = _figure(figures, name)
        css = "num warn" if warns and value else "num"
        cells.append(f'<td class="{css}" data-figure="{name}" data-label="{label}">{text(value)}</td>')
    return "\n".join(cells)


def _labels() -> tuple[str, ...]:
    """The figures' labels, translated and escaped once per process and language."""
    return kept(_WORDS, ("figures", get_language()), lambda: labels(*(_(label) for _name, label, _warns in _FIGURES)))


_WORDS: dict[tuple, Any] = {}  # what the overview says the same on every page, per language


@register.simple_tag
def overview_head() -> SafeString:
    """The overview's header row, as the template wrote it (once per process and language)."""
    def make() -> SafeString:
        # {% translate "literal" %} is not escaped: the code's own text
        site, county, state, *figures = (_("Site"), _("County"), _("State"),
                                         *(_(label) for _name, label, _warns in _FIGURES))
        cells = [f'<th class="num">{label}</th>' for label in figures]
        return mark_safe(  # noqa: S308  (the code's own text)
            f"<thead><tr>\n    <th>{site}</th><th>{county}</th><th>{state}</th>\n"
            f"    {cells[0]}{cells[1]}\n    {cells[2]}{cells[3]}\n    {cells[4]}{cells[5]}\n  </tr></thead>")

    return kept(_WORDS, ("head", get_language()), make)


@register.simple_tag
def totals_lead(totals: dict[str, int]) -> SafeString:
    """The totals row's first cells: how many sites, how many closed (``{% blocktranslate %}`` as the
    template had it: the sentence as translated, its value escaped)."""
    sites = ngettext("%(n)s site", "%(n)s sites", totals["sites"]) % {"n": text(totals["sites"])}
    closed = _("%(n)s closed") % {"n": text(totals["closed"])}
    return mark_safe(f'<td>{sites}</td><td class="empty"></td>\n      <td>{closed}</td>')  # noqa: S308


@register.simple_tag
def overview_pager(page: Any, query: Any) -> SafeString:
    """What ``{% include "registry/_pager.html" %}`` writes for the overview's page."""
    previous, following = _("Previous"), _("Next")  # {% translate "literal" %}: not escaped
    count = page.paginator.count
    total = ngettext("%(n)s record", "%(n)s records", count) % {"n": text(count)}
    where = _("Page %(n)s of %(total)s") % {"n": text(page.number), "total": text(page.paginator.num_pages)}
    encoded = text(query.urlencode()) if page.has_previous or page.has_next else ""
    before = (f'<a href="?{encoded}&page={text(page.previous_page_number)}">{previous}</a>'
              if page.has_previous else "")
    after = f'<a href="?{encoded}&page={text(page.next_page_number)}">{following}</a>' if page.has_next else ""
    return mark_safe(  # noqa: S308  (every value escaped)
        f'\n<div class="pager">\n  <span class="muted">{total}</span>\n  {before}\n'
        f'  <span>{where}</span>\n  {after}\n</div>\n')


@register.simple_tag
def figure_cells(figures: Any) -> SafeString:
    """The six figures of a site (``with_figures``) or of all of them (``figure_totals``), a cell each."""
    return mark_safe(_figure_cells(figures, _labels()))


@register.simple_tag
def state_badge(site: Any) -> SafeString:
    """Closed management since a day, or open."""
    if site.closed_since:
        closed = _("Closed from %(since)s") % {"since": site.closed_since.isoformat()}
        return mark_safe(f'<span class="badge closed" data-state="closed">{escape(closed)}</span>')
    return mark_safe(f'<span class="badge active" data-state="open">{escape(_("Open"))}</span>')


@register.simple_tag
def overview_rows(sites: Any) -> SafeString:
    """The overview's sites (a page of ``with_figures``) as rows, or the one row saying none match."""
    if not sites:
        return empty_row(9, _("No sites match."))
    href = url_prefix("screening:site")
    figure_labels = _labels()
    county, state = labels(_("County"), _("State"))
    out = []
    for site in sites:
        out.append(
            f'<tr data-site="{site.pk}"><td><a href="{href}{site.pk}/">{text(site.name)}</a>'
            f'<div class="muted">{text(site.unit.name)}</div></td>\n'
            f'<td class="nowrap" data-label="{county}">{text(site.county.name)}</td>\n'
            f'<td data-label="{state}">{state_badge(site)}<div class="muted">'
            f'{text(site.get_visitor_policy_display())}</div></td>\n'
            f'{_figure_cells(site, figure_labels)}\n</tr>\n')
    return mark_safe("".join(out))
