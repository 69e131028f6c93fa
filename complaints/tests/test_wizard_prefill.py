"""'I was cheated too': the filing wizard starts with the merchant's public identifiers, never its personal ones."""

from decimal import Decimal

import pytest
from django.utils.html import escape

from complaints.models import ComplaintDraft
from complaints.services import complaint_submit
from merchants.models import Merchant
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "好运来商城"
APP_ID = "wx0123456789abcdef"
PHONE = "13812345678"
PAYEE = "6222021234567890123"
WECHAT = "haoyunlai_kefu88"


@pytest.fixture
def merchant(db) -> Merchant:
    """A merchant known by its name, app ID, phone, payee account and WeChat ID, from a victim's complaint."""
    complaint = complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(
            merchant_name=NAME,
            platform="wechat_mini_program",
            app_id=APP_ID,
            merchant_phone=PHONE,
            payee_account=PAYEE,
            wechat_id=WECHAT,
        ),
        category="not_delivered",
        narrative="付款以后商家一直不发货，客服电话也打不通，群里很多人都遇到了同样的情况。",
        amount=Decimal("880.00"),
    )
    return complaint.merchant


@pytest.fixture
def buyer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_i_was_cheated_too_fills_in_the_name_and_app_id_only(client, merchant, buyer):
    response = client.get(f"/complaints/new/?merchant={merchant.uuid}")
    assert response.status_code == 302
    draft = ComplaintDraft.objects.get(owner=buyer)
    assert response.url == f"/complaints/drafts/{draft.uuid}/merchant/"
    assert draft.data["merchant_name"] == NAME
    assert draft.data["app_id"] == APP_ID
    assert draft.data["platform"] == "wechat_mini_program"
    for personal in ("merchant_phone", "payee_account", "wechat_id"):
        assert personal not in draft.data

    html = client.get(response.url).content.decode()
    assert f'value="{escape(NAME)}"' in html
    assert f'value="{APP_ID}"' in html
    for personal in (PHONE, PAYEE, WECHAT):
        assert personal not in html


def test_a_merged_merchant_fills_in_its_roots_name(client, merchant, buyer):
    old = MerchantFactory(name="旧店名", status=Merchant.Status.MERGED, merged_into=merchant)
    client.get(f"/complaints/new/?merchant={old.uuid}")
    assert ComplaintDraft.objects.get(owner=buyer).data["merchant_name"] == NAME


def test_an_unknown_or_malformed_merchant_starts_an_empty_draft(client, buyer):
    for value in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", ""):
        client.get(f"/complaints/new/?merchant={value}")
    assert [draft.data for draft in ComplaintDraft.objects.filter(owner=buyer)] == [{}]


def test_visitors_log_in_first_and_keep_the_merchant(client, merchant):
    response = client.get(f"/complaints/new/?merchant={merchant.uuid}")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert str(merchant.uuid) in response.url
    assert not ComplaintDraft.objects.exists()


def test_an_unverified_account_is_asked_to_verify_first(client, merchant):
    client.force_login(UserFactory(email_verified=False))
    response = client.get(f"/complaints/new/?merchant={merchant.uuid}")
    assert response.status_code == 302 and not response.url.startswith("/complaints/drafts/")
    assert not ComplaintDraft.objects.exists()
