import csv
import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from complaints import importing, tasks
from complaints.models import Category, Complaint, ImportJob, PaymentMethod
from merchants.identifiers import MSG_USCC_CHECK
from portal.accounts.tests.factories import UserFactory
from portal.celery import app as celery_app

SOURCE = "易联购受害人群"
NARRATIVE_1 = "我在易联购小程序买了一台空气净化器，付款后商家一直不发货，客服电话也打不通了。"
NARRATIVE_2 = "Ordered an air purifier from the Yi Liangou mini program, paid, it never shipped and nobody answers."
NARRATIVE_3 = "在好运来商城预购了一部手机，商家收款后拒绝发货，也不给退款，后来直接失联了。"
VALID_USCC = "91350100M000100Y43"
WRONG_CHECK_USCC = "91350100M000100Y44"

CHINESE_HEADERS = [
    "序号", "受害人", "商家名称", "平台", "客服电话", "统一社会信用代码", "投诉类型", "经过", "金额（元）",
    "支付方式", "付款日期", "订单号", "省份",
]  # fmt: skip
# Two namings of one shop (Chinese name and pinyin, the phone written two ways), then a row with three problems.
CHINESE_ROWS = [
    ["1", "张三", "易联购", "微信小程序", "+86 138-0013-8000", "", "付款后未发货（含预售）", NARRATIVE_1,
     "¥1,299.00", "微信支付", "2024/5/3", "4200001", "广东"],
    ["2", "李四", "Yi Liangou", "wechat_mini_program", "13800138000", "", "not_delivered", NARRATIVE_2,
     "899元", "wechat_pay", "2024.05.03", "4200002", "广东省"],
    ["3", "王五", "好运来商城", "微信小程序", "", WRONG_CHECK_USCC, "被骗了", "", "500", "支付宝",
     "2024-05-04", "", "浙江"],
]  # fmt: skip

ENGLISH_HEADERS = [
    "Row ID", "Victim", "Merchant name", "Platform", "Phone", "Company name", "USCC", "Category", "Narrative",
    "Amount", "Payment method", "Date paid", "Order number", "Province",
]  # fmt: skip
ENGLISH_ROWS = [
    ["A-1", "victim 1", "好运来商城", "WeChat mini program", "", "好运来网络科技有限公司", VALID_USCC,
     "Merchant vanished or unreachable", NARRATIVE_3, 6999, "Alipay", datetime(2024, 3, 1), 42000011, "Zhejiang"],
    ["A-2", "victim 2", "Haoyunlai Mall", "Taobao / Tmall", "", "", "", "Refund or return refused",
     "Bought shoes, they fell apart after a week; the shop refuses any refund or return at all.", 120.5,
     "Bank card", datetime(2024, 3, 2), "", "Shanghai"],
]  # fmt: skip


def csv_bytes(headers, rows, *, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers, rows, *, title=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def prepared_job(*, user, data: bytes, name: str, source: str = SOURCE, mapping=None) -> ImportJob:
    prepared = importing.import_prepare(data=data, name=name, mapping=mapping or {})
    return importing.import_job_create(
        user=user,
        source=source,
        upload=ContentFile(data),
        file_name=name,
        mapping=prepared.mapping,
        total_rows=prepared.total_rows,
        enqueue=False,
    )


def run(job: ImportJob, **kwargs) -> ImportJob:
    importing.import_job_run(job_id=job.pk, **kwargs)
    job.refresh_from_db()
    return job


def rendered(message, language="zh-hans", **params) -> str:
    with translation.override(language):
        return str(message) % params if params else str(message)


def refused_code(error: ValidationError) -> str:
    return next(e.code for errors in error.error_dict.values() for e in errors)


# Reading files ---------------------------------------------------------------------------------------------


def test_a_csv_with_chinese_headers_is_read_with_its_columns():
    prepared = importing.import_prepare(data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="名单.csv", mapping={})

    assert prepared.total_rows == 3
    assert prepared.mapping == {
        "source_row": "序号",
        "complainant_ref": "受害人",
        "merchant_name": "商家名称",
        "platform": "平台",
        "merchant_phone": "客服电话",
        "company_uscc": "统一社会信用代码",
        "category": "投诉类型",
        "narrative": "经过",
        "amount": "金额（元）",
        "payment_method": "支付方式",
        "paid_at": "付款日期",
        "order_number": "订单号",
        "region": "省份",
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(encoding):
    table = importing.table_read(data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS, encoding=encoding), name="x.csv")

    assert table.headers[0] == "序号"
    assert table.rows[0][2] == "易联购"


def test_csv_with_semicolons_or_tabs_is_split_on_them():
    for delimiter in (";", "\t"):
        table = importing.table_read(data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS, delimiter=delimiter), name="x.csv")
        assert table.headers == CHINESE_HEADERS


