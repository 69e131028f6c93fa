"""Builds bench/data/mentions.csv: complaint mentions of fictional merchants, each labelled with its merchant.

    .venv/bin/python bench/make_mentions.py            # rewrites bench/data/mentions.csv

Deterministic: a fixed seed and a hand-written merchant table, so the committed CSV is reproducible. Every
merchant, company, phone, account and address here is invented; check characters (USCC, bank card Luhn, TRON
base58check) are computed so the identifiers are well-formed.

Each mention is what one victim might type into the complaint form: a name in Chinese, pinyin or English with
the usual noise, and zero to three identifiers written the way people write them. The generator keeps every
mention resolvable in file order: after a merchant's first mention, each mention shares an identifier or a
kind of name (Chinese, English, company) with an earlier mention of the same merchant, so a perfect resolver
could score 1.0. Hard negatives are deliberate: same names on different platforms, homophone names on one
platform, and generic names; those merchants are always named with an identifier that tells them apart.
"""

import argparse
import csv
import hashlib
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import phonenumbers
from pypinyin import lazy_pinyin
from stdnum import luhn
from stdnum.cn import uscc

SEED = 20250603
OUTPUT = Path(__file__).resolve().parent / "data" / "mentions.csv"
COLUMNS = [
    "mention_id",
    "merchant",
    "platform",
    "merchant_name",
    "mini_program_name",
    "app_id",
    "shop_url",
    "merchant_phone",
    "wechat_id",
    "payee_account",
    "company_name",
    "company_uscc",
]
MIN_MENTIONS, MAX_MENTIONS, TARGET_TOTAL = 3, 12, 470

# Registration region (GB/T 2260, the USCC's digits 3-8) -> city in Chinese, in English, landline area code.
CITIES = {
    "440300": ("深圳市", "Shenzhen", "0755"),
    "440100": ("广州市", "Guangzhou", "020"),
    "440600": ("佛山市", "Foshan", "0757"),
    "441900": ("东莞市", "Dongguan", "0769"),
    "330100": ("杭州市", "Hangzhou", "0571"),
    "330700": ("金华市", "Jinhua", "0579"),
    "510100": ("成都市", "Chengdu", "028"),
    "430100": ("长沙市", "Changsha", "0731"),
    "310115": ("上海市", "Shanghai", "021"),
    "110105": ("北京市", "Beijing", "010"),
    "120101": ("天津市", "Tianjin", "022"),
    "320100": ("南京市", "Nanjing", "025"),
    "320500": ("苏州市", "Suzhou", "0512"),
    "420100": ("武汉市", "Wuhan", "027"),
    "350200": ("厦门市", "Xiamen", "0592"),
    "350500": ("泉州市", "Quanzhou", "0595"),
    "410100": ("郑州市", "Zhengzhou", "0371"),
    "370200": ("青岛市", "Qingdao", "0532"),
    "500103": ("重庆市", "Chongqing", "023"),
    "610100": ("西安市", "Xi'an", "029"),
    "230100": ("哈尔滨市", "Harbin", "0451"),
    "530100": ("昆明市", "Kunming", "0871"),
    "450100": ("南宁市", "Nanning", "0771"),
}

INDUSTRIES = {
    "科技": "Technology",
    "电子商务": "E-commerce",
    "网络科技": "Network Technology",
    "农业科技": "Agricultural Technology",
    "宠物用品": "Pet Supplies",
    "食品": "Food",
    "汽车服务": "Auto Services",
    "服饰": "Apparel",
    "教育科技": "Education Technology",
    "文化传播": "Culture Communication",
    "贸易": "Trading",
    "生物科技": "Biotechnology",
    "资产管理": "Asset Management",
    "投资咨询": "Investment Consulting",
    "电子": "Electronics",
    "日用品": "Daily Necessities",
    "茶业": "Tea",
    "户外用品": "Outdoor Products",
    "电器": "Electric Appliances",
    "文化": "Culture",
    "厨具": "Kitchenware",
    "家居": "Home Furnishing",
    "家具": "Furniture",
    "农产品": "Agricultural Products",
    "化妆品": "Cosmetics",
    "美容": "Beauty",
    "珠宝": "Jewellery",
    "文化传媒": "Media",
    "百货": "Department Store",
    "旅行社": "Travel Agency",
    "钟表": "Watches",
    "金融信息服务": "Financial Information Services",
    "网络小额贷款": "Online Microcredit",
    "体育科技": "Sports Technology",
}

