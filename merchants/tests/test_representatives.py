"""Claims to represent a merchant: the USCC check, one live claim, moderators' decisions, the user's role, emails."""

import logging
import smtplib
import threading
from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import connection, connections
from django.http import Http404

from complaints.tests import files
from merchants import representatives
from merchants.identifiers import MSG_USCC_CHECK
from merchants.models import Identifier, Representative
from merchants.representatives import (
    MSG_ALREADY_CLAIMED,
    MSG_CLAIM_DECIDED,
    MSG_CLAIM_NOT_APPROVED,
    MSG_CLAIM_NOTE_REQUIRED,
    MSG_COMPANY_REQUIRED,
    MSG_LICENCE_TYPE,
    MSG_NO_REGISTERED_USCC,
    MSG_USCC_MISMATCH,
    representative_approve,
    representative_claim,
    representative_reject,
    representative_revoke,
)
from merchants.selectors import (
    merchant_representatives,
    merchant_usccs,
    representative_get_for_user,
    representative_may_claim,
    representative_merchant_ids,
    representatives_for_moderators,
    representatives_of_user,
)
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.business.tests.factories import RegisteredMerchantFactory, RepresentativeFactory, make_uscc

pytestmark = pytest.mark.django_db

COMPANY = "深圳市果园网络科技有限公司"


def licence(name="licence.pdf", content=None):
    return files.upload(name, content if content is not None else files.pdf_bytes())


def claim(merchant, user, *, uscc=None, company_name=COMPANY, upload=None):
    return representative_claim(
        merchant=merchant,
        user=user,
        company_name=company_name,
        uscc=merchant.uscc if uscc is None else uscc,
        licence=upload or licence(),
    )


def stored_licences() -> list[str]:
    storage = storages["evidence"]
    found = []
    for year in storage.listdir("licences")[0] if storage.exists("licences") else []:
        for month in storage.listdir(f"licences/{year}")[0]:
            found += storage.listdir(f"licences/{year}/{month}")[1]
    return found


def field_messages(error: ValidationError, field: str) -> list[str]:
    return [str(message) for message in error.value.message_dict[field]]


@pytest.fixture
def merchant():
    return RegisteredMerchantFactory()


# Claiming ------------------------------------------------------------------------------------------------------


def test_a_claim_with_the_merchants_uscc_waits_for_a_moderator_with_its_licence_stored_privately(merchant, complainant):
    typed = " ".join([merchant.uscc[:6], merchant.uscc[6:].lower()])
    representative = claim(merchant, complainant, uscc=typed, upload=licence("营业执照 scan.PDF"))

    assert representative.status == Representative.Status.PENDING
    assert representative.merchant == merchant
    assert representative.uscc == merchant.uscc
    assert representative.company_name == COMPANY
    # Stored under the claim's random id, not the name the user gave, in the storage no URL serves.
    assert representative.licence.name.startswith("licences/")
    assert representative.licence.name.endswith(f"{representative.uuid.hex}.pdf")
    assert representative.licence.storage.open(representative.licence.name).read() == files.pdf_bytes()
    assert complainant.representations.get() == representative
    complainant.refresh_from_db()
    assert complainant.role == User.Role.COMPLAINANT


