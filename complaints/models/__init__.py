"""The complaints app's models, one module per idea."""

from complaints.models.complaint import (
    MSG_PAID_IN_FUTURE,
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    Category,
    Complaint,
    ComplaintDraft,
    PaymentMethod,
    validate_not_future,
)
from complaints.models.evidence import Evidence
from complaints.models.imports import ImportJob
from complaints.models.rollups import DailyRollup, MerchantStats
from complaints.models.timeline import TimelineEvent

__all__ = [
    "MSG_PAID_IN_FUTURE",
    "NARRATIVE_MAX",
    "NARRATIVE_MIN",
    "Category",
    "Complaint",
    "ComplaintDraft",
    "DailyRollup",
    "Evidence",
    "ImportJob",
    "MerchantStats",
    "PaymentMethod",
    "TimelineEvent",
    "validate_not_future",
]
