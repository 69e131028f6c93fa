import hashlib
import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import uscc as stdnum_uscc

from merchants import identifiers as ids
from merchants.identifiers import (
    InvalidIdentifier,
    Parsed,
    clean_text,
    has_han,
    mask,
    name_pinyin,
    normalize_app_id,
    normalize_bank_card,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_uscc,
    normalize_wallet,
    normalize_wechat_id,
    parse_claim,
    parse_payee,
    parse_url,
    uscc_province,
)

# --- clean_text ----------------------------------------------------------------------------------------------


def test_clean_text_keeps_the_wording_but_folds_width_and_space():
    assert clean_text("  果园　小店\n\tＡＢＣ ") == "果园 小店 ABC"


def test_invisible_characters_are_not_text():
    assert clean_text("\u200b\u202e\ufeff") == ""
    assert clean_text("果园\u200b小店\t1号") == "果园小店 1号"


# --- Names ---------------------------------------------------------------------------------------------------

YILIANGOU_CHINESE = [
    "易联购",
    "易聯購",
    "易聯購官方旗艦店",
    "易联购商城",
    "【易联购】官方小程序",
    "深圳市易联购科技有限公司",
    "广东省深圳市易联购网络科技有限公司",
    "易联购（深圳）科技有限公司",
    "深圳易联购电子商务有限公司",
    "上海易联购有限公司",
    "香港特別行政區易聯購有限公司",
    "😀易联购🎉",
]
YILIANGOU_LATIN = [
    "Yi Liangou",
    "YILIANGOU",
    "Yiliangou Online Mall",
    "Yi-Lian-Gou official store",
    "ＹＩＬＩＡＮＧＯＵ",
    "Shenzhen Yiliangou Technology Co., Ltd.",
    "Yiliangou (Shenzhen) E-Commerce Co., Ltd.",
]


@pytest.mark.parametrize("name", YILIANGOU_CHINESE)
def test_chinese_spellings_of_one_shop_share_the_name_key(name):
    assert normalize_name(name) == "易联购"


@pytest.mark.parametrize("name", YILIANGOU_LATIN)
def test_latin_spellings_of_one_shop_share_the_name_key(name):
    assert normalize_name(name) == "yiliangou"


@pytest.mark.parametrize("name", YILIANGOU_CHINESE + YILIANGOU_LATIN)
def test_every_spelling_of_one_shop_shares_the_pinyin_key(name):
    assert name_pinyin(name) == "yiliangou"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("【果园】小店", "果园 小店"),
        ("ＧＵＯＹＵＡＮ　Ｘｉａｏｄｉａｎ", "guoyuan xiaodian"),  # full-width letters and space
        ("Guo-Yuan Xiaodian!", "guoyuan xiaodian"),
        ("《果园》·小店", "果园小店"),
        ("“果园”小店", '"果园" 小店'),
        ("STRASSE", "straße"),
        ("果園小店", "果园小店"),  # traditional and simplified
    ],
)
def test_normalize_name_ignores_case_width_script_punctuation_and_space(one, other):
    assert normalize_name(one) == normalize_name(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("果园小店", "果园大店"), ("Shop A", "Shop B"), ("果园小店", "果园小店2"), ("易联购", "易联构")],
)
def test_normalize_name_keeps_what_tells_merchants_apart(one, other):
    assert normalize_name(one) != normalize_name(other)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("商城", "商城"),
        ("官方旗舰店", "官方旗舰店"),
        ("Online Mall", "onlinemall"),
        ("Mall", "mall"),
        ("深圳市", "深圳市"),
        ("深圳市科技有限公司", "深圳市科技有限公司"),
    ],
)
def test_a_name_that_is_all_generic_words_keeps_them_all(name, key):
    assert normalize_name(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("上海易联购", "上海易联购"),  # not a registered company name: 上海 may be the shop's own word
        ("长春藤", "长春藤"),
        ("北京市场", "北京市场"),  # a market, not the city of Beijing
        ("上海易联购有限公司", "易联购"),
        ("长春易联购有限公司", "易联购"),
        ("吉林省长春市易联购商贸有限公司", "易联购"),
        ("甘孜藏族自治州易联购有限公司", "易联购"),
        ("义乌市易联购电子商务商行", "易联购"),
        ("Shenzhen Yiliangou", "shenzhenyiliangou"),
    ],
)
def test_a_bare_place_name_is_stripped_only_from_company_names(name, key):
    assert normalize_name(name) == key


