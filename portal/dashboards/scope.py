"""Whose figures a user may see: moderators and the consumer association everything, regulators and police
their province, platform owners their platforms. Everyone else sees no dashboard at all (404)."""

from dataclasses import dataclass

from django.http import Http404

from portal.escalations.models import Authority
from portal.escalations.selectors import authority_for_user


@dataclass(frozen=True)
class Scope:
    """None in `regions` or `platforms` means no restriction; `authority` is None for moderators."""

    regions: frozenset[str] | None = None
    platforms: frozenset[str] | None = None
    authority: Authority | None = None

    @property
    def national(self) -> bool:
        return self.regions is None and self.platforms is None


def scope_for_user(user) -> Scope | None:
    """The user's scope, or None when they may not see dashboards."""
    if not user.is_authenticated:
        return None
    if user.is_moderator:
        return Scope()
    authority = authority_for_user(user=user)
    if authority is None or not authority.active:
        return None
    if authority.kind in (Authority.Kind.MARKET_REGULATOR, Authority.Kind.POLICE):
        return Scope(regions=frozenset({authority.region}), authority=authority)
    if authority.kind == Authority.Kind.PLATFORM_OWNER:
        return Scope(platforms=frozenset(authority.platforms.values_list("code", flat=True)), authority=authority)
    return Scope(authority=authority)


def scope_required(user) -> Scope:
    """The user's scope; 404 for anyone without one, so the dashboard's existence is not advertised."""
    scope = scope_for_user(user)
    if scope is None:
        raise Http404
    return scope
