"""Reading a row's cells into complaint_submit's arguments, the way people type them.

Choices by code, English or Chinese label or a common shorthand; amounts with ¥, 元 and commas; dates in the
usual spellings or as Excel's serial numbers; phone and order numbers Excel stored as floats; and the row id
that makes importing the same file twice add nothing.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

from complaints.importing.columns import MERCHANT_FIELDS
from complaints.importing.files import Row, _blank
from complaints.models import Category, Complaint, PaymentMethod
from merchants.regions import Region
from merchants.selectors import platform_choices
from merchants.services import MerchantClaims

MSG_BAD_DATE = _("“%(value)s” is not a date. Write it like 2024-05-03, 2024/5/3 or 2024.05.03.")
MSG_BAD_AMOUNT = _("“%(value)s” is not an amount. Write it like 1999.50; ¥, 元 and commas are accepted.")
MSG_NO_ROW_ID = _("This row has no row id.")

# Values people write for a choice besides its code and its English and Chinese labels.
CATEGORY_ALIASES = {
    "未发货": Category.NOT_DELIVERED, "不发货": Category.NOT_DELIVERED, "付款后未发货": Category.NOT_DELIVERED,
    "跑路": Category.MERCHANT_VANISHED, "失联": Category.MERCHANT_VANISHED, "商家跑路": Category.MERCHANT_VANISHED,
    "拒绝退款": Category.REFUND_REFUSED, "不退款": Category.REFUND_REFUSED, "退款": Category.REFUND_REFUSED,
    "假货": Category.COUNTERFEIT,
    "货不对板": Category.NOT_AS_DESCRIBED, "质量问题": Category.NOT_AS_DESCRIBED,
    "促销不兑现": Category.PROMOTION_NOT_HONOURED, "优惠券": Category.PROMOTION_NOT_HONOURED,
    "团购": Category.PROMOTION_NOT_HONOURED,
    "诱导分享": Category.INDUCED_SHARING,
    "信息泄露": Category.PERSONAL_DATA, "个人信息泄露": Category.PERSONAL_DATA,
    "乱收费": Category.HIDDEN_FEES, "隐藏费用": Category.HIDDEN_FEES,
}  # fmt: skip
PLATFORM_ALIASES = {
    "小程序": "wechat_mini_program", "微信小程序": "wechat_mini_program",
    "朋友圈": "wechat_social", "微信群": "wechat_social", "公众号": "wechat_official_account",
    "淘宝": "taobao_tmall", "天猫": "taobao_tmall", "taobao": "taobao_tmall", "tmall": "taobao_tmall",
    "京东": "jd", "抖音小店": "douyin", "网页": "website", "实体店": "offline",
}  # fmt: skip
PAYMENT_ALIASES = {
    "微信": PaymentMethod.WECHAT_PAY, "wechat": PaymentMethod.WECHAT_PAY,
    "转账": PaymentMethod.BANK_TRANSFER, "银行": PaymentMethod.BANK_TRANSFER,
    "信用卡": PaymentMethod.CARD, "借记卡": PaymentMethod.CARD,
}  # fmt: skip
CURRENCY_ALIASES = {"人民币": "CNY", "元": "CNY", "rmb": "CNY", "¥": "CNY", "美元": "USD", "港元": "HKD", "港币": "HKD"}
_PROVINCE_SUFFIX = re.compile("(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")

_AMOUNT_NOISE = re.compile(r"[¥,\s]|元|rmb|cny|人民币")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CENTS = Decimal("0.01")
# Excel serial day numbers read as dates: 1954 to 2119. Other numbers in a date column are not dates.
EXCEL_SERIALS = (20000, 80000)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores phone and order numbers typed as numbers as floats: 13800138000.0.
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _choice_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in text if ch.isalnum())


@functools.cache
def _choice_lookups() -> dict[str, dict[str, str]]:
    """field -> {typed value key -> code}: codes, English and Chinese labels, and common shorthands."""
    sources = {
        "category": (Category.choices, CATEGORY_ALIASES),
        "payment_method": (PaymentMethod.choices, PAYMENT_ALIASES),
        "platform": (platform_choices(), PLATFORM_ALIASES),
        "region": (Region.choices, {}),
    }
    lookups = {}
    for name, (choices, aliases) in sources.items():
        lookup = {_choice_key(code): code for code, _label in choices}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for code, label in choices:
                    lookup.setdefault(_choice_key(str(label)), code)
                    if name == "region":
                        # 广东 for 广东省, 广西 for 广西壮族自治区.
                        lookup.setdefault(_choice_key(_PROVINCE_SUFFIX.sub("", str(label))), code)
        for alias, code in aliases.items():
            lookup.setdefault(_choice_key(alias), str(code))
        lookups[name] = lookup
    return lookups


def _choice(name: str, value) -> str:
    """The code for a typed choice; an unknown value is passed on as typed, for the filing to refuse by name."""
    text = _text(value)
    return _choice_lookups()[name].get(_choice_key(text), text) if text else ""


def _currency(value) -> str:
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    return CURRENCY_ALIASES.get(text.casefold(), text.upper()) or "CNY"


def _amount(value) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", str(value)).casefold())
        amount = Decimal(text)
    if not amount.is_finite():
        raise ValueError(value)
    return amount.quantize(_CENTS, rounding=ROUND_HALF_UP)


def _date(value) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            value = str(int(value))
        elif EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            # A date cell the sheet did not format as one: Excel's serial day number.
            return from_excel(value).date()
        else:
            raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise ValueError(value)
    return date(*(int(part) for part in match.groups()))


def _converted(name: str, value, reader, message, errors: dict):
    try:
        return reader(value)
    except (ValueError, InvalidOperation, OverflowError, TypeError):
        errors.setdefault(name, []).append(ValidationError(message, code="invalid", params={"value": _text(value)}))
        return None


@dataclass(frozen=True)
class RowFiling:
    """A row read into complaint_submit's arguments, with the values that could not be read."""

    row_id: str
    kwargs: dict
    errors: dict[str, list[ValidationError]]


