from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.complaint import Complaint


class TimelineEvent(models.Model):
    """Append-only history of a complaint, shown to its complainant (and later to moderators)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Complaint submitted")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        EVIDENCE_READY = "evidence_ready", _("Evidence checked")
        EVIDENCE_REJECTED = "evidence_rejected", _("Evidence rejected")
        STATUS_CHANGED = "status_changed", _("Status changed")
        CONSENT_CHANGED = "consent_changed", _("Publication consent changed")
        MERCHANT_REPLIED = "merchant_replied", _("The merchant replied")
        PROPOSAL_MADE = "proposal_made", _("The merchant proposed a resolution")
        PROPOSAL_ANSWERED = "proposal_answered", _("Proposal answered")
        CONTACT_CHANGED = "contact_changed", _("Contact by other victims changed")

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
