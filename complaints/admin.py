from django.contrib import admin

from complaints.models import Complaint, ComplaintDraft, Evidence, Flag, ModerationAction, ReviewRequest, TimelineEvent


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "kind", "status", "reject_reason", "size", "sha256", "flags"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["code", "merchant", "category", "status", "amount", "region", "submitted_at"]
    list_filter = ["status", "category", "region", "payment_method"]
    search_fields = ["code", "merchant__name", "merchant_name", "order_number"]
    list_select_related = ["merchant"]
    # The merchant changes only through resolution and audited merges, and status, claims and the redacted text
    # only through complaints.workflow: each keeps the totals right and the audit record complete. What the
    # rollups count by (category, province, platform, amount, currency) cannot be edited here either.
    readonly_fields = [
        "uuid", "code", "complainant", "merchant", "linked_merchant", "merchant_links", "complainant_key", "source",
        "source_row", "submitted_at", "updated_at", "status", "reject_reason", "narrative_redacted", "claimed_by",
        "claimed_at", "priority", "client_ip_hash", "consent_publish", "hide_identity", "category", "region",
        "platform", "amount", "currency",
    ]  # fmt: skip
    inlines = [EvidenceInline, TimelineInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting would leave the rollups counting a complaint that no longer exists; withdraw or reject instead.
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "complaint", "kind", "status", "reject_reason", "created_at"]
    list_filter = ["status", "kind", "reject_reason"]
    search_fields = ["sha256", "complaint__code"]
    list_select_related = ["complaint"]
    # Files are reached only through the permission-checked evidence view, never as admin links.
    exclude = ["file", "display", "thumbnail"]
    readonly_fields = ["uuid", "complaint", "draft", "uploaded_by", "sha256", "size", "content_type", "phash"]


@admin.register(ComplaintDraft)
class ComplaintDraftAdmin(admin.ModelAdmin):
    list_display = ["uuid", "owner", "created_at", "expires_at"]
    readonly_fields = ["uuid", "owner", "data"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["complaint", "action", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["complaint", "actor"]
    readonly_fields = [f.name for f in ModerationAction._meta.fields]

    # The audit record is append-only: the admin neither adds, edits nor deletes.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["complaint", "kind", "other", "score", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["complaint", "other"]
    readonly_fields = [f.name for f in Flag._meta.fields]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["complaint", "reason", "requested_by", "status", "created_at", "decided_at"]
    list_filter = ["status", "reason"]
    search_fields = ["complaint__code", "requested_by__email"]
    list_select_related = ["complaint", "requested_by"]
    # Requests are made by representatives and decided in the moderators' queue (complaints.review_requests),
    # which keeps one open per complaint and records who decided: here they are read only.
    readonly_fields = [f.name for f in ReviewRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
