from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhengtong.resumption.models import ExpectedUnit, ResumptionDeclaration, ResumptionStage


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
