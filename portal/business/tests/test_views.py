"""Business users' pages: the claim form (licence bytes checked, USCC matched), their claims, and the licence file."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

from complaints.tests import files
from merchants.identifiers import MSG_USCC_CHECK
from merchants.models import Representative
from merchants.representatives import MSG_ALREADY_CLAIMED, MSG_LICENCE_TYPE, MSG_USCC_MISMATCH
from merchants.services import merchant_merge
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.business import views
from portal.business.forms import MSG_NO_MERCHANT, MSG_UNKNOWN_MERCHANT
from portal.business.tests.factories import RegisteredMerchantFactory, RepresentativeFactory, make_uscc

pytestmark = pytest.mark.django_db

HOME_URL = "/business/"
CLAIM_URL = "/business/claim/"
COMPANY = "深圳市果园网络科技有限公司"


def licence_url(representative):
    return f"/business/licences/{representative.uuid}/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(message) for messages in form.errors.values() for message in messages]


@pytest.fixture
def merchant():
    return RegisteredMerchantFactory()


@pytest.fixture
def user_client(client, complainant):
    client.force_login(complainant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post_claim(client, merchant, *, uscc=None, name="licence.pdf", content=None, merchant_text=None):
    data = {
        "merchant": str(merchant.uuid) if merchant_text is None else merchant_text,
        "company_name": COMPANY,
        "uscc": merchant.uscc if uscc is None else uscc,
        "licence": files.upload(name, files.pdf_bytes() if content is None else content),
    }
    return client.post(CLAIM_URL, data)


# The claim form ------------------------------------------------------------------------------------------------


def test_the_claim_form_arrives_from_the_merchants_page_with_the_merchant_shown(user_client, merchant):
    assert reverse("business:claim") == CLAIM_URL
    response = user_client.get(CLAIM_URL, {"merchant": str(merchant.uuid)})
    assert response.status_code == 200
    assert response.context["merchant"] == merchant
    page = response.text
    assert merchant.name in page
    assert f'type="hidden" name="merchant" value="{merchant.uuid}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page


def test_without_a_merchant_the_form_asks_for_its_page_address(user_client):
    response = user_client.get(CLAIM_URL, {"merchant": "not-a-uuid"})
    assert response.context["merchant"] is None
    assert 'type="text" name="merchant"' in response.text


@pytest.mark.parametrize("filename", ["licence.pdf", "执照.JPG", "licence.png"])
def test_a_claim_with_a_real_licence_is_saved_and_the_user_sent_home(user_client, complainant, merchant, filename):
    content = {"pdf": files.pdf_bytes(), "jpg": files.jpeg_bytes(), "png": files.png_bytes()}[filename[-3:].lower()]
    response = post_claim(user_client, merchant, name=filename, content=content)

    assert response.status_code == 302
    assert response.url == HOME_URL
    representative = Representative.objects.get()
    assert (representative.user, representative.merchant, representative.status) == (complainant, merchant, "pending")
    assert representative.licence.read() == content
    assert messages_of(response) == [
        f"Your claim to represent {merchant.name} was sent. A moderator will check the licence and email you."
    ]


def test_a_merchant_pasted_as_its_page_address_is_found(user_client, merchant):
    response = post_claim(user_client, merchant, merchant_text=f"https://redress.example/merchants/{merchant.uuid}/")
    assert response.status_code == 302
    assert Representative.objects.get().merchant == merchant


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("licence.pdf", files.jpeg_bytes(), "“licence.pdf” is not really a PDF file. Please upload the original"),
        ("licence.jpg", b"MZ\x90\x00" + b"\x00" * 200, "“licence.jpg” is not really a JPG file."),
        ("licence.webp", files.webp_bytes(), MSG_LICENCE_TYPE),
        ("licence.exe", files.pdf_bytes(), MSG_LICENCE_TYPE),
    ],
)
def test_a_licence_whose_bytes_or_type_are_wrong_is_refused_before_anything_is_stored(
    user_client, merchant, name, content, message
):
    response = post_claim(user_client, merchant, name=name, content=content)
    assert response.status_code == 200
    with translation.override("en"):
        message = str(message)
    assert any(error.startswith(message) for error in form_errors(response))
    assert not Representative.objects.exists()


def test_a_licence_over_the_size_cap_is_refused(user_client, merchant, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    response = post_claim(user_client, merchant, content=files.pdf_bytes() + b"%" * 1000)
    assert response.status_code == 200
    assert any("is larger than" in error for error in form_errors(response))
    assert not Representative.objects.exists()


@pytest.mark.parametrize(
    ("uscc", "message"),
    [("wrong", MSG_USCC_CHECK), ("other", MSG_USCC_MISMATCH)],
)
def test_a_uscc_that_is_invalid_or_not_the_merchants_is_shown_on_its_field(user_client, merchant, uscc, message):
    typed = {"wrong": merchant.uscc[:-1] + ("0" if merchant.uscc[-1] != "0" else "1"), "other": make_uscc(77777)}
    response = post_claim(user_client, merchant, uscc=typed[uscc])
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["uscc"]] == [str(message)]
    assert escape(str(message)) in response.text
    assert not Representative.objects.exists()


def test_a_second_live_claim_on_the_same_merchant_is_refused(user_client, complainant, merchant):
    RepresentativeFactory(user=complainant, merchant=merchant)
    response = post_claim(user_client, merchant)
    assert response.status_code == 200
    assert str(MSG_ALREADY_CLAIMED) in response.text
    assert Representative.objects.count() == 1


@pytest.mark.parametrize(
    ("merchant_text", "message"),
    [("", "This field is required."), ("shop", MSG_NO_MERCHANT), ("9f6b7c1e-1111-4222-8333-944455556666", None)],
)
def test_the_merchant_must_be_given_and_known(user_client, merchant, merchant_text, message):
    response = post_claim(user_client, merchant, merchant_text=merchant_text)
    assert response.status_code == 200
    assert str(message or MSG_UNKNOWN_MERCHANT) in form_errors(response)


def test_claiming_an_old_merged_merchants_page_claims_the_merchant_it_is_part_of(user_client, merchant, moderator):
    member = MerchantFactory()
    merchant_merge(source=member, target=merchant, reason="Same shop", actor=moderator)
    response = post_claim(user_client, member, uscc=merchant.uscc)
    assert response.status_code == 302
    assert Representative.objects.get().merchant == merchant


def test_claims_are_rate_limited_per_account(user_client, merchant, monkeypatch):
    monkeypatch.setattr(views, "CLAIM_RATE", "2/h")
    for _ in range(2):
        assert post_claim(user_client, merchant, uscc=make_uscc(1)).status_code == 200
    assert post_claim(user_client, merchant).status_code == 429
    assert not Representative.objects.exists()


def test_moderators_and_authority_staff_may_not_claim(client, moderator, regulator, merchant):
    for user in (moderator, regulator):
        client.force_login(user)
        assert client.get(CLAIM_URL).status_code == 403
        assert post_claim(client, merchant).status_code == 403
    assert not Representative.objects.exists()


def test_anonymous_people_log_in_first_and_unverified_ones_verify_first(client, merchant):
    response = client.get(CLAIM_URL, {"merchant": str(merchant.uuid)})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/business/claim/")
    client.force_login(UserFactory(email_verified=False))
    response = client.get(CLAIM_URL)
    assert response.status_code == 302
    assert "login" not in response.url


def test_the_claim_form_answers_get_and_post_only(user_client):
    assert user_client.put(CLAIM_URL).status_code == 405


# The business home ---------------------------------------------------------------------------------------------


def test_home_lists_the_users_claims_with_their_status_and_links_approved_ones(
    user_client, complainant, moderator, monkeypatch
):
    pending = RepresentativeFactory(user=complainant)
    approved = RepresentativeFactory(user=complainant, status=Representative.Status.APPROVED)
    rejected = RepresentativeFactory(user=complainant, status=Representative.Status.REJECTED, note="Wrong company.")
    RepresentativeFactory()
    monkeypatch.setattr(views, "_complaints_link", lambda merchant: f"/business/complaints/merchants/{merchant.uuid}/")

    response = user_client.get(HOME_URL)

    assert response.status_code == 200
    rows = {row["claim"]: row["complaints_link"] for row in response.context["rows"]}
    assert rows == {
        rejected: "",
        approved: f"/business/complaints/merchants/{approved.merchant.uuid}/",
        pending: "",
    }
    page = response.text
    assert "Waiting for a moderator" in page and "Approved" in page and "Wrong company." in page
    assert licence_url(pending) in page


def test_the_complaints_link_is_left_out_when_that_page_does_not_resolve(monkeypatch, merchant):
    def missing(*args, **kwargs):
        raise NoReverseMatch

    monkeypatch.setattr(views, "reverse", missing)
    assert views._complaints_link(merchant) == ""


def test_home_needs_few_queries(user_client, complainant, django_assert_max_num_queries):
    for _ in range(5):
        RepresentativeFactory(user=complainant, status=Representative.Status.APPROVED)
    # Session, user, unread notices (the nav), the claims with their merchants and platforms.
    with django_assert_max_num_queries(5):
        assert user_client.get(HOME_URL).status_code == 200


def test_home_needs_a_login_and_answers_get_only(user_client):
    assert Client().get(HOME_URL).status_code == 302
    assert user_client.post(HOME_URL).status_code == 405


def test_home_tells_moderators_they_cannot_claim(client, moderator):
    client.force_login(moderator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(HOME_URL)
    assert response.context["may_claim"] is False
    assert CLAIM_URL not in response.text


def test_a_representative_stops_representing_and_is_a_complainant_again(user_client, complainant, moderator):
    representative = RepresentativeFactory(user=complainant, status=Representative.Status.APPROVED)
    User.objects.filter(pk=complainant.pk).update(role=User.Role.MERCHANT_REP)
    response = user_client.post(f"/business/claims/{representative.uuid}/revoke/")
    assert response.status_code == 302
    representative.refresh_from_db()
    assert (representative.status, representative.decided_by) == ("revoked", complainant)
    complainant.refresh_from_db()
    assert complainant.role == User.Role.COMPLAINANT


def test_stopping_refuses_other_peoples_claims_pending_claims_and_get(user_client, complainant, moderator):
    others = RepresentativeFactory(status=Representative.Status.APPROVED)
    assert user_client.post(f"/business/claims/{others.uuid}/revoke/").status_code == 404
    mod_client = Client()
    mod_client.force_login(moderator)
    assert mod_client.post(f"/business/claims/{others.uuid}/revoke/").status_code == 404
    pending = RepresentativeFactory(user=complainant)
    response = user_client.post(f"/business/claims/{pending.uuid}/revoke/")
    assert messages_of(response) == ["Only an approved claim can be revoked."]
    assert user_client.get(f"/business/claims/{pending.uuid}/revoke/").status_code == 405
    others.refresh_from_db()
    assert others.status == "approved"


# The licence file ----------------------------------------------------------------------------------------------


def test_the_licence_is_streamed_to_its_claimant_and_moderators_as_an_attachment(client, complainant, moderator):
    representative = RepresentativeFactory(user=complainant)
    for user in (complainant, moderator):
        client.force_login(user)
        response = client.get(licence_url(representative))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


def test_the_licence_is_not_found_for_anyone_else(client, complainant, stranger, merchant_rep, regulator):
    representative = RepresentativeFactory(user=complainant)
    assert client.get(licence_url(representative)).status_code == 302
    for user in (stranger, merchant_rep, regulator):
        client.force_login(user)
        assert client.get(licence_url(representative)).status_code == 404


def test_a_missing_licence_file_is_not_found_and_post_is_refused(client, complainant):
    representative = RepresentativeFactory(user=complainant)
    client.force_login(complainant)
    assert client.post(licence_url(representative)).status_code == 405
    representative.licence.storage.delete(representative.licence.name)
    assert client.get(licence_url(representative)).status_code == 404
