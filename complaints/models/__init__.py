"""The complaints app's models, one module per idea."""

from complaints.models.cases import VictimMessage
from complaints.models.complaint import (
    ACCEPTED_STATUSES,
    MSG_PAID_IN_FUTURE,
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    PUBLIC_STATUSES,
    UNCOUNTED_STATUSES,
    Category,
    Complaint,
    ComplaintDraft,
    PaymentMethod,
    validate_not_future,
)
from complaints.models.evidence import Evidence
from complaints.models.imports import ImportJob
from complaints.models.moderation import Flag, ModerationAction, Notification
from complaints.models.replies import MerchantReply, ResolutionProposal, ReviewRequest
from complaints.models.rollups import DailyRollup, DailyTotal, MerchantStats
from complaints.models.timeline import TimelineEvent

__all__ = [
    "ACCEPTED_STATUSES",
    "MSG_PAID_IN_FUTURE",
    "NARRATIVE_MAX",
    "NARRATIVE_MIN",
    "PUBLIC_STATUSES",
    "UNCOUNTED_STATUSES",
    "Category",
    "Complaint",
    "ComplaintDraft",
    "DailyRollup",
    "DailyTotal",
    "Evidence",
    "Flag",
    "ImportJob",
    "MerchantReply",
    "MerchantStats",
    "ModerationAction",
    "Notification",
    "PaymentMethod",
    "ResolutionProposal",
    "ReviewRequest",
    "TimelineEvent",
    "VictimMessage",
    "validate_not_future",
]
