from django.contrib import admin

from portal.dashboards.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the exports themselves and is evidence of who took what."""

    list_display = ["created_at", "user", "table", "format", "rows", "finished_at"]
    list_filter = ["table", "format"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"
    fields = ["user", "table", "format", "filters", "rows", "created_at", "finished_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
