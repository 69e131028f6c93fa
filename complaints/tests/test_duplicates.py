import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bench.phash.make_screenshots import jpeg, png, resized, screenshot
from complaints import duplicates, processing
from complaints.duplicates import (
    NARRATIVE_THRESHOLD,
    PHASH_THRESHOLD,
    is_near_duplicate_narrative,
    is_near_duplicate_picture,
    narrative_similarity,
    normalise_narrative,
    phash_distance,
)

# The labelled set NARRATIVE_THRESHOLD is tuned on. Copies: one victim's account pasted by another with their own
# name, product, date or amount, a line added or dropped, spacing and punctuation retyped. Independent: another
# victim of the same scam telling it in their own words, naming the same shop, group, people and amounts.
COPIES = [
    (
        "我在微信小程序“优品汇”买了两箱进口车厘子，付款368元，商家说三天内发货，到现在二十天了还没发货，客服一直不回复，申请退款也不处理。",
        "我在微信小程序“优品汇”买了一箱进口车厘子，付款198元，商家说三天内发货，到现在十五天了还没发货，客服一直不回复，申请退款也不处理。",
    ),
    (
        "在“幸福团购3群”里跟团买洗衣液，团长张某说满50人就发货，我微信转账给他89元。后来群解散了，团长把我拉黑，联系不上。",
        "在“幸福团购3群”里跟团买洗发水，团长张某说满50人就发货，我微信转账给他120元。后来群解散了，团长把我拉黑，联系不上！",
    ),
    (
        "I ordered wireless earbuds from Xingchen Digital on 3 May and paid 299 yuan by WeChat Pay. The seller "
        "promised delivery in 7 days. Nothing arrived and customer service blocked me when I asked for a refund.",
        "I ordered a smart watch from Xingchen Digital on 12 May and paid 459 yuan by WeChat Pay. The seller promised "
        "delivery in 7 days. Nothing arrived and customer service blocked me when I asked for a refund.",
    ),
    (
        "大家好，我是受害者之一。2025年5月在抖音直播间“美丽美妆”下单面霜，付款259元，收到的是假货，找商家退货被拒绝，平台客服也不管。",
        "我是受害者。2025年6月在抖音直播间“美丽美妆”下单精华液，付款318元，收到的是假货，找商家退货被拒绝，平台客服也不管，希望有关部门处理。",
    ),
    (
        "商家“恒通家居”预售沙发，定金500元，尾款2800元，承诺45天发货，已经过去三个月没有发货，电话13812345678打不通，门店也关了。",
        "商家“恒通家居”预售床垫，定金300元，尾款1500元，承诺45天发货，已经过去三个月没有发货，电话13812345678打不通，门店也关了",
    ),
    (
        "Paid 1,299 yuan deposit for a group-buy air fryer in the Yangmao Fuli group. The organiser Li said delivery "
        "after 100 people joined. Group dissolved, Li deleted me.",
        "paid 899 yuan deposit for a group buy air fryer in the yangmao fuli group ... the organiser Wang said "
        "delivery after 100 people joined; group dissolved, Wang deleted me",
    ),
    (
        "加了客服微信 kefu_amy88 领优惠券，对方让我先扫码付款99元会员费，说返现200元，付款后就被删除好友了。",
        "加了客服微信 kefu_amy88 领优惠券，对方让我先扫码付199元会员费，说返现300元，付完就被删除好友了。",
    ),
    (
        "ｗｏ zai Kuaile Snack House mai le ling shi, fu kuan 88 yuan, yi zhi mei fa huo, ke fu bu hui xiao xi.",
        "wo zai Kuaile Snack House mai le lingshi, fukuan 120 yuan, yizhi mei fahuo, kefu bu hui xiaoxi.",
    ),
    (
        "本人于2025年5月3日在拼多多店铺“嘉嘉水果直发”购买车厘子，支付158元，商家至今未发货，联系客服无人回复，要求全额退款。",
        "本人于2025年6月18日在拼多多店铺“嘉嘉水果直发”购买芒果，支付76元，商家至今未发货，联系客服无人回复，要求全额退款。"
        "我已经向12315投诉。",
    ),
    (
        "My name is Chen Jie. I paid 2,000 yuan to Meili Beauty Outlet for a beauty course on 2 March. They promised a "
        "full refund if I was not satisfied, but after the first class they stopped answering and removed me from the "
        "WeChat group.",
        "My name is Zhou Min. I paid 3,500 yuan to Meili Beauty Outlet for a beauty course on 20 April. They promised "
        "a full refund if I was not satisfied, but after the first class they stopped answering and removed me from "
        "the WeChat group. Please help us.",
    ),
    (
        "在“果园直供2群”团购的橙子，付了65元，团长说周五送到，结果一直没到，问团长就说再等等，现在群主已经退群了。",
        "在“果园直供2群”团购的苹果，付了130元，团长说周日送到，结果一直没到，问团长就说再等等，现在群主已经退群，群也解散了。",
    ),
]
INDEPENDENT = [
    (
        COPIES[0][0],
        "优品汇小程序卖的车厘子，我付了钱之后一直不发货，找客服也没人回，快一个月了，退款申请被拒绝了，大家小心这个商家。",
    ),
    (COPIES[1][0], "团长张某在幸福团购3群组织团购，我转了89元买洗衣液，一直没到货。现在群没了，张某也把我拉黑了。"),
    (
        COPIES[2][0],
        "Xingchen Digital took 299 yuan for earbuds via WeChat Pay and never shipped them. After a week I asked "
        "customer service for a refund and they blocked me.",
    ),
    (COPIES[3][0], "美丽美妆直播间卖假货！我买的面霜和专柜的完全不一样，要求退货商家不同意，投诉到平台也没有结果。"),
    (
        COPIES[4][0],
        "恒通家居跑路了。我去年在他们店订了衣柜，交了全款3600元，说好45天送货安装，现在店关了，电话也打不通。",
    ),
    (
        COPIES[5][0],
        "The Yangmao Fuli group organiser Li collected deposits for an air fryer group buy and disappeared. I paid and "
        "got nothing, the group was dissolved and Li deleted everyone.",
    ),
    (COPIES[6][0], "所谓客服kefu_amy88说交会员费就能返现，我扫码付了99元，钱没返，人也把我删了。"),
    (
        COPIES[7][0],
        "Kuaile Snack House de lingshi wo fukuan le, dan shi mei you fahuo, kefu ye bu huifu, xiwang tuikuan.",
    ),
    (
        COPIES[8][0],
        "2025年5月10日我在拼多多嘉嘉水果直发下单了两箱车厘子共316元，到现在都没有发货，客服也不理人，请帮忙退款。",
    ),
    (
        COPIES[9][0],
        "Meili Beauty Outlet sold me a beauty course for 2,000 yuan with a promise of a full refund. After one class "
        "they stopped answering my messages and removed me from their WeChat group.",
    ),
    (COPIES[10][0], "果园直供2群的团长收了钱不发货。我买了橙子65元，说好周五到，到现在都没收到，团长也退群了。"),
]
# How far the threshold must stay from the closest labelled pair on either side.
NARRATIVE_MARGIN = 2.0


