from django.contrib import admin

from zhengtong.accounts.models import ApiToken, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "department", "site", "unit", "is_head")
    list_filter = ("role", "is_head")
    search_fields = ("user__username",)
    raw_id_fields = ("site", "unit")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    search_fields = ("name", "user__username")
