"""The moderation workflow: one service per transition, audited, refused when not allowed, one winner."""

import smtplib
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from complaints import workflow
from complaints.models import Complaint, MerchantStats, ModerationAction, Notification, TimelineEvent
from complaints.services import complaint_submit
from complaints.workflow import TransitionError
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Complaint.Status
NARRATIVE = "付款以后商家一直没有发货，客服电话13812345678也打不通，小程序已经打不开了。"


def file(complainant, **overrides) -> Complaint:
    fields = {
        "claims": MerchantClaims(merchant_name="易联购", app_id="wx0000000000000001"),
        "category": "not_delivered",
        "narrative": NARRATIVE,
        "consent_publish": True,
        "amount": Decimal("6999.00"),
        **overrides,
    }
    return complaint_submit(complainant=complainant, **fields)


@pytest.fixture
def filed(complainant):
    return file(complainant)


@pytest.fixture
def second_moderator(db):
    return UserFactory(email="moderator2@example.com", role=User.Role.MODERATOR)


def test_a_filing_starts_submitted_with_its_narrative_redacted(filed):
    assert filed.status == Status.SUBMITTED
    assert "13812345678" not in filed.narrative_redacted
    assert "138****5678" in filed.narrative_redacted
    assert filed.priority > 0


def test_review_question_answer_accept_is_audited_and_told(
    filed, complainant, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.complaint_review_start(complaint=filed, moderator=moderator)
        workflow.complaint_request_info(complaint=filed, moderator=moderator, question="请上传付款截图")
        workflow.complaint_answer(complaint=filed, user=complainant, answer="已上传")
        accepted = workflow.complaint_accept(complaint=filed, moderator=moderator)

    assert accepted.status == Status.ACCEPTED and accepted.is_public
    actions = list(ModerationAction.objects.filter(complaint=filed).values_list("action", "before", "after"))
    assert [a[0] for a in actions] == ["review", "request_info", "accept"]
    assert actions[0][1]["status"] == "submitted" and actions[0][2]["status"] == "in_review"
    changes = TimelineEvent.objects.filter(complaint=filed, kind=TimelineEvent.Kind.STATUS_CHANGED)
    assert [e.data["to"] for e in changes] == ["in_review", "needs_info", "in_review", "accepted"]
    # The complainant is told of every change a moderator makes, on site and by email.
    assert list(Notification.objects.filter(user=complainant).values_list("status", flat=True)) == [
        "accepted",
        "needs_info",
        "in_review",
    ]
    assert len(mail.outbox) == 3
    assert MerchantStats.objects.get(merchant=filed.merchant).by_status == {"accepted": 1}


@pytest.mark.parametrize(
    ("setup", "act"),
    [
        ([], lambda c, m, u: workflow.complaint_answer(complaint=c, user=u, answer="x")),
        (["accept"], lambda c, m, u: workflow.complaint_accept(complaint=c, moderator=m)),
        (["accept"], lambda c, m, u: workflow.complaint_reject(complaint=c, moderator=m, reason="spam")),
        ([], lambda c, m, u: workflow.complaint_close(complaint=c, moderator=m, outcome="unresolved")),
        (["reject"], lambda c, m, u: workflow.complaint_withdraw(complaint=c, user=u)),
    ],
)
def test_a_transition_not_allowed_from_the_current_state_is_refused(filed, moderator, complainant, setup, act):
    for step in setup:
        if step == "accept":
            workflow.complaint_accept(complaint=filed, moderator=moderator)
        else:
            workflow.complaint_reject(complaint=filed, moderator=moderator, reason="spam")
    before = Complaint.objects.get(pk=filed.pk).status
    with pytest.raises(TransitionError) as caught:
        act(filed, moderator, complainant)
    assert caught.value.code == "invalid_transition"
    assert Complaint.objects.get(pk=filed.pk).status == before


def test_only_moderators_moderate_and_only_the_complainant_answers(filed, stranger, complainant, moderator):
    with pytest.raises(TransitionError):
        workflow.complaint_accept(complaint=filed, moderator=complainant)
    with pytest.raises(TransitionError):
        workflow.complaint_withdraw(complaint=filed, user=stranger)
    with pytest.raises(TransitionError):
        workflow.complaint_reject(complaint=filed, moderator=moderator, reason="not a reason")
    assert not ModerationAction.objects.exists()


def test_a_claim_keeps_other_moderators_off_until_it_lapses(filed, moderator, second_moderator, settings):
    workflow.complaint_claim(complaint=filed, moderator=moderator)
    with pytest.raises(TransitionError, match=moderator.email):
        workflow.complaint_accept(complaint=filed, moderator=second_moderator)
    Complaint.objects.filter(pk=filed.pk).update(claimed_at=timezone.now() - settings.MODERATION_CLAIM_TTL)
    accepted = workflow.complaint_accept(complaint=filed, moderator=second_moderator)
    assert accepted.status == Status.ACCEPTED


def test_acting_on_a_claimed_case_releases_the_claim(filed, moderator):
    workflow.complaint_claim(complaint=filed, moderator=moderator)
    accepted = workflow.complaint_accept(complaint=filed, moderator=moderator)
    assert accepted.claimed_by is None


def test_withdrawn_consent_unpublishes_at_once(filed, moderator, complainant):
    workflow.complaint_accept(complaint=filed, moderator=moderator)
    assert Complaint.objects.get(pk=filed.pk).is_public
    workflow.complaint_consent_set(complaint=filed, user=complainant, consent=False)
    assert not Complaint.objects.get(pk=filed.pk).is_public


def test_bulk_actions_report_what_they_could_not_do(complainant, moderator, second_moderator):
    first, second, third = (file(complainant) for _ in range(3))
    workflow.complaint_claim(complaint=third, moderator=second_moderator)
    outcome = workflow.complaints_bulk(
        complaints=[first, second, third], moderator=moderator, action="reject", reason="duplicate"
    )
    assert [c.pk for c in outcome.done] == [first.pk, second.pk]
    assert [c.pk for c, _message in outcome.refused] == [third.pk]
    assert Complaint.objects.get(pk=first.pk).reject_reason == "duplicate"


def test_the_redaction_edit_is_audited_and_blank_resets_it(filed, moderator):
    workflow.complaint_redaction_edit(complaint=filed, moderator=moderator, text="商家收款后不发货。")
    assert Complaint.objects.get(pk=filed.pk).narrative_redacted == "商家收款后不发货。"
    workflow.complaint_redaction_edit(complaint=filed, moderator=moderator, text="  ")
    assert "138****5678" in Complaint.objects.get(pk=filed.pk).narrative_redacted
    edits = ModerationAction.objects.filter(complaint=filed, action="redaction_edit")
    assert edits.count() == 2
    assert edits.first().after == {"narrative_redacted": "商家收款后不发货。"}


def test_the_audit_record_cannot_be_rewritten_through_the_orm(filed, moderator):
    workflow.complaint_accept(complaint=filed, moderator=moderator)
    action = ModerationAction.objects.get()
    action.note = "rewritten"
    for attempt in (
        action.save,
        action.delete,
        lambda: ModerationAction.objects.update(note="x"),
        lambda: ModerationAction.objects.filter(pk=action.pk).delete(),
        lambda: ModerationAction.objects.bulk_update([action], ["note"]),
    ):
        with pytest.raises(ValueError, match="append-only"), transaction.atomic():
            attempt()
    assert ModerationAction.objects.get().note == ""
    # Nor by deleting the complaint it belongs to.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Complaint.objects.filter(pk=filed.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_one_wins_the_other_is_told(complainant, moderator, second_moderator):
    filed = file(complainant)
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def act(name, call):
        try:
            if connection.vendor == "postgresql":
                barrier.wait()
            call()
            results[name] = "ok"
        except TransitionError as error:
            results[name] = str(error.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=act, args=("accept", lambda: workflow.complaint_accept(complaint=filed, moderator=moderator))
        ),
        threading.Thread(
            target=act,
            args=(
                "reject",
                lambda: workflow.complaint_reject(complaint=filed, moderator=second_moderator, reason="spam"),
            ),
        ),
    ]
    if connection.vendor == "postgresql":
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        # SQLite serialises writers: the second simply comes after the first.
        for thread in threads:
            thread.start()
            thread.join(timeout=30)

    assert sorted(r == "ok" for r in results.values()) == [False, True]
    loser = next(message for message in results.values() if message != "ok")
    final = Complaint.objects.get(pk=filed.pk)
    assert final.get_status_display() in loser
    assert ModerationAction.objects.filter(complaint=filed).count() == 1
    assert MerchantStats.objects.get(merchant=final.merchant).by_status == {final.status: 1}


