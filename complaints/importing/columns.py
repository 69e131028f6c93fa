"""Which column holds which complaint field: the fields an import can fill, the headers recognised without a
mapping, and the mapping a moderator types for the others."""

import functools
import json
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from merchants.services import MerchantClaims

MSG_MAPPING_FORMAT = _(
    'The column mapping must be a JSON object of field names and column headers, for example {"narrative": "经过"}.'
)
MSG_UNKNOWN_FIELD = _("“%(field)s” is not a field an import can fill. The fields are: %(fields)s.")
MSG_NO_COLUMN = _("The file has no column “%(column)s” (mapped to %(field)s).")
MSG_MISSING_COLUMNS = _("No column was found for %(fields)s. Name the columns in the mapping.")
MSG_NO_MERCHANT_COLUMN = _(
    "No column names the merchant (a name, mini program, app ID, phone...). Name one in the mapping."
)

MERCHANT_FIELDS = MerchantClaims.field_names()
FACT_FIELDS = ["category", "narrative", "amount", "currency", "payment_method", "paid_at", "order_number", "region"]
# What a mapping may name: the filing's fields, the victim reference and the row id.
FIELDS = [*MERCHANT_FIELDS, *FACT_FIELDS, "complainant_ref", "source_row"]
REQUIRED_FIELDS = ["category", "narrative"]

# Headers recognised without a mapping, compared by _header_key (case, width, spaces and punctuation ignored).
# Victims' own contact columns (联系电话, 手机号) are deliberately absent: they must never become the merchant's.
HEADER_ALIASES = {
    "merchant_name": [
        "商家名称", "商家", "商家名", "店铺名称", "店铺", "店铺名", "商户名称", "商户", "卖家",
        "merchant", "merchant name", "shop", "shop name", "store", "seller",
    ],
    "platform": ["平台", "购买平台", "交易平台", "platform"],
    "mini_program_name": ["小程序名称", "小程序", "小程序名", "mini program", "mini-program name", "mini program name"],
    "app_id": ["AppID", "小程序AppID", "app id"],
    "shop_url": ["链接", "网址", "店铺链接", "商品链接", "网站", "url", "link", "shop url", "website"],
    "merchant_phone": ["客服电话", "电话", "商家电话", "merchant phone", "phone"],
    "wechat_id": ["微信号", "商家微信号", "商家微信", "微信", "wechat", "wechat id"],
    "payee_account": ["收款账户", "收款账号", "收款方", "收款人", "payee", "payee account"],
    "company_name": ["公司名称", "公司", "主体名称", "经营主体", "company", "company name"],
    "company_uscc": ["统一社会信用代码", "社会信用代码", "信用代码", "uscc", "credit code"],
    "category": ["投诉类型", "类别", "问题类型", "投诉类别", "类型", "category", "type"],
    "narrative": [
        "经过", "描述", "事情经过", "事件经过", "情况描述", "投诉内容", "详细描述", "问题描述",
        "narrative", "description", "details", "what happened",
    ],
    "amount": ["金额", "涉案金额", "损失金额", "付款金额", "支付金额", "amount", "amount lost", "loss"],
    "currency": ["币种", "货币", "currency"],
    "payment_method": ["支付方式", "付款方式", "payment method", "payment"],
    "paid_at": ["付款日期", "支付日期", "付款时间", "支付时间", "date paid", "paid at", "payment date", "paid on"],
    "order_number": [
        "订单号", "订单编号", "交易单号", "交易号", "order number", "order", "order no", "transaction number",
    ],
    "region": ["省份", "所在省份", "省", "地区", "province", "region"],
    "complainant_ref": [
        "受害人", "受害人编号", "编号", "投诉人", "victim", "victim id", "complainant", "complainant ref",
    ],
    "source_row": ["行号", "序号", "id", "row", "row id", "no"],
}  # fmt: skip

# Units and "required" marks in brackets after a header: 金额（元）, 商家名称(必填), Date paid (YYYY-MM-DD).
_HEADER_DECORATION = re.compile(
    r"[(\[【]\s*(?:元|人民币|rmb|cny|¥|必填|选填|可选|required|optional|yyyy\W*mm?\W*dd?|年月日)\s*[)\]】]|\*"
)


def _header_key(value) -> str:
    """A header compared the way people mean it: width, case, brackets with units, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    text = _HEADER_DECORATION.sub("", text)
    return "".join(ch for ch in text if ch.isalnum())


@functools.cache
def _known_header_keys() -> dict[str, str]:
    keys = {}
    for name in FIELDS:
        for alias in [name, *HEADER_ALIASES.get(name, [])]:
            keys.setdefault(_header_key(alias), name)
    return keys


def mapping_parse(text: str) -> dict[str, str | None]:
    """A mapping typed as JSON: {"field": "column header"}; null leaves a field out of the import."""
    text = (text or "").strip()
    if not text:
        return {}
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str | None) for v in mapping.values()):
        raise ValidationError({"mapping": [ValidationError(MSG_MAPPING_FORMAT, code="mapping_format")]})
    return mapping


def columns_for(headers: list[str], mapping: dict[str, str | None], *, detect: bool = True) -> dict[str, int]:
    """field -> column index: the mapping's columns, then (with `detect`) the known headers for the other fields.

    Refuses unknown fields, columns missing from the file, and a sheet without the columns every complaint needs.
    """
    errors = []
    unknown = [name for name in mapping if name not in FIELDS]
    for name in unknown:
        errors.append(
            ValidationError(
                MSG_UNKNOWN_FIELD, code="unknown_field", params={"field": name, "fields": ", ".join(FIELDS)}
            )
        )
    keys = [_header_key(h) for h in headers]
    columns = {}
    for name, column in mapping.items():
        if name in unknown or column is None:
            continue
        column = column.strip()
        index = next((i for i, h in enumerate(headers) if h == column), None)
        if index is None:
            index = next((i for i, key in enumerate(keys) if key and key == _header_key(column)), None)
        if index is None:
            errors.append(ValidationError(MSG_NO_COLUMN, code="no_column", params={"column": column, "field": name}))
        else:
            columns[name] = index
    if detect:
        taken = set(columns.values())
        known = _known_header_keys()
        for index, key in enumerate(keys):
            name = known.get(key)
            if name and name not in mapping and name not in columns and index not in taken:
                columns[name] = index
                taken.add(index)
    if not errors:
        missing = [name for name in REQUIRED_FIELDS if name not in columns]
        if missing:
            errors.append(
                ValidationError(MSG_MISSING_COLUMNS, code="missing_columns", params={"fields": ", ".join(missing)})
            )
        if not any(name in columns for name in MerchantClaims.IDENTIFIER_FIELDS):
            errors.append(ValidationError(MSG_NO_MERCHANT_COLUMN, code="no_merchant_column"))
    if errors:
        raise ValidationError({"mapping": errors})
    return dict(sorted(columns.items(), key=lambda item: item[1]))
