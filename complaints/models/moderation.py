from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.append_only import AppendOnlyModel
from complaints.models.complaint import Complaint


class ModerationAction(AppendOnlyModel):
    """The audit record of one moderator action on a complaint: who, when, what, before and after.

    The code has no path to change or remove a row (instances and querysets refuse), and the complaint's
    foreign key protects it from cascading deletes.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="moderation_actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moderator"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self):
        return f"{self.complaint_id} {self.action}"


class Flag(models.Model):
    """A signal moderators should weigh: duplicate evidence or narrative, brigading. Kept per complaint and,
    where another complaint is involved, pointing at it."""

    class Kind(models.TextChoices):
        SAME_EVIDENCE = "same_evidence", _("Same evidence file as another account's complaint")
        SIMILAR_PICTURE = "similar_picture", _("Near-identical picture in another account's complaint")
        SIMILAR_NARRATIVE = "similar_narrative", _("Near-identical account in another account's complaint")
        BRIGADING_ACCOUNT = "brigading_account", _("Many complaints from one account against this merchant")
        BRIGADING_ADDRESS = "brigading_address", _("Many complaints from one network address against this merchant")
        SAME_TRANSACTION = "same_transaction", _("Same order or transaction number as another complaint")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    other = models.ForeignKey(
        Complaint,
        verbose_name=_("other complaint"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            # Raising a flag twice (a re-run task, two tasks at once) adds nothing. NULLs are distinct in a
            # unique constraint, so flags without another complaint (brigading) have their own.
            models.UniqueConstraint(fields=["complaint", "kind", "other"], name="flag_unique"),
            models.UniqueConstraint(
                fields=["complaint", "kind"], condition=Q(other__isnull=True), name="flag_unique_without_other"
            ),
        ]
        indexes = [
            # The queue's flag filter: WHERE kind = %s.
            models.Index(fields=["kind", "complaint"], name="flag_kind_idx"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"


class Notification(models.Model):
    """An on-site notice about one complaint (the same news also goes by email, in the recipient's language):
    to the complainant (status, replies, proposals, authority outcomes, messages from other victims) or to the
    merchant's representatives (new complaints, reply deadlines). Written through complaints.notifications."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        REPLY = "reply", _("The merchant replied")
        PROPOSAL = "proposal", _("The merchant proposed a resolution")
        PROPOSAL_ANSWERED = "proposal_answered", _("The complainant answered a proposal")
        OUTCOME = "outcome", _("An authority responded")
        NEW_COMPLAINT = "new_complaint", _("New complaint against your merchant")
        REPLY_DUE = "reply_due", _("Reply due soon")
        MESSAGE = "message", _("Message from another victim")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STATUS)
    # The complaint's status when the notice was written (the new status for Kind.STATUS).
    status = models.CharField(_("new status"), max_length=30, choices=Complaint.Status.choices)
    message = models.TextField(_("message"), blank=True)
    # Where the recipient reads more: the complainant's or the representative's page for the complaint.
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The durable record of the email: a sweeper sends those still unsent a few minutes on (broker outages).
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The unread badge: WHERE user_id = %s AND read_at IS NULL.
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            # The email sweeper: WHERE emailed_at IS NULL AND created_at < %s.
            models.Index(fields=["emailed_at", "created_at"], name="notification_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.complaint_id} {self.status}"
