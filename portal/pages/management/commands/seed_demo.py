"""`manage.py seed_demo`: demo accounts, merchants and complaints for a local run (`make run`).

Idempotent: accounts are found or created by email, and the merchants and complaints are loaded only when
no demo complaint exists yet, all in one transaction. Complaints go through complaints.services.
complaint_submit with the date of the story they tell, so merchants, claims, totals and rollups are what
real filings produce; only timeline, merchant and account stamps are moved back afterwards.
"""

import random
import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Min
from django.test.utils import override_settings
from django.utils import timezone

from complaints import workflow
from complaints.models import Complaint, TimelineEvent
from complaints.services import complaint_submit
from merchants.models import Identifier, Merchant
from merchants.services import MerchantClaims, merchant_resolve
from portal.accounts.models import User
from portal.escalations.models import Authority, AuthorityMember
from portal.pages import demo

# Same seed, same complaints (tracking codes aside: those come from the system's CSPRNG).
RANDOM_SEED = 20220913
_BRACKETS = re.compile(r"[【】《》「」]")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _yuan(amount: Decimal) -> str:
    return f"{amount.normalize():f}元" if amount != amount.to_integral() else f"{int(amount)}元"


def _as_written(naming: dict, merchant: demo.DemoMerchant) -> str:
    """The merchant's name as the buyer would write it in a sentence (no brackets, no gaps in Chinese)."""
    typed = naming.get("merchant_name") or naming.get("mini_program_name") or merchant.claims.merchant_name
    return _CJK_GAP.sub("", _BRACKETS.sub("", typed)).strip()


