"""Deleting an account and withdrawing data from a complaint, through the pages (/accounts/privacy/...)."""

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.authtoken.models import Token

from complaints import privacy
from complaints.models import Complaint, MerchantReply, Notification
from complaints.tests.factories import ComplaintFactory
from portal.accounts.forms import MSG_PASSWORD_WRONG
from portal.accounts.models import User
from portal.accounts.privacy_views import MSG_ACCOUNT_DELETED, MSG_ALREADY_ERASED, MSG_DATA_WITHDRAWN
from portal.accounts.services import MSG_CANNOT_DELETE
from portal.accounts.tests import personal_data
from portal.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:delete")
PRIVACY = reverse("accounts:privacy")


def en(message, **params):
    with translation.override("en"):
        return escape(str(message) % params if params else str(message))


def logged_in(email, password=PASSWORD) -> Client:
    """A browser that logged in through the login page (so django-axes logs the address too)."""
    client = Client(headers={"accept-language": "en"})
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    assert response.status_code == 302
    return client


def erase_url(complaint) -> str:
    return reverse("accounts:complaint_erase", kwargs={"uuid": complaint.uuid})


# Deleting the account


def test_deleting_the_account_leaves_no_personal_data_and_keeps_the_figures_and_a_tombstone():
    cast = personal_data.build()
    client = logged_in(personal_data.EMAIL)
    Token.objects.create(user=cast.complainant)
    complaint = cast.complaint
    figures = personal_data.figures(complaint.merchant)
    replies = list(MerchantReply.objects.filter(complaint=complaint).values_list("pk", flat=True))
    dump = personal_data.database_dump()
    assert personal_data.EMAIL in dump and AccessLog.objects.filter(username=personal_data.EMAIL).exists()
    assert personal_data.stored_files()

    response = client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("pages:home"), 302)]
    assert en(MSG_ACCOUNT_DELETED) in response.text
    assert not get_user(client).is_authenticated
    dump = personal_data.database_dump()
    gone = [personal_data.EMAIL, "wang.xiaoming", "晓明", *personal_data.VICTIM_VALUES]
    assert [value for value in gone if value in dump] == []
    assert personal_data.stored_files() == []
    assert personal_data.figures(complaint.merchant) == figures
    # The tombstone: the complaint row, counted as before, and the anonymised account it and the replies point to.
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert privacy.is_erased(complaint) and complaint.status == Complaint.Status.ACCEPTED
    assert list(MerchantReply.objects.filter(complaint=complaint).values_list("pk", flat=True)) == replies
    user = User.objects.get(pk=cast.complainant.pk)
    assert user.email.startswith("deleted-") and user.email.endswith("@invalid")
    assert (user.is_active, user.has_usable_password(), user.first_name, user.preferred_language) == (
        False,
        False,
        "",
        "",
    )
    assert not Token.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    # The old address and password no longer open anything; the address can sign up afresh.
    assert not User.objects.filter(email__iexact=personal_data.EMAIL).exists()
    login = Client().post(reverse("accounts:login"), {"username": personal_data.EMAIL, "password": PASSWORD})
    assert login.status_code == 200 and not get_user(login.wsgi_request).is_authenticated


def test_two_deleted_accounts_get_distinct_placeholders():
    first, second = UserFactory(), UserFactory()
    for user in (first, second):
        logged_in(user.email).post(DELETE, {"password": PASSWORD})

    emails = set(User.objects.filter(pk__in=[first.pk, second.pk]).values_list("email", flat=True))
    assert len(emails) == 2


def test_the_delete_page_asks_for_the_password(complainant):
    client = logged_in(complainant.email)

    response = client.get(DELETE)

    assert response.status_code == 200
    assert 'name="password"' in response.text and 'autocomplete="current-password"' in response.text


