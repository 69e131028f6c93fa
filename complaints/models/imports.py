import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.storage import evidence_storage


class ImportJob(models.Model):
    """One spreadsheet of complaints from a victims' group or consumer association, and its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    # Kept in private storage like evidence: the spreadsheet holds victims' personal data.
    file = models.FileField(_("file"), storage=evidence_storage, upload_to="imports/%Y/%m/", max_length=200)
    file_name = models.CharField(_("file name"), max_length=120)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("complaints created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("rows already imported"), default=0)
    rejected_count = models.PositiveIntegerField(_("rows rejected"), default=0)
    # [{"row": "12", "errors": {"field": ["message"]}}], in the importer's language.
    report = models.JSONField(_("rejected rows"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.source}: {self.file_name}"
