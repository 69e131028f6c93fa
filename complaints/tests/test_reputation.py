"""complaints.reputation: reply records, complaints per month, replies beside published complaints."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from complaints.models import ACCEPTED_STATUSES, Complaint, DailyRollup, MerchantReply, ResolutionProposal
from complaints.models.complaint import REPLY_RECORD_STATUSES
from complaints.reputation import (
    NO_RECORD,
    merchant_monthly,
    merchant_reply_record,
    merchant_reply_records,
    public_responses,
)
from complaints.services import complaint_submit
from complaints.tests.factories import ComplaintFactory
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

Status = Complaint.Status
NOW = timezone.now()
DAY = timedelta(days=1)


def complaint(merchant, status=Status.ACCEPTED, *, due=None, replied=None, **fields):
    return ComplaintFactory(merchant=merchant, status=status, reply_due_at=due, first_reply_at=replied, **fields)


# Reply records ----------------------------------------------------------------------------------------------


def test_reply_record_counts_replies_timely_replies_and_overdue_ones():
    merchant = MerchantFactory()
    complaint(merchant, due=NOW - 5 * DAY, replied=NOW - 10 * DAY)  # on time
    complaint(merchant, Status.CLOSED_EXPLANATION, due=NOW - 5 * DAY, replied=NOW - 4 * DAY)  # late
    complaint(merchant, due=NOW - DAY)  # overdue
    complaint(merchant, Status.UNRESOLVED, due=NOW - DAY)  # never answered, closed: not "overdue" any more
    complaint(merchant, due=NOW + 3 * DAY)  # not due yet: not counted
    complaint(merchant, due=NOW + 3 * DAY, replied=NOW - DAY)  # answered early: counted

    record = merchant_reply_record(merchant_id=merchant.pk, now=NOW)

    assert (record.answerable, record.replied, record.on_time, record.overdue) == (5, 3, 2, 1)
    assert record.response_rate == 0.6
    assert record.timely_share == 0.4


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO, Status.REJECTED])
def test_complaints_that_do_not_stand_are_not_counted(status):
    merchant = MerchantFactory()
    complaint(merchant, status, due=NOW - DAY)
    complaint(merchant, Status.WITHDRAWN, due=NOW - DAY, replied=NOW - 2 * DAY)

    assert merchant_reply_record(merchant_id=merchant.pk, now=NOW) == NO_RECORD


def test_a_merchant_without_answerable_complaints_has_no_rates():
    merchant = MerchantFactory()
    complaint(merchant, due=NOW + DAY)

    record = merchant_reply_record(merchant_id=merchant.pk, now=NOW)

    assert record.answerable == 0
    assert record.response_rate is None and record.timely_share is None


def test_a_complaint_accepted_before_the_reply_clock_counts_as_unanswered():
    merchant = MerchantFactory()
    complaint(merchant, due=None)

    record = merchant_reply_record(merchant_id=merchant.pk, now=NOW)

    assert (record.answerable, record.replied, record.overdue, record.response_rate) == (1, 0, 0, 0.0)


def test_records_of_many_merchants_take_one_query(django_assert_num_queries):
    merchants = [MerchantFactory() for _ in range(4)]
    for index, merchant in enumerate(merchants[:3]):
        for _ in range(index + 1):
            complaint(merchant, due=NOW - DAY, replied=NOW - 2 * DAY)

    with django_assert_num_queries(1):
        records = merchant_reply_records(merchant_ids=[m.pk for m in merchants], now=NOW)

    assert {merchants.index(m): records[m.pk].replied for m in merchants if m.pk in records} == {0: 1, 1: 2, 2: 3}
    assert merchants[3].pk not in records


def test_the_reply_record_index_holds_the_complaints_that_stand():
    # Its predicate is spelled out: a status added to ACCEPTED_STATUSES must be added to it too (makemigrations
    # then writes the migration), or the reply record would fall back to reading the table.
    assert sorted(ACCEPTED_STATUSES) == REPLY_RECORD_STATUSES
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Complaint._meta.db_table)
    assert indexes["complaint_reply_record_idx"]["columns"] == [
        "merchant_id",
        "status",
        "first_reply_at",
        "reply_due_at",
    ]


# Complaints per month ---------------------------------------------------------------------------------------


def cell(merchant, day: date, category: str, complaints: int, *, verified=False):
    DailyRollup.objects.create(
        merchant=merchant, day=day, category=category, verified=verified, complaints=complaints, loss=Decimal(0)
    )


def test_monthly_counts_cover_twelve_months_with_categories_most_frequent_first(django_assert_num_queries):
    merchant, other = MerchantFactory(), MerchantFactory()
    today = date(2026, 3, 15)
    cell(merchant, date(2026, 3, 1), "not_delivered", 2)
    cell(merchant, date(2026, 3, 2), "not_delivered", 1, verified=True)
    cell(merchant, date(2026, 1, 31), "refund_refused", 1)
    cell(merchant, date(2025, 4, 1), "merchant_vanished", 1)  # the first of the twelve months
    cell(merchant, date(2025, 3, 31), "counterfeit", 9)  # thirteen months ago: left out
    cell(other, date(2026, 3, 1), "counterfeit", 5)

    with django_assert_num_queries(1):
        monthly = merchant_monthly(merchant_id=merchant.pk, today=today)

    assert [code for code, _label in monthly.categories] == ["not_delivered", "merchant_vanished", "refund_refused"]
    assert [row.key for row in monthly.rows] == [f"2025-{m:02d}" for m in range(4, 13)] + [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    by_month = {row.key: (row.complaints, row.counts) for row in monthly.rows}
    assert by_month["2026-03"] == (3, [3, 0, 0])
    assert by_month["2026-01"] == (1, [0, 0, 1])
    assert by_month["2025-04"] == (1, [0, 1, 0])
    assert by_month["2026-02"] == (0, [0, 0, 0])


def test_monthly_counts_of_a_merchant_without_complaints_are_zero():
    monthly = merchant_monthly(merchant_id=MerchantFactory().pk, today=date(2026, 1, 10))

    assert monthly.categories == []
    assert len(monthly.rows) == 12
    assert monthly.rows[0].key == "2025-02"
    assert all(row.complaints == 0 for row in monthly.rows)


def test_monthly_counts_follow_the_rollups_as_filing_keeps_them(complainant):
    filed = complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name="易联购", platform="wechat_mini_program"),
        category="counterfeit",
        narrative="我在小程序买了一双鞋，收到以后发现是假货，商家拒绝退款，客服也不回复消息。",
    )

    monthly = merchant_monthly(merchant_id=filed.merchant_id)

    assert monthly.categories[0][0] == "counterfeit"
    assert monthly.rows[-1].complaints == 1


# Replies beside published complaints ------------------------------------------------------------------------


def proposal(complaint_, kind, status, *, amount=None, message="退款已原路返回"):
    return ResolutionProposal.objects.create(
        complaint=complaint_,
        author=complaint_.complainant,
        kind=kind,
        amount=amount,
        message=f"{message} 13812345678",
        message_redacted=message,
        status=status,
        decided_at=NOW if status != ResolutionProposal.Status.OPEN else None,
    )


def test_public_responses_carry_redacted_replies_and_the_accepted_proposal(django_assert_num_queries):
    merchant = MerchantFactory()
    answered = complaint(merchant, Status.CLOSED_MONETARY_RELIEF)
    MerchantReply.objects.create(
        complaint=answered, author=answered.complainant, body="a 13812345678", body_redacted="a"
    )
    MerchantReply.objects.create(complaint=answered, author=answered.complainant, body="b", body_redacted="b")
    proposal(answered, ResolutionProposal.Kind.REPLACEMENT, ResolutionProposal.Status.REJECTED)
    proposal(answered, ResolutionProposal.Kind.REFUND, ResolutionProposal.Status.ACCEPTED, amount=Decimal("99.00"))
    open_offer = complaint(merchant)
    proposal(open_offer, ResolutionProposal.Kind.EXPLANATION, ResolutionProposal.Status.OPEN)
    silent = complaint(merchant)

    with django_assert_num_queries(2):
        responses = public_responses(complaint_uuids=[answered.uuid, open_offer.uuid, silent.uuid])

    assert [r.body for r in responses[answered.uuid].replies] == ["a", "b"]
    outcome = responses[answered.uuid].outcome
    assert (outcome.kind, outcome.amount, outcome.message) == ("refund", Decimal("99.00"), "退款已原路返回")
    # An offer not accepted is no outcome; a complaint without any answer is absent.
    assert open_offer.uuid not in responses
    assert silent.uuid not in responses
    assert "13812345678" not in repr(responses)


def test_an_accepted_proposal_of_a_complaint_reopened_since_is_no_outcome():
    merchant = MerchantFactory()
    reopened = complaint(merchant, Status.ACCEPTED)
    proposal(reopened, ResolutionProposal.Kind.EXPLANATION, ResolutionProposal.Status.ACCEPTED)

    assert public_responses(complaint_uuids=[reopened.uuid]) == {}


def test_public_responses_of_no_complaints_ask_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert public_responses(complaint_uuids=[]) == {}