def test_a_wrong_password_deletes_nothing(complainant):
    client = logged_in(complainant.email)

    response = client.post(DELETE, {"password": "not-" + PASSWORD})

    assert response.status_code == 400
    assert en(MSG_PASSWORD_WRONG) in response.text
    complainant.refresh_from_db()
    assert complainant.is_active and complainant.email == "buyer@example.com"
    assert get_user(client).is_authenticated


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.AUTHORITY, User.Role.MERCHANT_REP])
def test_staff_and_representatives_cannot_delete_their_own_accounts(role):
    user = UserFactory(role=role)
    client = logged_in(user.email)

    page = client.get(DELETE)
    response = client.post(DELETE, {"password": PASSWORD})

    assert en(MSG_CANNOT_DELETE) in page.text and 'name="password"' not in page.text
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active


def test_the_service_refuses_staff_too(moderator):
    from django.core.exceptions import ValidationError

    from portal.accounts.services import user_delete

    with pytest.raises(ValidationError):
        user_delete(user=moderator)


def test_deleting_needs_a_login_and_a_post(complainant):
    assert Client().post(DELETE, {"password": PASSWORD}).url.startswith(reverse("accounts:login"))
    assert logged_in(complainant.email).put(DELETE).status_code == 405


# The privacy page and withdrawing data from one complaint


def test_the_privacy_page_lists_only_my_own_filings(complainant, stranger, django_assert_max_num_queries):
    mine = [ComplaintFactory(complainant=complainant) for _ in range(3)]
    erased = mine[0]
    privacy.complaint_erase(complaint=erased, reason=privacy.DATA_WITHDRAWN)
    imported = ComplaintFactory(complainant=complainant, source="victims-group", source_row="1")
    theirs = ComplaintFactory(complainant=stranger)
    client = logged_in(complainant.email)

    with django_assert_max_num_queries(8):
        response = client.get(PRIVACY)

    assert response.status_code == 200
    for complaint in mine:
        assert complaint.code in response.text
    assert erase_url(erased) not in response.text
    assert erase_url(mine[1]) in response.text and erase_url(mine[2]) in response.text
    assert imported.code not in response.text and theirs.code not in response.text
    assert DELETE in response.text


def test_withdrawing_data_from_one_complaint():
    cast = personal_data.build(draft=False)
    client = logged_in(personal_data.EMAIL)
    complaint = cast.complaint

    page = client.get(erase_url(complaint))
    response = client.post(erase_url(complaint), {"password": PASSWORD}, follow=True)

    assert page.status_code == 200 and complaint.code in page.text
    assert response.redirect_chain == [(PRIVACY, 302)]
    assert en(MSG_DATA_WITHDRAWN, code=complaint.code) in response.text
    assert privacy.is_erased(Complaint.objects.get(pk=complaint.pk))
    dump = personal_data.database_dump()
    assert [value for value in personal_data.VICTIM_VALUES if value in dump] == []
    # The account stays.
    assert get_user(client).is_authenticated

    again = client.get(erase_url(complaint), follow=True)
    assert en(MSG_ALREADY_ERASED, code=complaint.code) in again.text


def test_withdrawing_needs_the_password(complainant):
    complaint = ComplaintFactory(complainant=complainant)
    client = logged_in(complainant.email)

    response = client.post(erase_url(complaint), {"password": "wrong"})

    assert response.status_code == 400
    assert en(MSG_PASSWORD_WRONG) in response.text
    assert not privacy.is_erased(Complaint.objects.get(pk=complaint.pk))


def test_someone_elses_or_an_imported_complaint_is_not_found(complainant, stranger):
    theirs = ComplaintFactory(complainant=stranger)
    imported = ComplaintFactory(complainant=complainant, source="victims-group", source_row="1")
    client = logged_in(complainant.email)

    for complaint in (theirs, imported):
        assert client.get(erase_url(complaint)).status_code == 404
        assert client.post(erase_url(complaint), {"password": PASSWORD}).status_code == 404
        assert not privacy.is_erased(Complaint.objects.get(pk=complaint.pk))


def test_withdrawing_needs_a_login_and_a_post(complainant):
    complaint = ComplaintFactory(complainant=complainant)

    assert Client().get(erase_url(complaint)).url.startswith(reverse("accounts:login"))
    assert Client().get(PRIVACY).url.startswith(reverse("accounts:login"))
    assert logged_in(complainant.email).delete(erase_url(complaint)).status_code == 405
    assert logged_in(complainant.email).post(PRIVACY).status_code == 405
