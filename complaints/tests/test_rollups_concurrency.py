"""DailyTotal cells are shared by every merchant, so no merchant lock serialises them: two transactions of
different merchants update one cell at once. In separate threads and connections (transaction=True).

On PostgreSQL the threads really interleave, forced into the order under test by waiting until the second is
blocked on the first one's row lock; SQLite serialises writers, so there the same outcome is asserted with the
two taking turns.
"""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from complaints import rollups, services, workflow
from complaints.models import Complaint, DailyRollup, DailyTotal, MerchantStats
from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"


def file(shop: str, app_id: str, submitted_at):
    return complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=shop, app_id=app_id, platform="wechat_mini_program"),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal("100.00"),
        region="440000",
        submitted_at=submitted_at,
    )


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def finished(thread, outcome):
    thread.join(timeout=30)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def wait_for_lock_waiter():
    """Until another connection of this database waits on a row lock (the second transaction is blocked)."""
    with connection.cursor() as cursor:
        for _attempt in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail("the second transaction never waited for the first one's lock")


def totals():
    return DailyTotal.objects.aggregate(n=Sum("complaints"), loss=Sum("loss"))


def test_a_filing_while_another_merchants_complaint_leaves_the_same_total_cell_is_still_counted(monkeypatch):
    """The withdrawal empties the shared total cell and deletes it; the filing, which had found the row, must not
    lose its count when the row it was about to add to is gone."""
    submitted_at = timezone.now() - timedelta(days=1)
    leaving = file("果园小店", "wx00000000000000a1", submitted_at)
    removed, go = threading.Event(), threading.Event()
    real_remove = rollups._cell_remove

    def remove_then_hold(cell, loss):
        real_remove(cell, loss)
        if connection.vendor == "postgresql":
            removed.set()
            assert go.wait(timeout=20)

    monkeypatch.setattr(rollups, "_cell_remove", remove_then_hold)

    def withdraw():
        workflow.complaint_withdraw(complaint=leaving, user=leaving.complainant)

    def file_other():
        return file("鲜花速递", "wx00000000000000b2", submitted_at).pk

    if connection.vendor == "postgresql":
        withdrawing = in_thread(withdraw)
        assert removed.wait(timeout=20)
        filing = in_thread(file_other)
        wait_for_lock_waiter()
        go.set()
        finished(*withdrawing)
        finished(*filing)
    else:
        finished(*in_thread(withdraw))
        finished(*in_thread(file_other))

    assert totals() == {"n": 1, "loss": Decimal("100.00")}
    assert DailyTotal.objects.get().complaints == DailyRollup.objects.get().complaints == 1


def test_two_filings_of_different_merchants_into_one_new_total_cell_both_count():
    submitted_at = timezone.now() - timedelta(days=2)
    barrier = threading.Barrier(2, timeout=10)

    def file_for(shop, app_id):
        def run():
            if connection.vendor == "postgresql":
                barrier.wait()
            return file(shop, app_id, submitted_at).pk

        return run

    first = in_thread(file_for("果园小店", "wx00000000000000a1"))
    if connection.vendor != "postgresql":
        finished(*first)
    second = in_thread(file_for("鲜花速递", "wx00000000000000b2"))
    finished(*first)
    finished(*second)

    assert totals() == {"n": 2, "loss": Decimal("200.00")}
    assert DailyTotal.objects.count() == 1


def test_two_filings_by_one_person_against_one_merchant_at_once_count_one_complainant(monkeypatch):
    """The second filing's complainant check runs once it holds the merchant's totals, after the first committed: it
    sees the first complaint, and the person is counted once."""
    submitted_at = timezone.now() - timedelta(days=1)
    file("果园小店", "wx00000000000000a1", submitted_at)
    person = UserFactory()
    counted, go = threading.Event(), threading.Event()
    real_count = services.rollup_complaint_added

    def count_then_hold(*, complaint):
        real_count(complaint=complaint)
        if connection.vendor == "postgresql" and not counted.is_set():
            counted.set()
            assert go.wait(timeout=20)

    monkeypatch.setattr(services, "rollup_complaint_added", count_then_hold)

    def file_again():
        return complaint_submit(
            complainant=person,
            claims=MerchantClaims(merchant_name="果园小店", app_id="wx00000000000000a1"),
            category="not_delivered",
            narrative=NARRATIVE,
            amount=Decimal("100.00"),
            submitted_at=submitted_at,
        ).pk

    if connection.vendor == "postgresql":
        first = in_thread(file_again)
        assert counted.wait(timeout=20)
        second = in_thread(file_again)
        # The second waits for the first's lock on the merchant's totals, its complaint already inserted.
        wait_for_lock_waiter()
        go.set()
        finished(*first)
        finished(*second)
    else:
        finished(*in_thread(file_again))
        finished(*in_thread(file_again))

    stats = MerchantStats.objects.get()
    assert (stats.complaints, stats.complainants) == (3, 2)
    assert stats.by_status == {Complaint.Status.SUBMITTED: 3}
