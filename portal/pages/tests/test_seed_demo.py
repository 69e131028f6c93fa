from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from complaints.models import Category, Complaint, TimelineEvent
from merchants.models import Identifier, Merchant
from portal.accounts.models import User
from portal.pages import demo

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_one_account_per_role_signs_in_with_the_printed_and_documented_password(client, rf):
    output = seed()
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")

    assert {role for role, _email, _password in demo.ROLE_ACCOUNTS} == set(User.Role.values)
    for role, email, password in demo.ROLE_ACCOUNTS:
        user = User.objects.get(email=email)
        assert user.role == role
        assert user.email_verified
        assert email in output and password in output
        assert email in readme and password in readme
        # django-axes guards authentication and needs the request it would lock out.
        assert client.login(request=rf.post("/"), username=email, password=password), email
        assert not client.login(request=rf.post("/"), username=email, password="not-" + password)
        client.logout()


def test_about_two_hundred_varied_complaints_over_the_last_months():
    seed()
    now = timezone.now()
    complaints = list(Complaint.objects.all())

    assert 180 <= len(complaints) <= 220
    assert Merchant.objects.count() >= 12
    assert len({c.category for c in complaints}) >= 8
    assert len({c.region for c in complaints}) >= 10
    assert len({c.payment_method for c in complaints}) >= 4
    assert len({c.narrative for c in complaints}) >= 150
    assert len({c.complainant_id for c in complaints}) >= 20
    assert all(len(c.narrative) >= 30 for c in complaints)
    assert all(c.submitted_at <= now and c.paid_at <= timezone.localdate(c.submitted_at) for c in complaints)
    assert now - min(c.submitted_at for c in complaints) > timedelta(days=90)
    complainant = User.objects.get(email=demo.ROLE_ACCOUNTS[0][1])
    assert complainant.complaints.count() == len(demo.PERSONAL_SCENARIOS)
    crowd = User.objects.filter(email__startswith="buyer", email__endswith=f"@{demo.DEMO_DOMAIN}")
    assert crowd.count() == demo.CROWD_SIZE
    assert not any(user.has_usable_password() for user in crowd)


def test_timelines_tell_when_each_complaint_was_filed():
    seed()

    complaint = Complaint.objects.order_by("submitted_at").first()
    submitted = complaint.timeline.get(kind=TimelineEvent.Kind.SUBMITTED)
    assert submitted.created_at == complaint.submitted_at
    assert complaint.merchant.created_at <= complaint.submitted_at
    assert complaint.complainant.date_joined < complaint.submitted_at


def test_the_runaway_presale_shop_draws_dozens_of_not_delivered_complaints_within_two_days():
    seed()

    top = (
        Merchant.objects.filter(complaints__category=Category.NOT_DELIVERED)
        .annotate(n=Count("complaints"))
        .order_by("-n")
        .first()
    )
    times = sorted(top.complaints.filter(category=Category.NOT_DELIVERED).values_list("submitted_at", flat=True))
    best_window = max(sum(1 for t in times if start <= t <= start + timedelta(hours=48)) for start in times)
    assert best_window >= 40
    assert top.platform.code == "wechat_mini_program"
    cluster = top.complaints.filter(category=Category.NOT_DELIVERED)
    # Reached through different names: as typed, by mini-program name alone, with the app ID or without.
    assert cluster.values("merchant_name", "mini_program_name").distinct().count() >= 5
    assert cluster.filter(merchant_name="").exists()
    assert cluster.filter(app_id="").exists() and cluster.exclude(app_id="").exists()
    assert top.identifiers.filter(kind=Identifier.Kind.APP_ID).exists()


def test_the_runaway_shop_is_one_merchant_reached_by_three_names_and_a_phone():
    seed()

    shop = Merchant.objects.get(identifiers__kind=Identifier.Kind.APP_ID, identifiers__normalized=demo.RUNAWAY_APP_ID)
    assert shop.complaints.filter(category=Category.NOT_DELIVERED).count() == demo.CLUSTER_SIZE
    without_app_id = shop.complaints.filter(app_id="")
    assert without_app_id.filter(merchant_name="Yi Xiang Gou").exists()
    assert without_app_id.filter(mini_program_name="Yixianggou Online Mall").exists()
    assert without_app_id.filter(merchant_name="易享购", mini_program_name="").exists()
    phone_only = without_app_id.filter(merchant_name="", mini_program_name="").exclude(merchant_phone="")
    assert phone_only.exists()
    assert {link["outcome"] for link in phone_only.first().merchant_links} == {"matched"}
    assert shop.stats.complaints == shop.complaints.count()


def test_running_it_twice_adds_nothing():
    seed()
    models = [User, Merchant, Identifier, Complaint, TimelineEvent]
    before = {model: model.objects.count() for model in models}

    output = seed()

    assert {model: model.objects.count() for model in models} == before
    assert "already loaded" in output


def test_the_same_seed_tells_the_same_stories():
    # Seeded in a transaction that is then rolled back: the moderation record cannot be deleted.
    with transaction.atomic():
        seed()
        first = sorted(Complaint.objects.values_list("narrative", "amount", "region", "merchant_name", "status"))
        transaction.set_rollback(True)
    assert not Complaint.objects.exists()

    seed()

    assert sorted(Complaint.objects.values_list("narrative", "amount", "region", "merchant_name", "status")) == first


def test_the_early_warning_has_escalated_the_runaway_shop_and_the_demo_authority_sees_it(
    client, django_capture_on_commit_callbacks
):
    from portal.escalations.models import Escalation

    # As in `make run`: the risk recompute runs after the seed commits.
    with django_capture_on_commit_callbacks(execute=True):
        seed()

    shop = Merchant.objects.get(identifiers__kind=Identifier.Kind.APP_ID, identifiers__normalized=demo.RUNAWAY_APP_ID)
    kinds = set(Escalation.objects.filter(merchant=shop).values_list("authority__kind", "authority__region"))
    assert {("market_regulator", demo.DEMO_AUTHORITY_REGION), ("platform_owner", "")} <= kinds
    # The rest of the wave still waits for moderators.
    assert shop.complaints.filter(status=Complaint.Status.SUBMITTED).exists()
    authority = User.objects.get(email=demo.ROLE_ACCOUNTS[3][1])
    client.force_login(authority)
    assert shop.name in client.get("/authority/").content.decode()


def test_the_demo_platform_account_sees_its_platforms_on_the_dashboard(client):
    seed()

    staff = User.objects.get(email=demo.PLATFORM_ACCOUNT[0])
    platforms = set(staff.authority_membership.authority.platforms.values_list("code", flat=True))
    client.force_login(staff)
    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert demo.DEMO_PLATFORM in platforms
    since = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=89), time.min))
    in_scope = Complaint.objects.filter(platform__in=platforms, submitted_at__gte=since).exclude(
        status__in=[Complaint.Status.REJECTED, Complaint.Status.WITHDRAWN]
    )
    assert response.context["cards"][0]["value"] == in_scope.count()
    assert in_scope.filter(merchant_name=demo.RUNAWAY.merchant_name).exists()
