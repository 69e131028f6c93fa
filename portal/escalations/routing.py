"""Who an escalation about a merchant goes to (issue 5, routing).

1. The market regulator of the merchant's registered province; for a merchant nobody knows the registration
   of (typically one that vanished), the regulator where its platform's owner is registered, else the province
   most of its complainants are in.
2. The owner of the merchant's platform, asked to freeze settlement and preserve records.
3. Police of the regulator's province, when the merchant vanished or its complaints surge and the claimed loss
   reaches settings.ESCALATION_POLICE_MIN_LOSS.
"""

from collections import Counter
from decimal import Decimal

from django.conf import settings

from merchants.models import Merchant
from portal.escalations.models import Authority, RiskRule

# Rules that suggest fraud rather than bad service: these bring the police in.
POLICE_RULES = frozenset({RiskRule.Code.VANISHED, RiskRule.Code.SURGE})


def root_merchant(merchant: Merchant) -> Merchant:
    """The active merchant a merged one points at (merges flatten chains, so one hop is enough)."""
    if merchant.merged_into_id:
        return Merchant.objects.select_related("platform").get(pk=merchant.merged_into_id)
    return merchant


def jurisdiction(*, merchant: Merchant, complainant_regions: list[str]) -> str:
    """The province whose authorities deal with the merchant, or "" when nothing says."""
    if merchant.registered_region:
        return merchant.registered_region
    if merchant.platform_id and merchant.platform.owner_region:
        return merchant.platform.owner_region
    counts = Counter(region for region in complainant_regions if region)
    if not counts:
        return ""
    # Most complainants; a tie goes to the smallest code, so the same facts always route the same way.
    return min(counts, key=lambda region: (-counts[region], region))


def _provincial(kind: str, region: str) -> Authority | None:
    if not region:
        return None
    return Authority.objects.filter(kind=kind, region=region, active=True).first()


def route(
    *, merchant: Merchant, rules: list[str], claimed_loss: Decimal, complainant_regions: list[str]
) -> list[Authority]:
    """The active authorities to escalate to, in order: regulator, platform owner, police."""
    merchant = root_merchant(merchant)
    region = jurisdiction(merchant=merchant, complainant_regions=complainant_regions)
    authorities = [_provincial(Authority.Kind.MARKET_REGULATOR, region)]
    if merchant.platform_id:
        authorities.append(
            Authority.objects.filter(kind=Authority.Kind.PLATFORM_OWNER, platforms=merchant.platform_id, active=True)
            .order_by("pk")
            .first()
        )
    if POLICE_RULES.intersection(rules) and claimed_loss >= settings.ESCALATION_POLICE_MIN_LOSS:
        authorities.append(_provincial(Authority.Kind.POLICE, region))
    return [authority for authority in authorities if authority is not None]