def test_an_xlsx_with_english_headers_is_read_with_typed_cells():
    prepared = importing.import_prepare(data=xlsx_bytes(ENGLISH_HEADERS, ENGLISH_ROWS), name="list.xlsx", mapping={})

    assert prepared.mapping["company_uscc"] == "USCC"
    assert prepared.mapping["paid_at"] == "Date paid"
    assert prepared.mapping["merchant_phone"] == "Phone"
    assert prepared.table.rows[0][11] == datetime(2024, 3, 1)
    assert prepared.table.rows[0][9] == 6999


def test_a_title_above_the_header_row_is_skipped_and_lines_count_from_the_top():
    data = xlsx_bytes(ENGLISH_HEADERS, ENGLISH_ROWS, title="好运来受害人登记表")
    table = importing.table_read(data=data, name="list.xlsx")

    assert table.header_line == 2
    assert [row.line for row in importing.table_rows(table)] == [3, 4]


def test_blank_rows_are_skipped_but_keep_the_row_numbers():
    rows = [CHINESE_ROWS[0], ["", "", ""], CHINESE_ROWS[1]]
    table = importing.table_read(data=csv_bytes(CHINESE_HEADERS, rows), name="x.csv")

    assert [(row.number, row.line) for row in importing.table_rows(table)] == [(1, 2), (3, 4)]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 64, importing.files.MSG_NOT_TEXT),
        ("noise.csv", bytes(range(256)) * 8, importing.files.MSG_NOT_TEXT),
        ("noise.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, importing.files.MSG_NOT_XLSX),
        ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", importing.files.MSG_EXTENSION),
        ("empty.csv", b"", importing.files.MSG_EMPTY),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(ValidationError) as caught:
        importing.table_read(data=data, name=name)

    assert caught.value.message_dict["file"] == [rendered(message, name=name)]


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    with pytest.raises(ValidationError) as caught:
        importing.table_read(data=buffer.getvalue(), name="fake.xlsx")
    assert refused_code(caught.value) == "unreadable"


def test_files_over_the_size_limit_are_refused_before_reading(monkeypatch):
    monkeypatch.setattr(importing.files, "MAX_FILE_BYTES", 100)

    with pytest.raises(ValidationError) as caught:
        importing.file_check(name="big.csv", size=101)
    assert refused_code(caught.value) == "too_big"
    importing.file_check(name="small.csv", size=100)


def test_files_with_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(importing.files, "MAX_ROWS", 2)

    with pytest.raises(ValidationError) as caught:
        importing.table_read(data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    assert caught.value.message_dict["file"] == [rendered(importing.files.MSG_TOO_MANY_ROWS, name="x.csv", limit=2)]


# Mapping ------------------------------------------------------------------------------------------------


def test_a_mapping_names_columns_the_defaults_do_not_know():
    headers = ["店", "情况说明", "分类", "被骗金额"]
    mapping = {"merchant_name": "店", "narrative": "情况说明", "category": "分类", "amount": "被骗金额"}

    assert importing.columns_for(headers, mapping) == {"merchant_name": 0, "narrative": 1, "category": 2, "amount": 3}


def test_a_mapping_can_leave_a_recognised_column_out():
    columns = importing.columns_for(CHINESE_HEADERS, {"merchant_phone": None})

    assert "merchant_phone" not in columns
    assert columns["merchant_name"] == 2


@pytest.mark.parametrize(
    ("mapping", "code"),
    [
        ({"victim_phone": "客服电话"}, "unknown_field"),
        ({"narrative": "详细经过"}, "no_column"),
        ({"narrative": None}, "missing_columns"),
        ({"merchant_name": None, "merchant_phone": None, "company_uscc": None}, "no_merchant_column"),
    ],
)
def test_mapping_errors_are_refused_by_name(mapping, code):
    with pytest.raises(ValidationError) as caught:
        importing.columns_for(CHINESE_HEADERS, mapping)

    assert code in [e.code for e in caught.value.error_dict["mapping"]]


@pytest.mark.parametrize("text", ["[1, 2]", "{not json", '{"narrative": 3}'])
def test_mapping_text_must_be_a_json_object_of_headers(text):
    with pytest.raises(ValidationError) as caught:
        importing.mapping_parse(text)

    assert caught.value.message_dict["mapping"] == [rendered(importing.columns.MSG_MAPPING_FORMAT)]


@pytest.mark.parametrize(
    ("header", "field"),
    [("商家名称*", "merchant_name"), ("金额(元)", "amount"), ("Date paid (YYYY-MM-DD)", "paid_at"),
     ("App ID", "app_id"), ("ＡｐｐＩＤ", "app_id"), ("No.", "source_row"), ("联系电话", None)],
)  # fmt: skip
def test_headers_are_recognised_through_width_case_units_and_marks(header, field):
    assert importing.columns._known_header_keys().get(importing.columns._header_key(header)) == field


# Reading values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("¥1,299.00", "1299.00"), ("899元", "899.00"), ("￥ 12.5", "12.50"), ("RMB 3,000", "3000.00"), (120.5, "120.50")],
)
def test_amounts_are_read_with_currency_signs_and_commas(typed, amount):
    assert importing.values._amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed",
    ["2024-05-03", "2024/5/3", "2024.05.03", "2024年5月3日", "2024-05-03 14:20:00", "20240503", 45415,
     datetime(2024, 5, 3, 14, 20), date(2024, 5, 3)],
)  # fmt: skip
def test_dates_are_read_in_the_ways_people_write_them(typed):
    assert importing.values._date(typed) == date(2024, 5, 3)


