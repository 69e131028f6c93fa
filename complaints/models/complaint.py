import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.regions import Region

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


# ACCEPTED_STATUSES (below) as the reply-record index's predicate spells them; a test keeps the two in step.
REPLY_RECORD_STATUSES = [
    "accepted",
    "closed_explanation",
    "closed_monetary_relief",
    "closed_non_monetary_relief",
    "unresolved",
]


class Complaint(models.Model):
    """What happened to one buyer. The merchant claims are kept exactly as typed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        NEEDS_INFO = "needs_info", _("More information requested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        # Closures after the merchant's reply, as CFPB codes them.
        CLOSED_MONETARY_RELIEF = "closed_monetary_relief", _("Closed with monetary relief")
        CLOSED_NON_MONETARY_RELIEF = "closed_non_monetary_relief", _("Closed with non-monetary relief")
        CLOSED_EXPLANATION = "closed_explanation", _("Closed with explanation")
        UNRESOLVED = "unresolved", _("Unresolved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RejectReason(models.TextChoices):
        SPAM = "spam", _("Spam")
        DUPLICATE = "duplicate", _("Duplicate of another complaint")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
        UNSUPPORTED = "unsupported", _("Unsupported or defamatory")
        ABUSIVE = "abusive", _("Abusive")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("tracking code"), max_length=12, unique=True, editable=False)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("complainant"), on_delete=models.PROTECT, related_name="complaints"
    )
    # The active merchant the complaint counts against; follows merges and their undoing.
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="complaints"
    )
    # The merchant resolution identified (it may since have been merged into `merchant`), and why.
    linked_merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant as identified"),
        on_delete=models.PROTECT,
        related_name="linked_complaints",
    )
    merchant_links = models.JSONField(_("how the merchant was identified"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.SUBMITTED)
    reject_reason = models.CharField(_("reason for rejection"), max_length=20, choices=RejectReason.choices, blank=True)

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

    # The narrative with personal data masked (complaints.redaction), edited by moderators before publication:
    # the only text that is shown in public, to merchants, in exports or sent out.
    narrative_redacted = models.TextField(_("redacted account"), blank=True)
    # An elderly person, a minor or someone filing for one: moderators see such complaints first.
    vulnerable = models.BooleanField(_("filed by or for an elderly person or a minor"), default=False)

    # Privacy.
    consent_publish = models.BooleanField(_("publish a redacted account"), default=False)
    hide_identity = models.BooleanField(_("hide my identity from the merchant"), default=True)
    # Other victims of the same merchant may write to this complainant through the site (no contact details shown).
    contactable = models.BooleanField(_("other victims of this merchant may contact me through Redress"), default=False)

    # The merchant's right of reply: the clock starts when a moderator accepts the complaint
    # (settings.MERCHANT_REPLY_DAYS); the first public reply stops it.
    reply_due_at = models.DateTimeField(_("merchant reply due"), null=True, blank=True)
    first_reply_at = models.DateTimeField(_("merchant first replied"), null=True, blank=True)

    # Moderation: the moderator working on it (a claim lapses after settings.MODERATION_CLAIM_TTL), and where
    # the queue puts it (complaints.priority, recomputed as the complaint and its merchant change).
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    priority = models.IntegerField(_("priority"), default=0)
    # HMAC of the filing's client address: enough to see many filings from one address, not the address.
    client_ip_hash = models.CharField(_("client address hash"), max_length=64, blank=True)

    # Who complained, for counting distinct complainants: the account, or for an imported row the source and a
    # hash of the victim reference the organiser gave.
    complainant_key = models.CharField(_("complainant key"), max_length=80)
    # Bulk imports (a victims' group spreadsheet): where the row came from, so importing twice adds nothing.
    source = models.CharField(_("import source"), max_length=100, blank=True)
    source_row = models.CharField(_("row id in the source"), max_length=100, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True), name="complaint_amount_not_negative"
            ),
            models.UniqueConstraint(
                fields=["source", "source_row"], condition=~Q(source=""), name="complaint_unique_source_row"
            ),
        ]
        indexes = [
            # "My complaints": WHERE complainant_id = %s ORDER BY submitted_at DESC.
            models.Index(fields=["complainant", "-submitted_at"], name="complaint_mine_idx"),
            # Per-merchant counts and lists: WHERE merchant_id = %s ORDER BY submitted_at DESC.
            models.Index(fields=["merchant", "-submitted_at"], name="complaint_merchant_idx"),
            # The complainant's history on the moderators' case page: WHERE complainant_key = %s.
            models.Index(fields=["complainant_key", "-submitted_at"], name="complaint_who_idx"),
            # Distinct complainants per merchant: WHERE merchant_id = %s AND complainant_key = %s.
            models.Index(fields=["merchant", "complainant_key"], name="complaint_merchant_who_idx"),
            # Undoing a merge: WHERE merchant_id = %s AND linked_merchant_id IN (...).
            models.Index(fields=["linked_merchant"], name="complaint_linked_idx"),
            # The moderation queue: WHERE status IN (...) ORDER BY priority DESC.
            models.Index(fields=["status", "-priority"], name="complaint_queue_idx"),
            # Brigading: WHERE merchant_id = %s AND client_ip_hash = %s AND submitted_at >= %s.
            models.Index(fields=["merchant", "client_ip_hash", "submitted_at"], name="complaint_brigade_ip_idx"),
            # Replies due soon or overdue: WHERE first_reply_at IS NULL AND reply_due_at < %s.
            models.Index(
                fields=["reply_due_at"], condition=Q(first_reply_at__isnull=True), name="complaint_reply_due_idx"
            ),
            # The collective case's ledger: WHERE merchant_id = %s AND order_number = %s.
            models.Index(fields=["merchant", "order_number"], name="complaint_merchant_order_idx"),
            # The merchant's reply record, from the index alone: WHERE merchant_id IN (...) AND status IN (accepted
            # statuses), counting first_reply_at and reply_due_at. Partial, so a filing does not write to it; built
            # CONCURRENTLY on PostgreSQL by migration 0010.
            models.Index(
                fields=["merchant", "status", "first_reply_at", "reply_due_at"],
                condition=Q(status__in=REPLY_RECORD_STATUSES),
                name="complaint_reply_record_idx",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_public(self) -> bool:
        """Public only once accepted by a moderator and with the complainant's consent."""
        return self.consent_publish and self.status in PUBLIC_STATUSES


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


# Accepted by a moderator, whatever happened after: verified complaints.
ACCEPTED_STATUSES = frozenset(
    {
        Complaint.Status.ACCEPTED,
        Complaint.Status.CLOSED_MONETARY_RELIEF,
        Complaint.Status.CLOSED_NON_MONETARY_RELIEF,
        Complaint.Status.CLOSED_EXPLANATION,
        Complaint.Status.UNRESOLVED,
    }
)
# Statuses in which a consenting complainant's redacted account is public.
PUBLIC_STATUSES = ACCEPTED_STATUSES
# Complaints statistics leave out: refused by a moderator or taken back by the complainant.
UNCOUNTED_STATUSES = frozenset({Complaint.Status.REJECTED, Complaint.Status.WITHDRAWN})
