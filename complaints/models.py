import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.regions import Region
from complaints.storage import evidence_storage

NARRATIVE_MIN = 30
NARRATIVE_MAX = 5000
MSG_PAID_IN_FUTURE = _("The payment date cannot be in the future.")


def validate_not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(MSG_PAID_IN_FUTURE, code="future_date")


class Category(models.TextChoices):
    NOT_DELIVERED = "not_delivered", _("Paid but not delivered (pre-sales included)")
    MERCHANT_VANISHED = "merchant_vanished", _("Merchant vanished or unreachable")
    REFUND_REFUSED = "refund_refused", _("Refund or return refused")
    COUNTERFEIT = "counterfeit", _("Counterfeit goods")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described or poor quality")
    PROMOTION_NOT_HONOURED = "promotion_not_honoured", _("Coupon, group-buy or promotion not honoured")
    INDUCED_SHARING = "induced_sharing", _("Induced sharing or data harvesting")
    PERSONAL_DATA = "personal_data", _("Personal data leaked or misused")
    HIDDEN_FEES = "hidden_fees", _("Overcharging or hidden fees")
    OTHER = "other", _("Other")


class PaymentMethod(models.TextChoices):
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Bank card")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Complaint(models.Model):
    """What happened to one buyer. The merchant claims are kept exactly as typed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        NEEDS_INFO = "needs_info", _("More information requested")
        VERIFIED = "verified", _("Verified")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("tracking code"), max_length=12, unique=True, editable=False)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("complainant"), on_delete=models.PROTECT, related_name="complaints"
    )
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="complaints"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)

    # The merchant as the complainant named it.
    merchant_name = models.CharField(_("merchant or shop name"), max_length=200, blank=True)
    platform = models.CharField(_("platform"), max_length=40, blank=True)
    mini_program_name = models.CharField(_("mini-program name"), max_length=200, blank=True)
    app_id = models.CharField(_("app ID"), max_length=100, blank=True)
    shop_url = models.CharField(_("shop URL"), max_length=500, blank=True)
    merchant_phone = models.CharField(_("merchant phone"), max_length=40, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=100, blank=True)
    payee_account = models.CharField(_("payee account"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    company_uscc = models.CharField(_("company registration number (USCC)"), max_length=40, blank=True)

    # What happened.
    category = models.CharField(_("what happened"), max_length=40, choices=Category.choices)
    narrative = models.TextField(
        _("your account of what happened"),
        validators=[MinLengthValidator(NARRATIVE_MIN), MaxLengthValidator(NARRATIVE_MAX)],
    )
    amount = models.DecimalField(
        _("amount lost"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10**9)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True)
    paid_at = models.DateField(_("date paid"), null=True, blank=True, validators=[validate_not_future])
    order_number = models.CharField(_("order or transaction number"), max_length=100, blank=True)
    region = models.CharField(_("your province"), max_length=6, choices=Region.choices, blank=True)

    # Privacy.
    consent_publish = models.BooleanField(_("publish a redacted account"), default=False)
    hide_identity = models.BooleanField(_("hide my identity from the merchant"), default=True)

    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="complaint_amount_not_negative"
            ),
        ]
        indexes = [
            # "My complaints": WHERE complainant_id = %s ORDER BY submitted_at DESC.
            models.Index(fields=["complainant", "-submitted_at"], name="complaint_mine_idx"),
            # Per-merchant counts and lists: WHERE merchant_id = %s ORDER BY submitted_at DESC.
            models.Index(fields=["merchant", "-submitted_at"], name="complaint_merchant_idx"),
        ]

    def __str__(self):
        return self.code


class ComplaintDraft(models.Model):
    """A filing in progress: the wizard's answers and uploaded evidence survive errors until submitted."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="complaint_drafts"
    )
    data = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("complaint draft")
        verbose_name_plural = _("complaint drafts")
        indexes = [
            # The purge task: WHERE expires_at < now().
            models.Index(fields=["expires_at"], name="draft_expires_idx"),
        ]

    def __str__(self):
        return str(self.uuid)


class Evidence(models.Model):
    """One uploaded file. `status` is the durable record of its processing (DESIGN.md section 4)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being checked")
        READY = "ready", _("Ready")
        REJECTED = "rejected", _("Rejected")

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


class TimelineEvent(models.Model):
    """Append-only history of a complaint, shown to its complainant (and later to moderators)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Complaint submitted")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        EVIDENCE_READY = "evidence_ready", _("Evidence checked")
        EVIDENCE_REJECTED = "evidence_rejected", _("Evidence rejected")
        STATUS_CHANGED = "status_changed", _("Status changed")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Timeline events are append-only.")
