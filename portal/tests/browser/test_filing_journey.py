"""The main journey in a real browser: sign up, verify, file a complaint with evidence, see it processed."""

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from complaints.models import Complaint, Evidence
from complaints.tests import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-2026"
NARRATIVE = "我在微信小程序上预购了新款手机，付款六千九百九十九元后商家一直不发货，客服也联系不上。"


@pytest.fixture
def evidence_files(tmp_path):
    paths = {
        "order.jpg": files.jpeg_bytes((640, 480), exif=files.gps_exif()),
        "receipt.png": files.png_bytes((480, 640)),
        "chat-log.pdf": files.pdf_bytes(pages=2),
    }
    for name, content in paths.items():
        (tmp_path / name).write_bytes(content)
    return [str(tmp_path / name) for name in paths]


def _t(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def _journey(page, live_server, evidence_files, *, email: str, language: str):
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_confirm", PASSWORD)
    page.click("button[type=submit].button-primary")
    expect(page).to_have_url(re.compile(r"/accounts/verify/$"))

    (message,) = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+/accounts/verify/\S+/\S+/", message.body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page).to_have_url(re.compile(r"/complaints/drafts/[0-9a-f-]+/merchant/$"))

    page.fill("#id_merchant_name", "果果优选 iPhone 预售")
    page.select_option("#id_platform", "wechat_mini_program")
    page.fill("#id_app_id", "wx8f3c2a1b9d7e6f50")
    page.click("button[type=submit].button-primary")

    page.check("input[name=category][value=not_delivered]")
    page.fill("#id_narrative", NARRATIVE)
    page.fill("#id_amount", "6999.00")
    page.click("button[type=submit].button-primary")

    page.set_input_files("input[name=evidence]", evidence_files)
    page.click("button[name=upload]")
    expect(page.locator(".evidence-item")).to_have_count(3)
    page.click("button[name=continue]")

    page.click("button[type=submit].button-primary")  # privacy: keep the defaults
    page.click("button[type=submit].button-primary")  # review: submit

    expect(page).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}/$"))
    complaint = Complaint.objects.get(complainant__email=email)
    expect(page.locator(".tracking-code")).to_have_text(complaint.code)
    thumbnails = page.locator(".evidence-thumb img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        thumbnail = thumbnails.nth(index)
        expect(thumbnail).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert set(complaint.evidence.values_list("status", flat=True)) == {Evidence.Status.READY}
    return page


def test_file_a_complaint_in_english(page, live_server, evidence_files):
    _journey(page, live_server, evidence_files, email="victim@example.com", language="en")
    expect(page.locator("body")).to_contain_text("Tracking code")


@pytest.fixture
def chinese_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_file_a_complaint_in_chinese(browser, chinese_context_args, live_server, evidence_files):
    context = browser.new_context(**chinese_context_args)
    page = context.new_page()
    try:
        _journey(page, live_server, evidence_files, email="shouhairen@example.com", language="zh-hans")
        expect(page.locator("body")).to_contain_text(_t("zh-hans", "Tracking code"))
        assert _t("zh-hans", "Tracking code") != "Tracking code", "the Chinese catalogue lacks this string"
    finally:
        context.close()
