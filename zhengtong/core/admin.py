from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from zhengtong.core.models import AccessRecord, HolidayOverride


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ("day", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "day"


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """Read only: an access record is never added by hand, changed or deleted."""

    list_display = ("at", "username", "via", "kind", "subject", "path", "address")
    list_filter = ("kind", "subject_type")
    search_fields = ("username", "subject", "path")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessRecord | None = None) -> bool:
        return False
