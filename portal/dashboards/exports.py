"""The dashboard's tables and its complaint list as files: CSV streamed row by row (any size, constant memory) or
XLSX written by openpyxl's write-only workbook into a temporary file that spills to disk.

Both writers take the same `Table` (translated header, rows of plain values) and neutralise text a spreadsheet
would run as a formula (CSV injection): merchant names and narratives come from the public.
"""

import csv
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from complaints.spreadsheets import csv_cell
from complaints.statistics import StatsFilter, complaints_filtered, stats_timeseries
from portal.dashboards.filters import RISK_LABELS
from portal.dashboards.models import ExportLog
from portal.dashboards.selectors import labelled_breakdown, rising_merchants

TABLES = tuple(ExportLog.Table.values)
FORMATS = tuple(ExportLog.Format.values)
BREAKDOWNS = ("category", "platform", "province")
# The page shows the ten fastest risers; an export is for working through all of them.
EXPORT_MERCHANTS_LIMIT = 1000
# Excel opens at most 1,048,576 rows a sheet, the header included.
XLSX_MAX_ROWS = 1_048_575
# Rows joined into one chunk of the CSV stream: far fewer writes than one a row, still a small buffer.
CSV_CHUNK_ROWS = 500
# The XLSX file stays in memory up to this size, then moves to a temporary file on disk.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel refuses in a sheet's name, and its longest name.
SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")
SHEET_TITLE_MAX = 31

COL_PERIOD = _("Period starting")
COL_COMPLAINTS = _("Complaints")
COL_LOSS = _("Claimed loss (CNY)")
COL_CODE = _("Code")
COL_MERCHANT_ID = _("Merchant ID")
COL_MERCHANT = _("Merchant")
COL_PREVIOUS = _("Previous period")
COL_GROWTH = _("Growth")
COL_RISK = _("Risk level")
COL_TRACKING_CODE = _("Tracking code")
COL_SUBMITTED_AT = _("Submitted at")
COL_CATEGORY = _("Category")
COL_PLATFORM = _("Platform")
COL_PROVINCE = _("Province")
COL_AMOUNT = _("Amount")
COL_CURRENCY = _("Currency")
COL_PAYMENT_METHOD = _("Payment method")
COL_STATUS = _("Status")
COL_NARRATIVE = _("Account of what happened")
COL_NARRATIVE_REDACTED = _("Account (redacted)")
DIMENSION_COLUMNS = {"category": COL_CATEGORY, "platform": COL_PLATFORM, "province": COL_PROVINCE}

# The complaint list's columns: category, platform, province, payment method and status as the codes DESIGN.md
# section 7 fixes for exports, so a sheet can be filtered and joined whatever language it was taken in.
COMPLAINT_FIELDS = (
    "code",
    "submitted_at",
    "merchant__uuid",
    "merchant__name",
    "category",
    "platform",
    "region",
    "amount",
    "currency",
    "payment_method",
    "status",
)
COMPLAINT_CHUNK = 2000


logger = logging.getLogger(__name__)

MSG_CUT_SHORT = _("This export was cut short by an error and is incomplete. Download it again.")


class TooManyRows(Exception):
    """More rows than one spreadsheet holds: CSV has no such limit."""


@dataclass
class Table:
    title: str
    header: list[str]
    rows: Iterable[Sequence]


def _complaint_rows(f: StatsFilter, *, full_text: bool) -> Iterator[tuple]:
    # Values, not model instances, in chunks: memory stays flat however many complaints match.
    narrative = "narrative" if full_text else "narrative_redacted"
    return complaints_filtered(f).values_list(*COMPLAINT_FIELDS, narrative).iterator(chunk_size=COMPLAINT_CHUNK)


def complaint_count(f: StatsFilter) -> int:
    return complaints_filtered(f).count()