@pytest.mark.parametrize("typed", ["约500", "NaN", "1.2.3"])
def test_an_unreadable_amount_raises(typed):
    with pytest.raises((ValueError, ArithmeticError)):
        importing.values._amount(typed)


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_amounts_written_with_signs_and_separators_read_back(amount):
    assert importing.values._amount(f"¥{amount:,.2f}元") == amount


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_written_with_slashes_or_dots_read_back(day):
    assert importing.values._date(f"{day.year}/{day.month}/{day.day}") == day
    assert importing.values._date(day.strftime("%Y.%m.%d")) == day


@pytest.mark.parametrize(
    ("name", "typed", "code"),
    [
        ("category", "not_delivered", Category.NOT_DELIVERED),
        ("category", "Counterfeit goods", Category.COUNTERFEIT),
        ("category", "货不对板或质量问题", Category.NOT_AS_DESCRIBED),
        ("category", "跑路", Category.MERCHANT_VANISHED),
        ("payment_method", "微信支付", PaymentMethod.WECHAT_PAY),
        ("payment_method", "Bank transfer", PaymentMethod.BANK_TRANSFER),
        ("platform", "Taobao / Tmall", "taobao_tmall"),
        ("platform", "淘宝/天猫", "taobao_tmall"),
        ("platform", "拼多多", "pinduoduo"),
        ("region", "广东", "440000"),
        ("region", "广西壮族自治区", "450000"),
        ("region", "Inner Mongolia", "150000"),
        ("region", "310000", "310000"),
        ("category", "被骗了", "被骗了"),
    ],
)
def test_choices_are_read_from_codes_english_and_chinese_labels(name, typed, code):
    assert importing.values._choice(name, typed) == code


@pytest.mark.parametrize(("typed", "code"), [("", "CNY"), ("人民币", "CNY"), ("RMB", "CNY"), ("usd", "USD")])
def test_currencies_are_read_as_codes(typed, code):
    assert importing.values._currency(typed) == code


