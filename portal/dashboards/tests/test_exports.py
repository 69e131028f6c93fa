"""Exports of the dashboard: the same figures as the page, in the user's scope and language, safe to open in a
spreadsheet, and recorded in the export log."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.statistics import stats_timeseries
from portal.dashboards import exports
from portal.dashboards.filters import DEFAULT_DAYS
from portal.dashboards.models import ExportLog
from portal.dashboards.selectors import labelled_breakdown, rising_merchants
from portal.dashboards.tests.conftest import OTHER_PLATFORM, OTHER_PROVINCE, PLATFORM, PROVINCE
from portal.dashboards.tests.factories import NARRATIVE, default_filter, file_complaint

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture
def complaints(db):
    """Guangdong: two shops and three complaints this period; Beijing: one shop. The fruit shop's first complaint
    gives a phone number, which its redacted account masks."""
    return {
        "fruit": [
            file_complaint(
                shop="广州鲜果",
                platform=PLATFORM,
                amount=Decimal("120.50"),
                narrative=f"{NARRATIVE}我的电话 {PHONE}，请商家联系我退款。",
                payment_method="wechat_pay",
            ),
            file_complaint(shop="广州鲜果", platform=PLATFORM, category="refund_refused", amount=Decimal("80.00")),
        ],
        "gadgets": [
            file_complaint(
                shop="深圳数码", platform=OTHER_PLATFORM, category="counterfeit", amount=Decimal("999.99"), days_ago=3
            ),
        ],
        "duck": [
            file_complaint(shop="北京烤鸭", platform=PLATFORM, region=OTHER_PROVINCE, amount=Decimal("5000.00")),
        ],
    }


def export(user, table, fmt="csv", *, language="en", **params):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client.get(reverse("dashboards:export", kwargs={"table": table, "fmt": fmt}), params)


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    """Header and rows of a CSV export, checking it is an attachment, UTF-8 with a byte order mark."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="redress-')
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_sheet(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="redress-')
    return openpyxl.load_workbook(io.BytesIO(content(response))).active


# Figures -------------------------------------------------------------------------------------------


def test_timeseries_csv_is_the_rollup_of_each_period(moderator, complaints):
    rows = csv_rows(export(moderator, "timeseries", interval="day"))

    assert rows[0] == ["Period starting", "Complaints", "Claimed loss (CNY)"]
    expected = stats_timeseries(default_filter(), interval="day")
    assert rows[1:] == [[row["period"].isoformat(), str(row["complaints"]), f"{row['loss']:.2f}"] for row in expected]
    assert len(rows) == DEFAULT_DAYS + 1
    assert sum(int(row[1]) for row in rows[1:]) == 4
    assert sum(Decimal(row[2]) for row in rows[1:]) == Decimal("6200.49")


@pytest.mark.parametrize(("table", "key_heading"), [("category", "Category"), ("platform", "Platform")])
def test_breakdown_csv_equals_the_pages_table(province_regulator, complaints, table, key_heading):
    rows = csv_rows(export(province_regulator, table))

    assert rows[0] == ["Code", key_heading, "Complaints", "Claimed loss (CNY)"]
    expected = labelled_breakdown(default_filter(regions=(PROVINCE,)), by=table)
    assert rows[1:] == [[row["key"], row["label"], str(row["complaints"]), f"{row['loss']:.2f}"] for row in expected]
    assert sum(int(row[2]) for row in rows[1:]) == 3


def test_province_csv_of_a_regulator_has_no_other_province(province_regulator, moderator, complaints):
    regulator_rows = csv_rows(export(province_regulator, "province"))
    national_rows = csv_rows(export(moderator, "province"))

    assert regulator_rows[1:] == [[PROVINCE, "Guangdong", "3", "1200.49"]]
    assert national_rows[1:] == [
        [PROVINCE, "Guangdong", "3", "1200.49"],
        [OTHER_PROVINCE, "Beijing", "1", "5000.00"],
    ]


def test_merchants_csv_lists_the_rising_merchants_of_the_scope(province_regulator, complaints):
    rows = csv_rows(export(province_regulator, "merchants"))

    assert rows[0] == [
        "Merchant ID",
        "Merchant",
        "Complaints",
        "Previous period",
        "Growth",
        "Risk level",
        "Claimed loss (CNY)",
    ]
    fruit, gadgets = complaints["fruit"][0].merchant, complaints["gadgets"][0].merchant
    assert rows[1:] == [
        [str(fruit.uuid), fruit.name, "2", "0", "2", "Low or no risk", "200.50"],
        [str(gadgets.uuid), gadgets.name, "1", "0", "1", "Low or no risk", "999.99"],
    ]
    rising = rising_merchants(default_filter(regions=(PROVINCE,)), interval="day", limit=exports.EXPORT_MERCHANTS_LIMIT)
    assert [row[0] for row in rows[1:]] == [str(item.merchant.uuid) for item in rising]


def test_a_shrinking_merchant_keeps_a_negative_number(moderator):
    for days_ago in (DEFAULT_DAYS + 1, DEFAULT_DAYS + 2):
        file_complaint(shop="下滑小店", days_ago=days_ago)
    file_complaint(shop="下滑小店")

    rows = csv_rows(export(moderator, "merchants"))

    # Growth -1 is a number of ours: neutralising it as text would make the column unsortable.
    assert rows[1][2:5] == ["1", "2", "-1"]


def test_headers_follow_the_users_language(moderator, complaints):
    rows = csv_rows(export(moderator, "timeseries", language="zh-hans"))

    assert rows[0][1] == "投诉"


# The complaint list --------------------------------------------------------------------------------

COMPLAINT_HEADER = [
    "Tracking code",
    "Submitted at",
    "Merchant ID",
    "Merchant",
    "Category",
    "Platform",
    "Province",
    "Amount",
    "Currency",
    "Payment method",
    "Status",
]


def test_complaints_csv_of_a_regulator_has_its_province_and_redacted_accounts(province_regulator, complaints):
    rows = csv_rows(export(province_regulator, "complaints"))

    assert rows[0] == [*COMPLAINT_HEADER, "Account (redacted)"]
    first = complaints["fruit"][0]
    assert sorted(row[0] for row in rows[1:]) == sorted(c.code for c in complaints["fruit"] + complaints["gadgets"])
    assert {row[6] for row in rows[1:]} == {PROVINCE}
    row = next(row for row in rows[1:] if row[0] == first.code)
    assert row == [
        first.code,
        timezone.localtime(first.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
        str(first.merchant.uuid),
        first.merchant.name,
        "not_delivered",
        PLATFORM,
        PROVINCE,
        "120.50",
        "CNY",
        "wechat_pay",
        "submitted",
        first.narrative_redacted,
    ]
    assert PHONE not in content_of(rows)
    assert "138****5678" in row[-1]


def content_of(rows) -> str:
    return "\n".join(",".join(row) for row in rows)


def test_complaints_csv_of_a_moderator_has_the_whole_country_and_full_accounts(moderator, complaints):
    rows = csv_rows(export(moderator, "complaints"))

    assert rows[0] == [*COMPLAINT_HEADER, "Account of what happened"]
    assert len(rows) == 5
    first = complaints["fruit"][0]
    assert next(row for row in rows[1:] if row[0] == first.code)[-1] == first.narrative
    assert PHONE in content_of(rows)


def test_complaints_csv_never_names_the_complainant(moderator, complaints):
    text = content_of(csv_rows(export(moderator, "complaints")))

    for complaint in complaints["fruit"]:
        assert complaint.complainant.email not in text


def test_complaints_csv_of_a_platform_owner_has_only_its_platforms(platform_staff, complaints):
    rows = csv_rows(export(platform_staff, "complaints"))

    assert {row[5] for row in rows[1:]} == {PLATFORM}
    assert len(rows) == 4


def test_a_filtered_export_contains_only_matching_rows(moderator, complaints):
    today = timezone.localdate()

    counterfeit = csv_rows(export(moderator, "complaints", category="counterfeit"))
    beijing = csv_rows(export(moderator, "complaints", province=OTHER_PROVINCE))
    last_two_days = csv_rows(
        export(moderator, "complaints", **{"from": (today - timedelta(days=2)).isoformat(), "to": today.isoformat()})
    )
    by_merchant = csv_rows(export(moderator, "category", merchant=str(complaints["fruit"][0].merchant.uuid)))

    assert [row[0] for row in counterfeit[1:]] == [complaints["gadgets"][0].code]
    assert [row[0] for row in beijing[1:]] == [complaints["duck"][0].code]
    assert complaints["gadgets"][0].code not in {row[0] for row in last_two_days[1:]}
    assert len(last_two_days) == 4
    assert [(row[0], row[2]) for row in by_merchant[1:]] == [("not_delivered", "1"), ("refund_refused", "1")]


def test_the_complaint_list_is_read_in_a_fixed_number_of_queries(moderator, complaints):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            csv_rows(export(moderator, "complaints"))
        return len(captured)

    few = queries()
    for n in range(5):
        file_complaint(shop=f"新店{n}")

    assert queries() == few


# Scope and refusals --------------------------------------------------------------------------------


def test_a_regulator_cannot_export_another_province(province_regulator, complaints):
    response = export(province_regulator, "complaints", province=OTHER_PROVINCE)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Provinces:" in text
    assert OTHER_PROVINCE in text
    assert not ExportLog.objects.exists()


def test_invalid_filters_are_explained_in_the_users_language(moderator):
    response = export(moderator, "timeseries", language="zh-hans", to="yesterday")

    assert response.status_code == 400
    assert "输入一个有效的日期。" in response.content.decode()


@pytest.mark.parametrize("who", ["complainant", "stranger", "merchant_rep", "regulator"])
def test_outsiders_get_404(who, complaints, request):
    # `regulator` has the authority role but is a member of no authority.
    response = export(request.getfixturevalue(who), "complaints")

    assert response.status_code == 404
    assert not ExportLog.objects.exists()


def test_anonymous_visitors_log_in_first(complaints):
    response = export(None, "complaints")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize(("table", "fmt"), [("users", "csv"), ("complaints", "pdf"), ("timeseries", "CSV")])
def test_unknown_tables_and_formats_are_404(moderator, table, fmt):
    assert export(moderator, table, fmt).status_code == 404


def test_only_get_and_head_are_allowed(moderator):
    client = Client()
    client.force_login(moderator)

    assert client.post(reverse("dashboards:export", kwargs={"table": "province", "fmt": "csv"})).status_code == 405


def test_exports_are_rate_limited_per_account(moderator, province_regulator, settings):
    settings.EXPORT_RATE = "2/h"
    for _attempt in range(2):
        assert export(moderator, "province").status_code == 200

    assert export(moderator, "province").status_code == 429
    assert export(province_regulator, "province").status_code == 200


# Files ---------------------------------------------------------------------------------------------


def test_csv_is_streamed_as_an_attachment_that_is_not_cached(moderator, complaints):
    today = timezone.localdate()

    response = export(moderator, "complaints")

    assert isinstance(response, StreamingHttpResponse)
    start = today - timedelta(days=DEFAULT_DAYS - 1)
    assert response["Content-Disposition"] == f'attachment; filename="redress-complaints-{start}-{today}.csv"'
    assert "no-store" in response["Cache-Control"]


def test_formulas_are_neutralised_in_csv_and_xlsx(moderator):
    shops = [file_complaint(shop=f"{formula} 小店", narrative=f"{formula} {NARRATIVE}") for formula in FORMULAS]

    csv_body = csv_rows(export(moderator, "complaints"))
    sheet = xlsx_sheet(export(moderator, "complaints", fmt="xlsx"))

    by_code = {row[0]: row for row in csv_body[1:]}
    xlsx_by_code = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for complaint in shops:
        name, narrative = f"'{complaint.merchant.name}", f"'{complaint.narrative}"
        assert by_code[complaint.code][3] == name
        assert by_code[complaint.code][11] == narrative
        cells = xlsx_by_code[complaint.code]
        for cell, expected in ((cells[3], name), (cells[11], narrative)):
            assert cell.value == expected
            assert cell.data_type == "s"


def test_xlsx_writer_stores_text_that_looks_like_a_formula_as_text():
    table = exports.Table("t", ["h"], [["=1+1"], ["plain"]])

    file, rows = exports.xlsx_file(table)

    sheet = openpyxl.load_workbook(file).active
    assert rows == 2
    assert [(cell.value, cell.data_type) for (cell,) in sheet.iter_rows(min_row=2)] == [("'=1+1", "s"), ("plain", "s")]


def test_xlsx_has_the_same_rows_as_csv_with_numbers_and_dates_as_such(province_regulator, complaints):
    csv_body = csv_rows(export(province_regulator, "complaints"))
    sheet = xlsx_sheet(export(province_regulator, "complaints", fmt="xlsx"))

    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == csv_body[0]
    assert len(values) == len(csv_body)
    for xlsx_row, csv_row in zip(values[1:], csv_body[1:], strict=True):
        assert isinstance(xlsx_row[1], datetime)
        assert isinstance(xlsx_row[7], int | float)
        xlsx_row[7] = f"{xlsx_row[7]:.2f}"
        assert [as_csv_text(value) for value in xlsx_row] == csv_row
    amount = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == complaints["fruit"][0].code)[7]
    assert amount.number_format == "0.00"


def as_csv_text(value) -> str:
    """A value read back from the XLSX as the CSV writes it: its times are local wall-clock times already."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return exports.csv_text(value)


def test_xlsx_of_a_table_has_the_csvs_rows(moderator, complaints):
    csv_body = csv_rows(export(moderator, "timeseries", interval="week"))
    sheet = xlsx_sheet(export(moderator, "timeseries", fmt="xlsx", interval="week"))

    assert sheet.title == "Complaints over time"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == csv_body[0]
    assert [[period.date().isoformat(), str(n), f"{loss:.2f}"] for period, n, loss in rows[1:]] == csv_body[1:]


def test_xlsx_drops_characters_a_workbook_cannot_hold(moderator):
    complaint = file_complaint(narrative=f"{NARRATIVE}\x01\x0b结束")

    sheet = xlsx_sheet(export(moderator, "complaints", fmt="xlsx"))

    assert sheet.cell(row=2, column=1).value == complaint.code
    assert sheet.cell(row=2, column=12).value == f"{NARRATIVE}结束"


def test_too_many_complaints_for_a_spreadsheet_are_refused_before_any_work(moderator, complaints, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)

    response = export(moderator, "complaints", fmt="xlsx")

    assert response.status_code == 400
    assert "CSV" in response.content.decode()
    assert not ExportLog.objects.exists()
    assert len(csv_rows(export(moderator, "complaints"))) == 5


def test_the_xlsx_writer_refuses_more_rows_than_a_sheet_holds(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)

    with pytest.raises(exports.TooManyRows):
        exports.xlsx_file(exports.Table("t", ["h"], [[1], [2], [3]]))


# The export log ------------------------------------------------------------------------------------


def test_a_csv_export_is_logged_when_it_starts_and_completed_when_its_last_row_is_out(province_regulator, complaints):
    response = export(province_regulator, "complaints", category=["not_delivered", "refund_refused"])

    log = ExportLog.objects.get()
    assert (log.user, log.table, log.format) == (province_regulator, "complaints", "csv")
    assert log.rows is None
    assert log.finished_at is None
    today = timezone.localdate()
    assert log.filters == {
        "from": [(today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()],
        "to": [today.isoformat()],
        "category": ["not_delivered", "refund_refused"],
        "interval": ["day"],
    }

    rows = csv_rows(response)

    log.refresh_from_db()
    assert log.rows == len(rows) - 1 == 2
    assert log.finished_at is not None


def test_a_broken_off_csv_stream_never_reports_it_finished(monkeypatch):
    # The server closes the generator when the client goes away: it is then never exhausted.
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 1)
    finished = []
    stream = exports.csv_stream(exports.Table("t", ["h"], [[1], [2], [3]]), on_finish=finished.append)

    assert next(stream) == "\ufeffh\r\n1\r\n"
    stream.close()

    assert finished == []


def test_a_database_error_mid_stream_ends_the_file_with_a_warning_and_leaves_it_unfinished():
    from django.db import OperationalError

    def rows():
        yield [1]
        yield [2]
        raise OperationalError("connection lost")

    finished = []
    text = "".join(exports.csv_stream(exports.Table("t", ["h"], rows()), on_finish=finished.append))

    assert text == f"\ufeffh\r\n1\r\n2\r\n{exports.MSG_CUT_SHORT}\r\n"
    assert finished == []


def test_a_csv_stream_reports_its_rows_once_exhausted():
    finished = []
    stream = exports.csv_stream(exports.Table("t", ["h"], [[1], [2], [3]]), on_finish=finished.append)

    assert "".join(stream) == "\ufeffh\r\n1\r\n2\r\n3\r\n"
    assert finished == [3]


def test_an_xlsx_export_is_logged_with_its_rows(moderator, complaints):
    xlsx_sheet(export(moderator, "province", fmt="xlsx"))

    log = ExportLog.objects.get()
    assert (log.table, log.format, log.rows) == ("province", "xlsx", 2)
    assert log.finished_at is not None
