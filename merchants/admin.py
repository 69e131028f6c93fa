from django.contrib import admin

from merchants.models import Identifier, Merchant, Platform


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["code"]


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0
    readonly_fields = ["created_at"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "created_at"]
    list_filter = ["platform"]
    search_fields = ["name", "normalized_name", "identifiers__normalized"]
    readonly_fields = ["uuid", "created_at"]
    inlines = [IdentifierInline]