def test_a_uscc_with_a_wrong_check_character_is_refused_and_nothing_is_saved(merchant, complainant):
    wrong = merchant.uscc[:-1] + ("0" if merchant.uscc[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        claim(merchant, complainant, uscc=wrong)
    assert field_messages(error, "uscc") == [str(MSG_USCC_CHECK)]
    assert not Representative.objects.exists()
    assert stored_licences() == []


def test_a_valid_uscc_of_another_company_is_refused_with_a_clear_message(merchant, complainant):
    with pytest.raises(ValidationError) as error:
        claim(merchant, complainant, uscc=make_uscc(99999))
    assert field_messages(error, "uscc") == [str(MSG_USCC_MISMATCH)]
    assert not Representative.objects.exists()
    assert stored_licences() == []


def test_a_merchant_without_a_uscc_on_record_cannot_be_claimed(complainant):
    with pytest.raises(ValidationError) as error:
        claim(MerchantFactory(), complainant, uscc=make_uscc(1))
    assert field_messages(error, "uscc") == [str(MSG_NO_REGISTERED_USCC)]


def test_a_uscc_victims_gave_for_a_merchant_merged_into_the_claimed_one_matches(complainant, moderator):
    root = MerchantFactory()
    member = MerchantFactory()
    uscc = make_uscc(4242)
    Identifier.objects.create(merchant=member, kind="uscc", strength="strong", value=uscc, normalized=uscc)
    merchant_merge(source=member, target=root, reason="Same shop", actor=moderator)
    assert merchant_usccs(merchant=root) == [uscc]

    # Claimed through the merged merchant's old page: the claim is on the merchant it is part of now.
    member.refresh_from_db()
    representative = claim(member, complainant, uscc=uscc)
    assert representative.merchant == root


def test_one_live_claim_per_merchant_and_user_and_another_after_a_rejection(merchant, complainant, moderator):
    first = claim(merchant, complainant)
    with pytest.raises(ValidationError) as error:
        claim(merchant, complainant)
    assert error.value.messages == [str(MSG_ALREADY_CLAIMED)]

    representative_reject(representative=first, moderator=moderator, note="The licence is unreadable.")
    second = claim(merchant, complainant)
    assert second.status == Representative.Status.PENDING
    assert Representative.objects.filter(user=complainant).count() == 2


def test_moderators_authority_staff_and_unverified_accounts_cannot_claim(merchant, moderator, regulator):
    unverified = UserFactory(email_verified=False)
    for user in (moderator, regulator, unverified):
        assert not representative_may_claim(user=user)
        with pytest.raises(PermissionDenied):
            claim(merchant, user)
    assert not Representative.objects.exists()


def test_a_claim_without_company_name_or_with_a_licence_of_another_type_reports_each_field(merchant, complainant):
    with pytest.raises(ValidationError) as error:
        claim(merchant, complainant, company_name="  ", upload=licence("licence.webp", files.webp_bytes()))
    assert field_messages(error, "company_name") == [str(MSG_COMPANY_REQUIRED)]
    assert field_messages(error, "licence") == [str(MSG_LICENCE_TYPE)]


# Deciding ------------------------------------------------------------------------------------------------------


def test_approving_makes_the_claimant_a_representative_and_emails_them_in_their_language(
    merchant, complainant, moderator, django_capture_on_commit_callbacks
):
    complainant.preferred_language = "en"
    complainant.save()
    representative = claim(merchant, complainant)

    with django_capture_on_commit_callbacks(execute=True):
        approved = representative_approve(representative=representative, moderator=moderator, note="Licence checked.")

    assert approved.status == Representative.Status.APPROVED
    assert (approved.decided_by, approved.note) == (moderator, "Licence checked.")
    assert approved.decided_at is not None
    complainant.refresh_from_db()
    assert complainant.role == User.Role.MERCHANT_REP
    assert representative_merchant_ids(user=complainant) == {merchant.pk}
    [email] = mail.outbox
    assert email.to == [complainant.email]
    assert email.subject == f"You now represent {merchant.name} on Redress"
    assert "Licence checked." in email.body
    assert "/business/" in email.body


def test_a_rejection_needs_a_note_and_is_emailed_in_chinese_by_default(
    merchant, complainant, moderator, django_capture_on_commit_callbacks
):
    representative = claim(merchant, complainant)
    with pytest.raises(ValidationError) as error:
        representative_reject(representative=representative, moderator=moderator, note=" ")
    assert field_messages(error, "note") == [str(MSG_CLAIM_NOTE_REQUIRED)]

    with django_capture_on_commit_callbacks(execute=True):
        representative_reject(representative=representative, moderator=moderator, note="执照上的公司名称不一致。")

    representative.refresh_from_db()
    assert representative.status == Representative.Status.REJECTED
    complainant.refresh_from_db()
    assert complainant.role == User.Role.COMPLAINANT
    assert representative_merchant_ids(user=complainant) == set()
    [email] = mail.outbox
    assert merchant.name in email.subject
    assert "执照上的公司名称不一致。" in email.body


def test_a_decided_claim_cannot_be_decided_again_and_only_moderators_decide(merchant, complainant, moderator):
    representative = claim(merchant, complainant)
    with pytest.raises(PermissionDenied):
        representative_approve(representative=representative, moderator=complainant)
    representative_approve(representative=representative, moderator=moderator)
    for decide in (representative_approve, representative_reject):
        with pytest.raises(ValidationError) as error:
            decide(representative=representative, moderator=moderator, note="again")
        assert error.value.messages == [str(MSG_CLAIM_DECIDED)]


def test_revoking_the_last_approved_claim_makes_the_user_a_complainant_again(complainant, moderator):
    first = RepresentativeFactory(user=complainant)
    second = RepresentativeFactory(user=complainant)
    representative_approve(representative=first, moderator=moderator)
    representative_approve(representative=second, moderator=moderator)

    representative_revoke(representative=first, actor=moderator, note="Left the company.")
    complainant.refresh_from_db()
    assert complainant.role == User.Role.MERCHANT_REP
    assert representative_merchant_ids(user=complainant) == {second.merchant_id}

    representative_revoke(representative=second, actor=moderator, note="Left the company.")
    complainant.refresh_from_db()
    assert complainant.role == User.Role.COMPLAINANT
    second.refresh_from_db()
    assert (second.status, second.decided_by, second.note) == ("revoked", moderator, "Left the company.")


def test_a_representative_may_revoke_their_own_claim_without_a_note_and_no_email_is_sent(
    complainant, moderator, stranger, django_capture_on_commit_callbacks
):
    representative = RepresentativeFactory(user=complainant)
    representative_approve(representative=representative, moderator=moderator)
    with pytest.raises(PermissionDenied):
        representative_revoke(representative=representative, actor=stranger, note="")
    with pytest.raises(ValidationError) as error:
        representative_revoke(representative=representative, actor=moderator, note="")
    assert field_messages(error, "note") == [str(MSG_CLAIM_NOTE_REQUIRED)]

    with django_capture_on_commit_callbacks(execute=True):
        representative_revoke(representative=representative, actor=complainant, note="")
    assert mail.outbox == []
    complainant.refresh_from_db()
    assert complainant.role == User.Role.COMPLAINANT


def test_only_an_approved_claim_can_be_revoked(complainant, moderator):
    representative = RepresentativeFactory(user=complainant)
    with pytest.raises(ValidationError) as error:
        representative_revoke(representative=representative, actor=moderator, note="No.")
    assert error.value.messages == [str(MSG_CLAIM_NOT_APPROVED)]


def test_a_mail_failure_keeps_the_decision_and_logs_no_address(
    complainant, moderator, caplog, django_capture_on_commit_callbacks
):
    representative = RepresentativeFactory(user=complainant)
    refused = smtplib.SMTPRecipientsRefused({complainant.email: (550, b"no such user")})
    with (
        mock.patch("merchants.representatives.send_mail", side_effect=refused),
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        representative_approve(representative=representative, moderator=moderator)
    representative.refresh_from_db()
    assert representative.status == Representative.Status.APPROVED
    assert "SMTPRecipientsRefused" in caplog.text
    assert complainant.email not in caplog.text


# Reading -------------------------------------------------------------------------------------------------------


def test_the_pending_queue_is_oldest_first_and_decided_lists_are_latest_decision_first(moderator):
    older, newer = RepresentativeFactory(), RepresentativeFactory()
    Representative.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2020))
    assert list(representatives_for_moderators()) == [older, newer]

    representative_approve(representative=newer, moderator=moderator)
    representative_approve(representative=older, moderator=moderator)
    assert list(representatives_for_moderators(status="approved")) == [older, newer]
    assert list(representatives_for_moderators()) == []


def test_a_claim_is_visible_to_its_claimant_and_moderators_only(complainant, moderator, stranger):
    representative = RepresentativeFactory(user=complainant)
    assert representative_get_for_user(user=complainant, uuid=representative.uuid) == representative
    assert representative_get_for_user(user=moderator, uuid=representative.uuid) == representative
    with pytest.raises(Http404):
        representative_get_for_user(user=stranger, uuid=representative.uuid)
    assert list(representatives_of_user(user=complainant)) == [representative]
    assert list(representatives_of_user(user=stranger)) == []


def test_live_claims_on_a_merchant_leave_out_decided_ones(moderator):
    pending = RepresentativeFactory()
    rejected = RepresentativeFactory(merchant=pending.merchant)
    representative_reject(representative=rejected, moderator=moderator, note="No.")
    assert list(merchant_representatives(merchant=pending.merchant)) == [pending]


# Admin ---------------------------------------------------------------------------------------------------------


def test_the_admin_shows_no_licence_link_and_cannot_add_delete_or_decide(rf, admin_user):
    representative = RepresentativeFactory()
    model_admin = site._registry[Representative]
    request = rf.get("/admin/")
    request.user = admin_user

    editable = set(model_admin.get_form(request, representative).base_fields)
    assert editable == {"company_name"}
    assert "licence" not in model_admin.get_fields(request, representative)
    assert {"status", "decided_by", "decided_at", "note"} <= set(
        model_admin.get_readonly_fields(request, representative)
    )
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, representative)


# Concurrency ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_claims_of_one_merchant_by_one_user_save_one(monkeypatch):
    """Both requests pass the checks before either locks the merchant: the lock makes the second see the first.
    SQLite serialises writers, so there the claims take turns."""
    merchant, user = RegisteredMerchantFactory(), UserFactory()
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2, timeout=10)
        real_lock = representatives.merchants_lock

        def lock_together(*merchants):
            barrier.wait()
            return real_lock(*merchants)

        monkeypatch.setattr(representatives, "merchants_lock", lock_together)

    def attempt():
        try:
            return claim(merchant, user)
        except ValidationError as error:
            return error.messages

    if connection.vendor == "postgresql":
        outcomes = []
        threads = [threading.Thread(target=lambda: (outcomes.append(attempt()), connections.close_all())) for _ in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        outcomes = [attempt(), attempt()]

    refused = [outcome for outcome in outcomes if isinstance(outcome, list)]
    assert refused == [[str(MSG_ALREADY_CLAIMED)]]
    assert Representative.objects.filter(merchant=merchant, user=user).count() == 1
    assert len(stored_licences()) == 1
