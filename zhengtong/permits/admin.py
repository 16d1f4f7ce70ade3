"""Django admin for the permit tables. The campaign, its early list and the holiday calendar are
edited here; submitted records (applications, permits, registrations, reports, cases) are only
viewed: they change through their services, which keep their history and rules."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhengtong.permits.models import (
    Application,
    AttachmentRequirement,
    Campaign,
    CampaignIndustry,
    CatalogueEntry,
    Classification,
    ComplianceReport,
    EnforcementCase,
    FixedSource,
    Permit,
    ReadingDecision,
    Registration,
    Reminder,
    UnitFacts,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CampaignIndustryInline(admin.TabularInline):
    model = CampaignIndustry
    raw_id_fields = ("industry",)
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "early_deadline", "late_deadline", "reminder_days", "is_active")
    inlines = [CampaignIndustryInline]


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(ReadOnlyAdmin):
    list_display = ("row", "section", "industry_text", "industry_codes")
    search_fields = ("industry_text", "industry_codes")


@admin.register(Classification)
class ClassificationAdmin(ReadOnlyAdmin):
    list_display = ("unit", "management_class", "scope", "deciding_row", "classified_at")
    list_filter = ("management_class", "scope")
    search_fields = ("unit__name", "unit__uscc")


@admin.register(UnitFacts)
class UnitFactsAdmin(ReadOnlyAdmin):
    list_display = ("unit", "updated_at")
    search_fields = ("unit__name", "unit__uscc")


@admin.register(FixedSource)
class FixedSourceAdmin(ReadOnlyAdmin):
    list_display = ("unit", "sequence", "address")
    search_fields = ("unit__name", "unit__uscc")


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("number", "version", "unit_name", "status", "filed_at")
    list_filter = ("status",)
    search_fields = ("number", "unit_name")


@admin.register(ReadingDecision)
class ReadingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("unit", "reading", "choice", "decided_by", "decided_at")
    list_filter = ("reading", "choice")
    search_fields = ("unit__name", "unit__uscc")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("fixed_source", "kind", "version", "status", "management_class", "received_on", "decided_on")
    list_filter = ("status", "kind", "management_class")


@admin.register(Permit)
class PermitAdmin(ReadOnlyAdmin):
    list_display = ("number", "management_class", "status", "decided_on", "valid_until")
    list_filter = ("status", "management_class")
    search_fields = ("number", "national_number")


@admin.register(ComplianceReport)
class ComplianceReportAdmin(ReadOnlyAdmin):
    list_display = ("permit", "kind", "period_start", "version", "status", "submitted_at")
    list_filter = ("kind", "status")


@admin.register(EnforcementCase)
class EnforcementCaseAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "violation_date", "status", "fine")
    list_filter = ("kind", "status")
    search_fields = ("unit__name",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "due", "created_at")
    list_filter = ("kind",)


@admin.register(AttachmentRequirement)
class AttachmentRequirementAdmin(admin.ModelAdmin):
    """The documents the city asks for with a permit application, besides 条例 Art. 8's."""

    list_display = ("name", "management_class", "required", "active", "order")
    list_editable = ("order", "active")
    list_filter = ("management_class", "required", "active")
