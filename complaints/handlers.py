"""Complaints follow their merchant through merges (merchants.signals), inside the merge's transaction."""

from django.dispatch import receiver

from complaints.models import Complaint
from complaints.rollups import rollup_rebuild
from merchants.signals import merchant_merged, merchant_unmerged


@receiver(merchant_merged, dispatch_uid="complaints_follow_merge")
def _follow_merge(*, merge, **kwargs):
    Complaint.objects.filter(merchant_id=merge.source_id).update(merchant_id=merge.target_id)
    rollup_rebuild(merchant_ids=[merge.source_id, merge.target_id])


@receiver(merchant_unmerged, dispatch_uid="complaints_follow_unmerge")
def _follow_unmerge(*, merge, restored, root, **kwargs):
    # Everything identified through the restored merchants goes back, including complaints filed after the
    # merge that named them.
    Complaint.objects.filter(merchant_id=root.pk, linked_merchant_id__in=restored).update(merchant_id=merge.source_id)
    rollup_rebuild(merchant_ids=[merge.source_id, root.pk])