# Tags: "homophone" (another merchant on the same platform sounds the same), "generic" (a name many shops use),
# "samename" (the same name is another merchant on another platform), "scam" (more victims; crypto or card
# payee). Options: ime (a homophone typo a pinyin keyboard produces), payee (kind), site (domain),
# company (region, core, industry) or None for an unregistered seller, individual (a 个体工商户 instead),
# primary (the claim field a homophone or generic merchant is always named with, when not the first it has of
# app_id, shop_url, wechat_id, payee_account, merchant_phone).
# fmt: off
MERCHANTS = [
    # WeChat mini programs
    ("yiliangou", "wechat_mini_program", "易联购", "yi lian gou", "EasyLink Buy", ("440300", "易联购", "科技"),
     {"ime": "易连购"}),
    ("youpinhui-mp", "wechat_mini_program", "优品汇", "you pin hui", "UPin Hub", ("440100", "优品汇", "电子商务"),
     {"tags": {"homophone", "samename"}}),
    ("youpinhui2-mp", "wechat_mini_program", "优品会", "you pin hui", "Youpin Club", ("330100", "优品会", "网络科技"),
     {"tags": {"homophone"}}),
    ("xianguofang", "wechat_mini_program", "鲜果坊", "xian guo fang", "Fresh Fruit Workshop",
     ("510100", "鲜果坊", "农业科技"), {"ime": "鲜果方"}),
    ("kuailepinpin", "wechat_mini_program", "快乐拼拼", "kuai le pin pin", "Happy Group Buy",
     ("430100", "快乐拼拼", "网络科技"), {}),
    ("mengchongleyuan", "wechat_mini_program", "萌宠乐园", "meng chong le yuan", "Pet Paradise",
     ("310115", "萌宠乐园", "宠物用品"), {"ime": "萌宠乐源"}),
    ("tianmeijia", "wechat_mini_program", "甜美家烘焙", "tian mei jia hong bei", "Sweet Home Bakery",
     ("320100", "甜美家", "食品"), {}),
    ("cheyouhui", "wechat_mini_program", "车友惠", "che you hui", "CarPal Deals", ("420100", "车友惠", "汽车服务"),
     {"ime": "车友会"}),
    ("yunshangyichu", "wechat_mini_program", "云尚衣橱", "yun shang yi chu", "Cloud Wardrobe",
     ("350200", "云尚", "服饰"), {}),
    ("huixiangshenghuo", "wechat_mini_program", "惠享生活", "hui xiang sheng huo", "Smart Living Deals",
     ("410100", "惠享", "电子商务"), {}),
    ("miliketang", "wechat_mini_program", "米粒课堂", "mi li ke tang", "Mili Classroom", ("110105", "米粒", "教育科技"),
     {}),
    ("xingchenpiaowu", "wechat_mini_program", "星辰票务", "xing chen piao wu", "Starry Tickets",
     ("120101", "星辰", "文化传播"), {"tags": {"scam"}}),
    ("tejiahaowu", "wechat_mini_program", "特价好物", "te jia hao wu", "Bargain Finds", ("441900", "特价好物", "贸易"),
     {"tags": {"generic"}}),
    ("jiankanghui", "wechat_mini_program", "健康汇", "jian kang hui", "Health Hub", ("370200", "健康汇", "生物科技"),
     {}),
    # WeChat Moments and chats: mostly unregistered sellers
    ("xiaoyudaigou", "wechat_social", "小雨代购", "xiao yu dai gou", "Rainy Daigou", None, {"payee": "alipay_phone"}),
    ("ameihaixian", "wechat_social", "阿梅海鲜", "a mei hai xian", "Amei Seafood", None,
     {"individual": ("350203", "厦门市思明区阿梅海鲜店", "Xiamen Siming Amei Seafood Shop"), "payee": "card"}),
    ("chayuxuan", "wechat_social", "茶语轩", "cha yu xuan", "Tea Whisper", None, {"payee": "alipay_email"}),
    ("haowufenxiang-a", "wechat_social", "好物分享", "hao wu fen xiang", "Good Stuff Share", None,
     {"tags": {"generic"}, "payee": "card"}),
    ("haowufenxiang-b", "wechat_social", "好物分享", "hao wu fen xiang", "Good Finds", None,
     {"tags": {"generic"}, "payee": "alipay_phone"}),
    ("baomatuangou", "wechat_social", "宝妈团购", "bao ma tuan gou", "Mom's Group Buy", None,
     {"tags": {"generic"}, "payee": "wechat_pay"}),
    ("xindacaifu", "wechat_social", "鑫达财富", "xin da cai fu", "Xinda Wealth", ("440300", "前海鑫达", "资产管理"),
     {"tags": {"homophone", "scam"}, "payee": "tron"}),
    ("xindacaifu2", "wechat_social", "信达财富", "xin da cai fu", "Xinda Fortune", ("310115", "信达", "投资咨询"),
     {"tags": {"homophone", "scam"}, "payee": "tron"}),
    ("ganghuozhiyou", "wechat_social", "港货直邮", "gang huo zhi you", "HK Direct Mail", None, {"payee": "card"}),
    ("zhengpinzhekou", "wechat_social", "正品折扣", "zheng pin zhe kou", "Genuine Discounts", None,
     {"tags": {"generic"}, "payee": "alipay_phone"}),
    # Taobao / Tmall
    ("huajianji", "taobao_tmall", "花间集女装", "hua jian ji nü zhuang", "Flower Collection",
     ("330100", "花间集", "服饰"), {}),
    ("shumaxianfeng-tb", "taobao_tmall", "数码先锋", "shu ma xian feng", "Digital Pioneer",
     ("440300", "数码先锋", "电子"), {"tags": {"samename"}}),
    ("youpinhui-tb", "taobao_tmall", "优品汇", "you pin hui", "Youpinhui Store", ("330700", "优品汇", "日用品"),
     {"tags": {"samename"}}),
    ("zhengpintemai", "taobao_tmall", "正品特卖店", "zheng pin te mai dian", "Genuine Outlet",
     ("330700", "正品特卖", "贸易"), {"tags": {"generic"}}),
    ("laojiefang", "taobao_tmall", "老街坊零食铺", "lao jie fang ling shi pu", "Old Street Snacks",
     ("430100", "老街坊", "食品"), {}),
    ("lvyuan", "taobao_tmall", "绿源茶庄", "lü yuan cha zhuang", "Green Source Tea House", ("530100", "绿源", "茶业"),
     {}),
    ("baobeitongzhuang", "taobao_tmall", "宝贝童装馆", "bao bei tong zhuang guan", "Baby Kids Wear",
     ("330100", "宝贝", "服饰"), {}),
    ("jiguanghuwai", "taobao_tmall", "极光户外", "ji guang hu wai", "Aurora Outdoor", ("230100", "极光", "户外用品"),
     {}),
    ("xiaoluyouxuan-tb", "taobao_tmall", "小鹿优选", "xiao lu you xuan", "Deer Select", ("330100", "小鹿", "电子商务"),
     {"tags": {"samename"}}),
    # JD
    ("jingxuan", "jd", "京选电器", "jing xuan dian qi", "JX Appliances", ("110105", "京选", "电器"), {}),
    ("boyuan", "jd", "博远图书", "bo yuan tu shu", "Boyuan Books", ("610100", "博远", "文化"), {}),
    ("kangyuan", "jd", "康源保健", "kang yuan bao jian", "Kangyuan Health", ("450100", "康源", "生物科技"), {}),
    ("kuwan", "jd", "酷玩数码", "ku wan shu ma", "Coolplay Digital", ("440300", "酷玩", "电子"), {}),
    ("shumaxianfeng-jd", "jd", "数码先锋", "shu ma xian feng", "Digital Vanguard", ("440600", "先锋数码", "电子"),
     {"tags": {"samename"}}),
    ("jiale", "jd", "家乐厨具", "jia le chu ju", "Jiale Kitchenware", ("440600", "家乐", "厨具"), {}),
    # Pinduoduo
    ("meijiayuan", "pinduoduo", "美家园家居", "mei jia yuan jia ju", "Meijiayuan Home", ("440600", "美家园", "家居"),
     {"tags": {"homophone"}}),
    ("meijiayuan2", "pinduoduo", "美佳园家居", "mei jia yuan jia ju", "Beauty Garden Home",
     ("441900", "美佳园", "家具"), {"tags": {"homophone"}}),
    ("xiaoluyouxuan-pdd", "pinduoduo", "小鹿优选", "xiao lu you xuan", "Little Deer Picks", ("330700", "鹿鸣", "贸易"),
     {"tags": {"samename"}}),
    ("nongjiatechan", "pinduoduo", "农家土特产", "nong jia tu te chan", "Farm Specialties",
     ("530100", "农家乐", "农产品"), {}),
    ("yuantou-a", "pinduoduo", "源头工厂店", "yuan tou gong chang dian", "Factory Direct", ("330700", "源头", "日用品"),
     {"tags": {"generic"}}),
    ("yuantou-b", "pinduoduo", "源头工厂店", "yuan tou gong chang dian", "Source Factory Store",
     ("441900", "工厂直供", "贸易"), {"tags": {"generic"}}),
    ("shishangnvxie", "pinduoduo", "时尚女鞋馆", "shi shang nü xie guan", "Fashion Ladies Shoes",
     ("350500", "时尚", "服饰"), {}),
    ("aixinguoyuan", "pinduoduo", "爱心果园", "ai xin guo yuan", "Love Orchard", ("610100", "爱心", "农产品"), {}),
    # Douyin
    ("xiaoluyouxuan-dy", "douyin", "小鹿优选", "xiao lu you xuan", "Deer's Choice", ("500103", "小鹿", "网络科技"),
     {"tags": {"samename"}}),
    ("linlinmeizhuang", "douyin", "琳琳美妆", "lin lin mei zhuang", "Linlin Beauty", ("440100", "琳琳", "化妆品"),
     {"tags": {"homophone"}, "payee": "card", "primary": "payee_account"}),
    ("linlinmeizhuang2", "douyin", "林林美妆", "lin lin mei zhuang", "Lynn Makeup", ("430100", "林林", "美容"),
     {"tags": {"homophone"}, "payee": "card", "primary": "payee_account"}),
    ("feicuishijia", "douyin", "翡翠世家", "fei cui shi jia", "Jade Heritage", ("530100", "翡翠世家", "珠宝"),
     {"tags": {"scam"}, "payee": "card"}),
    ("daniudaihuo", "douyin", "大牛带货", "da niu dai huo", "Big Bull Live", ("330100", "大牛", "文化传媒"), {}),
    ("mitaoxiaopu", "douyin", "蜜桃小铺", "mi tao xiao pu", "Peach Shop", ("320500", "蜜桃", "服饰"), {}),
    ("pinzhishenghuo", "douyin", "品质生活馆", "pin zhi sheng huo guan", "Quality Living", ("441900", "品质", "日用品"),
     {"tags": {"generic"}}),
    ("guochaofushi", "douyin", "国潮服饰", "guo chao fu shi", "China Chic Apparel", ("440100", "国潮", "服饰"), {}),
    # Kuaishou
    ("laotiejia", "kuaishou", "老铁家农产品", "lao tie jia nong chan pin", "Laotie Farm Produce",
     ("230100", "老铁家", "农业科技"), {}),
    ("dongbeidajie", "kuaishou", "东北大姐特产", "dong bei da jie te chan", "Northeast Sister Specialties", None,
     {"individual": ("230102", "哈尔滨市道里区东北大姐特产店", "Harbin Daoli Northeast Sister Specialty Shop")}),
    ("yushiyuan", "kuaishou", "玉石缘", "yu shi yuan", "Jade Fate", ("530100", "玉石缘", "珠宝"),
     {"tags": {"scam"}, "payee": "card"}),
    ("xinxinbaihuo", "kuaishou", "鑫鑫百货", "xin xin bai huo", "Xinxin Department Store", ("330700", "鑫鑫", "百货"),
     {}),
    # Xiaohongshu: sellers move the buyer to WeChat
    ("taozideyichu", "xiaohongshu", "桃子的衣橱", "tao zi de yi chu", "Peach's Wardrobe", None,
     {"payee": "alipay_phone"}),
    ("yuejihufu", "xiaohongshu", "悦己护肤", "yue ji hu fu", "Glow Self Skincare", ("310115", "悦己", "化妆品"), {}),
    ("senxijiaju", "xiaohongshu", "森系家居", "sen xi jia ju", "Forest Home", None, {"payee": "card"}),
    ("leyoulvxing", "xiaohongshu", "乐游旅行", "le you lü xing", "Joytrip Travel", ("510100", "乐游", "旅行社"),
     {"ime": "乐游旅型"}),
    # Stand-alone websites
    ("yixianggou", "website", "易享购", "yi xiang gou", "Yixiang Shop", ("440300", "易享购", "电子商务"),
     {"site": "yixianggou-shop.com", "payee": "card"}),
    ("huanqiuhaitao", "website", "环球海淘", "huan qiu hai tao", "Global Haitao", ("310115", "环球海淘", "贸易"),
     {"site": "globalhaitao.cn", "payee": "alipay_email"}),
    ("jinshengguoji", "website", "金盛国际", "jin sheng guo ji", "Jinsheng International",
     ("440300", "金盛", "投资咨询"), {"site": "jinsheng-fx.com", "payee": "eth", "tags": {"scam"}}),
    ("youxuezaixian", "website", "优学在线", "you xue zai xian", "Youxue Online", ("110105", "优学", "教育科技"),
     {"site": "youxue100.com", "payee": "wechat_pay"}),
    ("mingbiaohui", "website", "名表汇", "ming biao hui", "Watch Hub", ("440300", "名表汇", "钟表"),
     {"site": "mingbiaohui.com", "payee": "card"}),
    ("zhihuishangcheng", "website", "智汇商城", "zhi hui shang cheng", "Zhihui Mall", ("320100", "智汇", "科技"),
     {"site": "zhihuimall.cn", "payee": "alipay_email"}),
    # Mobile apps
    ("jinhuibao", "app", "金汇宝", "jin hui bao", "GoldRich Treasure", ("440300", "金汇宝", "金融信息服务"),
     {"site": "jinhuibao.cn", "payee": "tron", "tags": {"scam"}}),
    ("kuaiyijie", "app", "快易借", "kuai yi jie", "QuickLoan", ("500103", "快易", "网络小额贷款"),
     {"site": "kuaiyijie.com", "payee": "card", "tags": {"scam"}}),
    ("qugou", "app", "趣购", "qu gou", "FunBuy", ("330100", "趣购", "网络科技"), {"site": "qugou-app.com"}),
    ("jianshenpai", "app", "健身派", "jian shen pai", "FitPie", ("310115", "健身派", "体育科技"),
     {"site": "fitpie.cn", "payee": "wechat_pay"}),
    ("yunyouxihe", "app", "云游戏盒", "yun you xi he", "Cloud Game Box", ("430100", "云游", "网络科技"),
     {"site": "yunyouxihe.com"}),
    ("huishengqian", "app", "惠省钱", "hui sheng qian", "SaveMore", ("410100", "惠省", "电子商务"),
     {"site": "huishengqian.com", "payee": "wechat_pay"}),
]
# fmt: on