def stored_phash(content: bytes) -> str:
    """The hash the evidence pipeline stores for these bytes."""
    return processing.process_image(io.BytesIO(content)).phash


def hex_with_bits(bits: int) -> str:
    return f"{(1 << bits) - 1:016x}"


# Pictures


def test_phash_distance_counts_differing_bits():
    assert phash_distance("0000000000000000", "0000000000000000") == 0
    assert phash_distance("0000000000000000", "ffffffffffffffff") == 64
    assert phash_distance("ea91cc4e936e84e3", "ea91cc4e936e84e2") == 1
    assert phash_distance("EA91CC4E936E84E3", "ea91cc4e936e84e3") == 0


def test_phash_distance_refuses_hashes_of_different_sizes():
    with pytest.raises(ValueError):
        phash_distance("ea91cc4e936e84e3", "ea91cc4e")


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_phash_distance_is_a_metric(a, b, c):
    a, b, c = (f"{value:016x}" for value in (a, b, c))
    assert phash_distance(a, a) == 0
    assert phash_distance(a, b) == phash_distance(b, a)
    assert phash_distance(a, c) <= phash_distance(a, b) + phash_distance(b, c)


def test_near_duplicate_picture_up_to_the_threshold():
    zero = hex_with_bits(0)
    assert is_near_duplicate_picture(zero, hex_with_bits(PHASH_THRESHOLD))
    assert not is_near_duplicate_picture(zero, hex_with_bits(PHASH_THRESHOLD + 1))