class _Seeder:
    def __init__(self, *, complainant: User, crowd: list[User], moderator: User, now: datetime):
        self.moderator = moderator
        self.rng = random.Random(RANDOM_SEED)
        self.complainant = complainant
        self.crowd = crowd
        self.now = timezone.localtime(now)
        self.regions = list(demo.REGION_WEIGHTS)
        self.region_weights = list(demo.REGION_WEIGHTS.values())
        self.dates: dict[int, datetime] = {}
        self.cluster: list[int] = []

    def run(self) -> int:
        for merchant in (demo.RUNAWAY_MERCHANT, *demo.OTHER_MERCHANTS):
            merchant_resolve(claims=merchant.claims)
        self._file_cluster()
        for merchant in (demo.RUNAWAY_MERCHANT, *demo.OTHER_MERCHANTS):
            for scenario in merchant.scenarios:
                for index in range(scenario.count):
                    naming = self.rng.choice(merchant.namings)
                    self._file(merchant, scenario, naming, self._spread(scenario), first=index == 0)
        self._moderate()
        self._backdate()
        return len(self.dates)

    def _moderate(self):
        """Moderators have worked through complaints older than MODERATED_AFTER: most accepted (and so public
        where the complainant consented), a few rejected or sent back with a question. Newer ones wait in the
        queue, the run-away cluster among them."""
        cutoff = self.now - demo.MODERATED_AFTER
        # The first complaints of the run-away wave were accepted as they came: enough for the early warning to
        # escalate the shop to the regulator, Tencent and the police; the rest of the wave waits in the queue.
        wave = set(self.cluster[: demo.CLUSTER_ACCEPTED])
        for pk in sorted(wave):
            workflow.complaint_accept(complaint=Complaint.objects.get(pk=pk), moderator=self.moderator)
        for pk, submitted_at in sorted(self.dates.items()):
            if submitted_at > cutoff or pk in wave:
                continue
            complaint = Complaint.objects.get(pk=pk)
            draw = self.rng.random()
            if draw < 0.8:
                workflow.complaint_accept(complaint=complaint, moderator=self.moderator)
            elif draw < 0.9:
                workflow.complaint_reject(complaint=complaint, moderator=self.moderator, reason="unsupported")
            else:
                workflow.complaint_request_info(
                    complaint=complaint, moderator=self.moderator, question=demo.DEMO_QUESTION
                )

    def _file_cluster(self):
        """The run-away: CLUSTER_SIZE "not delivered" complaints within CLUSTER_HOURS, named many ways."""
        scenario = demo.CLUSTER_SCENARIO
        start = (self.now - timedelta(days=demo.CLUSTER_DAYS_AGO)).replace(hour=8, minute=0, second=0, microsecond=0)
        strays = set(self.rng.sample(range(1, scenario.count), demo.CLUSTER_STRAYS))
        moments = sorted(
            start + timedelta(seconds=self.rng.uniform(0, demo.CLUSTER_HOURS * 3600)) for _ in range(scenario.count)
        )
        for index, submitted_at in enumerate(moments):
            namings = demo.RUNAWAY_STRAY_NAMINGS if index in strays else demo.RUNAWAY_NAMINGS
            self._file(demo.RUNAWAY_MERCHANT, scenario, self.rng.choice(namings), submitted_at, first=index == 0)
            self.cluster.append(max(self.dates))

    def _spread(self, scenario: demo.Scenario) -> datetime:
        older, newer = scenario.days_ago
        day = self.now - timedelta(days=self.rng.uniform(newer, older))
        moment = day.replace(hour=self.rng.randint(7, 23), minute=self.rng.randint(0, 59), second=0, microsecond=0)
        # Never in the future, whatever the hour drawn for today.
        return min(moment, self.now - timedelta(minutes=self.rng.randint(5, 90)))

    def _order_number(self, merchant: demo.DemoMerchant, payment_method: str, paid) -> str:
        if self.rng.random() < 0.2:
            return ""
        if merchant.order_prefix:
            return f"{merchant.order_prefix}{paid:%Y%m%d}{self.rng.randint(100000, 999999)}"
        if payment_method == "wechat_pay":
            return f"42000{self.rng.randint(10000, 99999)}{paid:%Y%m%d}{self.rng.randint(10**9, 10**10 - 1)}"
        if payment_method == "alipay":
            return f"{paid:%Y%m%d}2200{self.rng.randint(10**15, 10**16 - 1)}"
        return ""

    def _file(self, merchant: demo.DemoMerchant, scenario: demo.Scenario, naming: dict, submitted_at, *, first):
        rng = self.rng
        item, price = rng.choice(scenario.items)
        quantity = rng.choice(scenario.quantities)
        amount = (Decimal(price) * quantity).quantize(Decimal("0.01"))
        paid = submitted_at.date() - timedelta(days=rng.randint(*scenario.paid_before))
        narrative = rng.choice(scenario.stories).format(
            name=_as_written(naming, merchant),
            item=f"{quantity}{scenario.unit}{item}" if quantity > 1 and scenario.unit else item,
            amount=_yuan(amount),
            date=f"{paid.month}月{paid.day}日",
            days=max((submitted_at.date() - paid).days, 2),
            n=quantity,
            people=rng.randint(77, 90),
            phone=merchant.claims.merchant_phone,
        )
        narrative += "".join(rng.sample(demo.DETAILS, 2))
        if rng.random() < 0.7:
            narrative += rng.choice(demo.CLOSINGS)
        payment_method = rng.choice(scenario.payment_methods)
        personal = first and any(scenario is s for s in demo.PERSONAL_SCENARIOS)
        complaint = complaint_submit(
            complainant=self.complainant if personal else rng.choice(self.crowd),
            claims=MerchantClaims(platform=merchant.claims.platform, **naming),
            category=scenario.category,
            narrative=narrative,
            amount=amount,
            payment_method=payment_method,
            paid_at=paid,
            order_number=self._order_number(merchant, payment_method, paid),
            region=rng.choices(self.regions, weights=self.region_weights)[0],
            consent_publish=rng.random() < 0.6,
            hide_identity=rng.random() < 0.8,
            submitted_at=submitted_at,
        )
        self.dates[complaint.pk] = submitted_at

    def _backdate(self):
        """Move each complaint's timeline, its merchant and its complainant back to when it was filed.

        Records other than the complaint stamp "now"; demo data spread over months needs the stamps of the
        story it tells. Timeline events are append-only through the model; this queryset update is the seed
        rewriting its own past.
        """
        for pk, submitted_at in self.dates.items():
            Complaint.objects.filter(pk=pk).update(updated_at=submitted_at)
            TimelineEvent.objects.filter(complaint_id=pk).update(created_at=submitted_at)
        firsts = Merchant.objects.filter(complaints__pk__in=self.dates).annotate(first=Min("complaints__submitted_at"))
        for merchant in firsts:
            Merchant.objects.filter(pk=merchant.pk).update(created_at=merchant.first)
            Identifier.objects.filter(merchant=merchant).update(created_at=merchant.first)
        joined = User.objects.filter(complaints__pk__in=self.dates).annotate(first=Min("complaints__submitted_at"))
        for user in joined:
            User.objects.filter(pk=user.pk).update(date_joined=user.first - timedelta(hours=2))


