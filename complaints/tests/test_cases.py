"""Collective cases: the ledger (each transaction counted once, exact decimals), victims, opting in to contact, and
the rules for victims writing to each other."""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from complaints import cases
from complaints.ledger import CNY, LedgerEntry, ledger_build, order_key, order_mask
from complaints.models import Category, Complaint, Notification, TimelineEvent, VictimMessage
from complaints.tests.factories import ComplaintFactory
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory

T0 = datetime(2024, 3, 10, 4, 0, tzinfo=UTC)


def entry(amount="100.00", order="", currency=CNY, at=T0) -> LedgerEntry:
    return LedgerEntry(
        submitted_at=at, amount=None if amount is None else Decimal(amount), currency=currency, order_number=order
    )


# The ledger (no database) -----------------------------------------------------------------------------


def test_two_complaints_quoting_one_order_count_it_once():
    ledger = ledger_build(
        [entry("880.00", "WX 2024 0001"), entry("880.00", "wx20240001"), entry("120.50", "WX20240002")]
    )
    assert ledger.cny == Decimal("1000.50")
    assert ledger.transactions == 2
    assert ledger.duplicated == 1
    duplicated = [row for month in ledger.months for row in month.rows if row.duplicated]
    assert [(row.filings, row.amounts, row.amounts_differ) for row in duplicated] == [
        (2, (("CNY", Decimal("880.00")),), False)
    ]


def test_when_the_amounts_differ_the_largest_is_counted_once_and_said_so():
    ledger = ledger_build([entry("500.00", "A-1"), entry("650.00", "a-1"), entry("600.00", " A-1 ")])
    (row,) = ledger.months[0].rows
    assert row.amounts == (("CNY", Decimal("650.00")),)
    assert row.amounts_differ and row.filings == 3
    assert ledger.cny == Decimal("650.00")


def test_complaints_without_an_order_number_are_each_their_own_transaction():
    ledger = ledger_build([entry("10.00"), entry("10.00"), entry(None)])
    assert ledger.transactions == 3
    assert ledger.duplicated == 0
    assert ledger.cny == Decimal("20.00")


def test_other_currencies_are_never_added_to_cny():
    ledger = ledger_build([entry("100.00"), entry("30.00", currency="USD"), entry("5.25", currency="USD")])
    assert ledger.cny == Decimal("100.00")
    assert ledger.other_currencies == [("USD", Decimal("35.25"))]
    assert ledger_build([entry("9.99", currency="HKD")]).cny == Decimal("0.00")


def test_rows_are_grouped_by_the_local_month_of_their_first_complaint():
    # 2024-03-31 20:00 UTC is already April in China.
    late_march_utc = datetime(2024, 3, 31, 20, 0, tzinfo=UTC)
    ledger = ledger_build(
        [
            entry("1.00", "X1", at=T0),
            entry("2.00", "X2", at=late_march_utc),
            entry("3.00", "X1", at=late_march_utc + timedelta(days=40)),
        ]
    )
    assert [(month.month, month.cny, len(month.rows)) for month in ledger.months] == [
        ("2024-03", Decimal("3.00"), 1),
        ("2024-04", Decimal("2.00"), 1),
    ]


def test_order_numbers_compare_without_case_spaces_or_full_width_forms():
    assert order_key(" ＷＸ ２０２４\u200b0001\u3000") == order_key("wx20240001") == "wx20240001"
    assert order_key("   ") == ""


def test_order_numbers_show_their_last_four_characters_at_most():
    assert order_mask("4200001234567890") == "••••7890"
    assert order_mask("12 34") == "••••"
    assert order_mask("") == "••••"


# Property-style: whatever the claims, the totals are exactly what counting each transaction once gives.

amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
orders = st.sampled_from(["", "A1", "a 1", "Ａ１", "B-77", "b-77 ", "4200001234567890", "ORD 9"])
currencies = st.sampled_from([CNY, CNY, CNY, "USD"])
days = st.integers(min_value=0, max_value=400)
claims = st.lists(st.tuples(amounts, orders, currencies, days), max_size=30)


def _entries(rows) -> list[LedgerEntry]:
    return [
        LedgerEntry(submitted_at=T0 + timedelta(days=day), amount=amount, currency=currency, order_number=order)
        for amount, order, currency, day in rows
    ]