def test_english_generic_words_are_stripped_only_as_whole_words():
    assert normalize_name("Shopee Mall") == "shopee"
    assert normalize_name("Costco Online") == "costco"
    assert normalize_name("易联购Online") == "易联购"


def test_normalize_name_keeps_only_letters_and_numbers():
    assert normalize_name("A´") == "a"  # NFKC splits the accent off a space; it must not stay loose
    assert normalize_name("果园小店 No.1 ★★★") == "果园小店no1"
    assert normalize_name("Café ①") == "café1"


def test_normalize_name_of_nothing_is_empty():
    assert normalize_name("") == normalize_name(None) == ""
    assert normalize_name("【】 ·🎉") == ""
    assert name_pinyin("【】") == ""


def test_name_pinyin_is_toneless_ascii_for_chinese_and_keeps_latin_and_digits():
    assert name_pinyin("绿色果园2号店") == "lvseguoyuan2hao"  # 店 is a generic suffix
    assert name_pinyin("果园 Shop 88") == "guoyuan88"


def test_has_han():
    assert has_han("易联购")
    assert has_han("abc易")
    assert not has_han("yiliangou")
    assert not has_han("")


# Pieces merchant names are made of, so random names often hit the stripping rules and their interplay.
name_pieces = st.sampled_from(
    [
        "易联购",
        "易聯購",
        "商城",
        "官方",
        "旗舰店",
        "有限公司",
        "公司",
        "科技",
        "网络",
        "深圳市",
        "深圳",
        "广东省",
        "北京",
        "市场",
        "(深圳)",
        "（上海）",
        "Online",
        "Mall",
        "Co.,",
        "Ltd.",
        "Shenzhen",
        "e-commerce",
        "Yi",
        "Liangou",
        "gongsi",
        "co",
        "🎉",
        "·",
        " ",
        "-",
        "Ｓｈｏｐ",
        "ß",
        "A´",
        "乾",
        "隆",
    ]
) | st.text(max_size=3)
names = st.lists(name_pieces, max_size=8).map("".join) | st.lists(name_pieces, max_size=6).map(" ".join)


@settings(max_examples=300)
@given(st.text() | names)
@example("A´")
@example("Online Mall 公司")
@example("广东省深圳市易联购网络科技有限公司")
def test_normalize_name_and_name_pinyin_are_idempotent(text):
    key = normalize_name(text)
    assert normalize_name(key) == key
    pinyin = name_pinyin(text)
    assert name_pinyin(pinyin) == pinyin
    assert name_pinyin(key) == pinyin


@given(st.text() | names)
def test_keys_are_letters_and_numbers_only(text):
    for key in (normalize_name(text), name_pinyin(text)):
        assert all(ch.isalnum() for ch in key)


# What merchant names are written in: Latin letters, digits, Chinese characters (and spaces between).
# Not every script: Unicode's own case pairs are not symmetric (Turkish "ı".upper() is "I").
letters = st.characters(codec="ascii", categories=["Lu", "Ll", "Nd", "Zs"]) | st.characters(
    min_codepoint=0x4E00, max_codepoint=0x9FFF
)


@given(st.text(alphabet=letters) | names)
def test_normalize_name_ignores_case(text):
    assert normalize_name(text.upper()) == normalize_name(text.lower()) == normalize_name(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_normalize_name_treats_full_width_like_half_width(text):
    # U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E.
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in text)
    assert normalize_name(full_width) == normalize_name(text)


@given(st.text(), st.lists(st.sampled_from(" 　【】《》「」“”·.,，。-_!！🎉"), max_size=6))
def test_normalize_name_ignores_punctuation_and_spaces_around_it(text, marks):
    assert normalize_name("".join(marks) + text + "".join(reversed(marks))) == normalize_name(text)


@given(st.text())
def test_name_normalizers_never_raise(text):
    assert isinstance(normalize_name(text), str)
    assert isinstance(name_pinyin(text), str)
    assert isinstance(clean_text(text), str)


# --- App IDs -------------------------------------------------------------------------------------------------


