"""The dossier an authority receives with an escalation: one ZIP with the complaint table, the evidence display
copies, a bilingual summary PDF and a manifest of SHA-256 digests, so the recipient can show nothing was altered.

The PDF is written in Chinese and English side by side (labels are literal bilingual text, not gettext strings:
the document is the same whoever generates it). Chinese uses reportlab's built-in CID font STSong-Light, which
needs no font file: PDF readers supply it (Adobe's Asian font pack, or their own substitute).
"""

import csv
import hashlib
import io
import json
import zipfile
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from complaints import selectors as complaint_selectors
from complaints.spreadsheets import csv_cell
from merchants import selectors as merchant_selectors
from merchants.identifiers import mask
from portal.escalations.models import Authority, Escalation
from portal.escalations.risk import reason_text

FONT = "STSong-Light"
# Authorities that may contact complainants who consented; platform owners and associations get no contacts.
CONTACT_KINDS = frozenset({Authority.Kind.MARKET_REGULATOR, Authority.Kind.POLICE})
CSV_HEADER = [
    "投诉编号 / Code",
    "提交时间 / Submitted",
    "类别 / Category",
    "金额 / Amount",
    "币种 / Currency",
    "省份 / Province",
    "平台 / Platform",
    "状态 / Status",
    "投诉内容（已脱敏） / Redacted account",
    "联系方式 / Contact",
]
CHART_WIDTH = 170 * mm
CHART_HEIGHT = 50 * mm


def _safe_name(name: str) -> str:
    try:
        return get_valid_filename(name)[:80]
    except SuspiciousFileOperation:  # nothing usable left of the name, e.g. ".." or only punctuation.
        return "file"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def complaints_csv(*, escalation: Escalation, complaints) -> bytes:
    """The complaint table, UTF-8 with a BOM so Excel shows Chinese. Labels are in the site's language."""
    with_contacts = escalation.authority.kind in CONTACT_KINDS
    platforms = dict(merchant_selectors.platform_choices())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    with translation.override(settings.LANGUAGE_CODE):
        for complaint in complaints:
            contact = complaint.complainant.email if with_contacts and complaint.consent_publish else ""
            row = [
                complaint.code,
                timezone.localtime(complaint.submitted_at).replace(microsecond=0).isoformat(),
                complaint.get_category_display(),
                complaint.amount if complaint.amount is not None else "",
                complaint.currency,
                complaint.get_region_display(),
                platforms.get(complaint.platform, complaint.platform),
                complaint.get_status_display(),
                complaint.narrative_redacted,
                contact,
            ]
            writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _evidence_files(complaints) -> list[tuple[str, bytes]]:
    """Each complaint's ready display copies as (path in the ZIP, bytes), numbered in upload order."""
    result = []
    for complaint in complaints:
        for number, evidence in enumerate(complaint.evidence.all(), start=1):
            stem = evidence.original_name.rsplit(".", 1)[0]
            ext = evidence.display.name.rsplit(".", 1)[-1].lower()
            with evidence.display.open("rb") as handle:
                content = handle.read()
            result.append((f"evidence/{complaint.code}/{number}-{_safe_name(f'{stem}.{ext}')}", content))
    return result


def _ensure_font():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _totals(complaints) -> tuple[int, int, dict[str, Decimal]]:
    losses = defaultdict(Decimal)
    for complaint in complaints:
        if complaint.amount is not None:
            losses[complaint.currency] += complaint.amount
    return len(complaints), len({complaint.complainant_key for complaint in complaints}), dict(sorted(losses.items()))


def _per_day(complaints) -> list[tuple[date, int]]:
    """Complaints per local day from the first to the last, empty days included, so gaps show as gaps."""
    counts = Counter(timezone.localdate(complaint.submitted_at) for complaint in complaints)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [(first + timedelta(days=n), counts[first + timedelta(days=n)]) for n in range((last - first).days + 1)]


