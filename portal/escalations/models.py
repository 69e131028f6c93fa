import base64
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints.models.append_only import AppendOnlyModel
from merchants.regions import Region


class Authority(models.Model):
    """Who an escalation goes to: a provincial market regulator, a platform owner, police, a consumer association.

    Regulators and police are scoped by province (`region`); platform owners by the platforms they run.
    """

    class Kind(models.TextChoices):
        MARKET_REGULATOR = "market_regulator", _("Market regulator")
        PLATFORM_OWNER = "platform_owner", _("Platform owner")
        POLICE = "police", _("Police")
        CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name_zh = models.CharField(_("name in Chinese"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    region = models.CharField(_("province"), max_length=6, choices=Region.choices, blank=True)
    platforms = models.ManyToManyField(
        "merchants.Platform", verbose_name=_("platforms"), blank=True, related_name="authorities"
    )
    contact_emails = models.JSONField(_("contact email addresses"), default=list, blank=True)
    webhook_url = models.URLField(_("webhook endpoint"), max_length=500, blank=True)
    # Signs webhook deliveries; generated when an endpoint is set, so an endpoint never goes out unsigned.
    webhook_secret = models.CharField(_("webhook secret"), max_length=100, blank=True)
    ack_hours = models.PositiveIntegerField(_("hours to acknowledge"), default=24)
    response_days = models.PositiveIntegerField(_("days to respond"), default=15)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "region", "name_zh"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            # Regulators and police are found by province, platform owners by platform.
            models.CheckConstraint(
                condition=Q(kind__in=["market_regulator", "police"], region__gt="")
                | Q(kind="platform_owner", region="")
                | Q(kind="consumer_association"),
                name="authority_region_follows_kind",
            ),
            # Routing picks "the" regulator (or police) of a province: two active ones would make it guess.
            models.UniqueConstraint(
                fields=["kind", "region"],
                condition=Q(active=True, kind__in=["market_regulator", "police"]),
                name="authority_one_per_province",
            ),
        ]
        indexes = [
            # Routing: WHERE kind = %s AND region = %s AND active.
            models.Index(fields=["kind", "region"], name="authority_kind_region_idx"),
        ]

    def __str__(self):
        return self.name or self.name_zh

    def save(self, *args, **kwargs):
        if self.webhook_url and not self.webhook_secret:
            # Standard Webhooks format: "whsec_" and the base64 of 32 random bytes.
            self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        super().save(*args, **kwargs)

    @property
    def name(self):
        return self.name_zh if (get_language() or "").startswith("zh") else (self.name_en or self.name_zh)


class AuthorityMember(models.Model):
    """An authority staff account and the one authority it works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="authority_membership",
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.CASCADE, related_name="members"
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["authority", "user"]
        verbose_name = _("authority member")
        verbose_name_plural = _("authority members")

    def __str__(self):
        return f"{self.user_id} @ {self.authority_id}"


class RiskRule(models.Model):
    """One early-warning rule, its parameters and what it adds to a merchant's risk score. Admins tune them."""

    class Code(models.TextChoices):
        SURGE = "surge", _("Surge against the merchant's own baseline")
        VOLUME = "volume", _("Many complaints or a large loss in a window")
        VANISHED = "vanished", _("Merchant vanished or not delivering")
        YOUNG_COMPANY = "young_company", _("Recently registered company")
        MANUAL = "manual", _("Escalated by a moderator")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=0, validators=[MaxValueValidator(100)])
    escalates = models.BooleanField(_("escalates"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.CheckConstraint(condition=Q(points__lte=100), name="risk_rule_points_at_most_100"),
        ]

    def __str__(self):
        return self.get_code_display()


class MerchantRisk(models.Model):
    """A merchant's latest risk score and the rules that raised it, recomputed by the risk engine."""

    merchant = models.OneToOneField(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="risk",
    )
    score = models.PositiveSmallIntegerField(_("score"), default=0, validators=[MaxValueValidator(100)])
    # [{"rule": code, ...the numbers its explanation shows}]
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("merchant risk")
        verbose_name_plural = _("merchant risks")
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="merchant_risk_score_at_most_100"),
        ]
        indexes = [
            # The moderators' watch list: ORDER BY score DESC.
            models.Index(fields=["-score"], name="merchant_risk_score_idx"),
        ]

    def __str__(self):
        return f"{self.merchant_id}: {self.score}"


