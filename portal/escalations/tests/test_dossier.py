import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from complaints import services, workflow
from complaints.spreadsheets import csv_cell
from complaints.tests import files
from complaints.uploads import check_upload
from merchants.models import Identifier
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory
from portal.escalations.dossier import dossier_build, summary_pdf
from portal.escalations.models import Authority
from portal.escalations.tests.factories import AuthorityFactory, EscalationFactory, provincial

pytestmark = pytest.mark.django_db

MERCHANT_NAME = "果园小店"
APP_ID = "wx8a7b6c5d4e3f2a1b"
MERCHANT_PHONE = "13800138000"
VICTIM_PHONE = "13912345678"
NARRATIVE = f"我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了，请打我电话 {VICTIM_PHONE} 联系。"
FORMULA_NARRATIVE = "=cmd|' /C calc'!A0 我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了。"
REASONS = [{"rule": "volume", "count": 2, "loss": "7299.00", "days": 30}]


def file_complaint(complainant, moderator, *, narrative, amount, consent):
    complaint = services.complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(
            merchant_name=MERCHANT_NAME, platform="wechat_mini_program", app_id=APP_ID, merchant_phone=MERCHANT_PHONE
        ),
        category="not_delivered",
        narrative=narrative,
        amount=amount,
        region="110000",
        consent_publish=consent,
    )
    return workflow.complaint_accept(complaint=complaint, moderator=moderator)


@pytest.fixture
def filed(complainant, stranger, moderator, django_capture_on_commit_callbacks):
    """Two accepted complaints against one merchant: the consenting one with a picture, and one starting "=cmd"
    from someone who did not consent; and one still pending, which a dossier leaves out."""
    with django_capture_on_commit_callbacks(execute=True):
        with_picture = services.complaint_submit(
            complainant=complainant,
            claims=MerchantClaims(
                merchant_name=MERCHANT_NAME,
                platform="wechat_mini_program",
                app_id=APP_ID,
                merchant_phone=MERCHANT_PHONE,
            ),
            category="not_delivered",
            narrative=NARRATIVE,
            amount=Decimal("6999.00"),
            region="110000",
            consent_publish=True,
            uploads=[check_upload(files.upload("收据 a.png", files.png_bytes()))],
            submitted_at=timezone.now() - timedelta(days=3),
        )
    first = workflow.complaint_accept(complaint=with_picture, moderator=moderator)
    second = file_complaint(stranger, moderator, narrative=FORMULA_NARRATIVE, amount=Decimal("300.00"), consent=False)
    pending = services.complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=MERCHANT_NAME, platform="wechat_mini_program", app_id=APP_ID),
        category="not_delivered",
        narrative=NARRATIVE,
    )
    assert first.merchant_id == second.merchant_id == pending.merchant_id
    return first, second, pending


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def csv_rows(archive: zipfile.ZipFile) -> list[list[str]]:
    raw = archive.read("complaints.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_zip_holds_the_table_the_evidence_the_summary_and_the_manifest_last(filed):
    first, _second, pending = filed
    escalation = EscalationFactory(merchant=first.merchant, reasons=REASONS)

    archive = open_zip(dossier_build(escalation=escalation))

    names = archive.namelist()
    assert names[0] == "complaints.csv"
    assert names[-1] == "manifest.json"
    assert "summary.pdf" in names
    evidence = [name for name in names if name.startswith("evidence/")]
    assert len(evidence) == 1
    assert evidence[0].startswith(f"evidence/{first.code}/1-")
    assert evidence[0].endswith(".png")
    display = first.evidence.get()
    with display.display.open("rb") as handle:
        assert archive.read(evidence[0]) == handle.read()
    assert pending.code not in archive.read("complaints.csv").decode("utf-8-sig")


def test_the_manifest_lists_every_other_file_with_its_digest(filed):
    escalation = EscalationFactory(merchant=filed[0].merchant, reasons=REASONS)
    now = timezone.now()

    archive = open_zip(dossier_build(escalation=escalation, now=now))

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["escalation"] == str(escalation.uuid)
    assert manifest["generated_at"] == now.isoformat()
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        content = archive.read(path)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["size"] == len(content)


def test_the_table_has_the_redacted_account_and_neutralises_formulas(filed):
    first, second, _pending = filed
    escalation = EscalationFactory(merchant=first.merchant, reasons=REASONS)

    archive = open_zip(dossier_build(escalation=escalation))

    text = archive.read("complaints.csv").decode("utf-8-sig")
    assert VICTIM_PHONE not in text
    rows = {row[0]: row for row in csv_rows(archive)[1:]}
    assert set(rows) == {first.code, second.code}
    assert rows[first.code][8] == first.narrative_redacted
    assert "139****5678" in rows[first.code][8]
    assert rows[second.code][8].startswith("'=cmd")
    assert rows[first.code][3] == "6999.00"
    assert rows[first.code][1] == timezone.localtime(first.submitted_at).replace(microsecond=0).isoformat()


def test_a_cell_starting_with_a_formula_character_is_quoted():
    assert [csv_cell(v) for v in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", None]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
        "",
    ]


@pytest.mark.parametrize(
    ("kind", "shows_contacts"),
    [
        (Authority.Kind.MARKET_REGULATOR, True),
        (Authority.Kind.POLICE, True),
        (Authority.Kind.PLATFORM_OWNER, False),
        (Authority.Kind.CONSUMER_ASSOCIATION, False),
    ],
)
def test_contacts_go_to_regulators_and_police_only_for_consenting_complainants(filed, kind, shows_contacts):
    first, second, _pending = filed
    authority = provincial(kind, "110000") if kind in ("market_regulator", "police") else AuthorityFactory(kind=kind)
    escalation = EscalationFactory(merchant=first.merchant, authority=authority, reasons=REASONS)

    rows = {row[0]: row for row in csv_rows(open_zip(dossier_build(escalation=escalation)))[1:]}

    assert rows[first.code][9] == (first.complainant.email if shows_contacts else "")
    assert rows[second.code][9] == ""  # did not consent


def test_the_summary_renders_chinese_and_english_that_can_be_extracted(filed):
    first, _second, _pending = filed
    merchant = first.merchant
    escalation = EscalationFactory(merchant=merchant, reasons=REASONS)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(summary_pdf(escalation=escalation))).pages)
    compact = "".join(text.split())

    assert "商家" in text
    assert "Merchant" in text
    assert merchant.name.replace(" ", "") in compact
    assert "投诉/Complaints:2" in compact
    assert "投诉人/Complainants:2" in compact
    assert "CNY7,299.00" in compact
    assert APP_ID in text
    # The merchant's phone is a personal identifier: masked, never whole.
    assert Identifier.objects.filter(merchant=merchant, kind="phone").exists()
    assert MERCHANT_PHONE not in compact
    # The risk reason in both languages.
    assert "2 complaints claiming 7,299.00 CNY in 30 days" in text


def test_the_summary_of_an_escalation_without_complaints_still_builds(db):
    escalation = EscalationFactory(reasons=[])

    text = PdfReader(io.BytesIO(summary_pdf(escalation=escalation))).pages[0].extract_text()

    assert "风险原因" in text
    assert escalation.merchant.name.split()[0] in text
