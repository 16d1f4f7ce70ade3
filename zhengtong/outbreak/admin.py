from django.contrib import admin

from zhengtong.core.access import AccessLoggedAdmin, Kind, Subject
from zhengtong.outbreak.models import Case, CaseMove


class CaseMoveInline(admin.TabularInline):
    model = CaseMove
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "at", "by", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    """Cases are changed by their moves on the product's pages; the admin shows them (and logs the
    view) but deletes none."""

    access_kind = Kind.CASE
    list_display = ("id", "person", "status", "site", "county", "reported_at")
    list_filter = ("status", "county")
    raw_id_fields = ("person", "site", "reported_by")
    readonly_fields = ("status",)
    inlines = [CaseMoveInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def access_subject(self, obj):
        return Subject.of(obj)
