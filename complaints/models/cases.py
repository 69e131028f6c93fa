"""Collective cases: victims of one merchant writing to each other through the site, never seeing contact
details. Written only through complaints.cases (services)."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from complaints.models.complaint import Complaint


class VictimMessage(models.Model):
    """A message from one victim to another of the same merchant. Both complaints opted in to contact
    (`Complaint.contactable`); the recipient sees the sender's complaint month and category, not who they are."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(
        Complaint, verbose_name=_("sender's complaint"), on_delete=models.CASCADE, related_name="messages_sent"
    )
    recipient = models.ForeignKey(
        Complaint,
        verbose_name=_("recipient's complaint"),
        on_delete=models.CASCADE,
        related_name="messages_received",
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message between victims")
        verbose_name_plural = _("messages between victims")
        constraints = [
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="victim_message_two_complaints"),
        ]
        indexes = [
            # A victim's inbox: WHERE recipient_id IN (...) ORDER BY created_at DESC.
            models.Index(fields=["recipient", "-created_at"], name="victim_message_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.sender_id} -> {self.recipient_id}"