# Name suffixes victims add (or copy from the shop's banner), per platform, and their pinyin.
ZH_SUFFIXES = {
    "wechat_mini_program": ["商城", "小程序", "官方商城", "优选"],
    "wechat_social": ["微店", "小店"],
    "taobao_tmall": ["官方旗舰店", "旗舰店", "专营店", "官方店"],
    "jd": ["官方旗舰店", "旗舰店", "京东自营", "专营店"],
    "pinduoduo": ["官方旗舰店", "专营店", "店"],
    "douyin": ["直播间", "官方店", "小店", "旗舰店"],
    "kuaishou": ["直播间", "小店"],
    "xiaohongshu": ["小店", "官方店"],
    "website": ["商城", "官网", "网站"],
    "app": ["APP", "app", "App", "客户端"],
}
SUFFIX_PINYIN = {
    "商城": "shangcheng",
    "官方商城": "guanfang shangcheng",
    "官方旗舰店": "guanfang qijiandian",
    "旗舰店": "qijiandian",
    "小店": "xiaodian",
    "官方店": "guanfangdian",
}
EN_SUFFIXES = ["Online Mall", "Official Store", "Co., Ltd.", "Store", "Shop", "Mall", "Official"]
EMOJI = ["🔥", "✨", "🛒", "💰", "🎁", "👍", "❤️", "🌸"]
BRACKETS = [("【", "】"), ("「", "」"), ("[", "]"), ("《", "》")]