def timeline_chart(days: list[tuple[date, int]]) -> Drawing:
    """Bars of complaints per day, with the first and last dates and the highest count marked."""
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    left, bottom = 10 * mm, 8 * mm
    width, height = CHART_WIDTH - left, CHART_HEIGHT - bottom - 4 * mm
    drawing.add(Line(left, bottom, left + width, bottom, strokeColor=colors.black))
    drawing.add(Line(left, bottom, left, bottom + height, strokeColor=colors.black))
    if not days:
        return drawing
    peak = max(count for _day, count in days)
    slot = width / len(days)
    for index, (_day, count) in enumerate(days):
        bar = height * count / peak
        drawing.add(
            Rect(left + index * slot + slot * 0.1, bottom, slot * 0.8, bar, fillColor=colors.darkred, strokeWidth=0)
        )
    drawing.add(String(left - 2, bottom + height - 3, str(peak), fontName=FONT, fontSize=8, textAnchor="end"))
    drawing.add(String(left - 2, bottom - 3, "0", fontName=FONT, fontSize=8, textAnchor="end"))
    drawing.add(String(left, 1 * mm, days[0][0].isoformat(), fontName=FONT, fontSize=8))
    if len(days) > 1:
        drawing.add(String(left + width, 1 * mm, days[-1][0].isoformat(), fontName=FONT, fontSize=8, textAnchor="end"))
    return drawing


def summary_pdf(*, escalation: Escalation, complaints=None, now: datetime | None = None) -> bytes:
    """The bilingual summary: merchant and identifiers (personal ones masked), totals, risk reasons, timeline."""
    _ensure_font()
    now = now or timezone.now()
    if complaints is None:
        complaints = list(complaint_selectors.escalation_complaints(merchant_id=escalation.merchant_id))
    merchant = escalation.merchant
    authority = escalation.authority
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, spaceAfter=6)

    def para(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text), style)

    story = [
        para("投诉升级材料摘要 / Escalation dossier summary", title),
        para(f"编号 / Reference: {escalation.uuid}"),
        para(f"接收机构 / Authority: {authority.name_zh} / {authority.name_en or authority.name_zh}"),
        para(f"立案时间 / Opened: {timezone.localtime(escalation.opened_at):%Y-%m-%d %H:%M}"),
        para(f"生成时间 / Generated: {timezone.localtime(now):%Y-%m-%d %H:%M}"),
        para("商家 / Merchant", heading),
        para(merchant.name),
    ]
    if merchant.company_name or merchant.uscc:
        story.append(para(f"公司 / Company: {merchant.company_name} {merchant.uscc}".strip()))
    identifiers = merchant_selectors.merchant_identifiers(merchant=merchant)
    rows = []
    for identifier in identifiers:
        with translation.override("zh-hans"):
            kind_zh = identifier.get_kind_display()
        with translation.override("en"):
            kind_en = identifier.get_kind_display()
        rows.append([para(f"{kind_zh} / {kind_en}"), para(mask(identifier.kind, identifier.normalized))])
    if rows:
        table = Table(rows, colWidths=[60 * mm, 110 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)

    count, complainants, losses = _totals(complaints)
    story += [
        para("统计 / Totals", heading),
        para(f"投诉 / Complaints: {count}"),
        para(f"投诉人 / Complainants: {complainants}"),
        para(
            "申报损失 / Claimed loss: "
            + ("; ".join(f"{currency} {_money(amount)}" for currency, amount in losses.items()) or "0.00")
        ),
        para("风险原因 / Risk reasons", heading),
    ]
    for reason in escalation.reasons:
        with translation.override("zh-hans"):
            zh = reason_text(reason)
        with translation.override("en"):
            en = reason_text(reason)
        story += [para(f"• {zh}"), para(f"  {en}")]
    if not escalation.reasons:
        story.append(para("无 / None"))
    story += [
        para("时间线（每日投诉数） / Timeline (complaints per day)", heading),
        Spacer(1, 2 * mm),
        timeline_chart(_per_day(complaints)),
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Dossier {escalation.uuid}",
        invariant=True,
    )
    document.build(story)
    return out.getvalue()


def dossier_build(*, escalation: Escalation, now: datetime | None = None) -> bytes:
    """The dossier ZIP: complaints.csv, evidence/<code>/<n>-<name>, summary.pdf, and manifest.json last, listing
    every other file with its SHA-256 and size."""
    now = now or timezone.now()
    complaints = list(complaint_selectors.escalation_complaints(merchant_id=escalation.merchant_id))
    files = [
        ("complaints.csv", complaints_csv(escalation=escalation, complaints=complaints)),
        *_evidence_files(complaints),
        ("summary.pdf", summary_pdf(escalation=escalation, complaints=complaints, now=now)),
    ]
    manifest = {
        "escalation": str(escalation.uuid),
        "generated_at": now.isoformat(),
        "files": [{"path": path, "sha256": _sha256(content), "size": len(content)} for path, content in files],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            archive.writestr(path, content)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return out.getvalue()