def spaced(draw, text):
    """The text with spaces put in at random places, as people copy it from a screenshot."""
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=max(len(text) - 1, 1)), max_size=4)))
    pieces = [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return " ".join(piece for piece in pieces if piece)


def random_case(draw, text):
    return "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in text)


@given(st.data(), st.text(alphabet="0123456789abcdef", min_size=16, max_size=16))
def test_app_ids_in_any_case_and_spacing_normalise_to_one_value(data, hexdigits):
    app_id = "wx" + hexdigits
    label = data.draw(st.sampled_from(["", "AppID: ", "appid：", "小程序AppID: ", "AppID "]))
    typed = label + spaced(data.draw, random_case(data.draw, app_id))
    assert normalize_app_id(typed) == app_id


@pytest.mark.parametrize(
    ("typed", "app_id"),
    [("2021003129876543", "2021003129876543"), ("Alipay AppID: 2021 0031 2987 6543", "2021003129876543")],
)
def test_alipay_mini_program_app_ids(typed, app_id):
    assert normalize_app_id(typed) == app_id


@pytest.mark.parametrize(
    "typed",
    ["wx123", "wx1234567890abcdeg", "1234567890abcdef12", "wx1234567890abcdef0", "1021003129876543", "易联购"],
)
def test_malformed_app_ids_are_refused(typed):
    with pytest.raises(InvalidIdentifier) as error:
        normalize_app_id(typed)
    assert error.value.code == ids.INVALID
    assert error.value.message == ids.MSG_APP_ID


# --- Unified social credit codes -----------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# stdnum reads the first 8 characters (authority, entity type, division) as digits.
usccs = st.builds(
    lambda head, body: head + body + stdnum_uscc.calc_check_digit(head + body),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@given(st.data(), usccs)
def test_every_valid_uscc_in_any_case_and_spacing_normalises_to_one_value(data, uscc):
    label = data.draw(st.sampled_from(["", "统一社会信用代码：", "USCC: "]))
    separator = data.draw(st.sampled_from(" -"))
    typed = label + spaced(data.draw, random_case(data.draw, uscc)).replace(" ", separator)
    assert normalize_uscc(typed) == uscc


@given(usccs, st.sampled_from(USCC_ALPHABET))
def test_a_wrong_check_character_is_refused_as_such(uscc, wrong):
    assume(wrong != uscc[-1])
    with pytest.raises(InvalidIdentifier) as error:
        normalize_uscc(uscc[:-1] + wrong)
    assert error.value.code == ids.CHECKSUM
    assert error.value.message == ids.MSG_USCC_CHECK


@pytest.mark.parametrize(
    "typed", ["", "91110000600037341", "91110000600037341LL", "9111000060003734IL", "ABCDEFGH600037341L"]
)
def test_a_uscc_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(InvalidIdentifier) as error:
        normalize_uscc(typed)
    assert error.value.code == ids.INVALID
    assert error.value.message == ids.MSG_USCC


def test_a_known_uscc():
    assert normalize_uscc("9111 0000 6000 3734 1l") == "91110000600037341L"


@pytest.mark.parametrize(
    ("uscc", "province"),
    [
        ("91440300MA5DA1B2X7", "440000"),
        ("91110000600037341L", "110000"),
        ("91500000000000000X", "500000"),
        ("91810000000000000X", "810000"),
        ("91100000000000000X", ""),  # registered nationally
        ("91160000000000000X", ""),
        ("91990000000000000X", ""),
        ("", ""),
    ],
)
def test_uscc_province_is_the_registration_division_s_province(uscc, province):
    assert uscc_province(uscc) == province


# --- Phones --------------------------------------------------------------------------------------------------

MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158"]
MOBILE_PREFIXES += ["159", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"]
mobiles = st.builds(
    str.__add__, st.sampled_from(MOBILE_PREFIXES), st.text(alphabet="0123456789", min_size=8, max_size=8)
)


def full_width(text):
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(st.data(), mobiles)
def test_every_way_of_writing_a_mobile_normalises_to_one_e164_value(data, number):
    prefix = data.draw(st.sampled_from(["", "+86", "+86 ", "0086 ", "0086", "86 ", "86", "(+86) ", "+86-"]))
    separator = data.draw(st.sampled_from(["", " ", "-", ".", "  "]))
    groups = [number[:3], number[3:7], number[7:]]
    body = data.draw(st.sampled_from([separator.join(groups), f"({groups[0]}) {groups[1]}{separator}{groups[2]}"]))
    typed = prefix + body
    if data.draw(st.booleans()):
        typed = full_width(typed)
    assert normalize_phone(typed) == "+86" + number


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("010-12345678", "+861012345678"),
        ("(010) 1234 5678", "+861012345678"),
        ("+86 10 1234 5678", "+861012345678"),
        ("(0755) 1234 5678", "+8675512345678"),
        ("0755-12345678", "+8675512345678"),
        ("０７５５－１２３４５６７８", "+8675512345678"),
        ("400-800-8888", "+864008008888"),
        ("400 123 4567", "+864001234567"),
        ("800-810-8888", "+868008108888"),
        ("电话：138 0013 8000", "+8613800138000"),
        ("13800138000（微信同号）", "+8613800138000"),
        ("+852 9123 4567", "+85291234567"),
    ],
)
def test_landlines_service_numbers_and_labels(typed, e164):
    assert normalize_phone(typed) == e164


@pytest.mark.parametrize(
    "typed", ["", "12345", "1380013800", "138001380001", "1-800-FLOWERS", "易联购", "+86 138 0013 800x"]
)
def test_not_a_phone_number(typed):
    with pytest.raises(InvalidIdentifier) as error:
        normalize_phone(typed)
    assert error.value.message == ids.MSG_PHONE


# --- Bank cards ----------------------------------------------------------------------------------------------

cards = st.text(alphabet="0123456789", min_size=11, max_size=18).map(
    lambda body: (lambda number: number + luhn.calc_check_digit(number))("6" + body[1:])
)


@given(st.data(), cards)
def test_luhn_cards_normalise_to_their_digits(data, card):
    separator = data.draw(st.sampled_from(["", " ", "-"]))
    typed = separator.join(card[i : i + 4] for i in range(0, len(card), 4))
    assert normalize_bank_card(typed) == card


@given(cards, st.integers(min_value=1, max_value=9))
def test_a_card_with_a_wrong_digit_is_refused(card, shift):
    wrong = card[:-1] + str((int(card[-1]) + shift) % 10)
    with pytest.raises(InvalidIdentifier) as error:
        normalize_bank_card(wrong)
    assert error.value.code == ids.CHECKSUM
    assert error.value.message == ids.MSG_BANK_CARD


@pytest.mark.parametrize("typed", ["", "4111 1111 111", "41111111111111111111", "6222-abcd-1234-5678"])
def test_a_card_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(InvalidIdentifier) as error:
        normalize_bank_card(typed)
    assert error.value.code == ids.INVALID


# --- Emails --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "email"),
    [
        ("Yi.Liangou@Example.COM", "yi.liangou@example.com"),
        ("邮箱：12345@QQ.com", "12345@qq.com"),
        ("ａ＠ｂ.ｃｎ", "a@b.cn"),
    ],
)
def test_emails_are_lowercased(typed, email):
    assert normalize_email(typed) == email