# Issuer prefixes of mainland bank cards and their lengths (ICBC, CCB, ABC, CMB, Ping An, BoC, PSBC).
CARD_BINS = [
    ("622202", 19),
    ("621700", 19),
    ("622848", 19),
    ("621483", 16),
    ("623058", 19),
    ("621661", 19),
    ("621799", 19),
]
MOBILE_PREFIXES = ["138", "139", "150", "151", "158", "159", "186", "187", "188", "135", "136", "177", "199", "133"]
EMAIL_DOMAINS = ["163.com", "qq.com", "126.com", "sina.com", "foxmail.com"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

TO_TRADITIONAL = opencc.OpenCC("s2t")


@dataclass
class Merchant:
    key: str
    platform: str
    zh: str
    pinyin: list[str]
    en: str
    tags: set[str]
    ime: str = ""
    company_zh: str = ""
    company_short: str = ""  # without the city
    company_city: str = ""
    company_en: str = ""
    uscc: str = ""
    phone: tuple = ()  # ("mobile", "13800138000") | ("landline", "0755", "26881234") | ("hotline", "4008208820")
    payee: tuple = ()  # (kind, value); kind as in the options above
    app_id: str = ""
    shop: tuple = ()  # ("taobao", id) | ("jd", id) | ("pdd", id) | ("site", domain)
    wechat_id: str = ""
    mentions: int = 0
    # Which identifiers this merchant is always named with (hard negatives): a claim field.
    primary: str = ""


@dataclass
class Mention:
    merchant: str
    fields: dict[str, str] = field(default_factory=dict)


# Identifiers ----------------------------------------------------------------------------------------------


def organisation_code(rng: random.Random) -> str:
    """A GB 11714 organisation code (USCC digits 9-17): eight characters and its own check character."""
    body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region: str, individual: bool) -> str:
    head = ("92" if individual else "91") + region + organisation_code(rng)
    return head + uscc.calc_check_digit(head)


def make_card(rng: random.Random) -> str:
    prefix, length = rng.choice(CARD_BINS)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = B58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def make_phone(rng: random.Random, merchant: Merchant, region: str) -> tuple:
    roll = rng.random()
    if merchant.platform in {"wechat_social", "xiaohongshu"} or not region or roll < 0.65:
        return ("mobile", make_mobile(rng))
    if roll < 0.88:
        return ("landline", CITIES[region][2], rng.choice("2345678") + f"{rng.randrange(10**7):07d}")
    return ("hotline", "400" + rng.choice("16789") + f"{rng.randrange(10**6):06d}")


def make_wechat_id(rng: random.Random, merchant: Merchant) -> str:
    joined = "".join(s.replace("ü", "v") for s in merchant.pinyin)
    initials = "".join(s[0] for s in merchant.pinyin)
    style = rng.randrange(4)
    if style == 0:
        return f"{joined[:14]}{rng.randrange(10, 999)}"
    if style == 1:
        return f"{initials}_{rng.randrange(1000, 99999)}"
    if style == 2:
        tag = rng.choice(["vip", "shop", "kf", "hao"])
        return f"{merchant.pinyin[0]}{merchant.pinyin[1]}_{tag}{rng.randrange(1, 99)}"
    return "wxid_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))


def make_payee(rng: random.Random, merchant: Merchant, kind: str) -> tuple:
    joined = "".join(s.replace("ü", "v") for s in merchant.pinyin)
    if kind == "card":
        return ("card", make_card(rng))
    if kind == "alipay_phone":
        # Social sellers often take payment on the phone number they answer.
        same = merchant.phone and merchant.phone[0] == "mobile" and rng.random() < 0.5
        return ("alipay_phone", merchant.phone[1] if same else make_mobile(rng))
    if kind == "alipay_email":
        local = rng.choice([joined, f"{joined}{rng.randrange(10, 99)}", f"{merchant.pinyin[0]}_{joined[-4:]}pay"])
        return ("alipay_email", f"{local}@{rng.choice(EMAIL_DOMAINS)}")
    if kind == "wechat_pay":
        return ("wechat_pay", "1" + rng.choice("5678") + f"{rng.randrange(10**8):08d}")
    if kind == "tron":
        return ("tron", base58check(b"\x41" + rng.randbytes(20)))
    if kind == "eth":
        return ("eth", "0x" + rng.randbytes(20).hex())
    raise ValueError(kind)


