"""Filings and merges at the same time, in separate threads and database connections (transaction=True).

On PostgreSQL the threads really interleave; SQLite serialises writers, so there the same outcomes are
asserted with the filings taking turns.
"""

import threading
import time

import pytest
from django.db import connection, connections

from complaints.models import Complaint, MerchantStats
from complaints.services import complaint_submit
from merchants import services
from merchants.models import Identifier, Merchant
from merchants.services import MerchantClaims, merchant_merge, merchant_resolve
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"


def in_thread(target, *args):
    """Run target in a thread with its own connection; re-raise what it raised."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target(*args)
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
    return outcome["value"]


def test_two_filings_giving_the_same_new_phones_in_swapped_fields_both_succeed(monkeypatch):
    first, second = "13800138000", "13900139000"
    if connection.vendor == "postgresql":
        # Both decide "new merchant" before either records an identifier: the inserts then race.
        barrier, seen = threading.Barrier(2, timeout=10), set()
        real_record = services._record

        def record_together(*args, **kwargs):
            if threading.get_ident() not in seen:
                seen.add(threading.get_ident())
                barrier.wait()
            real_record(*args, **kwargs)

        monkeypatch.setattr(services, "_record", record_together)

    def file(phone, payee):
        return merchant_resolve(claims=MerchantClaims(merchant_phone=phone, payee_account=payee)).merchant.pk

    a = in_thread(file, first, second)
    b = in_thread(file, second, first)
    assert finished(*a) == finished(*b)
    assert Merchant.objects.filter(status=Merchant.Status.ACTIVE).count() == 1
    assert Identifier.objects.filter(kind=Identifier.Kind.PHONE).count() == 2


def test_a_merge_committed_while_a_filing_resolves_takes_the_complaint_along(monkeypatch):
    source = merchant_resolve(claims=MerchantClaims(merchant_name="易联购", app_id="wx000000000000000a")).merchant
    target = merchant_resolve(claims=MerchantClaims(merchant_name="Quick", app_id="wx000000000000000b")).merchant
    moderator = UserFactory()
    decided, merged = threading.Event(), threading.Event()
    if connection.vendor == "postgresql":
        # The filing has read the app ID's merchant as active; the merge commits before it goes on.
        real_hold = services._hold

        def hold_after_the_merge(resolution, **kwargs):
            if not decided.is_set():
                decided.set()
                assert merged.wait(timeout=10)
            real_hold(resolution, **kwargs)

        monkeypatch.setattr(services, "_hold", hold_after_the_merge)

    def file():
        return complaint_submit(
            complainant=UserFactory(),
            claims=MerchantClaims(app_id="wx000000000000000a"),
            category="not_delivered",
            narrative=NARRATIVE,
        ).pk

    if connection.vendor == "postgresql":
        filing = in_thread(file)
        assert decided.wait(timeout=10)
        merchant_merge(source=source, target=target, reason="same shop", actor=moderator)
        merged.set()
    else:
        # An open SQLite transaction that has read blocks another connection's commit: no interleaving.
        merchant_merge(source=source, target=target, reason="same shop", actor=moderator)
        filing = in_thread(file)
    complaint = Complaint.objects.get(pk=finished(*filing))

    assert (complaint.merchant, complaint.linked_merchant) == (target, source)
    assert MerchantStats.objects.get(merchant=target).complaints == 1
    assert not MerchantStats.objects.filter(merchant=source, complaints__gt=0).exists()


def wait_for_lock_waiter(count=1):
    """Until `count` other connections of this database wait on a lock."""
    with connection.cursor() as cursor:
        for _attempt in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    pytest.fail(f"fewer than {count} transactions ever waited for a lock")


def file_against(app_id):
    return complaint_submit(
        complainant=UserFactory(), claims=MerchantClaims(app_id=app_id), category="not_delivered", narrative=NARRATIVE
    ).pk


def first_hold_waits(monkeypatch):
    """Make the first resolution that holds a merchant stop there until `go` is set (`held` says it got there);
    `passed` is set when a later resolution gets its hold."""
    held, go, passed = threading.Event(), threading.Event(), threading.Event()
    real_hold = services._hold

    def hold_first(resolution, **kwargs):
        real_hold(resolution, **kwargs)
        if not held.is_set():
            held.set()
            assert go.wait(timeout=20)
        else:
            passed.set()

    monkeypatch.setattr(services, "_hold", hold_first)
    return held, go, passed


def test_filings_against_one_merchant_hold_its_row_together(monkeypatch):
    """In a surge every filing names the same merchant: one holding the merchant's row until its commit must not make
    the next wait for it."""
    merchant_resolve(claims=MerchantClaims(merchant_name="易联购", app_id="wx000000000000000a"))
    if connection.vendor == "postgresql":
        held, go, passed = first_hold_waits(monkeypatch)
        first = in_thread(file_against, "wx000000000000000a")
        assert held.wait(timeout=10)
        second = in_thread(file_against, "wx000000000000000a")
        try:
            assert passed.wait(timeout=10), "the second filing waited for the first one's hold on the merchant"
        finally:
            go.set()
        finished(*first)
        finished(*second)
    else:
        # SQLite serialises writers: the filings take turns.
        finished(*in_thread(file_against, "wx000000000000000a"))
        finished(*in_thread(file_against, "wx000000000000000a"))
    assert Complaint.objects.count() == 2


def test_a_merge_started_while_a_filing_holds_the_merchant_waits_and_takes_the_complaint_along(monkeypatch):
    source = merchant_resolve(claims=MerchantClaims(merchant_name="易联购", app_id="wx000000000000000a")).merchant
    target = merchant_resolve(claims=MerchantClaims(merchant_name="Quick", app_id="wx000000000000000b")).merchant

    def merge():
        return merchant_merge(source=source, target=target, reason="same shop", actor=UserFactory())

    if connection.vendor == "postgresql":
        held, go = threading.Event(), threading.Event()
        real_hold = services._hold

        def hold_until_told(resolution, **kwargs):
            real_hold(resolution, **kwargs)
            held.set()
            assert go.wait(timeout=20)

        monkeypatch.setattr(services, "_hold", hold_until_told)
        filing = in_thread(file_against, "wx000000000000000a")
        assert held.wait(timeout=10)
        merging = in_thread(merge)
        wait_for_lock_waiter()
        go.set()
        complaint = Complaint.objects.get(pk=finished(*filing))
        finished(*merging)
    else:
        # SQLite serialises writers: the filing commits, then the merge runs.
        complaint = Complaint.objects.get(pk=finished(*in_thread(file_against, "wx000000000000000a")))
        finished(*in_thread(merge))

    complaint.refresh_from_db()
    assert (complaint.merchant, complaint.linked_merchant) == (target, source)
    assert MerchantStats.objects.get(merchant=target).complaints == 1


def test_a_merge_waiting_for_a_filing_is_not_overtaken_by_the_next_filings(monkeypatch):
    """In a surge the filings overlap without a gap: one that comes after a merge began waiting must wait for the
    merge (and then count against the merged merchant), or the merge waits as long as the surge lasts."""
    source = merchant_resolve(claims=MerchantClaims(merchant_name="易联购", app_id="wx000000000000000a")).merchant
    target = merchant_resolve(claims=MerchantClaims(merchant_name="Quick", app_id="wx000000000000000b")).merchant

    def merge():
        return merchant_merge(source=source, target=target, reason="same shop", actor=UserFactory())

    if connection.vendor == "postgresql":
        held, go, passed = first_hold_waits(monkeypatch)
        first = in_thread(file_against, "wx000000000000000a")
        assert held.wait(timeout=10)
        merging = in_thread(merge)
        wait_for_lock_waiter()
        second = in_thread(file_against, "wx000000000000000a")
        # The second filing waits too, behind the merge.
        wait_for_lock_waiter(2)
        assert not passed.is_set(), "the second filing overtook the waiting merge"
        go.set()
        finished(*first)
        finished(*merging)
        later = Complaint.objects.get(pk=finished(*second))
    else:
        # SQLite serialises writers: filing, merge and filing take turns.
        finished(*in_thread(file_against, "wx000000000000000a"))
        finished(*in_thread(merge))
        later = Complaint.objects.get(pk=finished(*in_thread(file_against, "wx000000000000000a")))

    assert (later.merchant, later.linked_merchant) == (target, source)
    assert MerchantStats.objects.get(merchant=target).complaints == 2
