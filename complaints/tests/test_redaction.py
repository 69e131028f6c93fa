import datetime
import itertools
import random
import re
import unicodedata
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric

from complaints.redaction import KINDS, Finding, find_pii, redact

CLEAN = (Path(__file__).parent / "data" / "clean_narratives.txt").read_text(encoding="utf-8").splitlines()

# --- Writing PII the ways people do (shared by the property tests and measure()) --------------------------------

MOBILE_PREFIXES = ["130", "133", "135", "138", "139", "147", "150", "158", "166", "177", "180", "186", "189", "199"]
COUNTRY_CODES = ["", "+86", "+86 ", "+86-", "0086 ", "0086", "0086-", "86 ", "(+86) ", "(+86)"]
SEPARATORS = ["", " ", "-", ".", "  ", "\u00a0"]
RID_AREAS = ["110105", "310115", "440305", "510107", "330106", "420106", "370102", "130102"]
CARD_PREFIXES = ["622202", "621700", "622848", "436742", "518710", "621483", "625807"]
# Area code, subscriber length.
LANDLINE_AREAS = [("010", 8), ("021", 8), ("020", 8), ("0755", 8), ("0571", 8), ("028", 8), ("0512", 8), ("0931", 7)]
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.cn", "example.com.cn"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def full_width(text):
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def styled(text, *, full, zero_width):
    """`text` as pasted from a chat: full-width, or with a zero-width character after every character."""
    if zero_width:
        text = zero_width.join(text)
    return full_width(text) if full else text


def mobile_groupings(number):
    return [
        [number[:3], number[3:7], number[7:]],
        [number],
        [number[:3], number[3:]],
        [number[:7], number[7:]],
    ]


def card_groupings(card):
    return [[card], [card[i : i + 4] for i in range(0, len(card), 4)]]


def rid_groupings(value):
    return [[value], [value[:6], value[6:14], value[14:]]]


def resident_id(area, birth, serial):
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def luhn_card(prefix, middle):
    body = prefix + middle
    return body + luhn.calc_check_digit(body)


def wrong_last(value):
    """The same number with a wrong check character."""
    last = value[-1].upper()
    return value[:-1] + ("0" if last == "X" else str((int(last) + 1) % 10))


