"""Writes about merchants. Other apps call these, never the models directly."""

from dataclasses import dataclass, fields

from django.db import IntegrityError, transaction

from merchants.identifiers import clean_text, normalize_name
from merchants.models import Identifier, Merchant, Platform

NAME_KEY_LENGTH = Merchant._meta.get_field("normalized_name").max_length
IDENTIFIER_KEY_LENGTH = Identifier._meta.get_field("normalized").max_length
IDENTIFIER_VALUE_LENGTH = Identifier._meta.get_field("value").max_length


@dataclass(frozen=True, kw_only=True)
class MerchantClaims:
    """What a complainant typed about the merchant, as typed. Any may be empty; not all at once."""

    merchant_name: str = ""
    platform: str = ""
    mini_program_name: str = ""
    app_id: str = ""
    shop_url: str = ""
    merchant_phone: str = ""
    wechat_id: str = ""
    payee_account: str = ""
    company_name: str = ""
    company_uscc: str = ""

    # The identifier kind each claim field records, in the order that picks a display name.
    IDENTIFIER_KINDS = {
        "merchant_name": Identifier.Kind.NAME,
        "mini_program_name": Identifier.Kind.MINI_PROGRAM_NAME,
        "company_name": Identifier.Kind.COMPANY_NAME,
        "shop_url": Identifier.Kind.SHOP_URL,
        "app_id": Identifier.Kind.APP_ID,
        "wechat_id": Identifier.Kind.WECHAT_ID,
        "merchant_phone": Identifier.Kind.PHONE,
        "payee_account": Identifier.Kind.PAYEE_ACCOUNT,
        "company_uscc": Identifier.Kind.COMPANY_USCC,
    }

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def is_empty(self) -> bool:
        return not any(clean_text(getattr(self, name)) for name in self.IDENTIFIER_KINDS)

    def display_name(self) -> str:
        for name in self.IDENTIFIER_KINDS:
            value = clean_text(getattr(self, name))
            if value:
                return value[:200]
        return ""


def _platform_for(code: str) -> Platform | None:
    if not code:
        return None
    if code not in Platform.Code.values:
        raise ValueError(f"unknown platform code {code!r}")
    # get_or_create: a test database flushed after a transactional test has lost the seeded rows.
    platform, _created = Platform.objects.get_or_create(code=code)
    return platform


@transaction.atomic
def merchant_resolve(*, claims: MerchantClaims) -> Merchant:
    """Find or create the merchant these claims name, and record every identifier they give.

    Interim rule (issue 2): the merchant is the one with the same normalised display name on the same
    platform. Issue 3 replaces the inside (strong identifiers decide, names suggest) and keeps this signature.
    """
    if claims.is_empty():
        raise ValueError("merchant_resolve needs at least one identifier")
    name = claims.display_name()
    platform = _platform_for(clean_text(claims.platform))
    # Keys are cut to their columns: case folding lengthens some names ("ß" becomes "ss"), and a shop URL
    # may be longer than an identifier's column.
    key = (normalize_name(name) or name.casefold())[:NAME_KEY_LENGTH]
    merchant = Merchant.objects.filter(normalized_name=key, platform=platform).first()
    if merchant is None:
        try:
            with transaction.atomic():
                merchant = Merchant.objects.create(name=name, normalized_name=key, platform=platform)
        except IntegrityError:
            # Another filing created it between our read and write.
            merchant = Merchant.objects.get(normalized_name=key, platform=platform)
    for field_name, kind in claims.IDENTIFIER_KINDS.items():
        value = clean_text(getattr(claims, field_name))
        if value:
            Identifier.objects.get_or_create(
                merchant=merchant,
                kind=kind,
                normalized=(normalize_name(value) or value.casefold())[:IDENTIFIER_KEY_LENGTH],
                defaults={"value": value[:IDENTIFIER_VALUE_LENGTH]},
            )
    return merchant