def build_merchants(rng: random.Random) -> list[Merchant]:
    merchants = []
    for key, platform, zh, pinyin, en, company, options in MERCHANTS:
        merchant = Merchant(
            key=key, platform=platform, zh=zh, pinyin=pinyin.split(), en=en, tags=set(options.get("tags", ()))
        )
        merchant.ime = options.get("ime", "")
        region = ""
        if company:
            region, core, industry = company
            city_zh, city_en, _area = CITIES[region]
            merchant.company_city = city_zh
            merchant.company_short = f"{core}{industry}有限公司"
            merchant.company_zh = city_zh + merchant.company_short
            core_en = "".join(lazy_pinyin(core)).capitalize()
            merchant.company_en = f"{city_en} {core_en} {INDUSTRIES[industry]} Co., Ltd."
            merchant.uscc = make_uscc(rng, region, individual=False)
        elif "individual" in options:
            region, merchant.company_zh, merchant.company_en = options["individual"]
            merchant.company_short = merchant.company_zh
            merchant.uscc = make_uscc(rng, region, individual=True)
            region = region[:4] + "00"
        merchant.phone = make_phone(rng, merchant, region if region in CITIES else "")
        if platform == "wechat_mini_program":
            merchant.app_id = "wx" + rng.randbytes(8).hex()
        shop_kind = {"taobao_tmall": "taobao", "jd": "jd", "pinduoduo": "pdd"}.get(platform)
        if shop_kind == "taobao":
            merchant.shop = ("taobao", str(rng.randrange(10**8, 10**9)))
        elif shop_kind == "jd":
            merchant.shop = ("jd", str(rng.randrange(1000000000, 1000300000)))
        elif shop_kind == "pdd":
            merchant.shop = ("pdd", str(rng.randrange(10**8, 10**9)))
        elif "site" in options:
            merchant.shop = ("site", options["site"])
        if platform in {"wechat_social", "xiaohongshu"} or rng.random() < 0.2:
            merchant.wechat_id = make_wechat_id(rng, merchant)
        payee = options.get("payee")
        if payee is None and rng.random() < (0.9 if platform in {"wechat_mini_program", "app"} else 0.45):
            payee = "wechat_pay" if platform == "wechat_mini_program" else rng.choice(["card", "alipay_email"])
        if payee:
            merchant.payee = make_payee(rng, merchant, payee)
        # Merchants only an identifier tells apart are always named with it.
        if merchant.tags & {"homophone", "generic"}:
            available = strong_fields(merchant)
            merchant.primary = options.get("primary") or next(
                f for f in ["app_id", "shop_url", "wechat_id", "payee_account", "merchant_phone"] if f in available
            )
        merchants.append(merchant)
    return merchants


# Writing identifiers the way people do --------------------------------------------------------------------


def fullwidth(text: str) -> str:
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def pick(rng: random.Random, weighted: list[tuple[float, str]]) -> str:
    return rng.choices([v for _w, v in weighted], weights=[w for w, _v in weighted])[0]


def write_mobile(rng: random.Random, number: str) -> str:
    a, b, c = number[:3], number[3:7], number[7:]
    return pick(
        rng,
        [
            (30, number),
            (12, f"{a} {b} {c}"),
            (10, f"{a}-{b}-{c}"),
            (8, f"+86 {a}-{b}-{c}"),
            (6, f"0086 {a} {b} {c}"),
            (5, f"{a}.{b}.{c}"),
            (5, fullwidth(number)),
            (6, f"+86{number}"),
            (3, f"+86 {number}"),
            (3, f" {number} "),
        ],
    )


def write_phone(rng: random.Random, phone: tuple) -> str:
    if phone[0] == "mobile":
        return write_mobile(rng, phone[1])
    if phone[0] == "landline":
        area, local = phone[1], phone[2]
        return pick(
            rng,
            [
                (30, f"{area}-{local}"),
                (10, f"{area} {local[:4]} {local[4:]}"),
                (8, f"({area}){local}"),
                (6, f"+86 {area[1:]} {local[:4]} {local[4:]}"),
                (10, f"{area}{local}"),
                (4, f"{area}－{local}"),
                (4, f"（{area}）{local}"),
            ],
        )
    n = phone[1]
    return pick(rng, [(30, f"{n[:3]}-{n[3:6]}-{n[6:]}"), (20, n), (10, f"{n[:3]} {n[3:6]} {n[6:]}")])


def write_app_id(rng: random.Random, app_id: str) -> str:
    body = app_id[2:]
    return pick(
        rng,
        [
            (40, app_id),
            (12, app_id.upper()),
            (8, "wx" + " ".join(body[i : i + 4] for i in range(0, 16, 4))),
            (6, f"wx {body}"),
            (6, f" {app_id} "),
            (5, "Wx" + body),
            (3, fullwidth(app_id)),
        ],
    )


def write_uscc(rng: random.Random, code: str) -> str:
    return pick(
        rng,
        [
            (40, code),
            (14, code.lower()),
            (10, " ".join(code[i : i + 4] for i in range(0, 18, 4))),
            (6, f"{code[:8]}-{code[8:]}"),
            (6, f"{code[:2]} {code[2:8]} {code[8:17]} {code[17]}"),
            (3, fullwidth(code)),
        ],
    )


def write_card(rng: random.Random, card: str) -> str:
    groups = [card[i : i + 4] for i in range(0, len(card), 4)]
    return pick(
        rng,
        [
            (35, card),
            (30, " ".join(groups)),
            (8, "-".join(groups)),
            (4, fullwidth(card)),
            (4, f" {card} "),
        ],
    )


def write_payee(rng: random.Random, payee: tuple) -> str:
    kind, value = payee
    if kind == "card":
        return write_card(rng, value)
    if kind == "alipay_phone":
        return write_mobile(rng, value)
    if kind == "alipay_email":
        local, domain = value.split("@")
        return pick(
            rng,
            [
                (40, value),
                (8, value.upper()),
                (8, f"{local.capitalize()}@{domain}"),
                (6, f" {value} "),
                (4, f"{local}＠{domain}"),
            ],
        )
    if kind == "wechat_pay":
        return pick(
            rng, [(45, value), (8, f" {value}"), (6, f"{value[:4]} {value[4:7]} {value[7:]}"), (4, fullwidth(value))]
        )
    if kind == "tron":
        return pick(rng, [(45, value), (6, f" {value} ")])
    return pick(rng, [(40, value), (10, "0x" + value[2:].upper()), (6, f" {value}")])


