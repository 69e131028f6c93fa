"""What complaints tells the apps that depend on it (portal/escalations), without importing them."""

from django.dispatch import Signal

# Sent inside the transition's transaction, after the complaint is saved with its new status. Keywords:
# complaint (Complaint), old_status (str). Receivers that do slow work enqueue it with transaction.on_commit.
complaint_status_changed = Signal()