def compact(text):
    """What is left to read in a redacted text: NFKC, no invisible characters, no separators."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and not ch.isspace() and ch not in "-.()+")


def covered(findings, start, end):
    """Whether the findings together cover text[start:end]."""
    return all(any(f.start <= i < f.end for f in findings) for i in range(start, end))


# --- Masks, offsets and formats ---------------------------------------------------------------------------------

VALID_RID = resident_id("110105", datetime.date(1949, 12, 31), 2)  # 11010519491231002X
VALID_CARD = luhn_card("622202", "123456789012")  # 6222021234567890128


def test_the_fixtures_are_what_they_claim():
    assert VALID_RID == "11010519491231002X"
    assert ric.is_valid(VALID_RID)
    assert not ric.is_valid(wrong_last(VALID_RID))
    assert luhn.is_valid(VALID_CARD)
    assert not luhn.is_valid(wrong_last(VALID_CARD))


@pytest.mark.parametrize(
    ("text", "redacted", "kind"),
    [
        ("电话13812345678找他", "电话138****5678找他", "mobile"),
        ("手机：138-1234-5678。", "手机：138****5678。", "mobile"),
        ("手机 138.1234.5678", "手机 138****5678", "mobile"),
        ("１３８－１２３４－５６７８", "138****5678", "mobile"),
        ("138\u200b1234\u200b5678", "138****5678", "mobile"),
        ("+86 138 1234 5678", "+86 138****5678", "mobile"),
        ("请拨(+86) 138 1234 5678", "请拨+86 138****5678", "mobile"),
        ("0086-13812345678", "+86 138****5678", "mobile"),
        ("我的邮箱是13812345678@163.com", "我的邮箱是1***@163.com", "email"),
        ("座机0755-87654321", "座机0755-****4321", "landline"),
        ("(010) 1234 5678", "010-****5678", "landline"),
        ("+86 10 1234 5678", "010-****5678", "landline"),
        ("家里电话02187654321", "家里电话021-****4321", "landline"),
        ("电话 8765 4321", "电话 ****4321", "landline"),
        (f"身份证{VALID_RID}号", "身份证110105**********2X号", "resident_id"),
        (f"身份证号 {VALID_RID.lower()}", "身份证号 110105**********2X", "resident_id"),
        ("身份证 110105 19491231 002X", "身份证 110105**********2X", "resident_id"),
        (f"卡号{VALID_CARD}", "卡号6222 **** **** 0128", "bank_card"),
        ("卡号 6222-0212-3456-7890-128", "卡号 6222 **** **** 0128", "bank_card"),
        ("邮箱Zhang.San@Example.com联系", "邮箱Z***@Example.com联系", "email"),
        ("邮箱ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "邮箱z***@qq.com", "email"),
        ("微信号：zhangsan_88", "微信号：zh****88", "wechat_id"),
        ("加我微信abc123", "加我微信a****3", "wechat_id"),
        ("加我vx: abc12345", "加我vx: ab****45", "wechat_id"),
        ("V信 xiaomei2024", "V信 xi****24", "wechat_id"),
        ("WeChat ID: zhangsan", "WeChat ID: zh****an", "wechat_id"),
        ("转账前他发来wxid_abcd1234efgh", "转账前他发来wx****gh", "wechat_id"),
        ("QQ：123456789", "QQ：12****89", "qq"),
        ("扣扣 98765432", "扣扣 98****32", "qq"),
        ("qq号12345", "qq号1****5", "qq"),
    ],
)
def test_each_kind_is_found_and_masked(text, redacted, kind):
    assert redact(text) == redacted
    assert [finding.kind for finding in find_pii(text)] == [kind]


def test_offsets_are_in_the_original_text():
    phone, email = "＋８６　１３８\u200b１２３４\u200b５６７８", "li.si@example.com"
    text = f"联系我：{phone}，或发邮件到 {email}。"
    at_phone, at_email = text.index(phone), text.index(email)
    assert find_pii(text) == [
        Finding("mobile", at_phone, at_phone + len(phone)),
        Finding("email", at_email, at_email + len(email)),
    ]


def test_findings_are_in_order_and_every_kind_is_listed():
    text = f"QQ 123456 微信 wx_abc123 电话13812345678 卡号 {VALID_CARD} 身份证{VALID_RID} a@b.cn 座机010-87654321"
    kinds = [finding.kind for finding in find_pii(text)]
    assert kinds == ["qq", "wechat_id", "mobile", "bank_card", "resident_id", "email", "landline"]
    assert set(kinds) | {"known"} == set(KINDS)


# --- Recall over precision: failing checks are masked too ------------------------------------------------------


def test_an_id_with_a_wrong_check_digit_is_still_masked():
    wrong = wrong_last(VALID_RID)
    assert redact(f"身份证{wrong}") == "身份证110105**********20"
    assert redact("身份证 110105 19900307 123x") == "身份证 110105**********3X"


def test_a_card_failing_luhn_is_still_masked():
    wrong = wrong_last(VALID_CARD)
    assert redact(f"打款到{wrong}") == "打款到6222 **** **** 0129"
    assert redact("卡 6222 0212 3456 7891") == "卡 6222 **** **** 7891"


def test_a_luhn_valid_number_without_an_order_cue_is_a_card():
    assert redact(f"转到{VALID_CARD}了") == "转到6222 **** **** 0128了"
    assert [finding.kind for finding in find_pii(VALID_CARD)] == ["bank_card"]


# --- Precision: what a reader needs stays ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "付款6999元",
        "价格¥1,299.00，数量2件",
        "损失7000000越南盾",
        "2024年5月3日下单",
        "2024-05-03 19:30 付款",
        "日期20240503",
        "活动时间2024.05.03-2024.05.10",
        "2024-05-03-2024-05-10",
        "iPhone 15 Pro Max 256GB 9999元",
        "单价15.8元/斤，涨了85%",
        f"订单号：{VALID_CARD}",
        f"订单号 {wrong_last(VALID_CARD)}",
        "订单编号 3719 2240 1108 6654",
        "Order number: 4928810376651203",
        "order #2024050312345678",
        "快递单号 SF1234567890123",
        "快递单号 SF8613812345678",
        "运单号：8613812345678",
        "运单号：75312345678901",
        "tracking number YT7412589630147",
        "交易单号 4200001234202405031234567890",
        "客服热线400-820-8820",
        "用微信支付了299元，在微信小程序下单",
        "WeChat: refused to refund",
        "I paid on WeChat before they vanished",
        "序号 123456 78901234 5678",
    ],
)
def test_amounts_dates_orders_and_models_are_left_alone(text):
    assert find_pii(text) == []
    assert redact(text) == text


def test_a_checked_resident_id_or_a_mobile_is_masked_even_after_an_order_cue():
    assert redact(f"订单{VALID_RID}") == "订单110105**********2X"
    assert redact("快递：13812345678") == "快递：138****5678"


def test_an_order_cue_covers_only_its_own_number():
    text = "订单号 2024050312345678 联系电话 13812345678"
    assert redact(text) == "订单号 2024050312345678 联系电话 138****5678"
    # In the same run of digits a phone still counts; a card-like tail of the order number does not.
    assert redact("订单号 2024 0503 1234 5678 9012 13812345678") == "订单号 2024 0503 1234 5678 9012 138****5678"


@pytest.mark.parametrize("number", range(len(CLEAN)), ids=lambda n: f"line{n + 1}")
def test_nothing_is_masked_in_a_clean_narrative(number):
    narrative = CLEAN[number]
    assert find_pii(narrative) == [], narrative


def test_the_clean_set_is_200_narratives_about_20_of_them_english():
    assert len(CLEAN) == len(set(CLEAN)) == 200
    assert 15 <= sum(1 for line in CLEAN if not re.search("[\u4e00-\u9fff]", line)) <= 25


# --- The complainant's own contact values ----------------------------------------------------------------------


def test_known_values_are_masked_wherever_they_appear():
    known = ["上海市浦东新区张江路88弄3号1201室", "+86 139-0000-1234", "ZS@qq.com"]
    text = "请寄到上海市 浦东新区张江路８８弄３号 1201室，电话13900001234，邮箱 zs@QQ.com，再说一遍：13900001234"
    assert redact(text, known=known) == "请寄到***，电话***，邮箱 ***，再说一遍：***"
    assert [finding.kind for finding in find_pii(text, known=known)] == ["known"] * 4


def test_a_known_landline_is_matched_without_its_trunk_zero():
    assert redact("单位 +86 21 8765 4321", known=["021-87654321"]) == "单位 ***"


def test_known_values_too_short_to_mean_anything_are_ignored():
    assert redact("3号楼1单元", known=["3号", "", " "]) == "3号楼1单元"


def test_a_known_value_merges_with_what_it_overlaps():
    # The address contains the start of a phone: one finding, masked whole.
    text = "地址建国路88号13812345678"
    assert find_pii(text, known=["建国路88号1381"]) == [Finding("known", 2, 19)]
    assert redact(text, known=["建国路88号1381"]) == "地址***"


# --- Properties ------------------------------------------------------------------------------------------------

# Random Chinese and English text around the planted value; no digits, or the value would be a different number.
filler = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
    | st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ，。！？、：（）,.!?:;()\n"),
    max_size=20,
)
formats = st.fixed_dictionaries({"full": st.booleans(), "zero_width": st.sampled_from(["", *ZERO_WIDTH])})


# After these the number is an order or tracking number, left alone on purpose (Hypothesis draws words from the
# module's source, so random text does end with them).
ORDER_CUE_AT_END = re.compile(r"(订单|单号|流水号|快递|运单|物流|order|tracking|waybill)\W{0,6}[A-Za-z]{0,4}$", re.I)


def assert_masked(before, typed, after, digits, mask):
    assume(not ORDER_CUE_AT_END.search(before))
    text = before + typed + after
    start, end = len(before), len(before) + len(typed)
    findings = find_pii(text)
    assert covered(findings, start, end), (text, findings)
    redacted = redact(text)
    assert digits not in compact(redacted)
    assert mask in redacted


@settings(max_examples=150)
@given(
    filler,
    filler,
    st.sampled_from(RID_AREAS),
    st.dates(datetime.date(1950, 1, 1), datetime.date(2008, 12, 31)),
    st.integers(0, 999),
    st.data(),
)
def test_valid_resident_ids_are_always_masked(before, after, area, birth, serial, data):
    value = resident_id(area, birth, serial)
    if not ric.is_valid(value):
        value = resident_id("110105", birth, serial)  # 朝阳区 existed for every birth date drawn
    groups = data.draw(st.sampled_from(rid_groupings(data.draw(st.sampled_from([value, value.lower()])))))
    typed = styled(data.draw(st.sampled_from([" ", "", "-"])).join(groups), **data.draw(formats))
    assert_masked(before, typed, after, value, value[:6] + "*" * 10 + value[-2:])


@settings(max_examples=150)
@given(
    filler,
    filler,
    st.sampled_from(MOBILE_PREFIXES),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(COUNTRY_CODES),
    st.sampled_from(SEPARATORS),
    st.data(),
)
def test_mobiles_in_any_common_format_are_always_masked(before, after, prefix, rest, country, separator, data):
    number = prefix + rest
    groups = data.draw(st.sampled_from(mobile_groupings(number)))
    typed = styled(country + separator.join(groups), **data.draw(formats))
    assert_masked(before, typed, after, number, f"{number[:3]}****{number[-4:]}")


@settings(max_examples=150)
@given(
    filler,
    filler,
    st.sampled_from(CARD_PREFIXES),
    st.integers(9, 12).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)),
    st.sampled_from(["", " ", "-", "  "]),
    st.data(),
)
def test_luhn_valid_cards_are_always_masked(before, after, prefix, middle, separator, data):
    card = luhn_card(prefix, middle)
    groups = data.draw(st.sampled_from(card_groupings(card)))
    typed = styled(separator.join(groups), **data.draw(formats))
    assert_masked(before, typed, after, card, f"{card[:4]} **** **** {card[-4:]}")


@settings(max_examples=150)
@given(
    filler,
    filler,
    st.from_regex(r"[a-z0-9][a-z0-9._-]{0,14}[a-z0-9]", fullmatch=True),
    st.sampled_from(EMAIL_DOMAINS),
    st.booleans(),
    st.booleans(),
)
def test_emails_are_always_masked(before, after, local, domain, upper, full):
    address = f"{local}@{domain}"
    typed = styled(address.upper() if upper else address, full=full, zero_width="")
    text = before + typed + after
    findings = find_pii(text)
    assert covered(findings, len(before), len(before) + len(typed)), (text, findings)
    assert f"{local}@".lower() not in compact(redact(text)).lower()


@settings(max_examples=150)
@given(filler, filler, st.lists(st.sampled_from([" ", "", "\u200b", "\u3000"]), min_size=5, max_size=5))
def test_a_known_address_is_always_masked_however_it_is_spaced(before, after, gaps):
    parts = ["广东省", "深圳市", "南山区", "科技园路", "18号"]
    typed = "".join(part + gap for part, gap in zip(parts, gaps, strict=True)).rstrip(" \u3000\u200b")
    text = before + typed + after
    findings = find_pii(text, known=["".join(parts)])
    assert covered(findings, len(before), len(before) + len(typed))
    assert "科技园路" not in redact(text, known=["".join(parts)])


@given(st.text(), st.lists(st.text(), max_size=3))
def test_findings_are_sorted_disjoint_and_inside_the_text(text, known):
    findings = find_pii(text, known=known)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.kind in KINDS
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
    redacted = redact(text, known=known)
    if not findings:
        assert redacted == text
    else:
        # What lies outside the findings is kept as typed.
        assert redacted.startswith(text[: findings[0].start])
        assert redacted.endswith(text[findings[-1].end :])


# --- Recall and precision on labelled sets ---------------------------------------------------------------------

CONTEXT_ZH = [
    "我在{date}通过小程序下单了{model}，付款{amount}，{order}，商家一直没有发货。",
    "{date}参加了团购活动，花了{amount}买了套餐券，到店被告知不能用。",
    "在直播间买的{model}是假货，{order}，价格{amount}，商家拒绝退款。",
    "申请退款{amount}已经{days}天了，{tracking}，商家说没收到货。",
    "注册APP后{days}天内接到{count}个推销电话，怀疑信息泄露。",
    "预售说{date}前发货，实付{amount}，现在还没发。",
]
CONTEXT_EN = [
    "I paid {amount} for {model} on {date_en} and it never arrived ({order_en}).",
    "The refund of {amount} has been pending for {days} days; {tracking_en}.",
    "The group-buy voucher I bought for {amount} was refused at the shop on {date_en}.",
]
CUES = {
    "mobile": ["我的手机", "联系电话：", "手机号 ", "电话", "打", "my phone is ", "call me at "],
    "landline": ["座机：", "单位电话 ", "家里电话", "landline: "],
    "resident_id": ["身份证号：", "身份证", "ID number ", "他们要了我的身份证号码 "],
    "resident_id_wrong_check": ["身份证号：", "身份证 "],
    "bank_card": ["我的银行卡", "卡号：", "退款请打到 ", "card "],
    "bank_card_wrong_luhn": ["卡号 ", "银行卡号："],
    "email": ["邮箱", "邮箱：", "email me at ", "发到 "],
    "wechat_id": ["微信号：", "加我微信", "vx: ", "V信 ", "WeChat ID: ", "微信 "],
    "wxid": ["对方是", "好友 "],
    "qq": ["QQ：", "qq号 ", "扣扣", "QQ "],
    "known_address": ["寄到", "地址：", "收货地址 ", "ship to "],
}
ADDRESSES = [
    "北京市朝阳区建国路88号SOHO现代城5号楼1203",
    "上海市浦东新区张江路665弄3号1201室",
    "成都市武侯区人民南路四段27号",
]


def _mobile(rng):
    number = rng.choice(MOBILE_PREFIXES) + "".join(rng.choices("0123456789", k=8))
    typed = rng.choice(COUNTRY_CODES) + rng.choice(SEPARATORS).join(rng.choice(mobile_groupings(number)))
    return typed, []


def _landline(rng):
    while True:
        area, length = rng.choice(LANDLINE_AREAS)
        subscriber = rng.choice("2345678") + "".join(rng.choices("0123456789", k=length - 1))
        if phonenumbers.is_valid_number(phonenumbers.parse(area + subscriber, "CN")):
            break
    half = len(subscriber) - 4
    formats = [f"{area}-{subscriber}", f"({area}) {subscriber[:half]} {subscriber[half:]}", f"{area} {subscriber}"]
    formats += [f"+86 {area[1:]} {subscriber[:half]} {subscriber[half:]}", area + subscriber]
    return rng.choice(formats), []


def _resident_id(rng, *, wrong=False):
    while True:
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 58))
        value = resident_id(rng.choice(RID_AREAS), birth, rng.randrange(1000))
        if ric.is_valid(value):
            break
    value = wrong_last(value) if wrong else value
    return rng.choice([" ", ""]).join(rng.choice(rid_groupings(rng.choice([value, value.lower()])))), []


def _card(rng, *, wrong=False):
    card = luhn_card(rng.choice(CARD_PREFIXES), "".join(rng.choices("0123456789", k=rng.randint(9, 12))))
    card = wrong_last(card) if wrong else card
    return rng.choice([" ", "-", ""]).join(rng.choice(card_groupings(card))), []


def _email(rng):
    local = rng.choice(["zhang", "li.si", "wang_wu", "chen88", "x"]) + str(rng.randrange(100))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}", []


def _wechat(rng):
    letters = "abcdefghijklmnopqrstuvwxyz"
    tail = "".join(rng.choices(letters + "0123456789_", k=rng.randint(4, 14)))
    return rng.choice(letters) + rng.choice(letters) + tail + rng.choice("0123456789"), []


def _wxid(rng):
    return "wxid_" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=14)), []


def _qq(rng):
    return rng.choice("123456789") + "".join(rng.choices("0123456789", k=rng.randint(4, 9))), []


def _known_address(rng):
    address = rng.choice(ADDRESSES)
    typed = "".join(ch + (" " if rng.random() < 0.15 else "") for ch in address).strip()
    return typed, [address]


GENERATORS = {
    "mobile": _mobile,
    "landline": _landline,
    "resident_id": _resident_id,
    "resident_id_wrong_check": lambda rng: _resident_id(rng, wrong=True),
    "bank_card": _card,
    "bank_card_wrong_luhn": lambda rng: _card(rng, wrong=True),
    "email": _email,
    "wechat_id": _wechat,
    "wxid": _wxid,
    "qq": _qq,
    "known_address": _known_address,
}


def _context(rng):
    date = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(600))
    order = luhn_card("", "".join(rng.choices("0123456789", k=rng.randint(15, 18))))
    values = {
        "date": rng.choice([f"{date:%Y年%-m月%-d日}", f"{date:%Y-%m-%d}", f"{date:%Y%m%d}", f"{date:%Y.%m.%d} 19:30"]),
        "date_en": f"{date:%B %-d, %Y}",
        "model": rng.choice(["iPhone 15 Pro Max 256GB", "戴森V12吸尘器", "Switch OLED", "华为MateBook 14", "RTX 4090"]),
        "amount": rng.choice(["6999元", "¥1,299.00", "7000000越南盾", "15.8元/斤", "2.4万元", "388元（85%定金）"]),
        "order": rng.choice([f"订单号：{order}", f"订单号 {order}", f"订单编号{order}", f"单号 DD{order}"]),
        "order_en": rng.choice([f"order #{order}", f"order number: {order}"]),
        "tracking": rng.choice([f"快递单号 SF{order[:13]}", f"运单号：{order[:14]}"]),
        "tracking_en": f"tracking number YT{order[:13]}",
        "days": rng.randint(3, 90),
        "count": rng.randint(5, 40),
    }
    english = rng.random() < 0.15
    return rng.choice(CONTEXT_EN if english else CONTEXT_ZH).format(**values)


def labelled_narratives(seed=20240503, count=1000):
    """`count` narratives, each with 1-3 planted PII items among amounts, dates, order and tracking numbers:
    (text, known values, [(kind, start, end)])."""
    rng = random.Random(seed)
    for _ in range(count):
        text, known, planted = _context(rng), [], []
        for kind in rng.choices(list(GENERATORS), k=rng.randint(1, 3)):
            typed, values = GENERATORS[kind](rng)
            full, zero_width = rng.random() < 0.15, rng.choice(["", "", "", "", *ZERO_WIDTH])
            if kind.startswith(("email", "known")):
                zero_width = ""  # an invisible character inside a word: nobody types it, NFKC keeps words
            typed = styled(typed, full=full, zero_width=zero_width)
            text += rng.choice(CUES[kind])
            planted.append((kind, len(text), len(text) + len(typed)))
            known += values
            text += typed + rng.choice(["，", "。", " ", "找他", "! ", "；"]) + _context(rng)
        yield text, known, planted


def measure(*, seed=20240503, count=1000):
    """Recall per planted kind over the labelled set, precision (findings that are planted PII over all findings)
    over it, and false masks over the 200 clean narratives."""
    planted_total, planted_found, findings_total, findings_true = {}, {}, 0, 0
    for text, known, planted in labelled_narratives(seed, count):
        findings = find_pii(text, known=known)
        for kind, start, end in planted:
            planted_total[kind] = planted_total.get(kind, 0) + 1
            planted_found[kind] = planted_found.get(kind, 0) + covered(findings, start, end)
        findings_total += len(findings)
        findings_true += sum(any(f.start < end and start < f.end for _k, start, end in planted) for f in findings)
    clean_findings = [(line, find_pii(line)) for line in CLEAN]
    return {
        "recall": {kind: (planted_found[kind], planted_total[kind]) for kind in sorted(planted_total)},
        "recall_overall": sum(planted_found.values()) / sum(planted_total.values()),
        "precision_labelled": findings_true / findings_total,
        "findings_labelled": findings_total,
        "clean_narratives": len(CLEAN),
        "clean_false_masks": sum(len(found) for _line, found in clean_findings),
    }


def test_recall_and_precision():
    figures = measure()
    print(f"\nredaction recall over {sum(total for _f, total in figures['recall'].values())} planted items:")
    for kind, (found, total) in figures["recall"].items():
        print(f"  {kind:<24} {found}/{total} = {found / total:.3f}")
    print(f"  overall                  {figures['recall_overall']:.3f}")
    print(
        f"precision on the labelled set: {figures['precision_labelled']:.3f} of {figures['findings_labelled']} findings"
    )
    print(f"false masks on {figures['clean_narratives']} clean narratives: {figures['clean_false_masks']}")
    assert all(found == total for found, total in figures["recall"].values()), figures["recall"]
    assert figures["precision_labelled"] == 1.0
    assert figures["clean_false_masks"] == 0
