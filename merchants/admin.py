from django.contrib import admin

from merchants.models import Identifier, Merchant, MerchantMerge, MergeProposal, Platform, Representative


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "owner_zh", "owner_region"]


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0
    # Identifiers are written by resolution only: an edit here could give a strong value to two merchants.
    readonly_fields = ["kind", "strength", "value", "normalized", "pinyin", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "platform", "status", "registered_region", "created_at"]
    list_filter = ["status", "kind", "platform"]
    search_fields = ["name", "company_name", "uscc", "identifiers__normalized"]
    # Status and merged_into change only through merchants.services (merges are audited and undoable).
    readonly_fields = ["uuid", "status", "merged_into", "created_at", "updated_at"]
    inlines = [IdentifierInline]


@admin.register(MergeProposal)
class MergeProposalAdmin(admin.ModelAdmin):
    list_display = ["merchant", "candidate", "score", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in MergeProposal._meta.fields]


@admin.register(MerchantMerge)
class MerchantMergeAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "automatic", "actor", "created_at", "undone_at"]
    readonly_fields = [f.name for f in MerchantMerge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["company_name", "merchant", "user", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["company_name", "uscc", "merchant__name", "user__email"]
    list_select_related = ["merchant", "user"]
    # The licence is reached only through the permission-checked licence view, never as an admin link; claims
    # are made and decided through merchants.services, which check the USCC, keep the user's role in step and
    # tell the claimant.
    exclude = ["licence"]
    readonly_fields = ["uuid", "merchant", "user", "uscc", "status", "created_at", "decided_by", "decided_at", "note"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