def test_the_order_number_payee_and_seller_contacts_are_masked_in_the_redacted_account(complainant):
    complaint = file(
        complainant,
        claims=MerchantClaims(merchant_name="易联购", payee_account="zhangwei_shop88", wechat_id="seller_amy88"),
        order_number="DD2024052399887766",
        narrative="订单号DD2024052399887766，钱付到了收款账户zhangwei_shop88，卖家微信seller_amy88已经拉黑我。",
    )
    for value in ["DD2024052399887766", "zhangwei_shop88", "seller_amy88"]:
        assert value not in complaint.narrative_redacted
    assert value in complaint.narrative  # kept as written for the complainant and moderators


def test_an_importer_cannot_consent_withdraw_or_answer_for_the_victims(moderator):
    imported = file(moderator, source="victims-group.xlsx", source_row="7", complainant_ref="victim-7")
    for act in (
        lambda: workflow.complaint_consent_set(complaint=imported, user=moderator, consent=True),
        lambda: workflow.complaint_withdraw(complaint=imported, user=moderator),
    ):
        with pytest.raises(TransitionError):
            act()
    assert Complaint.objects.get(pk=imported.pk).status == Status.SUBMITTED


def test_bulk_accept_leaves_consenting_complaints_to_be_read_first(complainant, moderator):
    consenting = file(complainant)
    private = file(complainant, consent_publish=False)
    outcome = workflow.complaints_bulk(complaints=[consenting, private], moderator=moderator, action="accept")
    assert [c.pk for c in outcome.done] == [private.pk]
    assert [c.pk for c, _message in outcome.refused] == [consenting.pk]
    assert Complaint.objects.get(pk=consenting.pk).status == Status.SUBMITTED


def test_a_refused_email_address_is_not_retried_for_ever(filed, moderator, monkeypatch):
    from complaints import notifications

    workflow.complaint_accept(complaint=filed, moderator=moderator)
    notice = Notification.objects.get()

    def refuse(*args, **kwargs):
        # The mail server's permanent answer about this address (a 5xx); a refused connection is the server's
        # trouble and is not counted (portal/tests/faults/test_smtp_outage.py).
        raise smtplib.SMTPRecipientsRefused({"someone@example.com": (550, b"No such mailbox")})

    monkeypatch.setattr(notifications, "send_mail", refuse)
    Notification.objects.filter(pk=notice.pk).update(created_at=timezone.now() - notifications.SWEEP_AFTER * 2)
    for _ in range(notifications.MAX_ATTEMPTS + 2):
        notifications.notifications_sweep()
    notice.refresh_from_db()
    assert notice.email_attempts == notifications.MAX_ATTEMPTS and notice.emailed_at is None
