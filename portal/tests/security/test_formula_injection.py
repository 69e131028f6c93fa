"""Text a spreadsheet would run as a formula (CSV injection: `=cmd|' /C calc'!A0`, and the `+`, `-`, `@`, tab and
carriage-return starts) is written so that Excel and LibreOffice show it as text, in every CSV and XLSX Redress
writes: the dashboards' exports (every table, both formats, full and redacted text), the dossier's complaint table
and the rejected rows of a bulk import."""

import csv
import io
import zipfile
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from complaints import services, workflow
from complaints.models import Complaint
from complaints.spreadsheets import FORMULA_STARTS
from complaints.tests.test_importing import CHINESE_HEADERS, csv_bytes, prepared_job, run
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.dashboards.exports import FORMATS, TABLES
from portal.escalations.dossier import dossier_build
from portal.escalations.models import Authority
from portal.escalations.tests.factories import AuthorityStaffFactory, EscalationFactory, provincial
from portal.tests.security.cast import NARRATIVE, PROVINCE_P

pytestmark = pytest.mark.django_db

FORMULAS = [
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _dangerous(cells) -> list[str]:
    """Cells a spreadsheet would evaluate: starting like a formula, and not simply a (negative) number."""
    return [cell for cell in cells if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _number(cell)]


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


@pytest.fixture
def formulas(db, django_capture_on_commit_callbacks):
    """One accepted complaint per formula, the formula starting its merchant's name, narrative and order number."""
    moderator = UserFactory(role=User.Role.MODERATOR)
    complaints = []
    with django_capture_on_commit_callbacks(execute=True):
        for number, formula in enumerate(FORMULAS):
            complaint = services.complaint_submit(
                complainant=UserFactory(),
                claims=MerchantClaims(merchant_name=formula, app_id=f"wx3c5e7a9b1d2f4e6{number}"),
                category="not_delivered",
                narrative=formula + NARRATIVE,
                order_number=formula,
                amount=Decimal("100.00"),
                region=PROVINCE_P,
                consent_publish=True,
            )
            complaints.append(workflow.complaint_accept(complaint=complaint, moderator=moderator))
    return {"complaints": complaints, "moderator": moderator}


@pytest.mark.parametrize("role", ["moderator", "regulator"])
def test_every_dashboard_export_neutralises_formulas(formulas, role):
    user = formulas["moderator"]
    if role == "regulator":
        user = AuthorityStaffFactory(authority=provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE_P))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    seen = set()
    for table in TABLES:
        for fmt in FORMATS:
            response = client.get(reverse("dashboards:export", kwargs={"table": table, "fmt": fmt}))
            assert response.status_code == 200, (table, fmt)
            assert response["Content-Disposition"].startswith("attachment")
            data = b"".join(response.streaming_content) if response.streaming else response.content
            if fmt == "csv":
                assert response["Content-Type"].startswith("text/csv")
                cells = _csv_cells(data)
            else:
                sheet = openpyxl.load_workbook(io.BytesIO(data)).active
                assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
                cells = [cell.value for row in sheet.iter_rows() for cell in row]
            assert _dangerous(cells) == [], (table, fmt)
            seen |= {cell for cell in cells if isinstance(cell, str) and cell.startswith("'")}
    # The formulas were in the exports, as text (names and narratives are stripped of leading tabs and returns
    # when filed, so those two reach the exports as `=1+1`).
    assert {"'" + formula.strip() for formula in FORMULAS} <= seen


def test_the_dossier_complaint_table_neutralises_formulas(formulas):
    complaint = formulas["complaints"][0]
    merchant = complaint.merchant
    # The automatic redaction masks this formula as personal data; a moderator's own redaction could keep it.
    Complaint.objects.filter(pk=complaint.pk).update(narrative_redacted=FORMULAS[0] + NARRATIVE)
    escalation = EscalationFactory(merchant=merchant, authority=provincial(Authority.Kind.POLICE, PROVINCE_P))

    archive = zipfile.ZipFile(io.BytesIO(dossier_build(escalation=escalation)))
    cells = _csv_cells(archive.read("complaints.csv"))

    assert _dangerous(cells) == []
    assert any(cell.startswith("'" + FORMULAS[0]) for cell in cells)


def test_the_rejected_rows_of_an_import_neutralise_formulas(db):
    moderator = UserFactory(role=User.Role.MODERATOR)
    formula_header = '=HYPERLINK("http://evil.example","经过")'
    headers = [*CHINESE_HEADERS[:7], formula_header, *CHINESE_HEADERS[8:]]
    # Each row is refused (its account is too short); its row id and its column name are written back.
    rows = [[formula, "张三", "易联购", "微信小程序", "", "", "付款后未发货（含预售）", "太短"] for formula in FORMULAS]
    job = prepared_job(
        user=moderator,
        data=csv_bytes(headers, [row + [""] * 5 for row in rows]),
        name="名单.csv",
        mapping={"narrative": formula_header},
    )
    job = run(job)
    assert job.rejected_count == len(FORMULAS)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(moderator)

    response = client.get(reverse("complaints:import_rejected_csv", kwargs={"uuid": job.uuid}))

    cells = _csv_cells(response.content)
    assert _dangerous(cells) == []
    assert "'" + formula_header in cells
    assert "'" + FORMULAS[0] in cells
