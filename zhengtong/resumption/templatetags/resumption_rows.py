"""The rows of the difficulty lists (all difficulties, a department's inbox), written out in Python.

Through the template engine, 50 rows cost some 1,100 variable lookups, 100 date filters and 50
``{% url %}`` a page: about a third of a list page whose rows the database finds in a few ms (issue
19, "Performance"). These tags give the same markup (with zhengtong.core.rows): the cells' values
escaped, a date as YYYY-MM-DD (what ``|date:"Y-m-d"`` gives), the link to a difficulty from a prefix
reversed once. What a row shows is still decided by the view and the selectors (``difficulty_clock``,
``inbox_clock``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhengtong.core.rows import day, empty_row, labels, text, url_prefix

register = template.Library()


@register.simple_tag
def difficulty_rows(rows: list[tuple[Any, dict[str, Any]]]) -> SafeString:
    """The rows of the difficulty list (``resumption/difficulty_list.html``): each (difficulty, its
    ``difficulty_clock``) as a row, or the one row saying there are none."""
    if not rows:
        return empty_row(7, _("No difficulties."))
    href = url_prefix("resumption:difficulty")
    title, unit, category, department, status, reported, due, overdue = labels(
        _("Title"), _("Unit"), _("Category"), _("Department"), _("Status"), _("Reported"), _("Due"), _("overdue"))
    out = []
    for d, clock in rows:
        if clock["running"]:
            badge = f' <span class="badge overdue">{overdue}</span>' if clock["overdue"] else ""
            when = f"{text(clock['label'])} {day(clock['due'])}{badge}"
        else:
            when = "—"
        out.append(
            f'<tr class="{"overdue" if clock["overdue"] else ""}" data-difficulty="{d.pk}">'
            f'<td data-label="{title}"><a href="{href}{d.pk}/">{text(d.title)}</a></td>'
            f'<td data-label="{unit}">{text(d.unit.name)}</td>'
            f'<td data-label="{category}">{text(d.get_category_display())}</td>'
            f'<td data-label="{department}">{text(d.department.name if d.department else "") or "—"}</td>'
            f'<td data-label="{status}">{text(d.get_status_display())}</td>'
            f'<td data-label="{reported}">{day(d.reported_on)}</td>'
            f'<td data-label="{due}">{when}</td></tr>\n')
    return mark_safe("".join(out))


@register.simple_tag
def inbox_rows(rows: list[tuple[Any, dict[str, Any]]], compact: bool = False) -> SafeString:
    """The rows of a department's inbox (``resumption/_inbox_table.html``, on the inbox and, ``compact``,
    on the home page): each (difficulty, its ``inbox_clock``) as a row, or the one row saying that
    nothing waits."""
    if not rows:
        return empty_row(5 if compact else 8, _("Nothing waits for you."))
    href = url_prefix("resumption:difficulty")
    l_due, l_title, l_unit, l_county, l_category, l_department, l_status, l_reported = labels(
        _("Due"), _("Title"), _("Unit"), _("County"), _("Category"), _("Department"), _("Status"), _("Reported"))
    l_overdue, l_due_today, l_escalated, l_unconfirmed = labels(
        _("overdue"), _("due today"), _("escalated"), _("holiday calendar not confirmed"))
    out = []
    for d, clock in rows:
        state = text(clock["status"])
        css = "due_soon" if clock["status"] == "due_today" else state
        badges = (f' <span class="badge overdue">{l_overdue}</span>' if clock["status"] == "overdue" else
                  f' <span class="badge" data-testid="due-today">{l_due_today}</span>'
                  if clock["status"] == "due_today" else "")
        if d.escalated:
            badges += f' <span class="badge overdue" data-testid="escalated">{l_escalated}</span>'
        if not clock["confirmed"]:
            badges += f'<br><small class="muted">{l_unconfirmed}</small>'
        county = "" if compact else (f'<td data-label="{l_county}">'
                                     f'{text(d.unit.county.name if d.unit.county else "")}</td>')
        department = "" if compact else (f'<td data-label="{l_department}">'
                                         f'{text(d.department.name if d.department else "") or "—"}</td>')
        reported = "" if compact else f'<td data-label="{l_reported}">{day(d.reported_on)}</td>'
        out.append(
            f'<tr class="{"overdue" if clock["overdue"] else ""}" data-difficulty="{d.pk}" data-clock="{state}">\n'
            f'<td data-label="{l_due}"><span class="clock nowrap {css}">{text(clock["label"])} '
            f'{day(clock["due"])}</span>{badges}</td>\n'
            f'<td data-label="{l_title}"><a href="{href}{d.pk}/">{text(d.title)}</a></td>\n'
            f'<td data-label="{l_unit}">{text(d.unit.name)}</td>\n'
            f'{county}\n'
            f'<td data-label="{l_category}">{text(d.get_category_display())}</td>\n'
            f'{department}\n'
            f'<td data-label="{l_status}">{text(d.get_status_display())}</td>\n'
            f'{reported}</tr>\n')
    return mark_safe("".join(out))
