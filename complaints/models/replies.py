"""The merchant's right of reply: public replies, proposed resolutions the complainant accepts or rejects, and
requests that moderators review a complaint. Written only through complaints.replies (services)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.append_only import AppendOnlyModel
from complaints.models.complaint import Complaint


class MerchantReply(AppendOnlyModel):
    """A representative's public answer, shown beside the complaint. Kept as written (audit); `body_redacted`
    is what is shown."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("reply"))
    body_redacted = models.TextField(_("reply as published"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("merchant reply")
        verbose_name_plural = _("merchant replies")
        indexes = [
            # Replies beside a page of complaints: WHERE complaint_id IN (...).
            models.Index(fields=["complaint", "created_at"], name="reply_complaint_idx"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d}"


class ResolutionProposal(models.Model):
    """What the merchant offers to settle a complaint. Accepting it closes the complaint with the CFPB closure
    code its kind maps to; rejecting it leaves the complaint open for another offer."""

    class Kind(models.TextChoices):
        REFUND = "refund", _("Refund")
        REPLACEMENT = "replacement", _("Replacement")
        EXPLANATION = "explanation", _("Explanation")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the complainant")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The CFPB closure each kind leads to when the complainant accepts it.
    CLOSURE = {
        Kind.REFUND: Complaint.Status.CLOSED_MONETARY_RELIEF,
        Kind.REPLACEMENT: Complaint.Status.CLOSED_NON_MONETARY_RELIEF,
        Kind.EXPLANATION: Complaint.Status.CLOSED_EXPLANATION,
    }

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="proposals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("refund amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    message = models.TextField(_("message"))
    message_redacted = models.TextField(_("message as published"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("resolution proposal")
        verbose_name_plural = _("resolution proposals")
        constraints = [
            # One offer at a time: a new one waits until the complainant has answered or the merchant withdrew.
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(status="open"), name="proposal_one_open_per_complaint"
            ),
            models.CheckConstraint(
                condition=(Q(kind="refund", amount__gt=0) | (~Q(kind="refund") & Q(amount__isnull=True))),
                name="proposal_refund_has_amount",
            ),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.status}"


class ReviewRequest(models.Model):
    """A representative asks moderators to look at a complaint again (false, defamatory, not this merchant).
    Moderators see how often each representative asks and how often they were right."""

    class Reason(models.TextChoices):
        NOT_OUR_CUSTOMER = "not_our_customer", _("Not our customer or not our shop")
        FALSE = "false", _("The facts are false")
        DEFAMATORY = "defamatory", _("Defamatory or abusive")
        RESOLVED = "resolved", _("Already resolved elsewhere")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="review_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("moderator's note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        constraints = [
            models.UniqueConstraint(fields=["complaint"], condition=Q(status="open"), name="review_request_one_open"),
        ]
        indexes = [
            # The moderators' list: WHERE status = 'open' ORDER BY created_at.
            models.Index(fields=["status", "created_at"], name="review_request_status_idx"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.reason} {self.status}"
