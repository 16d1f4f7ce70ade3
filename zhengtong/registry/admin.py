from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhengtong.registry.models import Department, Industry, Person, Region, Site, SitePerson, Unit, UnitImport


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "uscc", "kind", "county", "industry", "status")
    list_filter = ("kind", "status", "county")
    search_fields = ("name", "uscc")
    autocomplete_fields = ("industry", "other_industries")


class SitePersonInline(admin.TabularInline):
    model = SitePerson
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ("name", "unit", "kind", "county", "capacity", "is_active")
    list_filter = ("kind", "county", "is_active")
    search_fields = ("name", "unit__name")
    raw_id_fields = ("unit",)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "id_number_masked", "phone")
    search_fields = ("name", "phone")
    readonly_fields = ("id_number_masked",)


@admin.register(SitePerson)
class SitePersonAdmin(SimpleHistoryAdmin):
    list_display = ("person", "site", "relation", "since", "until")
    list_filter = ("relation",)
    raw_id_fields = ("person", "site")


@admin.register(UnitImport)
class UnitImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "user", "created_at", "rows", "created", "updated", "unchanged", "invalid")
    readonly_fields = [f.name for f in UnitImport._meta.fields]
