import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import escape

from complaints.decorators import MSG_VERIFY_FIRST, verified_email_required
from portal.accounts.tests.factories import UserFactory
from portal.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


@verified_email_required
def protected(request):
    return HttpResponse("the protected page")


urlpatterns = [path("protected/", protected), *project_urlpatterns]


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = __name__
    return Client(headers={"accept-language": "en"})


def test_a_verified_user_passes(client):
    client.force_login(UserFactory(email_verified=True))

    response = client.get("/protected/")

    assert response.status_code == 200
    assert response.text == "the protected page"


def test_an_unverified_user_is_sent_to_check_their_inbox_with_a_message(client):
    client.force_login(UserFactory(email_verified=False))

    response = client.get("/protected/", follow=True)

    assert response.redirect_chain == [(reverse("accounts:verify_sent"), 302)]
    with translation.override("en"):
        assert escape(str(MSG_VERIFY_FIRST)) in response.text


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(client):
    response = client.get("/protected/?step=1")

    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=/protected/%3Fstep%3D1"
