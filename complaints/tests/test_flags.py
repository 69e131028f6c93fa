"""Signals on complaints: duplicate evidence, near-identical pictures and accounts, brigading."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import flags
from complaints.models import Complaint, Flag
from complaints.services import complaint_submit
from complaints.tests import files
from complaints.tests.factories import ComplaintFactory
from complaints.uploads import check_upload
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLAIMS = MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001")
NARRATIVE = "我在易联购小程序预购了一部新手机，付款六千九百九十九元以后商家一直不发货，客服也不回复。"
OTHER_NARRATIVE = "团购的优惠券显示已被领取，到货的商品比宣传的小很多，商家和平台互相推诿，至今没有退款。"


@pytest.fixture
def file(django_capture_on_commit_callbacks):
    """File as the web does: the flags task runs after commit (eagerly in tests)."""

    def submit(complainant, narrative=NARRATIVE, uploads=(), client_ip="") -> Complaint:
        with django_capture_on_commit_callbacks(execute=True):
            return complaint_submit(
                complainant=complainant,
                claims=CLAIMS,
                category="not_delivered",
                narrative=narrative,
                amount=Decimal("6999.00"),
                uploads=list(uploads),
                client_ip=client_ip,
            )

    return submit


def kinds(complaint) -> set[str]:
    return set(Flag.objects.filter(complaint=complaint).values_list("kind", flat=True))


def test_the_same_file_in_two_accounts_complaints_flags_both(file, complainant, stranger):
    content = files.png_bytes((300, 500))
    first = file(complainant, uploads=[check_upload(files.upload("a.png", content))])
    second = file(stranger, narrative=OTHER_NARRATIVE, uploads=[check_upload(files.upload("b.png", content))])

    assert kinds(first) == kinds(second) == {Flag.Kind.SAME_EVIDENCE}
    assert Flag.objects.get(complaint=second).other == first


def test_one_account_reusing_its_own_file_is_not_a_duplicate_signal(file, complainant):
    content = files.png_bytes((300, 500))
    file(complainant, uploads=[check_upload(files.upload("a.png", content))])
    second = file(complainant, narrative=OTHER_NARRATIVE, uploads=[check_upload(files.upload("b.png", content))])
    assert Flag.Kind.SAME_EVIDENCE not in kinds(second)


def test_a_copied_account_with_a_changed_amount_is_flagged(file, complainant, stranger):
    first = file(complainant)
    second = file(stranger, narrative=NARRATIVE.replace("六千九百九十九", "五千四百"))
    independent = file(UserFactory(), narrative=OTHER_NARRATIVE)

    assert Flag.Kind.SIMILAR_NARRATIVE in kinds(second)
    assert Flag.objects.get(complaint=first, kind=Flag.Kind.SIMILAR_NARRATIVE).other == second
    assert Flag.Kind.SIMILAR_NARRATIVE not in kinds(independent)


def test_near_identical_pictures_are_flagged_once_processed(file, complainant, stranger):
    first = file(complainant, uploads=[check_upload(files.upload("a.png", files.png_bytes((300, 500))))])
    second = file(
        stranger, narrative=OTHER_NARRATIVE, uploads=[check_upload(files.upload("b.jpg", files.jpeg_bytes()))]
    )
    mine, theirs = first.evidence.get(), second.evidence.get()
    type(mine).objects.filter(pk=mine.pk).update(phash="c3c3c3c33c3c3c3c")
    type(theirs).objects.filter(pk=theirs.pk).update(phash="c3c3c3c33c3c3c3c")
    theirs.refresh_from_db()

    flags.flags_for_evidence(evidence=theirs)

    assert Flag.objects.filter(complaint=second, kind=Flag.Kind.SIMILAR_PICTURE, other=first).exists()


def test_many_complaints_from_one_account_against_one_merchant_are_brigading(file, complainant, settings):
    settings.BRIGADING_COUNT = 3
    filed = [file(complainant, narrative=f"{OTHER_NARRATIVE}第{n}次。") for n in range(3)]
    for complaint in filed:
        assert Flag.Kind.BRIGADING_ACCOUNT in kinds(complaint)
    # A brigading flag costs priority.
    clean = file(UserFactory(), narrative="完全不同的一段经历：快递显示签收但我从没收到包裹，商家拒绝补发也不退款。")
    assert Complaint.objects.get(pk=filed[0].pk).priority < Complaint.objects.get(pk=clean.pk).priority


def test_many_accounts_from_one_address_are_brigading(file, settings):
    settings.BRIGADING_COUNT = 3
    filed = [file(UserFactory(), narrative=f"账号{n}：{OTHER_NARRATIVE}", client_ip="203.0.113.7") for n in range(3)]
    assert all(Flag.Kind.BRIGADING_ADDRESS in kinds(c) for c in filed)
    assert len({c.client_ip_hash for c in filed}) == 1
    assert "203.0.113.7" not in filed[0].client_ip_hash


def test_flags_are_not_raised_twice(file, complainant, stranger):
    first = file(complainant)
    file(stranger, narrative=NARRATIVE + "。")
    flags.flags_for_complaint(complaint_id=first.pk)
    flags.flags_for_complaint(complaint_id=first.pk)
    assert Flag.objects.filter(complaint=first, kind=Flag.Kind.SIMILAR_NARRATIVE).count() == 1


def test_a_reshared_screenshot_is_flagged_through_upload_and_processing_and_another_chat_is_not(
    file, complainant, stranger
):
    """End to end: real files through the upload checks and the evidence pipeline (eager tasks)."""
    from bench.phash.make_screenshots import jpeg, png, resized, screenshot

    original, other_chat = screenshot("wechat_chat", 0), screenshot("wechat_chat", 1)
    first = file(complainant, uploads=[check_upload(files.upload("chat.png", png(original)))])
    copy = file(
        stranger,
        narrative=OTHER_NARRATIVE,
        uploads=[check_upload(files.upload("chat.jpg", jpeg(resized(original, 0.6), 70)))],
    )
    different = file(
        UserFactory(),
        narrative="完全不同的一段经历：快递显示签收但我从没收到包裹，商家拒绝补发也不退款。",
        uploads=[check_upload(files.upload("mine.png", png(other_chat)))],
    )

    assert Flag.objects.filter(complaint=copy, kind=Flag.Kind.SIMILAR_PICTURE, other=first).exists()
    assert Flag.Kind.SIMILAR_PICTURE not in kinds(different)


def test_two_complaints_quoting_one_order_number_are_flagged_both_ways(complainant, stranger):
    first = ComplaintFactory(complainant=complainant, order_number="WX 2024 0001")
    second = ComplaintFactory(complainant=stranger, merchant=first.merchant, order_number="wx20240001")
    unrelated = ComplaintFactory(merchant=first.merchant, order_number="WX20240002")
    elsewhere = ComplaintFactory(order_number="WX20240001")

    flags.flags_for_complaint(complaint_id=second.pk)

    assert Flag.objects.get(complaint=second, kind=Flag.Kind.SAME_TRANSACTION).other == first
    assert Flag.objects.get(complaint=first, kind=Flag.Kind.SAME_TRANSACTION).other == second
    assert Flag.Kind.SAME_TRANSACTION not in kinds(unrelated) | kinds(elsewhere)


def test_the_same_order_number_from_one_account_or_an_old_complaint_is_flagged_too(complainant):
    old = ComplaintFactory(
        complainant=complainant, order_number="A-77", submitted_at=timezone.now() - timedelta(days=900)
    )
    again = ComplaintFactory(complainant=complainant, merchant=old.merchant, order_number=" a-77 ")
    flags.flags_for_complaint(complaint_id=again.pk)
    assert Flag.objects.filter(complaint=old, kind=Flag.Kind.SAME_TRANSACTION, other=again).exists()


def test_transaction_flags_are_raised_once_and_not_for_missing_numbers(complainant, stranger):
    first = ComplaintFactory(complainant=complainant, order_number="")
    second = ComplaintFactory(complainant=stranger, merchant=first.merchant, order_number="   ")
    third = ComplaintFactory(merchant=first.merchant, order_number="B1")
    fourth = ComplaintFactory(merchant=first.merchant, order_number="b1")
    for complaint in (first, second, third, fourth, fourth):
        flags.flags_for_complaint(complaint_id=complaint.pk)
    assert Flag.objects.filter(kind=Flag.Kind.SAME_TRANSACTION).count() == 2
    assert Flag.Kind.SAME_TRANSACTION not in kinds(first) | kinds(second)


def test_filing_raises_the_transaction_flag(complainant, stranger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = complaint_submit(
            complainant=complainant, claims=CLAIMS, category="not_delivered", narrative=NARRATIVE, order_number="T 001"
        )
        second = complaint_submit(
            complainant=stranger,
            claims=CLAIMS,
            category="refund_refused",
            narrative=OTHER_NARRATIVE,
            order_number="t001",
        )
    assert first.merchant_id == second.merchant_id
    assert Flag.objects.filter(complaint=second, kind=Flag.Kind.SAME_TRANSACTION, other=first).exists()
    assert Flag.objects.filter(complaint=first, kind=Flag.Kind.SAME_TRANSACTION, other=second).exists()


def test_a_surge_from_one_address_with_one_template_costs_each_check_the_same_queries_at_any_size(
    settings, django_assert_max_num_queries
):
    """Behind a carrier's NAT a whole surge shares an address, and victims' groups copy one account: checking the
    next complaint must not take a query per complaint already flagged."""
    settings.BRIGADING_COUNT = 3
    merchant = MerchantFactory()

    def surge(count):
        made = ComplaintFactory.create_batch(count, merchant=merchant, narrative=NARRATIVE, client_ip_hash="nat")
        for complaint in made:
            flags.flags_for_complaint(complaint_id=complaint.pk)
        return made

    surge(5)
    first = ComplaintFactory(merchant=merchant, narrative=NARRATIVE, client_ip_hash="nat")
    with CaptureQueriesContext(connection) as small:
        flags.flags_for_complaint(complaint_id=first.pk)
    surge(20)
    latest = ComplaintFactory(merchant=merchant, narrative=NARRATIVE, client_ip_hash="nat")
    with django_assert_max_num_queries(len(small)):
        flags.flags_for_complaint(complaint_id=latest.pk)

    assert Flag.objects.filter(kind=Flag.Kind.BRIGADING_ADDRESS).count() == 27
    assert Flag.objects.filter(complaint=latest, kind=Flag.Kind.SIMILAR_NARRATIVE).count() == 26
