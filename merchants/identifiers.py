"""Normalising what victims type about a merchant. Knows no models.

One shop is named many ways ("易联购", "Yi Liangou", its app ID, a phone typed as "+86 138-0013-8000"); each
normaliser turns one way into the comparison key that every other spelling of it reaches too. Strong values
that cannot be what they claim (a wrong check character, a malformed app ID) raise InvalidIdentifier.
"""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import phonenumbers
from django.utils.translation import gettext_lazy as _
from opencc import OpenCC
from pypinyin import lazy_pinyin
from stdnum import luhn
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

# What an identifier is, whatever field the victim typed it in: a phone typed as the payee account is a phone.
# merchants.models.Identifier.Kind uses these values.
NAME = "name"
# A payee's name that does not look like a business: often a person's, so never shown in public nor matched.
PAYEE_NAME = "payee_name"
DOMAIN = "domain"
APP_ID = "app_id"
USCC = "uscc"
PHONE = "phone"
EMAIL = "email"
BANK_CARD = "bank_card"
WALLET = "wallet"
WECHAT_ID = "wechat_id"
WECHAT_PAY_MCH = "wechat_pay_mch"
SHOP_ID = "shop_id"
WEBSITE = "website"
# A strong identifier names one merchant; names and platform domains are shared by many.
STRONG_KINDS = frozenset({APP_ID, USCC, PHONE, EMAIL, BANK_CARD, WALLET, WECHAT_ID, WECHAT_PAY_MCH, SHOP_ID, WEBSITE})

_SPACE = re.compile(r"\s+")

MSG_APP_ID = _("A mini-program app ID is “wx” and 16 letters a–f or digits (WeChat), or 16 digits (Alipay).")
MSG_USCC = _("A registration number (USCC) has 18 letters and digits.")
MSG_USCC_CHECK = _(
    "This registration number's last character (the check character) does not match: "
    "please check it against the business licence."
)
MSG_PHONE = _("This is not a valid phone number.")
MSG_BANK_CARD = _("This bank card number is not valid (check the digits).")
MSG_EMAIL = _("This is not a valid email address.")
MSG_WALLET = _("This is not a valid wallet address.")
MSG_WECHAT_ID = _("A WeChat ID has 6 to 20 letters, digits, “_” or “-” and starts with a letter.")
MSG_URL = _("This is not a link or web address.")
MSG_PAYEE = _("Enter the account or the name the money was paid to.")

INVALID = "invalid"
CHECKSUM = "checksum"
EMPTY = "empty"

# Identifier.normalized and Identifier.pinyin are this long.
MAX_LENGTH = 300


class InvalidIdentifier(ValueError):
    """A claim that cannot be what its field says; .message is a translatable sentence naming the field's idea,
    .code a short code ("invalid", "checksum", "empty")."""

    def __init__(self, message, code):
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Parsed:
    kind: str  # one of the kind constants above
    normalized: str  # the comparison key (<= MAX_LENGTH characters)
    pinyin: str = ""  # NAME only: toneless pinyin key


def clean_text(value: str) -> str:
    """Trim, NFKC-fold (full-width to half-width), drop invisible format and control characters (zero-width
    spaces, bidi overrides) and collapse whitespace; keep the person's wording."""
    folded = unicodedata.normalize("NFKC", value or "")
    visible = "".join({"Cf": "", "Cc": " "}.get(unicodedata.category(ch), ch) for ch in folded)
    return _SPACE.sub(" ", visible).strip()


# --- Names -----------------------------------------------------------------------------------------------------

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# A Latin token is a run of these; Chinese characters next to it end it, so "易联购Online" strips "online".
_LATIN = "0-9a-z\u00c0-\u024f"