def write_shop(rng: random.Random, shop: tuple) -> str:
    kind, value = shop
    spm = f"a1z10.{rng.randrange(1, 9)}-c.0.0.{rng.randrange(1000, 9999)}"
    if kind == "taobao":
        return pick(
            rng,
            [
                (30, f"shop{value}.taobao.com"),
                (20, f"https://shop{value}.taobao.com/"),
                (12, f"https://shop{value}.taobao.com/?spm={spm}"),
                (8, f"http://shop{value}.m.taobao.com"),
                (6, f"https://shop{value}.taobao.com/shop/view_shop.htm?spm={spm}"),
                (4, f"SHOP{value}.TAOBAO.COM"),
            ],
        )
    if kind == "jd":
        return pick(
            rng,
            [
                (30, f"mall.jd.com/index-{value}.html"),
                (20, f"https://mall.jd.com/index-{value}.html"),
                (12, f"https://mall.jd.com/index-{value}.html?from=pc"),
                (10, f"https://shop.m.jd.com/?shopId={value}"),
                (5, f"http://mall.jd.com/index-{value}.html"),
            ],
        )
    if kind == "pdd":
        return pick(
            rng,
            [
                (30, f"mobile.yangkeduo.com/mall_page.html?mall_id={value}"),
                (20, f"https://mobile.yangkeduo.com/mall_page.html?mall_id={value}"),
                (12, f"https://mobile.yangkeduo.com/mall_page.html?mall_id={value}&refer_page_name=goods_detail"),
                (10, f"https://mobile.yangkeduo.com/mall_page.html?refer_share_channel=message&mall_id={value}"),
            ],
        )
    goods = rng.randrange(100, 9999)
    return pick(
        rng,
        [
            (25, f"www.{value}"),
            (20, f"https://www.{value}/"),
            (12, value),
            (10, f"http://{value}"),
            (10, f"https://m.{value}/goods/{goods}.html?from=timeline"),
            (6, f"https://www.{value}/index.php?id={goods}"),
            (4, f"HTTPS://WWW.{value.upper()}"),
        ],
    )


def write_wechat_id(rng: random.Random, wechat_id: str) -> str:
    return pick(rng, [(60, wechat_id), (8, f" {wechat_id} "), (4, fullwidth(wechat_id))])


# Writing names the way people do --------------------------------------------------------------------------


def typo(rng: random.Random, text: str) -> str:
    """Drop one letter or swap two neighbouring ones, never a word's first or last letter."""
    positions = [i for i in range(1, len(text) - 1) if text[i - 1 : i + 2].isalpha()]
    if not positions:
        return text
    i = rng.choice(positions)
    if rng.random() < 0.5 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def write_pinyin(rng: random.Random, merchant: Merchant) -> str:
    u = pick(rng, [(5, "v"), (4, "u"), (1, "ü")])
    syllables = [s.replace("ü", u) for s in merchant.pinyin]
    style = pick(
        rng,
        [(20, "title"), (12, "lower"), (18, "joined"), (8, "upper"), (14, "capital"), (8, "camel"), (12, "two_words")],
    )
    if style == "title":
        text = " ".join(s.capitalize() for s in syllables)
    elif style == "lower":
        text = " ".join(syllables)
    elif style == "joined":
        text = "".join(syllables)
    elif style == "upper":
        text = "".join(syllables).upper()
    elif style == "capital":
        text = "".join(syllables).capitalize()
    elif style == "camel":
        text = "".join(s.capitalize() for s in syllables)
    else:
        cut = rng.randrange(1, len(syllables)) if len(syllables) > 1 else 1
        text = "".join(syllables[:cut]).capitalize() + " " + "".join(syllables[cut:]).capitalize()
    if rng.random() < 0.3:
        text = typo(rng, text)
    roll = rng.random()
    suffixes = [s for s in ZH_SUFFIXES[merchant.platform] if s in SUFFIX_PINYIN]
    if roll < 0.12 and suffixes:
        text = f"{text} {SUFFIX_PINYIN[rng.choice(suffixes)]}"
    elif roll < 0.25:
        text = f"{text} {rng.choice(EN_SUFFIXES)}"
    return text.strip()