def test_a_missing_hash_matches_nothing():
    assert not is_near_duplicate_picture("", "")
    assert not is_near_duplicate_picture("", hex_with_bits(0))


@pytest.fixture(scope="module")
def chats() -> list[tuple[Image.Image, str]]:
    """Two WeChat chats from two victims of one merchant (same phone, same group, same layout, other messages),
    each with the hash stored for it uploaded as the PNG the phone saved."""
    pictures = [screenshot("wechat_chat", 0), screenshot("wechat_chat", 1)]
    return [(picture, stored_phash(png(picture))) for picture in pictures]


def test_the_same_screenshot_reencoded_and_resized_is_flagged(chats):
    original, original_hash = chats[0]
    copy = jpeg(resized(original, 0.6), 70)
    assert Image.open(io.BytesIO(copy)).size == (648, 1404)
    assert is_near_duplicate_picture(original_hash, stored_phash(copy))


def test_two_different_chats_in_the_same_app_are_not_flagged(chats):
    (_, first), (second_picture, second) = chats
    assert not is_near_duplicate_picture(first, second)
    # Not by a hair: the pair stays apart when one of them is re-encoded and resized too.
    assert not is_near_duplicate_picture(first, stored_phash(jpeg(resized(second_picture, 0.6), 70)))


# Accounts


@pytest.mark.parametrize(("a", "b"), COPIES)
def test_copies_with_edits_are_near_duplicates(a, b):
    assert is_near_duplicate_narrative(a, b)


@pytest.mark.parametrize(("a", "b"), INDEPENDENT)
def test_independent_accounts_of_the_same_scam_are_not(a, b):
    assert not is_near_duplicate_narrative(a, b)


def test_narrative_threshold_sits_inside_the_measured_gap():
    lowest_copy = min(narrative_similarity(a, b) for a, b in COPIES)
    highest_independent = max(narrative_similarity(a, b) for a, b in INDEPENDENT)
    assert highest_independent + NARRATIVE_MARGIN <= NARRATIVE_THRESHOLD <= lowest_copy - NARRATIVE_MARGIN


def test_token_set_ratio_would_not_separate_them():
    """Why fuzz.ratio: on words, token_set_ratio scores an independent account above an edited copy."""
    from rapidfuzz import fuzz

    def words(text: str) -> str:
        return "".join(c if c.isalnum() else " " for c in text.casefold())

    lowest_copy = min(fuzz.token_set_ratio(words(a), words(b)) for a, b in COPIES)
    highest_independent = max(fuzz.token_set_ratio(words(a), words(b)) for a, b in INDEPENDENT)
    assert highest_independent > lowest_copy


def test_short_accounts_are_never_near_duplicates():
    short = "付款后一直不发货，客服不回消息，要求退款。"
    assert len(normalise_narrative(short)) < duplicates.NARRATIVE_MIN_LENGTH
    assert narrative_similarity(short, short + "！") == 100
    assert not is_near_duplicate_narrative(short, short + "！")


def test_normalising_folds_width_case_spacing_and_punctuation():
    assert normalise_narrative("ＷＯ Zai， Kuaile-Snack  House！\n付款８８元。") == "wozaikuailesnackhouse付款88元"


@given(st.text(max_size=80), st.lists(st.sampled_from([" ", "\n", "，", "。", "!", "...", "“", "”", "\u3000"])))
def test_spacing_and_punctuation_change_nothing(text, noise):
    noisy = "".join(noise) + text + "".join(noise)
    assert normalise_narrative(noisy) == normalise_narrative(text)
    assert narrative_similarity(noisy, text) == narrative_similarity(text, text)


@given(st.text(max_size=60), st.text(max_size=60))
def test_narrative_similarity_is_symmetric_and_bounded(a, b):
    score = narrative_similarity(a, b)
    assert 0 <= score <= 100
    assert score == narrative_similarity(b, a)
