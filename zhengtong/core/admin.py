from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhengtong.core.models import HolidayOverride


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ("day", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "day"