def _cell(row: Row, columns: dict[str, int], name: str):
    index = columns.get(name)
    return row.cells[index] if index is not None and index < len(row.cells) else None


def _row_id(row: Row, columns: dict[str, int]) -> str:
    """The row's id column, or without one its number under the header."""
    return _text(_cell(row, columns, "source_row")) if "source_row" in columns else str(row.number)


def row_read(row: Row, columns: dict[str, int]) -> RowFiling:
    def cell(name):
        return _cell(row, columns, name)

    errors = {}
    claims = {name: _text(cell(name)) for name in MERCHANT_FIELDS}
    claims["platform"] = _choice("platform", cell("platform"))
    kwargs = {
        "claims": MerchantClaims(**claims),
        "category": _choice("category", cell("category")),
        "narrative": _text(cell("narrative")),
        "amount": _converted("amount", cell("amount"), _amount, MSG_BAD_AMOUNT, errors),
        "currency": _currency(cell("currency")),
        "payment_method": _choice("payment_method", cell("payment_method")),
        "paid_at": _converted("paid_at", cell("paid_at"), _date, MSG_BAD_DATE, errors),
        "order_number": _text(cell("order_number")),
        "region": _choice("region", cell("region")),
    }
    row_id = _row_id(row, columns)
    if not row_id:
        errors.setdefault("source_row", []).append(ValidationError(MSG_NO_ROW_ID, code="required"))
    else:
        try:
            Complaint._meta.get_field("source_row").run_validators(row_id)
        except ValidationError as error:
            errors.setdefault("source_row", []).extend(error.error_list)
    # Without a victim column each row counts as its own complainant: a victims' group sheet is one row per
    # victim far more often than one victim per sheet, and the importing account is not the victim.
    kwargs["complainant_ref"] = _text(cell("complainant_ref")) or row_id
    return RowFiling(row_id=row_id or f"#{row.number}", kwargs=kwargs, errors=errors)
