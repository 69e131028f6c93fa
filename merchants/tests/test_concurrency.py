"""Filings and merges at the same time, in separate threads and database connections (transaction=True).

On PostgreSQL the threads really interleave; SQLite serialises writers, so there the same outcomes are
asserted with the filings taking turns.
"""

import threading

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
        real_hold = services._hold

        def hold_together(resolution):
            real_hold(resolution)
            if threading.get_ident() not in seen:
                seen.add(threading.get_ident())
                barrier.wait()

        monkeypatch.setattr(services, "_hold", hold_together)

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

        def hold_after_the_merge(resolution):
            if not decided.is_set():
                decided.set()
                assert merged.wait(timeout=10)
            real_hold(resolution)

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
