from django.contrib import admin

from zhengtong.accounts.models import ApiToken, RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Read here; given and ended on the account pages (/accounts/users/), whose service keeps one active
    assignment per user, role and scope, and never deletes one."""

    list_display = ("user", "role", "region", "department", "site", "unit", "is_head", "created_at", "ended_at")
    list_filter = ("role", "is_head")
    search_fields = ("user__username",)
    raw_id_fields = ("site", "unit", "created_by", "ended_by")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an assignment is ended (on the account page), never deleted


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    search_fields = ("name", "user__username")
