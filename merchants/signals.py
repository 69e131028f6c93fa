"""What merchants tells the apps that depend on it, without importing them (DESIGN.md section 2)."""

from django.dispatch import Signal

# Sent inside the merge's transaction, after the source points at the target. Keyword: merge (MerchantMerge).
# Receivers move what they keep per merchant (complaints, statistics) from merge.source to merge.target.
merchant_merged = Signal()

# Sent inside the undo's transaction, after the source is active again. Keywords: merge (MerchantMerge),
# restored (ids of the merchants that belong to the source again, the source included) and root (the active
# merchant they were part of). Receivers move back what was identified through a restored merchant.
merchant_unmerged = Signal()
