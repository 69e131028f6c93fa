"""MerchantDay, which national and per-merchant figures count merchants from, always equals the daily rollup cells
summed over each merchant's day: after filings, verification, withdrawal, rejection, merges and undone merges."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import workflow
from complaints.models import DailyRollup
from complaints.models.rollups import MerchantDay
from complaints.tests.test_rollups import apply, file_op, merge_op, status_op, unmerge_op
from merchants.services import merchant_merge
from portal.accounts.tests.factories import UserFactory
from portal.dashboards.tests.factories import file_complaint

pytestmark = pytest.mark.django_db


def kept_days() -> dict:
    return {(row.day, row.merchant_id): (row.complaints, row.loss) for row in MerchantDay.objects.all()}


def summed_cells() -> dict:
    """Each merchant's day as its rollup cells add up to."""
    complaints, loss = Counter(), Counter()
    for cell in DailyRollup.objects.all():
        complaints[cell.day, cell.merchant_id] += cell.complaints
        loss[cell.day, cell.merchant_id] += cell.loss
    return {key: (count, loss[key]) for key, count in complaints.items() if count}


def test_a_day_counts_every_cell_of_the_merchant_and_leaves_when_the_last_complaint_does(moderator):
    verified = file_complaint(category="not_delivered", region="440000", amount=Decimal("100.00"))
    file_complaint(category="counterfeit", region="", amount=Decimal("20.50"))
    withdrawn = file_complaint(shop="鲜花速递", amount=Decimal("5.00"))
    workflow.complaint_review_start(complaint=verified, moderator=moderator)
    workflow.complaint_accept(complaint=verified, moderator=moderator)

    day = timezone.localdate(verified.submitted_at)
    assert kept_days() == {
        (day, verified.merchant_id): (2, Decimal("120.50")),
        (day, withdrawn.merchant_id): (1, Decimal("5.00")),
    }

    workflow.complaint_withdraw(complaint=withdrawn, user=withdrawn.complainant)

    assert list(MerchantDay.objects.values_list("merchant_id", "complaints")) == [(verified.merchant_id, 2)]


def test_a_merge_moves_the_days_to_the_merchant_that_stays(moderator):
    kept, merged = file_complaint(shop="果园小店"), file_complaint(shop="鲜花速递")

    merchant_merge(source=merged.merchant, target=kept.merchant, reason="test", actor=moderator)

    assert list(MerchantDay.objects.values_list("merchant_id", "complaints")) == [(kept.merchant_id, 2)]
    assert kept_days() == summed_cells()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(file_op, file_op, merge_op, unmerge_op, status_op), min_size=1, max_size=25))
def test_days_equal_the_summed_cells_after_any_sequence(ops, moderator):
    with transaction.atomic():
        people = [UserFactory() for _ in range(4)]
        for op in ops:
            apply(op, people, moderator)
        assert kept_days() == summed_cells()
        transaction.set_rollback(True)