@pytest.mark.parametrize("typed", ["", "a@b", "@qq.com", "a@", "a..b@qq.com", ".a@qq.com", "a b@qq.com", "a@@qq.com"])
def test_not_an_email(typed):
    with pytest.raises(InvalidIdentifier) as error:
        normalize_email(typed)
    assert error.value.message == ids.MSG_EMAIL


# --- Wallets -------------------------------------------------------------------------------------------------

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload: bytes) -> str:
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58[digit] + text
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text


hash160s = st.binary(min_size=20, max_size=20)
tron_addresses = hash160s.map(lambda key: base58check(b"\x41" + key))
bitcoin_addresses = st.builds(
    lambda version, key: base58check(version + key), st.sampled_from([b"\0", b"\5"]), hash160s
)


@given(st.data(), tron_addresses | bitcoin_addresses)
def test_base58check_addresses_keep_their_case(data, address):
    label = data.draw(st.sampled_from(["", "USDT-TRC20: ", "钱包地址："]))
    assert normalize_wallet(label + address) == address
    assert address[0] in "T13"


@given(tron_addresses | bitcoin_addresses, st.data())
def test_a_base58_address_with_a_changed_character_is_refused(address, data):
    position = data.draw(st.integers(min_value=1, max_value=len(address) - 1))
    replacement = data.draw(st.sampled_from(BASE58.replace(address[position], "")))
    with pytest.raises(InvalidIdentifier) as error:
        normalize_wallet(address[:position] + replacement + address[position + 1 :])
    assert error.value.message == ids.MSG_WALLET