def _ensure_accounts() -> tuple[dict[str, User], list[User]]:
    accounts = {}
    for role, email, password in demo.ROLE_ACCOUNTS:
        user, created = User.objects.get_or_create(email=email, defaults={"role": role, "email_verified": True})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        accounts[role] = user
    # The authority account works for the regulator of Chongqing, where the run-away shop is registered.
    regulator = Authority.objects.get(kind=Authority.Kind.MARKET_REGULATOR, region=demo.DEMO_AUTHORITY_REGION)
    AuthorityMember.objects.get_or_create(user=accounts["authority"], defaults={"authority": regulator})
    # And the platform account for the owner of WeChat mini programs, whose settlement could be frozen.
    email, password = demo.PLATFORM_ACCOUNT
    platform_staff, created = User.objects.get_or_create(
        email=email, defaults={"role": User.Role.AUTHORITY, "email_verified": True}
    )
    if created:
        platform_staff.set_password(password)
        platform_staff.save(update_fields=["password"])
    owner = Authority.objects.get(kind=Authority.Kind.PLATFORM_OWNER, platforms__code=demo.DEMO_PLATFORM, active=True)
    AuthorityMember.objects.get_or_create(user=platform_staff, defaults={"authority": owner})
    crowd = []
    for number in range(1, demo.CROWD_SIZE + 1):
        user, created = User.objects.get_or_create(email=demo.crowd_email(number), defaults={"email_verified": True})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        crowd.append(user)
    return accounts, crowd


class Command(BaseCommand):
    help = "Load demo data (idempotent): one account per role, a dozen merchants and about 200 complaints."

    def handle(self, *args, **options):
        # The demo crowd's status emails would flood a local console; their on-site notices are kept.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            accounts, crowd = _ensure_accounts()
            loaded = Complaint.objects.filter(complainant__email__endswith=f"@{demo.DEMO_DOMAIN}").exists()
            if not loaded:
                seeder = _Seeder(
                    complainant=accounts["complainant"],
                    crowd=crowd,
                    moderator=accounts["moderator"],
                    now=timezone.now(),
                )
                filed = seeder.run()
            demo.right_of_reply_seed(representative=accounts["merchant_rep"], moderator=accounts["moderator"])
        if loaded:
            self.stdout.write("Demo data is already loaded; nothing added.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo data: {Merchant.objects.count()} merchants, {filed} complaints "
                    f"({demo.CLUSTER_SIZE} against the run-away pre-sale shop {demo.RUNAWAY.merchant_name} "
                    f"within {demo.CLUSTER_HOURS} hours)."
                )
            )
        self.stdout.write("Demo accounts (local use only):")
        for role, email, password in demo.ROLE_ACCOUNTS:
            self.stdout.write(f"  {role:<13} {email:<36} {password}")
        self.stdout.write(f"  {'platform':<13} {demo.PLATFORM_ACCOUNT[0]:<36} {demo.PLATFORM_ACCOUNT[1]}")