class Escalation(models.Model):
    """A case sent to one authority about one merchant. At most one is open per (merchant, authority); new
    complaints extend it with supplements instead of opening another."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending delivery")
        DELIVERED = "delivered", _("Delivered")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        INVESTIGATING = "investigating", _("Investigating")
        MERCHANT_SUSPENDED = "merchant_suspended", _("Merchant suspended")
        FUNDS_FROZEN = "funds_frozen", _("Funds frozen")
        REFERRED = "referred", _("Referred to another authority")
        NO_ACTION = "no_action", _("No action")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="escalations"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="escalations"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    note = models.TextField(_("authority's note"), blank=True)
    rules = models.JSONField(_("rules"), default=list, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledgement due"))
    response_due_at = models.DateTimeField(_("response due"))
    # When each deadline was found missed: the moderators' flag, and what keeps the sweep from repeating itself.
    ack_overdue_at = models.DateTimeField(_("acknowledgement overdue since"), null=True, blank=True)
    response_overdue_at = models.DateTimeField(_("response overdue since"), null=True, blank=True)
    supplements = models.PositiveIntegerField(_("supplements"), default=0)
    complaint_count = models.PositiveIntegerField(_("complaints"), default=0)
    claimed_loss = models.DecimalField(_("claimed loss (CNY)"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            # Two moderators (or a moderator and the risk engine) escalating at once open one escalation.
            models.UniqueConstraint(
                fields=["merchant", "authority"], condition=~Q(status="closed"), name="escalation_one_open"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status__in=["responded", "closed"]),
                name="escalation_outcome_after_response",
            ),
        ]
        indexes = [
            # Overdue sweep: WHERE status IN ('pending', 'delivered') AND ack_due_at < %s, and
            # WHERE status IN ('pending', 'delivered', 'acknowledged') AND response_due_at < %s.
            models.Index(fields=["status", "ack_due_at"], name="escalation_ack_due_idx"),
            models.Index(fields=["status", "response_due_at"], name="escalation_response_due_idx"),
            # An authority's inbox: WHERE authority_id = %s ORDER BY opened_at DESC.
            models.Index(fields=["authority", "-opened_at"], name="escalation_authority_idx"),
        ]

    def __str__(self):
        return f"{self.merchant_id} -> {self.authority_id} ({self.status})"

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED


class EscalationEvent(AppendOnlyModel):
    """The escalation's history, append-only: opened, each supplement, each transition, reminders, deadlines
    missed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        SUPPLEMENTED = "supplemented", _("Supplemented")
        DELIVERED = "delivered", _("Delivered")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")
        REMINDED = "reminded", _("Reminder sent")
        OVERDUE = "overdue", _("Deadline missed")

    escalation = models.ForeignKey(
        Escalation, verbose_name=_("escalation"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    # Services pass their clock, so tests of deadlines control it.
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("escalation event")
        verbose_name_plural = _("escalation events")

    def __str__(self):
        return f"{self.escalation_id} {self.kind}"


class Delivery(models.Model):
    """The outbox: one message about an escalation to one channel of its authority. The row is the durable
    record (DESIGN.md section 4): a broker or mail-server outage delays it, a sweeper sends it, and the webhook
    id stays the same across retries so receivers can drop repeats."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DISABLED = "disabled", _("Endpoint disabled")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    escalation = models.ForeignKey(
        Escalation, verbose_name=_("escalation"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # What happened to the escalation that this message tells: opened, supplemented, reminded.
    event = models.CharField(_("event"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # The sweeper: WHERE status = 'pending' AND next_attempt_at <= now().
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.escalation_id} {self.channel} {self.status}"


class AccessLog(AppendOnlyModel):
    """Everything authority staff open: an escalation, a complaint inside it, a dossier download. Append-only."""

    class Action(models.TextChoices):
        VIEW_ESCALATION = "view_escalation", _("Opened an escalation")
        VIEW_COMPLAINT = "view_complaint", _("Opened a complaint")
        DOWNLOAD_DOSSIER = "download_dossier", _("Downloaded the dossier")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey(Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="+")
    escalation = models.ForeignKey(
        Escalation, verbose_name=_("escalation"), on_delete=models.PROTECT, related_name="access_log"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.user_id} {self.action} {self.escalation_id}"


class RiskAlert(models.Model):
    """A public warning about a merchant, shown on its profile and in "check before you pay" results once a
    moderator approves it. Written and decided through portal.escalations.alerts, which record who did what and
    when; the text is redacted of personal data before it is saved, since it is published as written."""

    class Level(models.TextChoices):
        # The levels of portal.escalations.selectors.risk_level above "low", whose warning is silence.
        HIGH = "high", _("High risk")
        MEDIUM = "medium", _("Medium risk")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="risk_alerts"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    text = models.TextField(_("public text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        constraints = [
            # One warning per merchant at a time; changing it means withdrawing it and proposing another. Its
            # partial index also serves the profile: WHERE merchant_id IN (...) AND status = 'approved'.
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(status__in=["proposed", "approved"]), name="risk_alert_one_live"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", approved_at__isnull=True, withdrawn_at__isnull=True)
                | Q(status="approved", approved_at__isnull=False, withdrawn_at__isnull=True)
                | Q(status="withdrawn", withdrawn_at__isnull=False),
                name="risk_alert_dates_follow_status",
            ),
        ]

    def __str__(self):
        return f"{self.merchant_id} {self.level} ({self.status})"