# Chinese company forms and shop words that say nothing about which shop it is (simplified: t2s runs first).
# Stripped as a prefix or a suffix, repeatedly, so 易联购官方旗舰店 and 官方商城易联购 both leave 易联购.
_GENERIC_ZH = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "股份",
    "集团",
    "公司",
    "网络科技",
    "信息技术",
    "电子商务",
    "科技",
    "商贸",
    "贸易",
    "商城",
    "官方",
    "旗舰店",
    "专卖店",
    "专营店",
    "小程序",
    "店铺",
    "网店",
    "微店",
    "工作室",
    "官网",
    "网站",
    "客户端",
)
# Industry words in registered names (深圳市易联购网络技术服务有限公司); only ever a suffix: as a prefix they
# are often the shop's own word.
_INDUSTRY_ZH = (
    "分公司",
    "有限合伙",
    "个体工商户",
    "网络技术",
    "网络",
    "信息",
    "技术",
    "电子",
    "电商",
    "实业",
    "发展",
    "供应链",
    "管理",
    "服务",
    "文化传媒",
    "传媒",
    "控股",
    "国际",
    "企业",
    "商行",
    "经营部",
    # Shop words victims add or drop: 阿梅海鲜小店 is 阿梅海鲜. Suffixes only: 小店长 is a name.
    "小店",
    "商店",
    "店",
    # The platform a victim adds after the name: 家乐厨具京东自营 is 家乐厨具.
    "自营",
    "京东",
    "天猫",
    "淘宝",
    "拼多多",
    "抖音",
    "快手",
)
# Whole English (and pinyin) tokens that say nothing about which shop it is. "e commerce" is "e-commerce"
# once punctuation became spaces.
_GENERIC_LATIN = (
    "online",
    "mall",
    "malls",
    "official",
    "store",
    "stores",
    "shop",
    "shops",
    "flagship",
    "co",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "company",
    "corp",
    "corporation",
    "technology",
    "technologies",
    "tech",
    "trading",
    "ecommerce",
    "e commerce",
    "network",
    "networks",
    "group",
    "llc",
    "plc",
    "gmbh",
    "holdings",
    "international",
    "intl",
    "studio",
    "miniprogram",
    "mini program",
    "onlineshop",
    "onlinestore",
    "officialstore",
    "flagshipstore",
    "gongsi",
    "youxian",
    "youxiangongsi",
    "keji",
    "shangcheng",
    "guanfang",
    "qijiandian",
)
# Words that make a name a company's registered name, whose leading region (深圳易联购科技有限公司) is
# stripped even without 市/省. Elsewhere a bare place name may be the shop's own word (长春藤).
_COMPANY_ZH = re.compile("公司|集团|股份|工作室|有限合伙|商行|经营部")
_COMPANY_LATIN = re.compile(
    f"(?<![{_LATIN}])(?:co|ltd|limited|inc|company|corp|corporation|llc|plc|group|gmbh)(?![{_LATIN}])"
)

