"""The merchant's public profile."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint, ResolutionProposal
from merchants.services import merchant_merge, merchant_resolve
from portal.accounts.tests.factories import UserFactory
from portal.escalations.alerts import risk_alert_create, risk_alert_withdraw
from portal.pages.tests.helpers import BANK_CARD, PHONE, claims, file, publish_alert, reply, stand

pytestmark = pytest.mark.django_db

NOT_SAFE = "That does not mean it is safe"


def profile_url(merchant):
    return f"/merchants/{merchant.uuid}/"


def get(client, url, **params):
    return client.get(url, params, headers={"accept-language": "en"})


@pytest.fixture
def shop(complainant, stranger):
    """A shop with three complaints by two people, known by a phone and a bank card."""
    file(complainant, merchant_phone="138 0013 8000", company_name="深圳市易联购科技有限公司")
    file(stranger, category="merchant_vanished", payee_account=BANK_CARD)
    complaint = file(complainant, submitted_at=timezone.now() - timedelta(days=10))
    return complaint.merchant


def test_profile_shows_the_merchant_and_its_complaint_counts(client, shop):
    response = get(client, profile_url(shop))

    assert response.status_code == 200
    page = response.text
    assert "易联购" in page
    assert "Mini program" in page  # kind
    assert "深圳市易联购科技有限公司" in page
    assert "Complaints filed" in page
    summary = response.context["summary"]
    assert (summary.complaints, summary.complainants) == (3, 2)
    assert [(code, count) for code, _label, count in summary.by_category] == [
        ("not_delivered", 2),
        ("merchant_vanished", 1),
    ]
    assert "Paid but not delivered (pre-sales included)" in page
    assert "Merchant vanished or unreachable" in page
    assert [count for _label, count in response.context["windows"]] == [2, 2, 3]
    assert "Last 24 hours" in page


def test_profile_masks_phones_and_bank_cards(client, shop):
    page = get(client, profile_url(shop)).text

    for hidden in [PHONE, "138 0013 8000", "+8613800138000", BANK_CARD, "0212345678"]:
        assert hidden not in page
    assert "+86 138****8000" in page
    assert "6222 **** **** 0128" in page


def test_a_merchant_without_complaints_has_none_yet_and_is_never_called_safe(client):
    merchant = merchant_resolve(claims=claims(merchant_name="果园小店")).merchant

    response = get(client, profile_url(merchant))

    assert response.status_code == 200
    assert f"No complaints about this merchant yet. {NOT_SAFE}" in response.text
    assert response.text.count("safe") == response.text.count(NOT_SAFE)
    assert "No complaint has been due for a reply from this merchant yet." in response.text
    assert "profile-chart-data" not in response.text


def test_profile_shows_how_the_merchant_answers(client, shop, merchant_rep):
    on_time, late, _overdue = (stand(c) for c in shop.complaints.order_by("pk"))
    reply(on_time, merchant_rep, "已退款。")
    reply(late, merchant_rep, "正在核实。", on_time=False)
    stand(file(UserFactory()), due_in_days=5)  # not due yet: not counted

    response = get(client, profile_url(shop))

    record = response.context["profile"].record
    assert (record.answerable, record.replied, record.on_time, record.overdue) == (3, 2, 1, 1)
    page = response.text
    assert "67% (2 of 3 complaints due for a reply)" in page
    assert "Answered within 15 days" in page
    assert "33% (1 of 3)" in page
    assert re.search(r"Replies overdue now</dt>\s*<dd class=\"overdue\">1</dd>", page)


def test_profile_shows_complaints_per_month_in_a_table_and_a_chart(client, shop):
    response = get(client, profile_url(shop))

    monthly = response.context["profile"].monthly
    assert len(monthly.rows) == 12
    assert sum(row.complaints for row in monthly.rows) == 3
    page = response.text
    table = re.search(r'<table class="data-table monthly-table">.*?</table>', page, re.S).group(0)
    this_month = timezone.localdate().strftime("%Y-%m")
    assert f'<time datetime="{this_month}">' in table
    assert "Paid but not delivered (pre-sales included)" in table
    chart = json.loads(re.search(r'id="profile-chart-data" type="application/json">(.*?)</script>', page).group(1))
    assert chart["months"][-1] == this_month
    assert [series["name"] for series in chart["series"]] == [
        "Paid but not delivered (pre-sales included)",
        "Merchant vanished or unreachable",
    ]
    assert 'src="/static/js/profile-chart.js"' in page


def test_published_complaints_show_the_merchants_replies_beside_them(client, shop, merchant_rep):
    first, second, _unpublished = (
        stand(c, publish=index < 2) for index, c in enumerate(shop.complaints.order_by("pk"))
    )
    reply(first, merchant_rep, "您好，已为您安排退款。")
    Complaint.objects.filter(pk=second.pk).update(status=Complaint.Status.CLOSED_MONETARY_RELIEF)
    ResolutionProposal.objects.create(
        complaint=second,
        author=merchant_rep,
        kind=ResolutionProposal.Kind.REFUND,
        amount="120.00",
        message="退款 13812345678",
        message_redacted="退款已原路返回",
        status=ResolutionProposal.Status.ACCEPTED,
        decided_at=timezone.now(),
    )

    page = get(client, profile_url(shop)).text

    assert page.count('class="public-complaint"') == 2
    assert "您好，已为您安排退款。" in page
    assert "Closed when the complainant accepted: Refund of CNY 120.00." in page
    assert "退款已原路返回" in page
    assert "13812345678" not in page
    assert "No reply from the merchant." in page


def test_a_victim_can_say_they_were_cheated_too(client, shop):
    page = get(client, profile_url(shop)).text

    assert f'href="/complaints/new/?merchant={shop.uuid}"' in page
    assert "I was cheated by this merchant too" in page


def test_the_collective_case_is_linked_where_the_site_has_one(client, shop, settings):
    settings.ROOT_URLCONF = "portal.pages.tests.urls_with_case"
    assert f'href="/cases/{shop.uuid}/"' in get(client, profile_url(shop)).text

    settings.ROOT_URLCONF = "portal.pages.tests.urls_without_case"
    assert "/cases/" not in get(client, profile_url(shop)).text


def test_an_approved_warning_heads_the_profile_until_withdrawn(client, shop, moderator):
    alert = publish_alert(shop, moderator, text="多名买家反映付款后不发货，请勿付款。", level="medium")

    page = get(client, profile_url(shop)).text
    assert "Warning from our moderators: Medium risk" in page
    assert "多名买家反映付款后不发货，请勿付款。" in page

    risk_alert_withdraw(alert=alert, actor=moderator)
    assert "多名买家反映付款后不发货" not in get(client, profile_url(shop)).text


def test_a_proposed_warning_is_not_public(client, shop, moderator):
    risk_alert_create(merchant=shop, level="high", text="待审核的提醒", actor=moderator)

    assert "待审核的提醒" not in get(client, profile_url(shop)).text


def test_a_merged_merchants_profile_redirects_to_the_merchant_it_is_part_of(client, shop, moderator):
    old = merchant_resolve(claims=claims(merchant_name="旧店名", platform="")).merchant
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    response = get(client, profile_url(old))

    assert response.status_code == 302
    assert response["Location"] == profile_url(shop)


def test_a_warning_follows_its_merchant_into_a_merge(client, shop, moderator):
    old = merchant_resolve(claims=claims(merchant_name="旧店名", platform="")).merchant
    publish_alert(old, moderator, text="旧店名的提醒")
    merchant_merge(source=old, target=shop, reason="Same seller", actor=moderator)

    assert "旧店名的提醒" in get(client, profile_url(shop)).text


def test_an_unknown_merchant_is_404(client):
    assert get(client, f"/merchants/{uuid.uuid4()}/").status_code == 404
    assert get(client, "/merchants/not-an-id/").status_code == 404


def test_profile_refuses_post(client, shop):
    assert client.post(profile_url(shop)).status_code == 405


def test_only_moderators_see_the_moderation_links(client, shop, moderator, complainant):
    links = [f"/moderation/merchants/{shop.uuid}/", f"/authority/alerts/merchants/{shop.uuid}/new/"]
    assert not any(link in get(client, profile_url(shop)).text for link in links)
    client.force_login(complainant)
    assert not any(link in get(client, profile_url(shop)).text for link in links)
    client.force_login(moderator)
    assert all(link in get(client, profile_url(shop)).text for link in links)


def test_profile_query_count_does_not_grow_with_complaints(client, shop, merchant_rep, django_assert_max_num_queries):
    def publish_one(number):
        published = stand(
            file(UserFactory(), merchant_phone=f"1390013900{number}", payee_account=f"buyer{number}@example.com"),
            publish=True,
        )
        reply(published, merchant_rep, f"回复 {number}")

    publish_alert(shop, UserFactory(role="moderator"))
    publish_one(0)
    # The merchant, its kept totals, the windowed counts, its group's identifiers, its published complaints, their
    # replies and accepted proposals, the reply record, the months and the warning.
    with django_assert_max_num_queries(10) as before:
        assert get(client, profile_url(shop)).status_code == 200

    for number in range(1, 6):
        publish_one(number)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = get(client, profile_url(shop))
    assert response.context["summary"].complaints == 9
    assert len(response.context["identifiers"]) == 15
    assert len(response.context["public_complaints"]) == 6
    assert response.text.count("The merchant replied on") == 6


def test_a_phone_typed_into_a_name_field_is_not_shown_in_public(client, complainant):
    complaint = file(complainant, merchant_name="易联购", mini_program_name=f"易联购 客服{PHONE}")

    response = client.get(profile_url(complaint.merchant))

    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    assert "易联购 客服***" in response.content.decode()