# Importing ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chinese_csv_imports_and_two_namings_of_one_shop_land_on_one_merchant(moderator):
    job = run(prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="名单.csv"))

    assert job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.processed_rows) == (3, 3)
    assert (job.created_count, job.duplicate_count, job.rejected_count) == (2, 0, 1)
    first, second = Complaint.objects.filter(source=SOURCE).order_by("source_row")
    assert (first.source_row, second.source_row) == ("1", "2")
    assert first.complainant == moderator
    assert first.consent_publish is False
    assert (first.category, first.amount, first.paid_at) == (
        Category.NOT_DELIVERED,
        Decimal("1299.00"),
        date(2024, 5, 3),
    )
    assert (first.platform, first.payment_method, first.region) == ("wechat_mini_program", "wechat_pay", "440000")
    assert second.amount == Decimal("899.00")
    # Distinct victims of one import are distinct complainants.
    assert first.complainant_key != second.complainant_key
    # 易联购 with +86 138-0013-8000 and "Yi Liangou" with 13800138000 on the same platform are one shop.
    assert first.merchant_id == second.merchant_id


@pytest.mark.django_db
def test_a_bad_row_is_rejected_with_every_reason_and_the_others_still_import(moderator):
    job = run(prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="名单.csv"))

    assert Complaint.objects.filter(source=SOURCE).count() == 2
    [entry] = job.report
    assert (entry["row"], entry["line"]) == ("3", 4)
    errors = entry["errors"]
    assert errors["company_uscc"] == [rendered(MSG_USCC_CHECK)]
    assert errors["narrative"] == [rendered(Complaint._meta.get_field("narrative").error_messages["blank"])]
    assert errors["category"] == [
        rendered(Complaint._meta.get_field("category").error_messages["invalid_choice"], value="被骗了")
    ]


@pytest.mark.django_db
def test_an_xlsx_with_english_headers_imports(moderator):
    job = run(prepared_job(user=moderator, data=xlsx_bytes(ENGLISH_HEADERS, ENGLISH_ROWS), name="list.xlsx"))

    assert (job.created_count, job.rejected_count) == (2, 0), job.report
    first = Complaint.objects.get(source=SOURCE, source_row="A-1")
    assert first.category == Category.MERCHANT_VANISHED
    assert (first.amount, first.paid_at, first.payment_method) == (Decimal("6999.00"), date(2024, 3, 1), "alipay")
    assert (first.order_number, first.region, first.company_uscc) == ("42000011", "330000", VALID_USCC)
    second = Complaint.objects.get(source=SOURCE, source_row="A-2")
    assert (second.platform, second.amount, second.payment_method) == ("taobao_tmall", Decimal("120.50"), "card")


@pytest.mark.django_db
def test_importing_the_same_file_twice_creates_nothing_new(moderator):
    data = csv_bytes(CHINESE_HEADERS, CHINESE_ROWS)
    run(prepared_job(user=moderator, data=data, name="名单.csv"))
    merchants_before = set(Complaint.objects.values_list("merchant_id", flat=True))

    again = run(prepared_job(user=moderator, data=data, name="名单.csv"))

    assert (again.created_count, again.duplicate_count, again.rejected_count) == (0, 2, 1)
    assert Complaint.objects.count() == 2
    assert set(Complaint.objects.values_list("merchant_id", flat=True)) == merchants_before


@pytest.mark.django_db
def test_the_same_rows_under_another_source_are_new_complaints(moderator):
    data = csv_bytes(CHINESE_HEADERS, CHINESE_ROWS[:1])
    run(prepared_job(user=moderator, data=data, name="a.csv", source="group A"))

    other = run(prepared_job(user=moderator, data=data, name="a.csv", source="group B"))

    assert other.created_count == 1


@pytest.mark.django_db
def test_without_an_id_column_rows_are_numbered_under_the_header(moderator):
    headers, rows = CHINESE_HEADERS[1:], [row[1:] for row in CHINESE_ROWS[:2]]
    job = run(prepared_job(user=moderator, data=csv_bytes(headers, rows), name="x.csv"))

    assert job.created_count == 2
    assert sorted(Complaint.objects.values_list("source_row", flat=True)) == ["1", "2"]


