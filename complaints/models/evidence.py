import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.models.complaint import Complaint, ComplaintDraft
from complaints.storage import evidence_storage


class Evidence(models.Model):
    """One uploaded file. `status` is the durable record of its processing (DESIGN.md section 4)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being checked")
        READY = "ready", _("Ready")
        REJECTED = "rejected", pgettext_lazy("evidence", "Rejected")

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")

    class RejectReason(models.TextChoices):
        TOO_MANY_PIXELS = "too_many_pixels", _("The picture is too large (more than 40 megapixels).")
        UNREADABLE_IMAGE = "unreadable_image", _("The picture is damaged or incomplete and cannot be read.")
        UNREADABLE_PDF = "unreadable_pdf", _("The PDF is damaged and cannot be read.")
        ENCRYPTED_PDF = "encrypted_pdf", _("The PDF is password-protected; please upload it without a password.")
        PROCESSING_FAILED = "processing_failed", _("The file could not be checked; please upload it again.")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    draft = models.ForeignKey(
        ComplaintDraft,
        verbose_name=_("draft"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(_("file name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    file = models.FileField(_("original"), storage=evidence_storage, upload_to="original/%Y/%m/", max_length=200)
    display = models.FileField(_("display copy"), storage=evidence_storage, blank=True, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), storage=evidence_storage, blank=True, max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(_("reason"), max_length=30, choices=RejectReason.choices, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(complaint__isnull=False) | Q(draft__isnull=False),
                name="evidence_belongs_somewhere",
            ),
        ]
        indexes = [
            # The sweeper: WHERE status = 'pending' AND enqueued_at < %s.
            models.Index(fields=["status", "enqueued_at"], name="evidence_sweep_idx"),
            # Near-duplicate search across complaints: WHERE sha256 = %s / phash = %s.
            models.Index(fields=["sha256"], name="evidence_sha256_idx"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE
