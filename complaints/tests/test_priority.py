from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints import priority
from complaints.models import Complaint
from complaints.priority import priorities_refresh, priority_score
from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory

NOW = timezone.now()


def score(**overrides) -> int:
    fields = {
        "amount": Decimal("100"),
        "vulnerable": False,
        "submitted_at": NOW,
        "merchant_recent": 1,
        "brigading": False,
        "now": NOW,
        **overrides,
    }
    return priority_score(**fields)


def test_each_factor_moves_the_score_the_right_way():
    base = score()
    assert score(amount=Decimal("7000000")) > score(amount=Decimal("6999")) > base > score(amount=None)
    assert score(merchant_recent=20) > score(merchant_recent=5) > base
    assert score(submitted_at=NOW - timedelta(days=3)) > score(submitted_at=NOW - timedelta(hours=6)) > base
    assert score(vulnerable=True) > base
    assert score(brigading=True) < base


def test_the_factors_are_capped():
    assert score(amount=Decimal("1e12")) == score(amount=Decimal("1e15"))
    assert score(merchant_recent=1000) == score(merchant_recent=2000)
    assert score(submitted_at=NOW - timedelta(days=300)) == score(submitted_at=NOW - timedelta(days=900))


@pytest.mark.django_db
def test_a_surge_raises_the_merchants_open_complaints_and_the_refresh_catches_up_with_time(
    django_capture_on_commit_callbacks,
):
    def file(amount):
        # The surge refresh runs with the flags task, after the filing commits.
        with django_capture_on_commit_callbacks(execute=True):
            return complaint_submit(
                complainant=UserFactory(),
                claims=MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001"),
                category="not_delivered",
                narrative="付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。",
                amount=Decimal(amount),
            )

    first = file("100")
    before = Complaint.objects.get(pk=first.pk).priority
    for _ in range(5):
        file("100")
    assert Complaint.objects.get(pk=first.pk).priority > before

    Complaint.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    surged = Complaint.objects.get(pk=first.pk).priority
    assert priorities_refresh() >= 1
    assert Complaint.objects.get(pk=first.pk).priority > surged


def file_against_one_merchant(capture, execute=True):
    with capture(execute=execute) as callbacks:
        complaint = complaint_submit(
            complainant=UserFactory(),
            claims=MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001"),
            category="not_delivered",
            narrative="付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。",
            amount=Decimal("100"),
        )
    return complaint, callbacks


@pytest.mark.django_db
def test_a_filing_gets_its_surge_points_from_the_task_after_the_commit(django_capture_on_commit_callbacks):
    first, _callbacks = file_against_one_merchant(django_capture_on_commit_callbacks)
    second, callbacks = file_against_one_merchant(django_capture_on_commit_callbacks, execute=False)
    # Filed without a query for its merchant's others: the loss alone.
    assert Complaint.objects.get(pk=second.pk).priority == score(merchant_recent=1) == first.priority

    for callback in callbacks:
        callback()

    assert Complaint.objects.get(pk=second.pk).priority == score(merchant_recent=2) > first.priority
    assert Complaint.objects.get(pk=first.pk).priority == score(merchant_recent=2)


@pytest.mark.django_db
def test_once_a_surge_has_capped_points_a_filing_leaves_the_merchants_other_complaints_alone(
    django_capture_on_commit_callbacks, monkeypatch
):
    filed = [file_against_one_merchant(django_capture_on_commit_callbacks)[0] for _ in range(priority.SURGE_FULL)]
    capped = score(merchant_recent=priority.SURGE_FULL)
    assert {Complaint.objects.get(pk=c.pk).priority for c in filed} == {capped}
    rescans = []
    monkeypatch.setattr(priority, "merchant_surge_refresh", lambda **kwargs: rescans.append(kwargs))

    later, _callbacks = file_against_one_merchant(django_capture_on_commit_callbacks)

    assert rescans == []
    assert Complaint.objects.get(pk=later.pk).priority == capped
