"""The rows of the permit lists (applications with their statutory clocks, permits, the campaign's units),
and an application's clock, written out in Python.

Through the template engine, a page of 50 applications cost some 128,000 calls, most of them in the row
loop and its ``{% include "permits/_clock.html" %}`` per row (issue 16 §8). These tags give the same
markup, with zhengtong.core.rows: the values escaped, the labels translated once a page, the links from
a prefix reversed once. The clocks are still the selectors' (``application_clock``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhengtong.core.rows import day, empty_row, labels, text, url_prefix
from zhengtong.permits.models import Application, Permit

register = template.Library()


def _clock_words() -> dict[str, str]:
    """What a clock says besides its values, translated once a page. ``{% blocktranslate %}`` texts (the
    two with ``%(n)s``) are not escaped, as the template did not escape them; their values are."""
    decided, overdue, unconfirmed_rule, unconfirmed_calendar, working = labels(
        _("decided"), _("overdue"), _("rule text not confirmed"), _("holiday calendar not confirmed"),
        _("working days, 行政许可法 Art. 82"))
    return {"decided": decided, "overdue": overdue, "unconfirmed_rule": unconfirmed_rule,
            "unconfirmed_calendar": unconfirmed_calendar, "working": working,
            "left": _("due %(due)s, %(n)s %(basis)s left"), "overdue_by": _("overdue by %(n)s %(basis)s")}


def _clock(clock: dict[str, Any] | None, words: dict[str, str]) -> str:
    """An application's statutory clock (``selectors.application_clock``): its label, due day or decision,
    the days by which it is overdue, the article and what is not confirmed; "" for no clock."""
    if not clock:
        return ""
    state, status, basis = clock["state"], text(clock["status"]), text(clock["basis_label"])
    when = words["decided"] if state.stopped else words["left"] % {
        "due": day(state.due), "n": text(state.remaining), "basis": basis}
    late = ""
    if state.overdue:
        n = clock["overdue_days"]
        late = (f' — <strong data-testid="overdue-days" data-days="{text(n)}">'
                f'{words["overdue_by"] % {"n": text(n), "basis": basis}}</strong>' if n else f' — {words["overdue"]}')
    notes = ((f'; {words["unconfirmed_rule"]}' if not clock["limit_confirmed"] else "")
             + (f'; {words["unconfirmed_calendar"]}' if not state.confirmed else "")
             + (f'; {words["working"]}' if clock["basis"] == "working" else ""))
    return (f'<span class="clock {status}" data-testid="clock" data-status="{status}">{text(clock["label"])}: '
            f'{when}{late}</span>\n<small class="muted">({text(clock["article"])}{notes})</small>')


@register.simple_tag
def application_clock(clock: dict[str, Any] | None) -> SafeString:
    """The clock of one application (``permits/application.html``)."""
    return mark_safe(_clock(clock, _clock_words()))


@register.simple_tag
def application_rows(rows: Sequence[tuple[Application, dict[str, Any] | None]]) -> SafeString:
    """The rows of the application list (``permits/application_list.html``): each (application, its
    clock) as a row, or the one row saying there are none."""
    if not rows:
        return empty_row(7, _("No applications."))
    href = url_prefix("permits:application")
    words = _clock_words()
    unit, county, kind, klass, status, received, limit = labels(
        _("Unit"), _("County"), _("Kind"), _("Class"), _("Status"), _("Received"), _("Time limit"))
    out = []
    for a, clock in rows:
        overdue = "overdue" if clock and clock["state"].overdue else ""
        u = a.fixed_source.unit
        out.append(
            f'<tr class="{overdue}"><td data-label="{unit}"><a href="{href}{a.pk}/">{text(u.name)}</a></td>'
            f'<td data-label="{county}">{text(u.county.name)}</td>'
            f'<td data-label="{kind}">{text(a.get_kind_display())} v{text(a.version)}</td>'
            f'<td data-label="{klass}">{text(a.get_management_class_display())}</td>'
            f'<td data-label="{status}">{text(a.get_status_display())}</td>'
            f'<td data-label="{received}">{day(a.received_on) or "—"}</td>'
            f'<td data-label="{limit}">{_clock(clock, words)}</td></tr>\n')
    return mark_safe("".join(out))


@register.simple_tag
def permit_rows(permits: Sequence[Permit]) -> SafeString:
    """The rows of the permit list (``permits/permit_list.html``)."""
    if not permits:
        return empty_row(7, _("No permits."))
    href = url_prefix("permits:permit")
    number, unit, county, klass, status, decided, valid = labels(
        _("Number"), _("Unit"), _("County"), _("Class"), _("Status"), _("Decided on"), _("Valid until"))
    out = [
        f'<tr><td data-label="{number}"><a href="{href}{p.pk}/"><code>{text(p.number)}</code></a></td>'
        f'<td data-label="{unit}">{text(p.fixed_source.unit.name)}</td>'
        f'<td data-label="{county}">{text(p.fixed_source.unit.county.name)}</td>'
        f'<td data-label="{klass}">{text(p.get_management_class_display())}</td>'
        f'<td data-label="{status}">{text(p.get_status_display())}</td>'
        f'<td data-label="{decided}">{day(p.decided_on)}</td>'
        f'<td data-label="{valid}">{day(p.valid_until)}</td></tr>\n'
        for p in permits]
    return mark_safe("".join(out))


@register.simple_tag
def campaign_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The permit campaign's rows (``permits/campaign.html``): each ``selectors.campaign_row`` as a row,
    or the one row saying there are no units."""
    if not rows:
        return empty_row(7, _("No units."))
    href = url_prefix("permits:unit")
    unit, uscc, county, cls, due, which, state = labels(
        _("Unit"), _("Unified social credit code"), _("County"), _("Management class"), _("Due"),
        _("Which deadline"), _("State"))
    others, covered = labels(_("all other units"), _("covered"))
    out = []
    for row in rows:
        u, d = row["unit"], row["due"]
        # as {% blocktranslate %} writes it: the sentence as translated, its value escaped
        deadline = _("early list (%(code)s)") % {"code": text(d.industry)} if d.early else others
        if row["covered"]:
            now = covered
        elif row["past_due"]:
            late = _("past due by %(n)s days") % {"n": text(str(row["days_left"])[1:])}
            now = f'<span class="clock overdue">{late}</span>'
        else:
            now = _("%(n)s days left") % {"n": text(row["days_left"])}
        out.append(
            f'<tr><td data-label="{unit}"><a href="{href}{u.pk}/">{text(u.name)}</a></td>'
            f'<td data-label="{uscc}"><code>{text(u.uscc)}</code></td>'
            f'<td data-label="{county}">{text(u.county.name)}</td>'
            f'<td data-label="{cls}"><span class="badge {text(row["filing_class"])}">'
            f'{text(row["class_label"])}</span></td>'
            f'<td data-label="{due}">{day(d.date)}</td><td data-label="{which}">{deadline}</td>\n'
            f'<td data-label="{state}">{now}</td></tr>\n')
    return mark_safe("".join(out))