def write_zh(rng: random.Random, merchant: Merchant, form: str) -> str:
    text = {"zh": merchant.zh, "trad": TO_TRADITIONAL.convert(merchant.zh), "ime": merchant.ime}[form]
    if rng.random() < 0.35:
        suffix = rng.choice(ZH_SUFFIXES[merchant.platform])
        # Not twice: 智汇商城 needs no 商城, 源头工厂店 no 店.
        if not (text.endswith(suffix) or (suffix[-1] in "店馆铺城" and text[-1] in "店馆铺城")):
            if form == "trad":
                suffix = TO_TRADITIONAL.convert(suffix)
            text = text + suffix
    if rng.random() < 0.07:
        text = text[: len(merchant.zh) // 2 + 1] + " " + text[len(merchant.zh) // 2 + 1 :]
    return text


def write_en(rng: random.Random, merchant: Merchant) -> str:
    text = merchant.en
    roll = rng.random()
    if roll < 0.1:
        text = text.upper()
    elif roll < 0.18:
        text = text.lower()
    elif roll < 0.24:
        text = text.replace(" ", "")
    if rng.random() < 0.1:
        text = typo(rng, text)
    if rng.random() < 0.35:
        text = f"{text} {rng.choice(EN_SUFFIXES)}"
    return text


def decorate(rng: random.Random, text: str) -> str:
    """What shop banners and screenshots add: brackets, emoji, full-width letters."""
    roll = rng.random()
    if roll < 0.07:
        left, right = rng.choice(BRACKETS)
        text = f"{left}{text}{right}"
    elif roll < 0.12:
        emoji = rng.choice(EMOJI)
        text = rng.choice([f"{emoji}{text}{emoji}", f"{text}{emoji}", f"{emoji} {text}"])
    if re.search(r"[A-Za-z]", text) and rng.random() < 0.05:
        text = fullwidth(text)
    return text


def write_company(rng: random.Random, merchant: Merchant) -> tuple[str, str]:
    """A company name and the kind of name it counts as ("company", or "" when only a resolver that translates
    could link it)."""
    city = merchant.company_city
    roll = rng.random()
    if not city or roll < 0.5:
        return merchant.company_zh, "company"
    if roll < 0.62:
        return city.removesuffix("市") + merchant.company_short, "company"
    if roll < 0.80:
        return merchant.company_short, "company"
    if roll < 0.88:
        return TO_TRADITIONAL.convert(merchant.company_zh), "company"
    if roll < 0.95:
        core, rest = merchant.company_short.split("有限公司")[0], "有限公司"
        return f"{core[:-2]}（{city.removesuffix('市')}）{core[-2:]}{rest}", "company"
    return merchant.company_en, ""


# Mentions -------------------------------------------------------------------------------------------------


def strong_fields(merchant: Merchant) -> dict[str, tuple]:
    """Claim field -> the identifier it carries (its canonical value, to track what a mention shares)."""
    found = {}
    if merchant.app_id:
        found["app_id"] = ("app_id", merchant.app_id)
    if merchant.shop:
        found["shop_url"] = merchant.shop
    if merchant.phone:
        found["merchant_phone"] = merchant.phone
    if merchant.wechat_id:
        found["wechat_id"] = ("wechat_id", merchant.wechat_id)
    if merchant.payee:
        found["payee_account"] = merchant.payee
    if merchant.uscc:
        found["company_uscc"] = ("uscc", merchant.uscc)
    return found


def field_weight(merchant: Merchant, name: str) -> float:
    """How often victims give each identifier: the app ID of a mini program, the shop link of a platform shop,
    the WeChat ID of a seller who moved them to WeChat, the payee of a scam; the USCC rarely."""
    if name == merchant.primary:
        return 10
    return {
        "app_id": 6,
        "shop_url": 6 if merchant.shop and merchant.shop[0] != "site" else 5,
        "wechat_id": 6,
        "payee_account": 6 if "scam" in merchant.tags else 3,
        "merchant_phone": 4,
        "company_uscc": 1,
    }[name]


def write_field(rng: random.Random, merchant: Merchant, name: str) -> str:
    if name == "app_id":
        return write_app_id(rng, merchant.app_id)
    if name == "shop_url":
        return write_shop(rng, merchant.shop)
    if name == "merchant_phone":
        return write_phone(rng, merchant.phone)
    if name == "wechat_id":
        return write_wechat_id(rng, merchant.wechat_id)
    if name == "payee_account":
        return write_payee(rng, merchant.payee)
    return write_uscc(rng, merchant.uscc)


def choose_name(rng: random.Random, merchant: Merchant, allowed: set[str] | None = None) -> tuple[str, str]:
    """A shop name in one of its forms, and its group: "zh" (Chinese, traditional or pinyin, all derived from
    the Chinese name), "en", or "ime" (a homophone typo, which links nothing on its own)."""
    forms = [(45, "zh"), (8, "trad"), (22, "pinyin"), (20, "en")]
    if merchant.ime:
        forms.append((6, "ime"))
    group_of = {"zh": "zh", "trad": "zh", "pinyin": "zh", "en": "en", "ime": "ime"}
    if allowed is not None:
        forms = [(w, f) for w, f in forms if group_of[f] in allowed]
    form = pick(rng, forms)
    if form == "pinyin":
        text = write_pinyin(rng, merchant)
    elif form == "en":
        text = write_en(rng, merchant)
    else:
        text = write_zh(rng, merchant, form)
    return decorate(rng, text), group_of[form]


def name_field(rng: random.Random, merchant: Merchant) -> str:
    if merchant.platform == "wechat_mini_program":
        return pick(rng, [(6, "mini_program_name"), (4, "merchant_name")])
    return "merchant_name"


def make_mention(rng: random.Random, merchant: Merchant, seen_ids: set, exposed: set) -> tuple[Mention, set, set]:
    """One mention, the identifiers it carries and the name groups it uses."""
    first = not seen_ids and not exposed
    available = strong_fields(merchant)
    shape = pick(rng, [(17, "name_only"), (5, "ids_only"), (78, "mixed")])
    if merchant.primary and shape == "name_only":
        shape = "mixed"
    if shape == "ids_only" and not available:
        shape = "mixed"
    mention = Mention(merchant.key)
    groups, carried = set(), set()

    def add_name(allowed=None):
        text, group = choose_name(rng, merchant, allowed)
        target = name_field(rng, merchant)
        if mention.fields.get(target):
            target = "merchant_name" if target == "mini_program_name" else "mini_program_name"
        if merchant.platform != "wechat_mini_program" and target == "mini_program_name":
            return
        mention.fields[target] = text
        groups.add(group)

    def add_identifier(name):
        mention.fields[name] = write_field(rng, merchant, name)
        carried.add(available[name])

    if shape in {"name_only", "mixed"}:
        # A name-only mention after the first must use a kind of name already seen for this merchant.
        # The first mention's name must link later ones, so it is not a homophone typo.
        allowed = {"zh", "en"} if first else None if shape == "mixed" else (exposed & {"zh", "en"}) or None
        add_name(allowed)
        if shape == "mixed" and rng.random() < 0.2:
            if merchant.company_zh and rng.random() < 0.6:
                mention.fields["company_name"], group = write_company(rng, merchant)
                groups.add(group)
            elif merchant.platform == "wechat_mini_program":
                add_name()
    if shape in {"ids_only", "mixed"} and available:
        count = pick(rng, [(50, 1), (35, 2), (15, 3)]) if shape == "mixed" else pick(rng, [(70, 1), (30, 2)])
        names = list(available)
        chosen = []
        if merchant.primary:
            chosen.append(merchant.primary)
        while len(chosen) < min(count, len(names)):
            candidates = [n for n in names if n not in chosen]
            chosen.append(rng.choices(candidates, weights=[field_weight(merchant, n) for n in candidates])[0])
        for name in chosen:
            add_identifier(name)
    if shape == "name_only" and not mention.fields:
        add_name({"zh"})
    # Resolvable in file order: share an identifier or a kind of name with an earlier mention.
    if not first and not (carried & seen_ids) and not (groups & exposed):
        known = [n for n, value in available.items() if value in seen_ids]
        if known:
            add_identifier(rng.choice(known))
        elif exposed & {"zh", "en"}:
            add_name(exposed & {"zh", "en"})
        else:
            mention.fields["company_name"], group = write_company(rng, merchant)
            while group != "company":
                mention.fields["company_name"], group = write_company(rng, merchant)
            groups.add(group)
    groups.discard("")
    groups.discard("ime")
    return mention, carried, groups


def mention_counts(rng: random.Random, merchants: list[Merchant]) -> None:
    """Skewed: most merchants have a few complaints, some many."""
    for merchant in merchants:
        n = MIN_MENTIONS + int((MAX_MENTIONS - MIN_MENTIONS + 1) * rng.random() ** 2.2)
        if "scam" in merchant.tags:
            n += 4
        if merchant.tags & {"homophone", "generic", "samename"}:
            n = max(n, 5)
        merchant.mentions = min(n, MAX_MENTIONS)
    while sum(m.mentions for m in merchants) < TARGET_TOTAL:
        merchant = rng.choice([m for m in merchants if m.mentions < MAX_MENTIONS])
        merchant.mentions += 1


# Hard negatives made to bite: the follower's first mention comes after the leader's and names it the way the
# leader was first named (the same Chinese name, or the same pinyin for a homophone), with the follower's own
# identifier; a follower on another platform gives the same name and nothing else.
FIRST_MENTIONS = [
    ("youpinhui-mp", "youpinhui2-mp", "homophone"),
    ("xindacaifu", "xindacaifu2", "homophone"),
    ("meijiayuan", "meijiayuan2", "homophone"),
    ("linlinmeizhuang", "linlinmeizhuang2", "homophone"),
    ("haowufenxiang-a", "haowufenxiang-b", "generic"),
    ("yuantou-a", "yuantou-b", "generic"),
    ("xiaoluyouxuan-tb", "xiaoluyouxuan-pdd", "samename"),
    ("xiaoluyouxuan-tb", "xiaoluyouxuan-dy", "samename"),
    ("shumaxianfeng-tb", "shumaxianfeng-jd", "samename"),
    ("youpinhui-mp", "youpinhui-tb", "samename"),
]


def opening_mention(rng: random.Random, merchant: Merchant, role: str) -> tuple[Mention, set, set]:
    """The first mention of a merchant in FIRST_MENTIONS: "leader" or the follower's kind of hard negative."""
    mention = Mention(merchant.key)
    available = strong_fields(merchant)
    if role == "homophone":
        name, group = "".join(s.replace("ü", "v") for s in merchant.pinyin), "zh"
    else:
        name, group = merchant.zh, "zh"
    mention.fields[name_field(rng, merchant)] = name
    carried = set()
    if role != "samename":
        claim = merchant.primary or next(iter(available))
        mention.fields[claim] = write_field(rng, merchant, claim)
        carried.add(available[claim])
    return mention, carried, {group}


def build_mentions(rng: random.Random, merchants: list[Merchant]) -> list[Mention]:
    roles = {}
    for leader, follower, kind in FIRST_MENTIONS:
        roles[leader], roles[follower] = "leader", kind
    per_merchant = {}
    for merchant in merchants:
        seen_ids, exposed, mentions = set(), set(), []
        for index in range(merchant.mentions):
            if index == 0 and merchant.key in roles:
                mention, carried, groups = opening_mention(rng, merchant, roles[merchant.key])
            else:
                mention, carried, groups = make_mention(rng, merchant, seen_ids, exposed)
            seen_ids |= carried
            exposed |= groups
            mention.fields["platform"] = merchant.platform
            # Some victims do not say where they bought; never for a name another platform's merchant shares,
            # nor when the platform is what makes a hard negative hard.
            opening = index == 0 and merchant.key in roles
            if "samename" not in merchant.tags and not opening and rng.random() < 0.08:
                mention.fields["platform"] = ""
            mentions.append(mention)
        per_merchant[merchant.key] = mentions
    # Interleave the merchants' complaints at random, each merchant's in its own order.
    order = [m.key for m in merchants for _i in range(m.mentions)]
    rng.shuffle(order)
    # A leader's first mention comes before its follower's: swapping the two first places only moves a leader
    # earlier and a follower later, so no other pair's order breaks.
    for leader, follower, _kind in FIRST_MENTIONS:
        lead, follow = order.index(leader), order.index(follower)
        if follow < lead:
            order[lead], order[follow] = order[follow], order[lead]
    cursor = Counter()
    result = []
    for key in order:
        result.append(per_merchant[key][cursor[key]])
        cursor[key] += 1
    return result


# Checks ---------------------------------------------------------------------------------------------------


def check(merchants: list[Merchant], mentions: list[Mention]) -> list[str]:
    """Refuse to write a data set with a malformed identifier or an identifier two merchants share."""
    owners = {}
    warnings = []
    for merchant in merchants:
        if merchant.uscc:
            uscc.validate(merchant.uscc)
        if merchant.phone:
            number = phonenumbers.parse("".join(merchant.phone[1:]), "CN")
            assert phonenumbers.is_valid_number(number), merchant.phone
        if merchant.payee and merchant.payee[0] == "card":
            luhn.validate(merchant.payee[1])
        if merchant.app_id:
            assert re.fullmatch(r"wx[0-9a-f]{16}", merchant.app_id), merchant.app_id
        if merchant.wechat_id:
            assert re.fullmatch(r"[a-zA-Z][-_a-zA-Z0-9]{5,19}", merchant.wechat_id), merchant.wechat_id
        for value in strong_fields(merchant).values():
            canonical = ("phone", value[-1]) if value[0] == "alipay_phone" else value
            canonical = ("phone", canonical[-1]) if canonical[0] == "mobile" else canonical
            assert owners.setdefault(canonical, merchant.key) == merchant.key, f"{canonical} is shared"
        computed = lazy_pinyin(merchant.zh, v_to_u=True)
        if computed != merchant.pinyin:
            warnings.append(f"{merchant.key}: table pinyin {merchant.pinyin} but pypinyin says {computed}")
    assert len(merchants) >= 65 and len({m.key for m in merchants}) == len(merchants)
    assert len(mentions) >= 450
    counts = Counter(m.merchant for m in mentions)
    assert min(counts.values()) >= MIN_MENTIONS and max(counts.values()) <= MAX_MENTIONS, counts
    for mention in mentions:
        assert any(v for k, v in mention.fields.items() if k != "platform"), mention
    # A pair is told apart by the same kind of identifier: one shop link against another, not a phone against a card.
    by_key = {m.key: m for m in merchants}
    for leader, follower, kind in FIRST_MENTIONS:
        if kind != "samename":
            assert by_key[leader].primary == by_key[follower].primary, (leader, follower)
    return warnings


def write_csv(mentions: list[Mention], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for number, mention in enumerate(mentions, start=1):
            row = dict.fromkeys(COLUMNS, "")
            row.update(mention.fields, mention_id=f"M{number:04d}", merchant=mention.merchant)
            writer.writerow(row)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    rng = random.Random(SEED)
    merchants = build_merchants(rng)
    mention_counts(rng, merchants)
    mentions = build_mentions(rng, merchants)
    for warning in check(merchants, mentions):
        print("warning:", warning, file=sys.stderr)
    write_csv(mentions, args.output)
    names = {"merchant_name", "mini_program_name", "company_name"}
    name_only = sum(1 for m in mentions if {k for k, v in m.fields.items() if v and k != "platform"} <= names)
    no_name = sum(1 for m in mentions if not any(m.fields.get(k) for k in names))
    print(
        f"{len(mentions)} mentions of {len(merchants)} merchants -> {args.output}\n"
        f"name only: {name_only} ({name_only / len(mentions):.0%}), identifiers only: {no_name}, "
        f"no platform: {sum(1 for m in mentions if not m.fields.get('platform'))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
