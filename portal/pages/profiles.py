"""What "check before you pay" and a merchant's profile show, built once for the HTML pages and the API.

Both read a fixed number of queries whatever the number of merchants found or complaints shown, and carry
personal identifiers (phones, payee accounts) only as identifiers.mask renders them.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from complaints.models import Category
from complaints.reputation import (
    NO_RECORD,
    NO_RESPONSE,
    MonthlyCounts,
    PublicResponse,
    ReplyRecord,
    merchant_monthly,
    merchant_reply_record,
    merchant_reply_records,
    public_responses,
)
from complaints.selectors import (
    MerchantSummary,
    PublicComplaint,
    merchant_public_complaints,
    merchant_stats_many,
    merchant_summary,
)
from merchants import identifiers as ids
from merchants.lookup import LookupHit, merchant_lookup
from merchants.models import Identifier, Merchant
from merchants.selectors import merchant_identifiers
from portal.escalations.alerts import risk_alert_for_merchant, risk_alerts_for_merchants
from portal.escalations.models import RiskAlert

# The newest published complaints on a profile (redacted excerpts, each linking to its page).
PUBLIC_COMPLAINTS_SHOWN = 10
EXCERPT_CHARS = 200
TOP_CATEGORIES = 3

# Platform domains (taobao.com...) are shared by every shop there: they say nothing about this merchant. A
# payee's name may be a private person's.
HIDDEN_KINDS = {ids.DOMAIN, ids.PAYEE_NAME}
KIND_LABELS = dict(Identifier.Kind.choices)


def public_value(identifier: Identifier) -> str:
    # A name is shown as a victim typed it; anything else only as identifiers.mask renders its normalised form,
    # since the typed value of a phone or a bank card is the full number.
    if identifier.kind == ids.NAME:
        return ids.scrub_personal(identifier.value)
    return ids.mask(identifier.kind, identifier.normalized)


def public_identifiers(merchant: Merchant) -> list[dict]:
    """The merchant group's identifiers as anyone may see them: personal ones (phones, accounts) masked."""
    return [
        {"kind": identifier.kind, "label": identifier.get_kind_display(), "value": public_value(identifier)}
        for identifier in merchant_identifiers(merchant=merchant)
        if identifier.kind not in HIDDEN_KINDS
    ]


def percent(share: float | None) -> str:
    """A share as shown on the pages ("80%"), or "" when there is none."""
    return "" if share is None else f"{round(share * 100)}%"


def query_is_personal(query: str) -> bool:
    """Whether a visitor's query reads as a phone, a card or account number, an email or a wallet: pages then do
    not repeat it, so a number typed in stays off the screen, out of screenshots and out of shared pages."""
    if ids.scrub_personal(query) != ids.clean_text(query).strip():
        return True
    try:
        ids.normalize_wallet(query)
    except ids.InvalidIdentifier:
        return False
    return True


# Check before you pay -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    hit: LookupHit
    complaints: int
    top_categories: list[dict]  # {code, label, count}, most frequent first
    record: ReplyRecord
    alert: RiskAlert | None

    @property
    def merchant(self) -> Merchant:
        return self.hit.merchant

    @property
    def response_percent(self) -> str:
        return percent(self.record.response_rate)

    @property
    def matched_label(self) -> str:
        """The kind of identifier that matched ("Phone", "Payee account"...), never its value."""
        return str(KIND_LABELS.get(self.hit.matched_by, self.hit.matched_by))


def _top_categories(by_category: dict) -> list[dict]:
    labels = dict(Category.choices)
    ranked = sorted(((code, n) for code, n in by_category.items() if n and code in labels), key=lambda r: -r[1])
    return [{"code": code, "label": labels[code], "count": n} for code, n in ranked[:TOP_CATEGORIES]]


def check_results(*, q: str) -> list[CheckResult]:
    """The merchants a query may name, with what a buyer weighs before paying: how many complaints and about
    what, how the merchant answers them, and the moderators' warning if there is one."""
    hits = merchant_lookup(q=q)
    merchant_ids = [hit.merchant.pk for hit in hits]
    stats = merchant_stats_many(merchant_ids=merchant_ids)
    records = merchant_reply_records(merchant_ids=merchant_ids)
    alerts = risk_alerts_for_merchants(merchant_ids=merchant_ids)
    results = []
    for hit in hits:
        kept = stats.get(hit.merchant.pk)
        results.append(
            CheckResult(
                hit=hit,
                complaints=kept.complaints if kept else 0,
                top_categories=_top_categories(kept.by_category) if kept else [],
                record=records.get(hit.merchant.pk, NO_RECORD),
                alert=alerts.get(hit.merchant.pk),
            )
        )
    return results


# The profile ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedComplaint:
    complaint: PublicComplaint
    excerpt: str
    response: PublicResponse


@dataclass(frozen=True)
class Profile:
    merchant: Merchant
    summary: MerchantSummary
    identifiers: list[dict]
    published: list[PublishedComplaint]
    record: ReplyRecord
    monthly: MonthlyCounts
    alert: RiskAlert | None


def published_complaints(merchant: Merchant) -> list[PublishedComplaint]:
    """The merchant's newest published complaints, each with an excerpt of its redacted account and the
    merchant's published replies."""
    complaints = merchant_public_complaints(merchant_id=merchant.pk, limit=PUBLIC_COMPLAINTS_SHOWN)
    responses = public_responses(complaint_uuids=[complaint.uuid for complaint in complaints])
    return [
        PublishedComplaint(
            complaint=complaint,
            excerpt=Truncator(complaint.narrative).chars(EXCERPT_CHARS),
            response=responses.get(complaint.uuid, NO_RESPONSE),
        )
        for complaint in complaints
    ]


def merchant_profile(merchant: Merchant) -> Profile:
    """An active merchant's public profile."""
    return Profile(
        merchant=merchant,
        summary=merchant_summary(merchant_id=merchant.pk),
        identifiers=public_identifiers(merchant),
        published=published_complaints(merchant),
        record=merchant_reply_record(merchant_id=merchant.pk),
        monthly=merchant_monthly(merchant_id=merchant.pk),
        alert=risk_alert_for_merchant(merchant_id=merchant.pk),
    )


def case_url(merchant: Merchant) -> str:
    """The merchant's collective case page, or "" where the site has none."""
    try:
        return reverse("cases:detail", args=[merchant.uuid])
    except NoReverseMatch:
        return ""