@register.simple_tag
def filter_options(options: Iterable[tuple[str, Any, bool]]) -> SafeString:
    """A list filter's options (``views._options``: value, label, chosen), as ``<option>`` elements."""
    return mark_safe("".join(  # noqa: S308  (every value escaped)
        f'<option value="{text(value)}"{" selected" if selected else ""}>{text(label)}</option>'
        for value, label, selected in options))


@register.simple_tag
def campaign_head(campaign: Any, progress: dict[str, dict[str, Any]], early_industries: list[Any]) -> SafeString:
    """The campaign page's title, its two progress cards and its early list (``permits/campaign.html``),
    as the template wrote them: sentences as translated (``{% translate %}`` of a literal and
    ``{% blocktranslate %}`` do not escape the code's own text), their values escaped."""
    early, late = progress["early"], progress["late"]

    def card(sentence: str, group: dict[str, Any]) -> str:
        due = sentence % {"d": day(group["deadline"])}
        past = _("%(n)s past due") % {"n": text(group["past_due"])}
        stat = f'{text(group["covered"])} / {text(group["total"])}'
        return (f'  <div class="card"><div class="muted">{due}</div>\n'
                f'    <div class="stat">{stat}</div><div>{past}</div></div>\n')

    listed = _("The early list (%(n)s industries)") % {"n": text(len(early_industries))}
    notice = _("No text we hold lists the 33 industries covered in 2017–2019; this list is editable data "
               "(admin › permit campaigns), seeded with the industries the city's notice names.")
    items = "".join(f'<li>{text(ci.industry)}{_note(ci.note)}</li>' for ci in early_industries)
    return mark_safe(  # noqa: S308  (every value escaped)
        f'<h1>{text(campaign.name)}</h1>\n<div class="grid">\n'
        f'{card(_("Listed industries, due %(d)s"), early)}{card(_("All other units, due %(d)s"), late)}</div>\n'
        f'<details><summary>{listed}</summary>\n'
        f'<p class="notice">{notice} {text(campaign.early_list_source)}</p>\n'
        f'<ul>{items}</ul>\n</details>')


def _note(note: str) -> str:
    return f' — <span class="muted">{text(note)}</span>' if note else ""
