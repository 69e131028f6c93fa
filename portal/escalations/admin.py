from django.contrib import admin

from portal.escalations.models import (
    Authority,
    AuthorityMember,
    Escalation,
    EscalationEvent,
    MerchantRisk,
    RiskAlert,
    RiskRule,
)


class AuthorityMemberInline(admin.TabularInline):
    model = AuthorityMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "kind", "region", "active"]
    list_filter = ["kind", "active", "region"]
    search_fields = ["name_zh", "name_en"]
    filter_horizontal = ["platforms"]
    # The secret is generated when an endpoint is set; shown so it can be shared with the authority.
    readonly_fields = ["uuid", "webhook_secret"]
    inlines = [AuthorityMemberInline]


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "enabled", "points", "escalates", "updated_at"]
    list_editable = ["enabled", "points", "escalates"]
    readonly_fields = ["code", "updated_at"]

    def has_add_permission(self, request):
        # The engine knows only the seeded codes: a new row would do nothing.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MerchantRisk)
class MerchantRiskAdmin(admin.ModelAdmin):
    list_display = ["merchant", "score", "computed_at"]
    ordering = ["-score"]
    raw_id_fields = ["merchant"]
    readonly_fields = ["merchant", "score", "reasons", "computed_at"]


class EscalationEventInline(admin.TabularInline):
    model = EscalationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "data", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    """Read-only: state changes go through portal.escalations.services, which keep the history."""

    list_display = ["merchant", "authority", "status", "outcome", "opened_at", "ack_due_at", "response_due_at"]
    list_filter = ["status", "outcome", "authority__kind"]
    search_fields = ["merchant__name", "authority__name_zh", "authority__name_en"]
    raw_id_fields = ["merchant", "authority", "opened_by"]
    inlines = [EscalationEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskAlert)
class RiskAlertAdmin(admin.ModelAdmin):
    """Read-only: alerts are proposed, approved and withdrawn on the moderators' pages (portal.escalations.alerts),
    which record who did each step."""

    list_display = ["merchant", "level", "status", "created_by", "created_at", "approved_by", "approved_at"]
    list_filter = ["status", "level"]
    search_fields = ["merchant__name", "text"]
    raw_id_fields = ["merchant", "created_by", "approved_by", "withdrawn_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
