from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """Who took which figures or complaints out of the dashboard, with the filters that chose them.

    Written when an export starts; `rows` and `finished_at` are filled once its last row is out, so a row
    without them is an export that failed or whose download was broken off.
    """

    class Table(models.TextChoices):
        TIMESERIES = "timeseries", _("Complaints over time")
        CATEGORY = "category", _("Complaints by category")
        PLATFORM = "platform", _("Complaints by platform")
        PROVINCE = "province", _("Complaints by province")
        MERCHANTS = "merchants", _("Rising merchants")
        COMPLAINTS = "complaints", _("Complaint list")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    # PROTECT, not SET_NULL: an export of complaints is a disclosure, and its record must keep naming who took
    # it. Staff who leave are deactivated, as complainants and moderators are (their records PROTECT them too).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    table = models.CharField(_("table"), max_length=20, choices=Table.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    # The filters as URL parameters ({"from": ["2025-01-01"], "province": ["440000"], ...}), after validation.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        indexes = [
            # What one person exported: WHERE user_id = %s ORDER BY created_at DESC.
            models.Index(fields=["user", "-created_at"], name="exportlog_user_idx"),
            # The admin's list, newest first: ORDER BY created_at DESC LIMIT 100.
            models.Index(fields=["-created_at"], name="exportlog_created_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.table}.{self.format} {self.created_at:%Y-%m-%d %H:%M}"