def export_table(name: str, f: StatsFilter, *, interval: str, full_text: bool) -> Table:
    """The rows of one export with its header in the active language. `full_text` (moderators) gives complaints'
    own narratives; everyone else gets the redacted ones. The complaint list is read lazily, as it is written;
    the aggregates are read here, as they are small."""
    title = str(ExportLog.Table(name).label)
    if name == "timeseries":
        rows = [(row["period"], row["complaints"], row["loss"]) for row in stats_timeseries(f, interval=interval)]
        return Table(title, [str(col) for col in (COL_PERIOD, COL_COMPLAINTS, COL_LOSS)], rows)
    if name in BREAKDOWNS:
        header = [COL_CODE, DIMENSION_COLUMNS[name], COL_COMPLAINTS, COL_LOSS]
        rows = [(row["key"], row["label"], row["complaints"], row["loss"]) for row in labelled_breakdown(f, by=name)]
        return Table(title, [str(col) for col in header], rows)
    if name == "merchants":
        header = [COL_MERCHANT_ID, COL_MERCHANT, COL_COMPLAINTS, COL_PREVIOUS, COL_GROWTH, COL_RISK, COL_LOSS]
        rows = [
            (
                str(row.merchant.uuid),
                row.merchant.name,
                row.complaints,
                row.previous,
                row.growth,
                str(RISK_LABELS[row.risk_level]),
                row.loss,
            )
            for row in rising_merchants(f, interval=interval, limit=EXPORT_MERCHANTS_LIMIT)
        ]
        return Table(title, [str(col) for col in header], rows)
    header = [
        COL_TRACKING_CODE,
        COL_SUBMITTED_AT,
        COL_MERCHANT_ID,
        COL_MERCHANT,
        COL_CATEGORY,
        COL_PLATFORM,
        COL_PROVINCE,
        COL_AMOUNT,
        COL_CURRENCY,
        COL_PAYMENT_METHOD,
        COL_STATUS,
        COL_NARRATIVE if full_text else COL_NARRATIVE_REDACTED,
    ]
    return Table(title, [str(col) for col in header], _complaint_rows(f, full_text=full_text))


# CSV ----------------------------------------------------------------------------------------------


class _Echo:
    """csv.writer writes each row here and gets the line back, so the line is yielded instead of buffered."""

    def write(self, line: str) -> str:
        return line


def csv_text(value) -> str:
    """A value as a CSV field: text neutralised, money with 2 decimals and no thousands separator, local times."""
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_cell(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    # Counts and ids: our own values, never a formula (a negative growth must stay a number).
    return str(value)


def csv_stream(table: Table, *, on_finish: Callable[[int], object]) -> Iterator[str]:
    """The table as CSV text in chunks; `on_finish(rows)` runs once the last row is out (never when the download
    is broken off, as the generator is then closed before it gets there).

    The response's status is sent before the rows are read, so a database error half way cannot become an error
    page: the file then ends with a line saying it is incomplete, and the export stays unfinished in its log."""
    writer = csv.writer(_Echo())
    # A byte order mark first: without one Excel reads a CSV in the system's legacy code page and garbles Chinese.
    lines = ["\ufeff" + writer.writerow([csv_text(value) for value in table.header])]
    count = 0
    try:
        for row in table.rows:
            lines.append(writer.writerow([csv_text(value) for value in row]))
            count += 1
            if len(lines) >= CSV_CHUNK_ROWS:
                yield "".join(lines)
                lines = []
    except DatabaseError:
        logger.exception("CSV export cut short after %d rows", count)
        lines.append(writer.writerow([str(MSG_CUT_SHORT)]))
        yield "".join(lines)
        return
    yield "".join(lines)
    on_finish(count)


# XLSX ---------------------------------------------------------------------------------------------


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        # Characters XML cannot carry would make openpyxl refuse the whole file; a leading "=" would otherwise
        # make openpyxl store a formula. The apostrophe keeps the cell equal to the CSV's.
        cell = WriteOnlyCell(sheet, value=csv_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        # Excel has no time zones: the local wall-clock time, as the CSV shows it.
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    return value if value is None or isinstance(value, int) else str(value)


def _append_rows(sheet, table: Table) -> int:
    sheet.append([_xlsx_cell(sheet, value) for value in table.header])
    count = 0
    for row in table.rows:
        if count == XLSX_MAX_ROWS:
            raise TooManyRows
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    return count


def xlsx_file(table: Table) -> tuple[IO[bytes], int]:
    """The table as an XLSX workbook in a temporary file (rewound), and the number of rows written.

    openpyxl's write-only sheet keeps its rows in a temporary file of its own until saved, so memory stays flat.
    Raises TooManyRows past what one sheet holds."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title.translate(SHEET_TITLE_FORBIDDEN)[:SHEET_TITLE_MAX])
    # Not a context manager: the file outlives this function, and FileResponse closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        count = _append_rows(sheet, table)
    except BaseException:
        # Saving is what closes the sheet and removes openpyxl's temporary copy of it, even for a file discarded.
        workbook.save(out)
        out.close()
        raise
    workbook.save(out)
    out.seek(0)
    return out, count
