"""Merchant totals and daily rollups stay equal to a recount, whatever sequence of filings, status changes,
merges and undone merges produced them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import rollups, services
from complaints.models import Complaint, DailyRollup, DailyTotal, MerchantStats
from merchants.models import Merchant, MerchantMerge
from merchants.services import MerchantClaims, merchant_merge, merchant_unmerge
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"
CATEGORIES = ["not_delivered", "merchant_vanished", "counterfeit"]
REGIONS = ["", "440000", "110000"]
STATUSES = [s for s, _label in Complaint.Status.choices]

file_op = st.tuples(
    st.just("file"),
    st.integers(0, 3),  # who
    st.integers(0, 4),  # which shop
    st.sampled_from(CATEGORIES),
    st.one_of(st.none(), st.decimals(0, 20000, places=2, allow_nan=False)),
    st.sampled_from(REGIONS),
    st.integers(0, 40),  # days ago
    st.sampled_from(["CNY", "CNY", "USD"]),
)
merge_op = st.tuples(st.just("merge"), st.integers(0, 10), st.integers(0, 10))
unmerge_op = st.tuples(st.just("unmerge"), st.integers(0, 10))
status_op = st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(STATUSES))


def kept() -> tuple[dict, dict]:
    stats = {
        s.merchant_id: {
            "complaints": s.complaints,
            "complainants": s.complainants,
            "loss": s.loss,
            "by_status": {k: v for k, v in s.by_status.items() if v},
            "by_category": {k: v for k, v in s.by_category.items() if v},
            "first_at": s.first_at,
            "last_at": s.last_at,
        }
        for s in MerchantStats.objects.all()
        if s.complaints
    }
    cells = {
        (c.day, c.merchant_id, c.category, c.region, c.platform, c.verified): (c.complaints, c.loss)
        for c in DailyRollup.objects.all()
        if c.complaints
    }
    return stats, cells


def kept_totals() -> dict:
    return {
        (t.day, t.category, t.region, t.platform, t.verified): (t.complaints, t.loss)
        for t in DailyTotal.objects.all()
        if t.complaints
    }


def summed_over_merchants(cells: dict) -> dict:
    """The day totals the rollup cells add up to: what DailyTotal must hold whatever merges happened."""
    sums = {}
    for (day, _merchant, category, region, platform, verified), (count, loss) in cells.items():
        key = (day, category, region, platform, verified)
        before = sums.get(key, (0, Decimal("0.00")))
        sums[key] = (before[0] + count, before[1] + loss)
    return sums


def apply(op, people, moderator):
    kind = op[0]
    if kind == "file":
        _kind, who, shop, category, amount, region, days_ago, currency = op
        services.complaint_submit(
            complainant=people[who],
            claims=MerchantClaims(merchant_name=f"Shop {shop}", app_id=f"wx{shop + 1:016x}"),
            category=category,
            narrative=NARRATIVE,
            amount=amount,
            currency=currency,
            region=region,
            submitted_at=timezone.now() - timedelta(days=days_ago, hours=shop),
        )
    elif kind == "merge":
        active = list(Merchant.objects.filter(status=Merchant.Status.ACTIVE).order_by("pk"))
        if len(active) >= 2:
            source, target = active[op[1] % len(active)], active[op[2] % len(active)]
            if source != target:
                merchant_merge(source=source, target=target, reason="test", actor=moderator)
    elif kind == "unmerge":
        merges = list(MerchantMerge.objects.filter(undone_at__isnull=True).order_by("pk"))
        if merges:
            merchant_unmerge(merge=merges[op[1] % len(merges)], actor=moderator, reason="test")
    elif kind == "status":
        complaints = list(Complaint.objects.order_by("pk"))
        if complaints:
            complaint = complaints[op[1] % len(complaints)]
            old = complaint.status
            Complaint.objects.filter(pk=complaint.pk).update(status=op[2])
            complaint.status = op[2]
            rollups.rollup_status_changed(complaint=complaint, old_status=old)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(file_op, file_op, merge_op, unmerge_op, status_op), min_size=1, max_size=25))
def test_rollups_equal_a_full_recount_after_any_sequence(ops, moderator):
    with transaction.atomic():
        people = [UserFactory() for _ in range(4)]
        for op in ops:
            apply(op, people, moderator)
        totals, cells = rollups.recount(Merchant.objects.values_list("pk", flat=True))
        assert kept() == (totals, cells)
        assert kept_totals() == summed_over_merchants(cells)
        assert sum(s["complaints"] for s in totals.values()) == Complaint.objects.count()
        transaction.set_rollback(True)


def test_filing_counts_distinct_complainants_loss_and_the_day(complainant, stranger):
    first = services.complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001"),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal("6999.00"),
        region="440000",
    )
    for who, amount in [(complainant, Decimal("1.50")), (stranger, None)]:
        services.complaint_submit(
            complainant=who,
            claims=MerchantClaims(app_id="WX0000000000000001"),
            category="merchant_vanished",
            narrative=NARRATIVE,
            amount=amount,
            region="440000",
        )

    stats = MerchantStats.objects.get(merchant=first.merchant)
    assert (stats.complaints, stats.complainants, stats.loss) == (3, 2, Decimal("7000.50"))
    assert stats.by_category == {"not_delivered": 1, "merchant_vanished": 2}
    assert stats.by_status == {"submitted": 3}
    cell = DailyRollup.objects.get(merchant=first.merchant, category="merchant_vanished")
    assert (cell.day, cell.complaints, cell.loss) == (timezone.localdate(), 2, Decimal("1.50"))


def test_imported_victims_count_as_distinct_complainants(moderator):
    for ref in ["victim-1", "victim-2", "VICTIM-1 "]:
        services.complaint_submit(
            complainant=moderator,
            claims=MerchantClaims(app_id="wx0000000000000001"),
            category="not_delivered",
            narrative=NARRATIVE,
            source="group-chat-sheet",
            source_row=ref,
            complainant_ref=ref,
        )
    assert MerchantStats.objects.get().complainants == 2


def test_accepting_moves_a_complaint_to_the_verified_cell_and_rejecting_takes_it_out(complainant, moderator):
    from complaints import workflow

    def file():
        return services.complaint_submit(
            complainant=complainant,
            claims=MerchantClaims(app_id="wx0000000000000002"),
            category="not_delivered",
            narrative=NARRATIVE,
            amount=Decimal("100.00"),
            region="440000",
        )

    kept_one, dropped = file(), file()
    workflow.complaint_review_start(complaint=kept_one, moderator=moderator)
    workflow.complaint_accept(complaint=kept_one, moderator=moderator)
    workflow.complaint_review_start(complaint=dropped, moderator=moderator)
    workflow.complaint_reject(complaint=dropped, moderator=moderator, reason="spam")

    cells = list(DailyRollup.objects.values_list("verified", "complaints", "loss"))
    assert cells == [(True, 1, Decimal("100.00"))]
    assert list(DailyTotal.objects.values_list("verified", "complaints", "loss")) == cells
    assert MerchantStats.objects.get(merchant=kept_one.merchant).complaints == 2


def test_rebuild_rollups_repairs_drifted_figures(complainant, moderator):
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation

    from complaints.management.commands.rebuild_rollups import MSG_DONE

    for shop in range(3):
        services.complaint_submit(
            complainant=complainant,
            claims=MerchantClaims(merchant_name=f"Shop {shop}", app_id=f"wx{shop + 1:016x}"),
            category="not_delivered",
            narrative=NARRATIVE,
            amount=Decimal("10.00"),
            region="440000",
        )
    expected = (kept(), kept_totals())
    DailyRollup.objects.update(complaints=99)
    DailyTotal.objects.all().delete()
    MerchantStats.objects.update(complaints=0)

    out = StringIO()
    call_command("rebuild_rollups", "--batch", "2", stdout=out)

    assert (kept(), kept_totals()) == expected
    # Management commands speak the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        assert out.getvalue().strip() == str(MSG_DONE % {"merchants": 3, "cells": len(expected[1])})