@pytest.mark.django_db
def test_a_repeated_row_id_and_a_missing_one_are_rejected(moderator):
    rows = [CHINESE_ROWS[0], ["1", *CHINESE_ROWS[1][1:]], ["", *CHINESE_ROWS[1][1:]]]
    job = run(prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, rows), name="x.csv"))

    assert (job.created_count, job.rejected_count) == (1, 2)
    repeated, missing = job.report
    assert repeated["errors"]["source_row"] == [rendered(importing.rows.MSG_REPEATED_ROW_ID, value="1")]
    assert missing["errors"]["source_row"] == [rendered(importing.values.MSG_NO_ROW_ID)]


@pytest.mark.django_db
def test_unreadable_dates_and_amounts_reject_the_row_with_the_value(moderator):
    row = [*CHINESE_ROWS[0]]
    row[8], row[10] = "约一千", "上个月"
    job = run(prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, [row]), name="x.csv"))

    assert job.created_count == 0
    errors = job.report[0]["errors"]
    assert errors["amount"] == [rendered(importing.values.MSG_BAD_AMOUNT, value="约一千")]
    assert errors["paid_at"] == [rendered(importing.values.MSG_BAD_DATE, value="上个月")]
    # The filing was rolled back: nothing of it remains, not even its merchant's statistics.
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_rejected_rows_are_reported_in_the_importers_language():
    importer = UserFactory(email="organiser@example.com", preferred_language="en")
    row = [*CHINESE_ROWS[0]]
    row[7] = "太短了"
    job = run(prepared_job(user=importer, data=csv_bytes(CHINESE_HEADERS, [row]), name="x.csv"))

    [message] = job.report[0]["errors"]["narrative"]
    assert "at least 30 characters" in message


@pytest.mark.django_db
def test_progress_is_saved_during_the_run_and_ends_at_the_totals(moderator, monkeypatch):
    monkeypatch.setattr(importing.jobs, "PROGRESS_EVERY_ROWS", 1)
    seen = []

    def on_progress(job):
        stored = ImportJob.objects.get(pk=job.pk)
        seen.append((stored.status, stored.processed_rows, stored.total_rows))

    job = run(
        prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv"),
        on_progress=on_progress,
    )

    assert seen[:3] == [("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]
    assert seen[-1] == ("done", 3, 3)
    assert job.processed_rows == job.total_rows == job.created_count + job.duplicate_count + job.rejected_count
    assert job.finished_at is not None
    assert job.attempts == 1


@pytest.mark.django_db
def test_a_crashed_run_resumes_and_rows_imported_since_the_last_save_count_as_duplicates(moderator, monkeypatch):
    monkeypatch.setattr(importing.jobs, "PROGRESS_EVERY_ROWS", 10)
    rows = [[str(n), f"v{n}", f"店铺{n}号", "微信小程序", "", "", "not_delivered", NARRATIVE_1] for n in range(1, 5)]
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS[:8], rows), name="x.csv")
    real_submit, calls = importing.rows.complaint_submit, []

    def crash_on_the_third_row(**kwargs):
        calls.append(kwargs["source_row"])
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real_submit(**kwargs)

    monkeypatch.setattr(importing.rows, "complaint_submit", crash_on_the_third_row)
    with pytest.raises(RuntimeError):
        importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.attempts) == (ImportJob.Status.RUNNING, 0, 1)
    assert Complaint.objects.count() == 2

    monkeypatch.setattr(importing.rows, "complaint_submit", real_submit)
    job = run(job)

    assert (job.status, job.attempts) == (ImportJob.Status.DONE, 2)
    assert (job.created_count, job.duplicate_count, job.processed_rows) == (2, 2, 4)
    assert Complaint.objects.count() == 4


@pytest.mark.django_db
def test_a_resumed_run_starts_after_the_saved_progress(moderator, monkeypatch):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, attempts=1, processed_rows=2, created_count=2
    )

    job = run(job)

    # Rows 1 and 2 were counted by the earlier run; only row 3 is read again.
    assert (job.processed_rows, job.created_count, job.rejected_count) == (3, 2, 1)
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_attempts_are_capped(moderator):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, attempts=importing.jobs.MAX_ATTEMPTS)

    assert importing.import_job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == rendered(importing.jobs.MSG_GAVE_UP, count=importing.jobs.MAX_ATTEMPTS)
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_job_held_by_a_live_run_is_left_alone(moderator):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    cache.set(importing.jobs._lease_key(job.pk), "another run", 60)

    assert importing.import_job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.QUEUED, 0)


