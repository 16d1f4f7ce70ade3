from django.contrib import admin

from zhengtong.core.access import AccessLoggedAdmin, Kind
from zhengtong.screening.models import Alert, Area, Disinfection, Entry, GateDevice, HealthCheck


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "is_active")
    search_fields = ("name", "site__name")
    raw_id_fields = ("site",)


@admin.register(Entry)
class EntryAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    access_kind = Kind.ENTRIES
    list_display = ("entered_at", "site", "area", "person", "decision", "reason", "left_at", "source", "disagreement")
    list_filter = ("decision", "reason", "source", "disagreement")
    raw_id_fields = ("site", "area", "person", "recorded_by", "device")
    date_hierarchy = "entered_at"
    show_full_result_count = False


@admin.register(HealthCheck)
class HealthCheckAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    access_kind = Kind.HEALTH
    list_display = ("checked_at", "site", "person", "temperature", "is_fever")
    raw_id_fields = ("site", "person", "checked_by")


@admin.register(Disinfection)
class DisinfectionAdmin(admin.ModelAdmin):
    list_display = ("done_at", "site", "area", "agent", "operator")
    raw_id_fields = ("site", "area", "recorded_by")


@admin.register(Alert)
class AlertAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    access_kind = Kind.HEALTH
    access_list = False  # the list shows no message; an alert's page shows its temperature
    list_display = ("created_at", "recipient", "kind", "site", "acknowledged_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "site", "person")


@admin.register(GateDevice)
class GateDeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "prefix", "created_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at")
    raw_id_fields = ("site",)