@given(st.data(), st.text(alphabet="0123456789abcdef", min_size=40, max_size=40))
def test_ethereum_addresses_are_lowercased(data, hexdigits):
    assert normalize_wallet(random_case(data.draw, "0x" + hexdigits)) == "0x" + hexdigits


def test_bech32_addresses_are_lowercased_and_shape_checked():
    address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    assert normalize_wallet(address.upper()) == normalize_wallet(address) == address
    for wrong in [
        "bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "bc1qbr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "bc1qar0s",
    ]:
        with pytest.raises(InvalidIdentifier):
            normalize_wallet(wrong)  # mixed case; "b" is not a bech32 character; too short


@pytest.mark.parametrize(
    "typed", ["", "T123", "0x1234", "0x" + "g" * 40, "易联购", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T"]
)
def test_not_a_wallet(typed):
    with pytest.raises(InvalidIdentifier):
        normalize_wallet(typed)


# --- WeChat IDs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "wechat_id"),
    [
        ("Yiliangou_88", "yiliangou_88"),
        ("微信号：Yiliangou_88", "yiliangou_88"),
        ("WeChat ID: yiliangou-88", "yiliangou-88"),
        ("vx Yiliangou_88", "yiliangou_88"),
        ("wxid_abcdef123456", "wxid_abcdef123456"),
        ("13800138000", "13800138000"),  # a phone used as the ID
        ("+86 138-0013-8000", "13800138000"),
        ("123456789", "123456789"),  # an old QQ-number login
    ],
)
def test_wechat_ids(typed, wechat_id):
    assert normalize_wechat_id(typed) == wechat_id


@pytest.mark.parametrize("typed", ["", "abc12", "a" * 21, "1abcdef", "yi liangou!", "易联购客服"])
def test_not_a_wechat_id(typed):
    with pytest.raises(InvalidIdentifier) as error:
        normalize_wechat_id(typed)
    assert error.value.message == ids.MSG_WECHAT_ID


# --- Links ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("https://shop12345.taobao.com/", [("shop_id", "taobao:12345"), ("domain", "taobao.com")]),
        ("shop12345.m.taobao.com", [("shop_id", "taobao:12345"), ("domain", "taobao.com")]),
        ("https://shop.taobao.com/?shop_id=12345", [("shop_id", "taobao:12345"), ("domain", "taobao.com")]),
        ("https://item.taobao.com/item.htm?id=678", [("domain", "taobao.com")]),
        # A shop's own subdomain names it, as on Tmall; Taobao's own ones do not.
        ("https://xingchenshuma.taobao.com/", [("shop_id", "taobao:xingchenshuma"), ("domain", "taobao.com")]),
        ("https://world.taobao.com/", [("domain", "taobao.com")]),
        ("【淘宝】https://m.tb.cn/h.5YxAbc?tk=xyz 「好物」点击链接直接打开", [("domain", "taobao.com")]),
        ("yiliangou.tmall.com", [("shop_id", "tmall:yiliangou"), ("domain", "tmall.com")]),
        ("https://YILIANGOU.m.tmall.com/shop", [("shop_id", "tmall:yiliangou"), ("domain", "tmall.com")]),
        ("https://detail.tmall.com/item.htm?id=1", [("domain", "tmall.com")]),
        ("https://mall.jd.com/index-1000123.html", [("shop_id", "jd:1000123"), ("domain", "jd.com")]),
        ("https://shop.m.jd.com/?shopId=1000123", [("shop_id", "jd:1000123"), ("domain", "jd.com")]),
        (
            "mobile.yangkeduo.com/mall_page.html?mall_id=555",
            [("shop_id", "pinduoduo:555"), ("domain", "pinduoduo.com")],
        ),
        ("https://weidian.com/?userid=999", [("shop_id", "weidian:999"), ("domain", "weidian.com")]),
        ("shop123.youzan.com", [("shop_id", "youzan:123"), ("domain", "youzan.com")]),
        (
            "https://h5.youzan.com/v2/showcase/homepage?kdt_id=123",
            [("shop_id", "youzan:123"), ("domain", "youzan.com")],
        ),
        (
            "haohuo.jinritemai.com/views/shop/index?shop_id=GceCTPIk",
            [("shop_id", "douyin:GceCTPIk"), ("domain", "douyin.com")],
        ),
        ("https://v.douyin.com/abc/", [("domain", "douyin.com")]),
        ("https://www.xiaohongshu.com/explore", [("domain", "xiaohongshu.com")]),
        ("https://mp.weixin.qq.com/s/abc", [("domain", "qq.com")]),
        ("WWW.Yiliangou.COM/path?x=1", [("website", "yiliangou.com")]),
        ("http://m.yiliangou.com:8080", [("website", "yiliangou.com")]),
        ("店铺网址 yiliangou.shop", [("website", "yiliangou.shop")]),
        ("http://1.2.3.4/pay", [("website", "1.2.3.4")]),
        ("易联购.中国", [("website", "xn--7hv779c67i.xn--fiqs8s")]),
    ],
)
def test_parse_url(typed, parsed):
    assert [(p.kind, p.normalized) for p in parse_url(typed)] == parsed