def _expected(rows) -> dict[str, Decimal]:
    """Counting by hand: each order number's largest amount per currency, and each claim without a number."""
    largest: dict[tuple[str, str], Decimal] = {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for amount, order, currency, _day in rows:
        if amount is None:
            continue
        key = order_key(order)
        if not key:
            totals[currency] += amount
        else:
            largest[(key, currency)] = max(largest.get((key, currency), amount), amount)
    for (_key, currency), amount in largest.items():
        totals[currency] += amount
    return {currency: amount.quantize(Decimal("0.01")) for currency, amount in totals.items()}


@given(claims)
def test_totals_count_each_transaction_once_exactly(rows):
    ledger = ledger_build(_entries(rows))
    assert dict(ledger.totals) == _expected(rows)
    for _currency, amount in ledger.totals:
        assert amount == amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent == -2


@given(claims, st.randoms(use_true_random=False))
def test_the_order_of_filing_changes_no_total(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)
    assert ledger_build(_entries(shuffled)).totals == ledger_build(_entries(rows)).totals


@given(claims)
def test_months_add_up_to_the_total_and_every_claim_is_in_one_row(rows):
    ledger = ledger_build(_entries(rows))
    summed: dict[str, Decimal] = defaultdict(Decimal)
    for month in ledger.months:
        for currency, amount in month.totals:
            summed[currency] += amount
    assert {currency: amount for currency, amount in summed.items()} == dict(ledger.totals)
    assert sum(row.filings for month in ledger.months for row in month.rows) == len(rows)
    assert [month.month for month in ledger.months] == sorted({month.month for month in ledger.months})


@given(claims.filter(lambda rows: any(order_key(order) for _a, order, _c, _d in rows)), st.integers(0, 100))
def test_filing_a_known_transaction_again_for_no_more_changes_nothing(rows, pick):
    known = [row for row in rows if order_key(row[1]) and row[0] is not None]
    if not known:
        return
    amount, order, currency, day = known[pick % len(known)]
    again = (amount, f"  {order.upper()} ", currency, day + 3)
    assert ledger_build(_entries([*rows, again])).totals == ledger_build(_entries(rows)).totals


@given(st.text(max_size=40))
def test_a_mask_never_shows_more_than_four_characters(value):
    shown = order_mask(value).removeprefix("••••")
    assert len(shown) <= 4
    assert not shown or len(order_key(value)) > 4


# The case (database) -----------------------------------------------------------------------------------


@pytest.fixture
def merchant(db):
    return MerchantFactory()


def file(merchant, user=None, **fields) -> Complaint:
    return ComplaintFactory(merchant=merchant, complainant=user or UserFactory(), **fields)


def test_victims_are_distinct_complainants_of_complaints_that_stand(merchant):
    buyer = UserFactory()
    file(merchant, buyer, order_number="A1")
    file(merchant, buyer, order_number="A2")
    file(merchant, order_number="a 1", amount=Decimal("7000.00"))
    file(merchant, status=Complaint.Status.REJECTED, amount=Decimal("99999.00"))
    file(merchant, status=Complaint.Status.WITHDRAWN, amount=Decimal("88888.00"))
    file(MerchantFactory(), buyer)

    case = cases.case_get(merchant_id=merchant.pk)

    assert (case.victims, case.complaints) == (2, 3)
    # A1 and "a 1" are one transaction, counted at its largest amount; A2 is another.
    assert case.ledger.cny == Decimal("7000.00") + Decimal("6999.00")
    assert case.ledger.duplicated == 1
    assert sum(count for _day, count in case.filings) == 3


def test_a_merchant_with_nothing_that_counts_has_no_case(merchant):
    with pytest.raises(Http404):
        cases.case_get(merchant_id=merchant.pk)
    file(merchant, status=Complaint.Status.REJECTED)
    with pytest.raises(Http404):
        cases.case_get(merchant_id=merchant.pk)


def test_imported_victims_count_but_cannot_be_written_to(merchant, moderator):
    file(merchant, moderator, source="群表格", source_row="1", complainant_key="imp:a", contactable=True)
    file(merchant, moderator, source="群表格", source_row="2", complainant_key="imp:b", contactable=True)
    buyer = UserFactory()
    file(merchant, buyer, contactable=True)
    case = cases.case_get(merchant_id=merchant.pk)
    assert case.victims == 3
    assert cases.case_viewer(case=case, user=buyer).victims == []
    # The importing moderator is no victim of the merchant.
    assert cases.case_viewer(case=case, user=moderator) is None


def test_fellow_victims_are_numbered_in_order_of_filing_and_show_nothing_of_who_they_are(merchant):
    first, second, me = UserFactory(), UserFactory(), UserFactory()
    file(merchant, first, contactable=True, submitted_at=T0, category="counterfeit")
    file(merchant, second, contactable=False, submitted_at=T0 + timedelta(days=1))
    file(merchant, me, submitted_at=T0 + timedelta(days=2))
    file(merchant, first, contactable=True, submitted_at=T0 + timedelta(days=3))

    viewer = cases.case_viewer(case=cases.case_get(merchant_id=merchant.pk), user=me)

    assert not viewer.contactable
    (victim,) = viewer.victims
    assert victim.number == 1
    assert victim.first_filed == T0
    assert victim.category_display == Category.COUNTERFEIT.label
    assert first.email not in repr(victim)
    assert victim.key == cases.victim_key(Complaint.objects.filter(complainant=first).earliest("submitted_at").uuid)


def test_opting_in_and_out_sets_every_counted_complaint_and_records_it(merchant):
    buyer = UserFactory()
    one, two = file(merchant, buyer), file(merchant, buyer)
    rejected = file(merchant, buyer, status=Complaint.Status.REJECTED)
    elsewhere = file(MerchantFactory(), buyer)

    assert cases.case_contact_set(user=buyer, merchant_id=merchant.pk, contactable=True) == 2
    assert cases.case_contact_set(user=buyer, merchant_id=merchant.pk, contactable=True) == 0
    assert cases.case_contact_set(user=buyer, merchant_id=merchant.pk, contactable=False) == 2

    for complaint in (one, two, rejected, elsewhere):
        complaint.refresh_from_db()
    assert [one.contactable, two.contactable, rejected.contactable, elsewhere.contactable] == [False] * 4
    changes = TimelineEvent.objects.filter(complaint=one, kind=TimelineEvent.Kind.CONTACT_CHANGED)
    assert [(event.data, event.actor) for event in changes] == [
        ({"contactable": True}, buyer),
        ({"contactable": False}, buyer),
    ]
    assert not TimelineEvent.objects.filter(complaint=rejected, kind=TimelineEvent.Kind.CONTACT_CHANGED).exists()


def test_only_a_victim_of_the_merchant_can_opt_in(merchant):
    file(merchant)
    with pytest.raises(ValidationError) as error:
        cases.case_contact_set(user=UserFactory(), merchant_id=merchant.pk, contactable=True)
    assert error.value.messages == [str(cases.MSG_NOT_A_VICTIM)]


# Messages between victims --------------------------------------------------------------------------------


@pytest.fixture
def pair(merchant):
    """Two victims of the merchant who both agreed to be contacted."""
    alice, bob = UserFactory(), UserFactory()
    return file(merchant, alice, contactable=True), file(merchant, bob, contactable=True)


def send(sender: Complaint, recipient: Complaint, body="我们一起去市场监管局投诉吧。"):
    return cases.victim_message_send(
        user=sender.complainant,
        merchant_id=sender.merchant_id,
        recipient_key=cases.victim_key(recipient.uuid),
        body=body,
    )


def refused(call) -> str:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages[0]


def test_a_message_reaches_the_other_victim_with_one_notice_linking_the_inbox(pair, django_capture_on_commit_callbacks):
    alice, bob = pair
    with django_capture_on_commit_callbacks(execute=True):
        message = send(alice, bob)
    send(alice, bob, "还有一件事。")

    assert (message.sender, message.recipient) == (alice, bob)
    notices = Notification.objects.filter(user=bob.complainant, kind=Notification.Kind.MESSAGE)
    # The second message finds the first notice unread: one notice (and one email) until the inbox is read.
    assert [(notice.complaint, notice.link, notice.message) for notice in notices] == [(bob, "/cases/messages/", "")]


def test_a_victim_who_did_not_opt_in_cannot_write(pair):
    alice, bob = pair
    Complaint.objects.filter(pk=alice.pk).update(contactable=False)
    assert refused(lambda: send(alice, bob)) == str(cases.MSG_NOT_OPTED_IN)


def test_nobody_writes_to_a_victim_who_did_not_opt_in_or_withdrew(pair):
    alice, bob = pair
    cases.case_contact_set(user=bob.complainant, merchant_id=bob.merchant_id, contactable=False)
    assert refused(lambda: send(alice, bob)) == str(cases.MSG_RECIPIENT_GONE)
    assert not VictimMessage.objects.exists()


def test_victims_of_another_merchant_are_out_of_reach(pair):
    alice, _bob = pair
    other = file(MerchantFactory(), contactable=True)
    assert refused(lambda: send(alice, other)) == str(cases.MSG_RECIPIENT_GONE)
    # Nor can a victim of another merchant write into this case.
    with pytest.raises(ValidationError):
        cases.victim_message_send(
            user=other.complainant,
            merchant_id=alice.merchant_id,
            recipient_key=cases.victim_key(alice.uuid),
            body="你好",
        )


def test_rejected_or_withdrawn_complaints_neither_send_nor_receive(pair):
    alice, bob = pair
    Complaint.objects.filter(pk=bob.pk).update(status=Complaint.Status.WITHDRAWN)
    assert refused(lambda: send(alice, bob)) == str(cases.MSG_RECIPIENT_GONE)
    Complaint.objects.filter(pk=alice.pk).update(status=Complaint.Status.REJECTED)
    assert refused(lambda: send(alice, bob)) == str(cases.MSG_NOT_A_VICTIM)


def test_nobody_writes_to_themselves(merchant):
    buyer = UserFactory()
    mine, other_mine = file(merchant, buyer, contactable=True), file(merchant, buyer, contactable=True)
    assert refused(lambda: send(mine, other_mine)) == str(cases.MSG_RECIPIENT_GONE)


def test_messages_are_capped_per_person_per_day(pair, merchant):
    alice, bob = pair
    carol = file(merchant, contactable=True)
    for n in range(cases.MESSAGES_PER_DAY - 1):
        send(alice, bob, f"第{n}条")
    send(alice, carol)
    expected = str(cases.MSG_TOO_MANY % {"limit": cases.MESSAGES_PER_DAY})
    assert refused(lambda: send(alice, carol)) == expected
    # Replies count too; a day later the cap is lifted.
    answer = send(bob, alice)
    assert refused(lambda: cases.victim_message_reply(user=alice.complainant, message=answer, body="好")) == expected
    VictimMessage.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert cases.victim_message_reply(user=alice.complainant, message=answer, body="好").recipient == bob


def test_message_bodies_are_required_and_capped(pair):
    alice, bob = pair
    assert refused(lambda: send(alice, bob, "   ")) == str(cases.MSG_BODY_EMPTY)
    too_long = "长" * (cases.MESSAGE_MAX + 1)
    assert refused(lambda: send(alice, bob, too_long)) == cases.MSG_BODY_TOO_LONG % {"limit": cases.MESSAGE_MAX}
    assert send(alice, bob, "长" * cases.MESSAGE_MAX).body == "长" * cases.MESSAGE_MAX


def test_personal_data_in_a_message_is_sent_as_written(pair):
    alice, bob = pair
    assert send(alice, bob, "加我微信或打13812345678").body == "加我微信或打13812345678"


def test_a_reply_goes_back_to_the_sender_under_the_same_rules(pair):
    alice, bob = pair
    message = send(alice, bob)
    answer = cases.victim_message_reply(user=bob.complainant, message=message, body="好的，一起。")
    assert (answer.sender, answer.recipient) == (bob, alice)
    cases.case_contact_set(user=alice.complainant, merchant_id=alice.merchant_id, contactable=False)
    reply = lambda: cases.victim_message_reply(user=bob.complainant, message=message, body="还在吗？")  # noqa: E731
    assert refused(reply) == str(cases.MSG_RECIPIENT_GONE)


def test_only_the_recipient_gets_a_message_to_reply_to(pair):
    alice, bob = pair
    message = send(alice, bob)
    assert cases.victim_message_get_for_user(user=bob.complainant, uuid=message.uuid) == message
    for outsider in (alice.complainant, UserFactory()):
        with pytest.raises(Http404):
            cases.victim_message_get_for_user(user=outsider, uuid=message.uuid)


def test_the_inbox_shows_both_directions_and_reading_it_clears_the_notices(pair):
    alice, bob = pair
    send(alice, bob)
    cases.victim_message_reply(user=bob.complainant, message=VictimMessage.objects.get(), body="收到")
    rows = cases.inbox_rows(user=bob.complainant, messages=cases.victim_inbox(user=bob.complainant))
    assert [(row.incoming, row.unread, row.can_reply) for row in rows] == [(False, False, False), (True, True, True)]
    assert rows[1].other_filed == alice.submitted_at

    cases.victim_inbox_mark_read(user=bob.complainant, messages=rows)

    assert not VictimMessage.objects.filter(recipient=bob, read_at__isnull=True).exists()
    assert not Notification.objects.filter(user=bob.complainant, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=alice.complainant, read_at__isnull=True).count() == 1


def test_victim_keys_are_opaque_and_stable():
    uuids = [uuid.uuid4() for _ in range(3)]
    keys = [cases.victim_key(value) for value in uuids]
    assert len(set(keys)) == 3 and keys == [cases.victim_key(value) for value in uuids]
    assert all(value.hex[:8] not in key for value, key in zip(uuids, keys, strict=True))