@pytest.mark.django_db
def test_a_run_taken_over_by_a_newer_one_stops_without_overwriting_its_counters(moderator, monkeypatch):
    monkeypatch.setattr(importing.jobs, "PROGRESS_EVERY_ROWS", 1)
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")

    def newer_run_claims(job):
        ImportJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1, processed_rows=0)

    assert importing.import_job_run(job_id=job.pk, on_progress=newer_run_claims) is None

    job.refresh_from_db()
    assert (job.processed_rows, job.attempts, job.status) == (0, 2, ImportJob.Status.RUNNING)


@pytest.mark.django_db
def test_finished_jobs_are_not_run_again(moderator):
    job = run(prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv"))

    assert importing.import_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db
def test_a_file_that_became_unreadable_fails_the_job_with_the_reason(moderator):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")
    job.file.storage.delete(job.file.name)
    job.file.storage.save(job.file.name, ContentFile(b"\x00garbage"))

    job = run(job)

    assert job.status == ImportJob.Status.FAILED
    assert job.error == rendered(importing.files.MSG_NOT_TEXT, name="x.csv")


@pytest.mark.django_db
def test_the_source_name_is_required(moderator):
    with pytest.raises(ValidationError) as caught:
        prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv", source="  ")

    assert "source" in caught.value.message_dict
    assert not ImportJob.objects.exists()


# Enqueueing and sweeping --------------------------------------------------------------------------------


def _create_enqueued(user, django_capture_on_commit_callbacks) -> ImportJob:
    data = csv_bytes(CHINESE_HEADERS, CHINESE_ROWS)
    prepared = importing.import_prepare(data=data, name="x.csv", mapping={})
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_job_create(
            user=user,
            source=SOURCE,
            upload=ContentFile(data),
            file_name="x.csv",
            mapping=prepared.mapping,
            total_rows=prepared.total_rows,
        )
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_created_job_is_run_by_the_task_after_commit(moderator, django_capture_on_commit_callbacks):
    job = _create_enqueued(moderator, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 2


@pytest.mark.django_db
def test_a_broker_outage_leaves_the_job_queued_and_the_sweep_runs_it_later(
    moderator, dead_broker, django_capture_on_commit_callbacks
):
    job = _create_enqueued(moderator, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.QUEUED

    # Too recent to sweep.
    assert importing.imports_sweep() == 0
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    cache.clear()  # the publication mark has expired by then
    celery_app.conf.task_always_eager = True  # the broker is back
    assert tasks.imports_sweep.apply().get() == 1

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert tasks.imports_sweep.apply().get() == 0


@pytest.mark.django_db
def test_the_sweep_skips_jobs_with_a_live_run_or_published_recently(moderator, monkeypatch):
    published = []
    monkeypatch.setattr(importing.jobs, "_publish", published.append)
    old = timezone.now() - timedelta(minutes=6)
    live, recent, lost = (
        prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name=f"{n}.csv") for n in range(3)
    )
    ImportJob.objects.update(created_at=old, status=ImportJob.Status.RUNNING)
    cache.set(importing.jobs._lease_key(live.pk), "token", 60)
    cache.set(importing.jobs._published_key(recent.pk), True, 60)

    assert importing.imports_sweep() == 1
    assert published == [lost.pk]
    # Published now: the next sweep waits.
    assert importing.imports_sweep() == 0


def test_the_import_task_is_safe_to_redeliver():
    assert tasks.import_run.acks_late is True
    assert 0 < tasks.import_run.soft_time_limit < tasks.import_run.time_limit
    assert tasks.imports_sweep.name in celery_app.tasks


@pytest.mark.django_db
def test_imports_are_readable_by_moderators_only(moderator, complainant):
    job = prepared_job(user=moderator, data=csv_bytes(CHINESE_HEADERS, CHINESE_ROWS), name="x.csv")

    assert importing.import_job_get_for_user(user=moderator, uuid=job.uuid) == job
    assert importing.import_jobs_recent(user=moderator) == [job]
    with pytest.raises(Http404):
        importing.import_job_get_for_user(user=complainant, uuid=job.uuid)
    with pytest.raises(Http404):
        importing.import_jobs_recent(user=complainant)
