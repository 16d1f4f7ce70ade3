from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhengtong.resumption.models import (
    Difficulty,
    DifficultyEvent,
    DifficultyRoute,
    ExpectedUnit,
    ResumptionDeclaration,
    ResumptionStage,
)


@admin.register(ExpectedUnit)
class ExpectedUnitAdmin(SimpleHistoryAdmin):
    """The city's edits to the units expected to declare (by default every active enterprise): add a
    unit that is not one, or take one out, with the reason."""

    list_display = ("unit", "expected", "reason")
    list_filter = ("expected",)
    raw_id_fields = ("unit",)
    search_fields = ("unit__name", "unit__uscc")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Declarations and stages are corrected by new records on the product's pages, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ResumptionDeclaration)
class ResumptionDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("unit", "planned_date", "declared_on", "status", "lead_department", "answer_due")
    list_filter = ("status",)
    search_fields = ("unit__name", "unit__uscc")


@admin.register(ResumptionStage)
class ResumptionStageAdmin(ReadOnlyAdmin):
    list_display = ("unit", "stage", "reached_on", "capacity_pct")
    list_filter = ("stage",)
    search_fields = ("unit__name", "unit__uscc")


@admin.register(DifficultyRoute)
class DifficultyRouteAdmin(SimpleHistoryAdmin):
    """The routing table the city edits: the department each category of difficulty goes to."""

    list_display = ("category", "department")


class DifficultyEventInline(admin.TabularInline):
    model = DifficultyEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "from_status", "to_status", "department", "text", "rating", "at", "by",
                                "clock", "due", "notified")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Difficulty)
class DifficultyAdmin(ReadOnlyAdmin):
    """Difficulties move on the product's pages; the admin shows them and their thread."""

    list_display = ("title", "unit", "category", "department", "status", "reported_on", "resolve_due")
    list_filter = ("status", "category")
    search_fields = ("title", "unit__name")
    inlines = [DifficultyEventInline]
