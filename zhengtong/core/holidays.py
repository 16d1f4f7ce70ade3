"""The city's working-day calendar: the statutory holidays (chinesecalendar) with the city
administrator's own entries, as every clock counts it."""

from zhengtong.core import workdays
from zhengtong.core.models import HolidayOverride


def city_calendar() -> workdays.Calendar:
    """The statutory calendar with the city administrator's entries."""
    rows = list(HolidayOverride.objects.values_list("day", "kind"))
    return workdays.Calendar(
        extra_holidays=frozenset(d for d, k in rows if k == HolidayOverride.Kind.HOLIDAY),
        extra_workdays=frozenset(d for d, k in rows if k == HolidayOverride.Kind.WORKDAY),
    )