def test_the_same_shop_in_any_link_is_one_shop_id():
    assert (
        parse_url("https://shop12345.taobao.com")[0]
        == parse_url("shop.m.taobao.com/shop/shop_index.htm?shop_id=12345")[0]
    )
    assert parse_url("https://mall.jd.com/index-1000123.html")[0] == parse_url("shop.m.jd.com/?shopId=1000123")[0]


@pytest.mark.parametrize(
    "typed", ["", "Yiliangou Online Mall", "易联购", "localhost", "http://", "https://[::1", "a.b"]
)
def test_not_a_link(typed):
    with pytest.raises(InvalidIdentifier) as error:
        parse_url(typed)
    assert error.value.message == ids.MSG_URL


# --- Payee accounts and claims -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kind", "normalized"),
    [
        ("138 0013 8000", ids.PHONE, "+8613800138000"),
        ("支付宝：13800138000", ids.PHONE, "+8613800138000"),
        ("Yi.Liangou@QQ.com", ids.EMAIL, "yi.liangou@qq.com"),
        ("1230000109", ids.WECHAT_PAY_MCH, "1230000109"),
        ("1012345678", ids.WECHAT_PAY_MCH, "1012345678"),  # not a Beijing landline missing its 0
        ("商户号：1230000109", ids.WECHAT_PAY_MCH, "1230000109"),
        ("商户号 1230000109", ids.WECHAT_PAY_MCH, "1230000109"),
        ("4111 1111 1111 1111", ids.BANK_CARD, "4111111111111111"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", ids.WALLET, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        ("0xAbCdEf0123456789abcdef0123456789ABCDEF01", ids.WALLET, "0xabcdef0123456789abcdef0123456789abcdef01"),
        ("收款方：深圳市易联购科技有限公司", ids.NAME, "易联购"),
        ("张三", ids.PAYEE_NAME, "张三"),
        ("收款方：阿梅海鲜店", ids.NAME, "阿梅海鲜"),
    ],
)
def test_parse_payee_reads_what_the_account_is(typed, kind, normalized):
    parsed = parse_payee(typed)
    assert (parsed.kind, parsed.normalized) == (kind, normalized)


def test_a_payee_name_has_its_pinyin():
    assert parse_payee("深圳市易联购科技有限公司") == Parsed(ids.NAME, "易联购", "yiliangou")


@given(st.text())
def test_parse_payee_raises_only_when_nothing_is_left(text):
    try:
        parsed = parse_payee(text)
    except InvalidIdentifier as error:
        assert error.code == ids.EMPTY
        assert normalize_name(text) == ""
    else:
        assert parsed.normalized
        assert normalize_name(text) or parsed.kind != ids.NAME


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("merchant_name", "易聯購官方旗艦店", [Parsed(ids.NAME, "易联购", "yiliangou")]),
        ("mini_program_name", "Yiliangou Online Mall", [Parsed(ids.NAME, "yiliangou", "yiliangou")]),
        ("company_name", "深圳市易联购科技有限公司", [Parsed(ids.NAME, "易联购", "yiliangou")]),
        ("app_id", "AppID: WX1234567890ABCDEF", [Parsed(ids.APP_ID, "wx1234567890abcdef")]),
        ("shop_url", "shop12345.taobao.com", [Parsed(ids.SHOP_ID, "taobao:12345"), Parsed(ids.DOMAIN, "taobao.com")]),
        ("merchant_phone", "+86 138-0013-8000", [Parsed(ids.PHONE, "+8613800138000")]),
        ("wechat_id", "Yiliangou_88", [Parsed(ids.WECHAT_ID, "yiliangou_88")]),
        ("payee_account", "13800138000", [Parsed(ids.PHONE, "+8613800138000")]),
        ("company_uscc", "91110000600037341l", [Parsed(ids.USCC, "91110000600037341L")]),
        ("merchant_name", "   ", []),
        ("merchant_name", "【】", []),
        ("app_id", "\u200b", []),
        ("company_uscc", "", []),
    ],
)
def test_parse_claim(field, typed, expected):
    assert parse_claim(field, typed) == expected