# Province-level and prefecture-level divisions (GB/T 2260, as listed in python-stdnum's cn/loc.dat), plus
# county-level cities many online shops register in. Provinces end in 省, 市, 自治区 or 特别行政区, each followed
# by its prefectures: autonomous prefectures (自治州), 地区 and 盟 keep their suffix, cities are written without 市.
_REGIONS = """
北京市
天津市
河北省 石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水
山西省 太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
内蒙古自治区 呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟 锡林郭勒盟 阿拉善盟
辽宁省 沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛
吉林省 长春 吉林 四平 辽源 通化 白山 松原 白城 延边朝鲜族自治州
黑龙江省 哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭地区
上海市
江苏省 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 昆山 常熟 张家港 江阴
浙江省 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 义乌 永康 慈溪 余姚 乐清 瑞安 诸暨 海宁 桐乡
安徽省 合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城
福建省 福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 晋江 石狮
江西省 南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
山东省 济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽
河南省 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店
湖北省 武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施土家族苗族自治州
湖南省 长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西土家族苗族自治州
广东省 广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮
广西壮族自治区 南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
海南省 海口 三亚 三沙 儋州
重庆市
四川省 成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝藏族羌族自治州
甘孜藏族自治州 凉山彝族自治州
贵州省 贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南布依族苗族自治州 黔东南苗族侗族自治州 黔南布依族苗族自治州
云南省 昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄彝族自治州 红河哈尼族彝族自治州 文山壮族苗族自治州
西双版纳傣族自治州 大理白族自治州 德宏傣族景颇族自治州 怒江傈僳族自治州 迪庆藏族自治州
西藏自治区 拉萨 日喀则 昌都 林芝 山南 那曲 阿里地区
陕西省 西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛
甘肃省 兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏回族自治州 甘南藏族自治州
青海省 西宁 海东 海北藏族自治州 黄南藏族自治州 海南藏族自治州 果洛藏族自治州 玉树藏族自治州
海西蒙古族藏族自治州
宁夏回族自治区 银川 石嘴山 吴忠 固原 中卫
新疆维吾尔自治区 乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉回族自治州 博尔塔拉蒙古自治州 巴音郭楞蒙古自治州 阿克苏地区
克孜勒苏柯尔克孜自治州 喀什地区 和田地区 伊犁哈萨克自治州 塔城地区 阿勒泰地区
台湾省
香港特别行政区
澳门特别行政区
"""
_PROVINCE_SUFFIX = re.compile("(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
# Latin spellings of places that are not their pinyin.
_REGIONS_LATIN_EXTRA = ("hong kong", "hongkong", "macau", "macao", "inner mongolia", "tibet", "shaanxi")


def _alternation(words) -> str:
    # Longest first, so 有限责任公司 wins over 公司 and 广西壮族自治区 over 广西. "e commerce" (that is,
    # "e-commerce" once punctuation became spaces) matches however many spaces are between its words.
    ordered = sorted(set(words), key=lambda word: (-len(word), word))
    return "|".join(re.escape(word).replace("\\ ", r"\s+") for word in ordered)


@functools.cache
def _t2s() -> OpenCC:
    # Loading the dictionaries takes a while; one converter serves every call.
    return OpenCC("t2s")


@functools.cache
def _name_patterns() -> dict[str, re.Pattern]:
    full, bare = [], []
    for place in _REGIONS.split():
        if _PROVINCE_SUFFIX.search(place):
            full.append(place)
            bare.append(_PROVINCE_SUFFIX.sub("", place))
        elif place.endswith(("自治州", "地区", "盟")):
            full.append(place)
        else:
            full.append(place + "市")
            bare.append(place)
    latin = {"".join(lazy_pinyin(place)) for place in bare} | set(_REGIONS_LATIN_EXTRA)
    latin_alt = _alternation(latin)
    # 市场 is a market, not a city: 北京市场 is a shop. One alternation, longest first, so 深圳市 is taken whole
    # rather than 深圳 leaving 市.
    full_alt = _alternation(full).replace("市", "市(?!场)")
    any_alt = _alternation(full + bare).replace("市", "市(?!场)")
    return {
        "region": re.compile(f"^(?:{full_alt})"),
        "company_region": re.compile(f"^(?:{any_alt})"),
        "bracketed": re.compile(rf"[(\[【]\s*(?:{any_alt}|{latin_alt})\s*[)\]】]"),
        "latin_leading": re.compile(rf"^(?:(?:{latin_alt})\s+)+(?=\S)"),
        "latin_generic": re.compile(f"(?<![{_LATIN}])(?:{_alternation(_GENERIC_LATIN)})(?![{_LATIN}])"),
        "zh_prefix": re.compile(f"^(?:{_alternation(_GENERIC_ZH)})"),
        "zh_suffix": re.compile(f"(?:{_alternation(_GENERIC_ZH + _INDUSTRY_ZH)})$"),
    }


def _letters_and_numbers(text: str) -> str:
    """Every character that is not a letter or a number becomes a space; combining marks go (NFKC leaves only
    those it could not compose, like the accent split off a "´")."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)[0]
        if category in "LN":
            out.append(ch)
        elif category != "M":
            out.append(" ")
    return "".join(out)


def _strip_chinese(key: str, *, company: bool) -> str:
    patterns = _name_patterns()
    previous = None
    while key != previous:
        previous = key
        key = patterns["company_region" if company else "region"].sub("", key)
        key = patterns["zh_prefix"].sub("", key)
        key = patterns["zh_suffix"].sub("", key)
    return key


def _name_round(value: str) -> str:
    patterns = _name_patterns()
    text = unicodedata.normalize("NFKC", _t2s().convert(clean_text(value)).casefold())
    company = bool(_COMPANY_ZH.search(text) or _COMPANY_LATIN.search(_letters_and_numbers(text)))
    unstripped = "".join(_letters_and_numbers(text).split())
    stripped = _letters_and_numbers(patterns["bracketed"].sub(" ", text))
    stripped = _SPACE.sub(" ", patterns["latin_generic"].sub(" ", stripped)).strip()
    if company:
        stripped = patterns["latin_leading"].sub("", stripped)
    stripped = _strip_chinese("".join(stripped.split()), company=company)
    # A shop called 商城 is still named: its key is the whole name.
    return stripped or unstripped


def normalize_name(value: str) -> str:
    """A comparison key for a merchant name: NFKC (full-width to half-width), traditional to simplified,
    case-folded, only letters and numbers kept, with company forms, shop words and a leading region stripped:
    易联购, 易聯購官方旗艦店 and 深圳市易联购科技有限公司 share the key 易联购. "" when nothing is left.

    Repeated until nothing changes, so the key of a key is the key: stripping can expose a word that the next
    round strips (a name that was all generic words keeps its joined-up form, whose parts may strip).
    Later rounds only shorten the key, so this ends; the bound guards against a surprise.
    """
    key = value or ""
    for _round in range(16):
        folded = _name_round(key)
        if folded == key:
            break
        key = folded
    return key


def _pinyin_of_key(key: str) -> str:
    # Characters pypinyin has no reading for (and Latin letters) stay as they are.
    return "".join(ch for ch in "".join(lazy_pinyin(key)) if unicodedata.category(ch)[0] in "LN")


def name_pinyin(value: str) -> str:
    """The toneless pinyin key of normalize_name(value): 易联购, "Yi Liangou" and "YILIANGOU Online Mall" all give
    "yiliangou". Latin letters and digits stay as they are."""
    key = normalize_name(value)
    # A pinyin key can itself be a name ("Yiliangou"): normalising it again keeps the key of a key the key.
    return normalize_name(_pinyin_of_key(key)) if key else ""


def has_han(value: str) -> bool:
    """Whether the text contains Chinese characters."""
    return bool(_HAN.search(value or ""))


# --- Strong identifiers ----------------------------------------------------------------------------------------

# A label typed before the value: "AppID: wx…", "微信号：abc", "USDT-TRC20: T…" (NFKC made "：" a ":").
_LABEL = re.compile(r"^[^:]{0,30}?:\s*")
_LEADING_NOT_ASCII = re.compile(r"^[^0-9A-Za-z+(]+")


def _unlabel(value: str) -> str:
    """The value without a "label:" before it and without leading Chinese words or punctuation (商户号123…)."""
    text = _LABEL.sub("", clean_text(value))
    return _LEADING_NOT_ASCII.sub("", text).strip()


# WeChat: "wx" and 16 hex digits. Alipay: 16 digits, starting with the year the app was registered (2016...).
_APP_ID = re.compile(r"(?:appid)?(wx[0-9a-f]{16}|20[0-9]{14})")


def normalize_app_id(value: str) -> str:
    """A mini-program app ID: WeChat's "wx" and 16 lowercase hex digits, or Alipay's 16 digits."""
    match = _APP_ID.fullmatch("".join(_unlabel(value).lower().split()))
    if not match:
        raise InvalidIdentifier(MSG_APP_ID, INVALID)
    return match.group(1)


def normalize_uscc(value: str) -> str:
    """A unified social credit code (GB 32100-2015): 18 upper-case letters and digits with a valid check character."""
    compact = re.sub(r"[\s\-]", "", _unlabel(value)).upper()
    try:
        return stdnum_uscc.validate(compact)
    except InvalidChecksum:
        raise InvalidIdentifier(MSG_USCC_CHECK, CHECKSUM) from None
    except ValidationError:
        raise InvalidIdentifier(MSG_USCC, INVALID) from None


# GB/T 2260 province-level codes: the first two digits of a division code.
_PROVINCE_CODES = (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66))
_PROVINCE_PREFIXES = frozenset(str(code) for code in (*_PROVINCE_CODES, 71, 81, 82))


def uscc_province(uscc: str) -> str:
    """The province-level GB/T 2260 code of the registration division (characters 3-8): "440300" -> "440000";
    "" for the national level ("100000") or anything unknown."""
    prefix = (uscc or "")[2:4]
    return prefix + "0000" if prefix in _PROVINCE_PREFIXES else ""


# Digits with the separators people write them with; a phone is never letters ("1-800-FLOWERS" is not read).
_PHONE_SHAPE = re.compile(r"\(?\+?[0-9\s\-.()/]+")
# A remark after the number: "13800138000（微信同号）".
_REMARK = re.compile(r"\s*\([^\d)]*\)\s*$")


def normalize_phone(value: str) -> str:
    """E.164 ("+8613800138000"). Mainland numbers need no country code; +86, 0086 and 86 prefixes, spaces, dashes,
    dots, parentheses and full-width digits are all read."""
    text = _REMARK.sub("", _unlabel(value))
    if not _PHONE_SHAPE.fullmatch(text) or sum(ch in "0123456789" for ch in text) < 5:
        raise InvalidIdentifier(MSG_PHONE, INVALID)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier(MSG_PHONE, INVALID) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(MSG_PHONE, INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_bank_card(value: str) -> str:
    """12 to 19 digits that pass the Luhn check, without the spaces and dashes they are written with."""
    digits = re.sub(r"[\s\-]", "", _unlabel(value))
    if not re.fullmatch(r"[0-9]{12,19}", digits):
        raise InvalidIdentifier(MSG_BANK_CARD, INVALID)
    if not luhn.is_valid(digits):
        raise InvalidIdentifier(MSG_BANK_CARD, CHECKSUM)
    return digits


_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")


def normalize_email(value: str) -> str:
    """An email address (an Alipay account is often one), lowercase."""
    text = _LABEL.sub("", clean_text(value)).strip().lower()
    local = text.split("@")[0]
    if not _EMAIL.fullmatch(text) or local.startswith(".") or local.endswith(".") or ".." in text:
        raise InvalidIdentifier(MSG_EMAIL, INVALID)
    return text


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# Segwit addresses: 42 characters (a key hash) or 62 (a script hash or a taproot key).
_BECH32 = re.compile(r"bc1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{39}(?:[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{20})?")


def _base58check(text: str) -> bytes | None:
    """The payload of a base58check string (version byte included), or None if a character or the checksum is
    wrong."""
    number = 0
    for ch in text:
        digit = _BASE58.find(ch)
        if digit < 0:
            return None
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    raw = b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
    payload, check = raw[:-4], raw[-4:]
    if len(raw) < 5 or hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def normalize_wallet(value: str) -> str:
    """A TRON, Ethereum or Bitcoin address, as it is compared: base58 addresses (TRON T…, Bitcoin 1…/3…) keep
    their case and must pass base58check; Ethereum "0x" + 40 hex and Bitcoin bech32 "bc1…" are lowercased."""
    text = "".join(_LABEL.sub("", clean_text(value)).split())
    if re.fullmatch(r"0[xX][0-9a-fA-F]{40}", text):
        return text.lower()
    # bech32 is all lower or all upper case, never mixed.
    if text in (text.lower(), text.upper()) and _BECH32.fullmatch(text.lower()):
        return text.lower()
    if text[:1] in ("T", "1", "3") and 25 <= len(text) <= 35:
        payload = _base58check(text)
        versions = (0x41,) if text[0] == "T" else (0x00, 0x05)
        if payload is not None and len(payload) == 21 and payload[0] in versions:
            return text
    raise InvalidIdentifier(MSG_WALLET, INVALID)


_WECHAT_LABEL = re.compile(r"^(?:wechat\s*id|wechat|weixin|wx|vx|v)(?:\s*:\s*|\s+)", re.IGNORECASE)
_WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")
# Old internal IDs shown as the WeChat ID of accounts that never set one.
_LEGACY_WXID = re.compile(r"wxid_[a-z0-9]{6,30}")


def normalize_wechat_id(value: str) -> str:
    """A WeChat ID, case-folded. An all-digit ID (an old QQ-number login, or a phone the seller uses as their
    ID) keeps its digits; a mainland phone written with +86 gives the same digits as without."""
    text = _WECHAT_LABEL.sub("", _unlabel(value))
    compact = "".join(text.split())
    if _WECHAT_ID.fullmatch(compact) or _LEGACY_WXID.fullmatch(compact.lower()):
        return compact.lower()
    if _PHONE_SHAPE.fullmatch(text):
        try:
            phone = normalize_phone(text)
        except InvalidIdentifier:
            phone = ""
        if phone:
            return phone.removeprefix("+86").lstrip("+")
        if re.fullmatch(r"[0-9]{5,15}", compact):
            return compact
    raise InvalidIdentifier(MSG_WECHAT_ID, INVALID)


# --- Links -----------------------------------------------------------------------------------------------------

# Hosts shared by many merchants, by registrable domain: (platform, the domain recorded for it). A shop on a
# platform is told apart by its shop ID; the platform's domain only says where it sells.
_PLATFORM_HOSTS = {
    "taobao.com": ("taobao", "taobao.com"),
    "tb.cn": ("taobao", "taobao.com"),
    "tmall.com": ("tmall", "tmall.com"),
    "tmall.hk": ("tmall", "tmall.com"),
    "jd.com": ("jd", "jd.com"),
    "jd.hk": ("jd", "jd.com"),
    "3.cn": ("jd", "jd.com"),
    "yangkeduo.com": ("pinduoduo", "pinduoduo.com"),
    "pinduoduo.com": ("pinduoduo", "pinduoduo.com"),
    "jinritemai.com": ("douyin", "douyin.com"),
    "douyin.com": ("douyin", "douyin.com"),
    "iesdouyin.com": ("douyin", "douyin.com"),
    "kuaishou.com": ("kuaishou", "kuaishou.com"),
    "kwaixiaodian.com": ("kuaishou", "kuaishou.com"),
    "xiaohongshu.com": ("xiaohongshu", "xiaohongshu.com"),
    "xhslink.com": ("xiaohongshu", "xiaohongshu.com"),
    "weidian.com": ("weidian", "weidian.com"),
    "vdian.com": ("weidian", "weidian.com"),
    "youzan.com": ("youzan", "youzan.com"),
    "meituan.com": ("meituan", "meituan.com"),
    "dianping.com": ("dianping", "dianping.com"),
    "1688.com": ("1688", "1688.com"),
    "goofish.com": ("xianyu", "goofish.com"),
    "qq.com": ("qq", "qq.com"),
    "alipay.com": ("alipay", "alipay.com"),
    "weibo.com": ("weibo", "weibo.com"),
    "t.cn": ("weibo", "weibo.com"),
    "baidu.com": ("baidu", "baidu.com"),
    # Short-link services: the link's target is unknown, and thousands of shops share the host.
    "url.cn": ("url.cn", "url.cn"),
    "dwz.cn": ("dwz.cn", "dwz.cn"),
    "suo.im": ("suo.im", "suo.im"),
    "bit.ly": ("bit.ly", "bit.ly"),
    "tinyurl.com": ("tinyurl.com", "tinyurl.com"),
}
# Query parameters that carry a shop ID, per platform.
_SHOP_QUERY_KEYS = {
    "taobao": ("shop_id", "shopid"),
    "tmall": ("shop_id", "shopid"),
    "jd": ("shopid", "shop_id"),
    "pinduoduo": ("mall_id", "mallid"),
    "douyin": ("shop_id", "shopid"),
    "kuaishou": ("shop_id", "shopid"),
    "weidian": ("userid",),
    "youzan": ("kdt_id", "kdtid"),
    "meituan": ("poi_id", "poiid", "shop_id", "shopid"),
    "dianping": ("shop_id", "shopid"),
}
# Subdomains that are the platform's own pages, not a shop's: detail.tmall.com is an item page.
_TMALL_RESERVED = frozenset(
    {
        "www",
        "m",
        "detail",
        "list",
        "chaoshi",
        "pages",
        "login",
        "shop",
        "s",
        "vip",
        "brand",
        "sale",
        "buy",
        "cart",
        "buyertrade",
        "favorite",
        "mdetail",
        "world",
        "miao",
        "pre-detail",
        "h5",
        "wt",
    }
)
# Taobao's own subdomains; any other name.taobao.com is a shop's own address, as on Tmall.
_TAOBAO_RESERVED = _TMALL_RESERVED | {"item", "i", "ai", "market", "uland", "trade", "rate", "member1", "guang", "tb"}
_SHOP_ID_VALUE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'“”「」『』【】《》，。、！？]+", re.IGNORECASE)
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")
_IPV4 = re.compile(r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}")


def _host_of(value: str) -> tuple[str, str, dict[str, str]]:
    """(host, path, query with lowercase keys) of the first link in the text; the host lowercase, in punycode,
    without "www." or "m."."""
    text = clean_text(value)
    found = _URL_IN_TEXT.search(text)
    # Else, as in "淘宝店 shop123.taobao.com", the word with a dot in it.
    dotted = next((word for word in text.split() if "." in word or "。" in word), text)
    candidate = found.group(0) if found else dotted
    if "://" not in candidate:
        candidate = "http://" + candidate.removeprefix("//")
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").replace("。", ".").rstrip(".")
        host = host.encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        raise InvalidIdentifier(MSG_URL, INVALID) from None
    while host.startswith(("www.", "m.")):
        host = host.split(".", 1)[1]
    if not (_HOST.fullmatch(host) or _IPV4.fullmatch(host)):
        raise InvalidIdentifier(MSG_URL, INVALID)
    query = {key.lower(): val for key, val in parse_qsl(parts.query)}
    return host, parts.path, query


def _platform_of(host: str) -> tuple[str, str] | None:
    labels = host.split(".")
    for start in range(len(labels) - 1):
        found = _PLATFORM_HOSTS.get(".".join(labels[start:]))
        if found:
            return found
    return None


def _shop_id(platform: str, host: str, path: str, query: dict[str, str]) -> str:
    """The platform's shop ID in a link ("" if none): the same shop in any link gives the same value."""
    patterns = {
        "taobao": (r"shop([0-9]{1,20})\.(?:m\.)?taobao\.com", host),
        "youzan": (r"shop([0-9]{1,20})\.(?:m\.)?youzan\.com", host),
        "1688": (r"(shop[0-9a-z]{1,40})\.(?:m\.)?1688\.com", host),
        "jd": (r"/index-([0-9]{1,20})\.html?", path),
    }
    if platform in patterns:
        pattern, text = patterns[platform]
        match = re.fullmatch(pattern, text)
        if match:
            return f"{platform}:{match.group(1)}"
    for key in _SHOP_QUERY_KEYS.get(platform, ()):
        value = query.get(key, "").strip()
        if _SHOP_ID_VALUE.fullmatch(value):
            return f"{platform}:{value}"
    vanity = {
        "tmall": (r"([a-z0-9-]{1,63})\.(?:m\.)?tmall\.(?:com|hk)", _TMALL_RESERVED),
        "taobao": (r"([a-z0-9-]{1,63})\.(?:m\.)?taobao\.com", _TAOBAO_RESERVED),
    }
    if platform in vanity:
        pattern, reserved = vanity[platform]
        match = re.fullmatch(pattern, host)
        if match and match.group(1) not in reserved:
            return f"{platform}:{match.group(1)}"
    return ""


def parse_url(value: str) -> list[Parsed]:
    """A shop link. On a known platform: its shop ID (when the link has one) and the platform's domain; any
    other host is a website, named by its host (the same host is the same merchant)."""
    host, path, query = _host_of(value)
    platform = _platform_of(host)
    if platform is None:
        return [Parsed(WEBSITE, host)]
    code, domain = platform
    shop_id = _shop_id(code, host, path, query)
    return ([Parsed(SHOP_ID, shop_id)] if shop_id else []) + [Parsed(DOMAIN, domain)]


# --- Claims ----------------------------------------------------------------------------------------------------

_WECHAT_PAY_MCH = re.compile(r"1[0-9]{9}")
_BUSINESS_PAYEE = re.compile(
    r"公司|集团|商行|商店|商城|店|工作室|经营部|门市|厂|\b(?:co|ltd|limited|inc|company|corp|corporation|store|shop)\b",
    re.IGNORECASE,
)


def _name(value: str) -> Parsed | None:
    key = normalize_name(value)
    return Parsed(NAME, key[:MAX_LENGTH], name_pinyin(value)[:MAX_LENGTH]) if key else None


def parse_payee(value: str) -> Parsed:
    """What a payee-account field holds: a wallet, an email or a phone (an Alipay account is one of these), a
    WeChat Pay merchant number (10 digits starting with 1), a bank card, or else the payee's name."""
    # Before phones: "10" and 8 digits would also read as a Beijing landline written without its leading 0.
    compact = re.sub(r"[\s\-]", "", _unlabel(value))
    if _WECHAT_PAY_MCH.fullmatch(compact):
        return Parsed(WECHAT_PAY_MCH, compact)
    attempts = [(WALLET, normalize_wallet), (PHONE, normalize_phone), (BANK_CARD, normalize_bank_card)]
    if "@" in clean_text(value):
        attempts.insert(0, (EMAIL, normalize_email))
    for kind, normalize in attempts:
        try:
            return Parsed(kind, normalize(value))
        except InvalidIdentifier:
            continue
    # "收款方：张三" is 张三; "易联购:" is still 易联购.
    unlabelled = _LABEL.sub("", clean_text(value))
    name = _name(unlabelled) or _name(value)
    if name is None:
        raise InvalidIdentifier(MSG_PAYEE, EMPTY)
    # A company payee (the 商户全称 on a WeChat Pay receipt) names the merchant like any name; anything else may
    # be a person paid privately, whose name is personal data and far too common to match on.
    return name if _BUSINESS_PAYEE.search(unlabelled) else Parsed(PAYEE_NAME, name.normalized, name.pinyin)


_NAME_FIELDS = frozenset({"merchant_name", "mini_program_name", "company_name"})
_STRONG_FIELDS = {
    "app_id": (APP_ID, normalize_app_id),
    "merchant_phone": (PHONE, normalize_phone),
    "wechat_id": (WECHAT_ID, normalize_wechat_id),
    "company_uscc": (USCC, normalize_uscc),
}


def parse_claim(field: str, value: str) -> list[Parsed]:
    """What one claim field says about the merchant. [] for a blank value (or a name with nothing in it);
    InvalidIdentifier when a strong value cannot be what the field says."""
    if not clean_text(value):
        return []
    if field in _NAME_FIELDS:
        name = _name(value)
        return [name] if name else []
    if field == "shop_url":
        return parse_url(value)
    if field == "payee_account":
        return [parse_payee(value)]
    if field in _STRONG_FIELDS:
        kind, normalize = _STRONG_FIELDS[field]
        return [Parsed(kind, normalize(value))]
    raise KeyError(f"unknown claim field {field!r}")


# --- Display ---------------------------------------------------------------------------------------------------


def _middle_masked(text: str, keep_start: int, keep_end: int, stars: int) -> str:
    # Too short to keep both ends and still hide something: hide it all.
    if len(text) <= keep_start + keep_end + 2:
        return "*" * max(len(text), stars)
    return text[:keep_start] + "*" * stars + text[len(text) - keep_end :]


# What a victim may type into a name field that identifies a person: a phone or card number (7 or more digits,
# spaced or not), an email address, an internal WeChat ID.
_PERSONAL_IN_TEXT = re.compile(
    r"\+?\d(?:[\d\s\-.()]{5,}\d)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|wxid_[0-9a-z_-]+",
    re.IGNORECASE,
)


def scrub_personal(text: str) -> str:
    """A name as it may be shown in public: numbers, addresses and WeChat IDs typed into it are replaced by
    "***" ("张三 13812345678" becomes "张三 ***")."""
    return _PERSONAL_IN_TEXT.sub("***", clean_text(text)).strip()


def mask(kind: str, normalized: str) -> str:
    """How a strong identifier is shown in public: enough to recognise, not enough to use. App IDs,
    registration numbers, hosts, shop IDs and names are public and shown whole."""
    if kind == PHONE:
        try:
            number = phonenumbers.parse(normalized)
            country, national = f"+{number.country_code}", phonenumbers.national_significant_number(number)
        except phonenumbers.NumberParseException:
            country, national = "", normalized
        return f"{country} {_middle_masked(national, 3, 4, 4)}".strip()
    if kind == BANK_CARD:
        return f"{normalized[:4]} **** **** {normalized[-4:]}" if len(normalized) >= 12 else "*" * len(normalized)
    if kind == EMAIL:
        local, _at, domain = normalized.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == WECHAT_ID:
        return _middle_masked(normalized, 2, 2, 4)
    if kind == WALLET:
        return f"{normalized[:6]}…{normalized[-4:]}" if len(normalized) > 12 else "*" * len(normalized)
    if kind == WECHAT_PAY_MCH:
        return _middle_masked(normalized, 2, 2, 6)
    if kind == PAYEE_NAME:
        return normalized[:1] + "*" * max(len(normalized) - 1, 2)
    return normalized
