"""Review requests: only a merchant's approved representative asks, one open per complaint; moderators decide,
and each requester's record (made, dismissed) is counted."""

import uuid

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from complaints.models import Complaint, ReviewRequest
from complaints.review_requests import (
    ALREADY_OPEN,
    EXPLANATION_MAX_LENGTH,
    MSG_ALREADY_OPEN,
    MSG_DECIDED,
    MSG_EXPLANATION_REQUIRED,
    MSG_EXPLANATION_TOO_LONG,
    MSG_NOT_REPRESENTATIVE,
    MSG_REASON_INVALID,
    NOT_REPRESENTATIVE,
    RequesterRecord,
    review_request_create,
    review_request_decide,
    review_request_get,
    review_request_records,
    review_requests_for_moderators,
)
from complaints.tests.factories import ComplaintFactory
from merchants.models import Representative
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.business.tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db

EXPLANATION = "这位顾客的订单号不在我们的系统里，我们也没有收到这笔付款。"


@pytest.fixture
def representative(merchant_rep):
    return RepresentativeFactory(user=merchant_rep, status=Representative.Status.APPROVED)


@pytest.fixture
def complaint(representative):
    return ComplaintFactory(merchant=representative.merchant, status=Complaint.Status.ACCEPTED)


def ask(complaint, user, *, reason="not_our_customer", explanation=EXPLANATION):
    return review_request_create(complaint=complaint, user=user, reason=reason, explanation=explanation)


def test_an_approved_representative_asks_for_a_review_that_changes_nothing_else(complaint, merchant_rep):
    request = ask(complaint, merchant_rep, explanation=f"  {EXPLANATION}\n")
    assert (request.status, request.requested_by, request.reason) == ("open", merchant_rep, "not_our_customer")
    assert request.explanation == EXPLANATION
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ACCEPTED


def test_a_representative_of_a_merchant_merged_into_the_complaints_merchant_may_ask(merchant_rep, moderator):
    member = RepresentativeFactory(user=merchant_rep, status=Representative.Status.APPROVED).merchant
    root = MerchantFactory()
    merchant_merge(source=member, target=root, reason="Same shop", actor=moderator)
    assert ask(ComplaintFactory(merchant=root), merchant_rep).status == "open"


@pytest.mark.parametrize("status", ["pending", "rejected", "revoked"])
def test_anyone_but_an_approved_representative_of_the_merchant_is_refused(complaint, status):
    claimant = RepresentativeFactory(merchant=complaint.merchant, status=status).user
    other_merchants_rep = RepresentativeFactory(status=Representative.Status.APPROVED).user
    for user in (claimant, other_merchants_rep, complaint.complainant):
        with pytest.raises(ValidationError) as error:
            ask(complaint, user)
        assert error.value.code == NOT_REPRESENTATIVE
        assert error.value.messages == [str(MSG_NOT_REPRESENTATIVE)]
    assert not ReviewRequest.objects.exists()


def test_one_open_request_per_complaint_and_another_once_it_is_decided(complaint, merchant_rep, moderator):
    first = ask(complaint, merchant_rep)
    colleague = RepresentativeFactory(merchant=complaint.merchant, status=Representative.Status.APPROVED).user
    with pytest.raises(ValidationError) as error:
        ask(complaint, colleague)
    assert (error.value.code, error.value.messages) == (ALREADY_OPEN, [str(MSG_ALREADY_OPEN)])

    review_request_decide(request=first, moderator=moderator, upheld=False, note="The order is in the evidence.")
    assert ask(complaint, colleague).status == "open"


@pytest.mark.parametrize(
    ("reason", "explanation", "field", "message"),
    [
        ("bogus", EXPLANATION, "reason", MSG_REASON_INVALID),
        ("false", "   ", "explanation", MSG_EXPLANATION_REQUIRED),
        (
            "false",
            "长" * (EXPLANATION_MAX_LENGTH + 1),
            "explanation",
            MSG_EXPLANATION_TOO_LONG % {"limit": EXPLANATION_MAX_LENGTH},
        ),
    ],
)
def test_reason_and_explanation_are_checked_by_field(complaint, merchant_rep, reason, explanation, field, message):
    with pytest.raises(ValidationError) as error:
        ask(complaint, merchant_rep, reason=reason, explanation=explanation)
    assert error.value.message_dict == {field: [str(message)]}
    assert not ReviewRequest.objects.exists()


def test_a_moderator_upholds_or_dismisses_once_and_the_complaint_is_left_to_the_workflow(
    complaint, merchant_rep, moderator
):
    request = ask(complaint, merchant_rep)
    with pytest.raises(PermissionDenied):
        review_request_decide(request=request, moderator=merchant_rep, upheld=True, note="")

    decided = review_request_decide(request=request, moderator=moderator, upheld=True, note=" Not this shop. ")
    assert (decided.status, decided.decided_by, decided.note) == ("upheld", moderator, "Not this shop.")
    assert decided.decided_at is not None
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ACCEPTED

    with pytest.raises(ValidationError) as error:
        review_request_decide(request=request, moderator=moderator, upheld=False, note="")
    assert error.value.messages == [str(MSG_DECIDED)]


def test_each_requesters_record_counts_requests_made_dismissed_and_upheld(merchant_rep, representative, moderator):
    for upheld in (False, False, True, None):
        request = ask(ComplaintFactory(merchant=representative.merchant), merchant_rep)
        if upheld is not None:
            review_request_decide(request=request, moderator=moderator, upheld=upheld, note="")
    quiet = User.objects.create_user("quiet@example.com")

    records = review_request_records(user_ids=[merchant_rep.pk, quiet.pk])
    assert records == {merchant_rep.pk: RequesterRecord(made=4, dismissed=2, upheld=1)}


def test_the_moderators_list_puts_open_requests_first_oldest_first_then_latest_decisions(
    merchant_rep, representative, moderator
):
    requests = [ask(ComplaintFactory(merchant=representative.merchant), merchant_rep) for _ in range(4)]
    decided_first, open_old, decided_last, open_new = requests
    review_request_decide(request=decided_first, moderator=moderator, upheld=False, note="")
    review_request_decide(request=decided_last, moderator=moderator, upheld=True, note="")
    assert list(review_requests_for_moderators()) == [open_old, open_new, decided_last, decided_first]
    assert review_request_get(uuid=open_old.uuid) == open_old
    with pytest.raises(Http404):
        review_request_get(uuid=uuid.uuid4())


def test_the_admin_shows_review_requests_read_only(rf, admin_user, complaint, merchant_rep):
    request = ask(complaint, merchant_rep)
    model_admin = site._registry[ReviewRequest]
    http = rf.get("/admin/")
    http.user = admin_user
    assert {"status", "decided_by", "decided_at", "note", "explanation"} <= set(
        model_admin.get_readonly_fields(http, request)
    )
    assert not model_admin.has_add_permission(http)
    assert not model_admin.has_delete_permission(http, request)