@pytest.mark.parametrize(
    ("field", "typed", "code"),
    [
        ("app_id", "wx123", ids.INVALID),
        ("company_uscc", "91110000600037341K", ids.CHECKSUM),
        ("merchant_phone", "12345", ids.INVALID),
        ("wechat_id", "易联购客服", ids.INVALID),
        ("shop_url", "易联购", ids.INVALID),
        ("payee_account", "【】", ids.EMPTY),
    ],
)
def test_parse_claim_refuses_what_cannot_be_what_its_field_says(field, typed, code):
    with pytest.raises(InvalidIdentifier) as error:
        parse_claim(field, typed)
    assert error.value.code == code
    assert str(error.value) == str(error.value.message)


def test_parse_claim_keeps_keys_within_the_column():
    (parsed,) = parse_claim("merchant_name", "易" * 400)
    assert len(parsed.normalized) <= ids.MAX_LENGTH
    assert len(parsed.pinyin) <= ids.MAX_LENGTH


def test_parse_claim_knows_its_fields():
    with pytest.raises(KeyError):
        parse_claim("narrative", "易联购")


# --- Masks ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "normalized", "masked"),
    [
        (ids.PHONE, "+8613800138000", "+86 138****8000"),
        (ids.BANK_CARD, "6222021234567890128", "6222 **** **** 0128"),
        (ids.EMAIL, "yiliangou@example.com", "y***@example.com"),
        (ids.WECHAT_ID, "yiliangou_88", "yi****88"),
        (ids.WALLET, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TR7NHq…Lj6t"),
        (ids.WECHAT_PAY_MCH, "1230000190", "12******90"),
        (ids.APP_ID, "wx1234567890abcdef", "wx1234567890abcdef"),
        (ids.USCC, "91110000600037341L", "91110000600037341L"),
        (ids.SHOP_ID, "taobao:12345", "taobao:12345"),
        (ids.WEBSITE, "yiliangou.com", "yiliangou.com"),
        (ids.NAME, "易联购", "易联购"),
    ],
)
def test_mask(kind, normalized, masked):
    assert mask(kind, normalized) == masked


def digits(text):
    return re.sub(r"\D", "", text)


@given(mobiles | st.sampled_from(["1012345678", "75512345678", "4008008888"]))
def test_a_masked_phone_never_shows_the_whole_number(national):
    masked = mask(ids.PHONE, normalize_phone(national))
    assert national not in digits(masked)
    assert "*" in masked


@given(cards)
def test_a_masked_card_never_shows_the_whole_number(card):
    masked = mask(ids.BANK_CARD, card)
    assert card not in digits(masked)
    assert len(digits(masked)) <= 8


@given(st.sampled_from([ids.WECHAT_ID, ids.WECHAT_PAY_MCH, ids.PHONE]), st.text(alphabet="0123456789abc", max_size=12))
def test_a_masked_value_never_shows_the_whole_value(kind, value):
    assert not value or value not in mask(kind, value)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("张三 13812345678", "张三 ***"),
        ("阿梅 +86 138-0013-8000 海鲜", "阿梅 *** 海鲜"),
        ("卡号6222020000000000000", "卡号***"),
        ("wxid_abc123 的小店", "*** 的小店"),
        ("易联购2号店", "易联购2号店"),
        ("Shop 1688", "Shop 1688"),
    ],
)
def test_scrub_personal_hides_numbers_and_addresses_in_names(typed, shown):
    assert ids.scrub_personal(typed) == shown
