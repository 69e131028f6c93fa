"""The moderators' complaint pages: the queue (filters, order, pagination, bulk decisions) and one case (what it
shows, which steps it offers, each step taken or refused with a message)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from complaints import workflow
from complaints.models import Complaint, Evidence, Flag, ModerationAction
from complaints.moderation_views import PER_PAGE
from complaints.services import complaint_submit
from complaints.tests import files
from complaints.tests.factories import ComplaintFactory
from complaints.uploads import check_upload
from merchants.models import Platform
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Complaint.Status
QUEUE = "/moderation/complaints/"
BULK = "/moderation/complaints/bulk/"
PHONE = "13812345678"
NARRATIVE = f"付款以后商家一直没有发货，客服电话{PHONE}也打不通，小程序已经打不开了，请大家小心。"


def case_url(complaint, action=""):
    return f"/moderation/complaints/{complaint.code}/{action + '/' if action else ''}"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def english(message, **params) -> str:
    with translation.override("en"):
        return str(message) % params if params else str(message)


def file(complainant, uploads=(), **overrides) -> Complaint:
    fields = {
        "claims": MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001", platform="wechat_mini_program"),
        "category": "not_delivered",
        "narrative": NARRATIVE,
        "amount": Decimal("6999.00"),
        "consent_publish": True,
        "uploads": list(uploads),
        **overrides,
    }
    return complaint_submit(complainant=complainant, **fields)


def queued(**fields) -> Complaint:
    """A complaint straight into the queue, with the priority the test gives it."""
    return ComplaintFactory(**fields)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def other_moderator(db):
    return UserFactory(email="moderator2@example.com", role=User.Role.MODERATOR)


@pytest.fixture
def filed(complainant):
    return file(complainant)


# The queue ---------------------------------------------------------------------------------------------------


def test_the_queue_lists_open_complaints_worst_first(mod_client):
    low = queued(priority=10)
    high = queued(priority=60, amount=Decimal("120000.00"))
    waiting_longer = queued(priority=10, submitted_at=timezone.now() - timedelta(days=2))
    needs_info = queued(priority=5, status=Status.NEEDS_INFO)
    queued(priority=99, status=Status.ACCEPTED)
    queued(priority=99, status=Status.REJECTED)

    response = mod_client.get(QUEUE)

    assert response.status_code == 200
    assert [row["complaint"] for row in response.context["rows"]] == [high, waiting_longer, low, needs_info]
    page = response.text
    assert case_url(high) in page and high.merchant.name in page
    assert "CNY 120000.00" in page
    assert "Priority 60" in page
    assert "Paid but not delivered (pre-sales included)" in page


def test_a_row_shows_flags_vulnerability_and_who_has_taken_it(mod_client, other_moderator):
    flagged = queued(priority=50, vulnerable=True)
    other = queued(priority=1)
    Flag.objects.create(complaint=flagged, kind=Flag.Kind.SIMILAR_NARRATIVE, other=other)
    Flag.objects.create(complaint=flagged, kind=Flag.Kind.SIMILAR_NARRATIVE, other=queued(priority=0))
    workflow.complaint_claim(complaint=flagged, moderator=other_moderator)

    response = mod_client.get(QUEUE)

    row = response.context["rows"][0]
    # Two flags of one kind make one badge.
    assert row["flags"] == [("similar_narrative", "Near-identical account in another account's complaint")]
    assert row["claimed_by"] == other_moderator
    page = response.text
    assert "Vulnerable victim" in page
    assert "Taken by moderator2@example.com" in page


def test_a_lapsed_claim_is_not_shown(mod_client, other_moderator, settings):
    complaint = queued(priority=1)
    workflow.complaint_claim(complaint=complaint, moderator=other_moderator)
    Complaint.objects.filter(pk=complaint.pk).update(
        claimed_at=timezone.now() - settings.MODERATION_CLAIM_TTL - timedelta(minutes=1)
    )

    response = mod_client.get(QUEUE)

    assert response.context["rows"][0]["claimed_by"] is None
    assert "Taken by" not in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "accepted"}, ["accepted"]),
        ({"category": "counterfeit"}, ["counterfeit"]),
        ({"platform": "taobao_tmall"}, ["taobao_merchant", "taobao_claimed"]),
        ({"region": "440000"}, ["guangdong"]),
        ({"flag": "similar_picture"}, ["flagged"]),
        ({"category": "counterfeit", "region": "440000"}, []),
    ],
)
def test_the_queue_filters(mod_client, query, expected):
    taobao, _created = Platform.objects.get_or_create(code=Platform.Code.TAOBAO_TMALL)
    complaints = {
        "plain": queued(priority=1),
        "accepted": queued(priority=2, status=Status.ACCEPTED),
        "counterfeit": queued(priority=3, category="counterfeit"),
        "taobao_merchant": queued(priority=4, merchant=MerchantFactory(platform=taobao), platform=""),
        # A merchant with no platform still counts where the complainant said they bought.
        "taobao_claimed": queued(priority=5, merchant=MerchantFactory(platform=None), platform="taobao_tmall"),
        "guangdong": queued(priority=6, region="440000"),
        "flagged": queued(priority=7),
    }
    # Flagged twice the same way (two similar pictures): still one row.
    for _ in range(2):
        Flag.objects.create(
            complaint=complaints["flagged"], kind=Flag.Kind.SIMILAR_PICTURE, other=queued(status=Status.REJECTED)
        )

    response = mod_client.get(QUEUE, query)

    assert response.status_code == 200
    names = {complaint.pk: name for name, complaint in complaints.items()}
    assert sorted(names[row["complaint"].pk] for row in response.context["rows"]) == sorted(expected)


def test_the_queue_filters_by_merchant(mod_client):
    merchant = MerchantFactory()
    mine = queued(merchant=merchant)
    queued()

    response = mod_client.get(QUEUE, {"merchant": str(merchant.uuid)})

    assert [row["complaint"] for row in response.context["rows"]] == [mine]


def test_an_invalid_filter_is_shown_and_the_valid_ones_still_apply(mod_client):
    counterfeit = queued(category="counterfeit")
    queued()

    response = mod_client.get(QUEUE, {"category": "counterfeit", "region": "999999", "merchant": "nope"})

    assert response.status_code == 200
    assert [row["complaint"] for row in response.context["rows"]] == [counterfeit]
    assert set(response.context["form"].errors) == {"region", "merchant"}


def test_the_queue_is_paginated_and_pages_keep_the_filters(mod_client):
    for number in range(PER_PAGE + 2):
        queued(priority=number, category="counterfeit")
    queued(priority=1000)

    first = mod_client.get(QUEUE, {"category": "counterfeit"})
    second = mod_client.get(QUEUE, {"category": "counterfeit", "page": 2})

    assert len(first.context["rows"]) == PER_PAGE
    assert first.context["rows"][0]["complaint"].priority == PER_PAGE + 1
    assert "?category=counterfeit&amp;page=2" in first.text
    assert [row["complaint"].priority for row in second.context["rows"]] == [1, 0]
    assert "27 complaints" in first.text


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_the_queue_takes_a_fixed_number_of_queries(mod_client, other_moderator, django_assert_max_num_queries):
    def add_rows(count):
        for _ in range(count):
            complaint = queued(merchant=MerchantFactory())
            Flag.objects.create(complaint=complaint, kind=Flag.Kind.SIMILAR_PICTURE, other=queued(status="accepted"))
            workflow.complaint_claim(complaint=complaint, moderator=other_moderator)

    add_rows(2)
    few = _queue_queries(mod_client)
    add_rows(PER_PAGE)
    # session, user, count, page, flags with their other complaints
    with django_assert_max_num_queries(6):
        assert mod_client.get(QUEUE).status_code == 200
    assert _queue_queries(mod_client) == few


# Bulk decisions ----------------------------------------------------------------------------------------------


def test_bulk_accept_decides_each_and_names_the_refused(mod_client, other_moderator):
    first, second = queued(priority=2), queued(priority=1)
    taken = queued(priority=0)
    workflow.complaint_claim(complaint=taken, moderator=other_moderator)

    response = mod_client.post(
        BULK,
        {"codes": [first.code, second.code.lower(), taken.code], "action": "accept", "query": "category=other"},
    )

    assert response.status_code == 302
    assert response.url == f"{QUEUE}?category=other"
    statuses = dict(Complaint.objects.values_list("code", "status"))
    assert statuses[first.code] == statuses[second.code] == Status.ACCEPTED
    assert statuses[taken.code] == Status.SUBMITTED
    messages = messages_of(response)
    assert "2 complaints accepted." in messages
    assert f"{taken.code}: moderator2@example.com is working on this complaint." in messages
    assert ModerationAction.objects.filter(action="accept").count() == 2


def test_bulk_reject_needs_a_reason(mod_client):
    complaint = queued()

    response = mod_client.post(BULK, {"codes": [complaint.code], "action": "reject"})

    assert response.status_code == 302
    assert response.url == QUEUE
    assert english(workflow.MSG_REASON_REQUIRED) in messages_of(response)[0]
    assert Complaint.objects.get(pk=complaint.pk).status == Status.SUBMITTED


def test_bulk_reject_with_a_reason_tells_the_complainants(mod_client, django_capture_on_commit_callbacks):
    complaints = [queued(), queued()]

    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(
            BULK,
            {"codes": [c.code for c in complaints], "action": "reject", "reason": "spam", "note": "Advertising"},
        )

    assert messages_of(response) == ["2 complaints rejected."]
    for complaint in complaints:
        complaint.refresh_from_db()
        assert (complaint.status, complaint.reject_reason) == (Status.REJECTED, "spam")
        assert complaint.notifications.get().message == "Advertising"


def test_bulk_needs_ticked_complaints(mod_client):
    response = mod_client.post(BULK, {"action": "accept", "codes": ["not a code"]})

    assert "Tick at least one complaint." in messages_of(response)[0]


def test_bulk_refuses_get(mod_client):
    assert mod_client.get(BULK).status_code == 405


# One case ----------------------------------------------------------------------------------------------------


def test_the_case_page_shows_what_a_moderator_weighs(
    mod_client, complainant, stranger, django_capture_on_commit_callbacks
):
    picture = check_upload(files.upload("chat.jpg", files.jpeg_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file(complainant, [picture], vulnerable=True, region="440000", order_number="4200001234")
    earlier = file(complainant, narrative="另一家店也是付款后不发货，客服不回复消息，已经等了一个月了。")
    workflow.complaint_reject(complaint=earlier, moderator=UserFactory(role=User.Role.MODERATOR), reason="duplicate")
    other = file(stranger)
    Flag.objects.create(complaint=complaint, kind=Flag.Kind.SIMILAR_NARRATIVE, other=other)
    evidence = Evidence.objects.get(complaint=complaint)

    response = mod_client.get(case_url(complaint))

    assert response.status_code == 200
    page = response.text
    # The raw account with the phone highlighted, and the redacted text to edit.
    label = '<span class="visually-hidden">Mobile phone: </span>'
    assert f'<mark class="pii pii-mobile" title="Mobile phone">{label}{PHONE}</mark>' in page
    assert "138****5678" in page
    assert f"\n{escape(complaint.narrative_redacted)}</textarea>" in page
    # Facts, merchant tools and public profile, evidence thumbnail.
    assert "易联购" in page and "wx0000000000000001" in page and "4200001234" in page and "Guangdong" in page
    assert f"/moderation/merchants/{complaint.merchant.uuid}/" in page
    assert f"/merchants/{complaint.merchant.uuid}/" in page
    assert f"/complaints/evidence/{evidence.uuid}/thumbnail/" in page
    assert "Yes: filed by or for an elderly person or a minor" in page
    assert "buyer@example.com" in page
    # The flag leads to the other complaint; the complainant's history counts their other complaint.
    assert case_url(other) in page
    assert "1 other complaint" in page and "Rejected: 1" in page and case_url(earlier) in page
    # The timeline has the filing.
    assert "Complaint submitted" in page


@pytest.mark.parametrize(
    ("status", "offered", "not_offered"),
    [
        (Status.SUBMITTED, {"review", "accept", "reject", "request-info", "claim", "redaction"}, {"close", "release"}),
        (Status.IN_REVIEW, {"accept", "reject", "request-info", "claim"}, {"review", "close"}),
        (Status.NEEDS_INFO, {"reject", "claim"}, {"accept", "review", "request-info", "close"}),
        (Status.ACCEPTED, {"close", "redaction"}, {"accept", "reject", "review", "request-info", "claim"}),
        (Status.REJECTED, {"redaction"}, {"accept", "reject", "close", "claim"}),
    ],
)
def test_the_case_page_offers_only_the_steps_its_status_allows(mod_client, status, offered, not_offered):
    complaint = queued(status=status)

    page = mod_client.get(case_url(complaint)).text

    for action in offered:
        assert f'action="{case_url(complaint, action)}"' in page, action
    for action in not_offered:
        assert f'action="{case_url(complaint, action)}"' not in page, action


def test_a_case_another_moderator_has_taken_offers_nothing(mod_client, other_moderator):
    complaint = queued()
    workflow.complaint_claim(complaint=complaint, moderator=other_moderator)

    page = mod_client.get(case_url(complaint)).text

    assert "moderator2@example.com is working on this complaint: you can read it, not act on it." in page
    assert f"{case_url(complaint)}" in page
    assert 'action="/moderation/complaints/' not in page


def test_the_case_page_is_found_by_the_code_as_typed(mod_client):
    complaint = queued()

    assert mod_client.get(case_url(complaint).replace(complaint.code, complaint.code.lower())).status_code == 200
    assert mod_client.get("/moderation/complaints/RD-2222-2222/").status_code == 404
    assert mod_client.get("/moderation/complaints/nonsense/").status_code == 404


def test_editing_the_redaction_is_saved_and_audited(mod_client, filed):
    edited = filed.narrative_redacted.replace("请大家小心。", "")

    response = mod_client.post(case_url(filed, "redaction"), {"text": edited})

    assert response.status_code == 302 and response.url == case_url(filed)
    filed.refresh_from_db()
    assert filed.narrative_redacted == edited.strip()
    action = ModerationAction.objects.get(complaint=filed, action="redaction_edit")
    assert action.after == {"narrative_redacted": edited.strip()}
    timeline = mod_client.get(case_url(filed)).context["timeline"]
    assert [entry.label for entry in timeline if entry.audited] == ["Redacted text edited"]


def test_accepting_publishes_with_consent_and_a_second_accept_is_refused(mod_client, filed):
    response = mod_client.post(case_url(filed, "accept"), {"note": "Verified"})

    assert response.status_code == 302 and response.url == QUEUE
    assert messages_of(response) == [f"{filed.code} was accepted and its redacted account is published."]
    filed.refresh_from_db()
    assert filed.status == Status.ACCEPTED and filed.is_public
    assert f'href="/complaints/public/{filed.uuid}/"' in mod_client.get(case_url(filed)).text

    again = mod_client.post(case_url(filed, "accept"))

    assert again.status_code == 302 and again.url == case_url(filed)
    assert messages_of(again)[-1] == "This complaint is “Accepted”: it cannot be accepted now."
    assert ModerationAction.objects.filter(complaint=filed, action="accept").count() == 1


def test_accepting_without_consent_says_it_is_not_published(mod_client, complainant):
    complaint = file(complainant, consent_publish=False)

    response = mod_client.post(case_url(complaint, "accept"))

    assert messages_of(response) == [
        f"{complaint.code} was accepted; it is not published: the complainant has not consented."
    ]


def test_the_staff_timeline_shows_each_moderator_step_once(mod_client, filed, moderator):
    mod_client.post(case_url(filed, "review"))
    mod_client.post(case_url(filed, "reject"), {"reason": "unsupported", "note": "No proof"})

    timeline = mod_client.get(case_url(filed)).context["timeline"]

    assert [(entry.label, entry.audited) for entry in timeline] == [
        ("Complaint submitted", False),
        ("Taken into review", True),
        ("Rejected", True),
    ]
    assert timeline[2].change == "In review → Rejected"
    assert timeline[2].note == "Unsupported or defamatory · No proof"
    assert timeline[2].actor == moderator.email


def test_rejecting_needs_a_reason(mod_client, filed):
    response = mod_client.post(case_url(filed, "reject"), {"note": "x"})

    assert response.url == case_url(filed)
    assert messages_of(response)[0].startswith("Nothing was changed:")
    assert Complaint.objects.get(pk=filed.pk).status == Status.SUBMITTED


def test_asking_the_complainant_needs_a_question_and_then_waits_for_them(mod_client, filed):
    assert "This field is required." in messages_of(mod_client.post(case_url(filed, "request-info")))[0]

    response = mod_client.post(case_url(filed, "request-info"), {"question": "请上传付款截图"})

    assert response.url == QUEUE
    filed.refresh_from_db()
    assert filed.status == Status.NEEDS_INFO
    assert filed.notifications.get().message == "请上传付款截图"


def test_closing_an_accepted_complaint_records_the_outcome(mod_client, filed, moderator):
    workflow.complaint_accept(complaint=filed, moderator=moderator)

    response = mod_client.post(case_url(filed, "close"), {"outcome": "closed_monetary_relief", "note": "Refunded"})

    assert messages_of(response) == [f"{filed.code} was closed: Closed with monetary relief."]
    assert Complaint.objects.get(pk=filed.pk).status == Status.CLOSED_MONETARY_RELIEF


def test_claiming_and_releasing(mod_client, filed, moderator, other_moderator):
    response = mod_client.post(case_url(filed, "claim"))

    assert response.url == case_url(filed)
    filed.refresh_from_db()
    assert filed.claimed_by == moderator
    page = mod_client.get(case_url(filed)).text
    assert "You are working on this complaint." in page
    assert f'action="{case_url(filed, "release")}"' in page
    # Another moderator cannot act on it meanwhile.
    with pytest.raises(workflow.TransitionError):
        workflow.complaint_accept(complaint=filed, moderator=other_moderator)

    mod_client.post(case_url(filed, "release"))

    filed.refresh_from_db()
    assert filed.claimed_by is None
    assert list(filed.moderation_actions.values_list("action", flat=True)) == ["claim", "release"]


def test_acting_on_a_case_another_moderator_took_is_refused_with_a_message(mod_client, filed, other_moderator):
    workflow.complaint_claim(complaint=filed, moderator=other_moderator)

    response = mod_client.post(case_url(filed, "accept"))

    assert messages_of(response) == ["moderator2@example.com is working on this complaint."]
    assert Complaint.objects.get(pk=filed.pk).status == Status.SUBMITTED


def test_an_unknown_step_or_a_get_is_refused(mod_client, filed):
    assert mod_client.post(case_url(filed, "publish")).status_code == 404
    assert mod_client.get(case_url(filed, "accept")).status_code == 405
    assert mod_client.post(case_url(filed)).status_code == 405


def test_the_menu_links_the_queue_for_moderators_only(mod_client, complainant):
    assert f'href="{QUEUE}"' in mod_client.get("/").text
    mod_client.force_login(complainant)
    assert f'href="{QUEUE}"' not in mod_client.get("/").text
