from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict

from complaints.forms import (
    EVIDENCE_ACCEPT,
    AnswerForm,
    ConsentForm,
    EvidenceForm,
    FactsForm,
    MerchantForm,
    PrivacyForm,
)
from complaints.models import MSG_PAID_IN_FUTURE, NARRATIVE_MAX, NARRATIVE_MIN, Category
from complaints.services import MSG_NO_MERCHANT
from complaints.tests.files import jpeg_bytes, pdf_bytes, upload
from complaints.workflow import MSG_ANSWER_REQUIRED

pytestmark = pytest.mark.django_db

NARRATIVE = "I paid for a phone in a mini program and the shop never shipped it; support stopped answering."


def facts(**overrides):
    return {"category": Category.NOT_DELIVERED, "narrative": NARRATIVE, **overrides}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


class TestMerchantForm:
    def test_nothing_about_the_merchant_is_refused(self):
        form = MerchantForm(data={"platform": "wechat_mini_program"})

        assert not form.is_valid()
        assert form.non_field_errors() == [str(MSG_NO_MERCHANT)]

    def test_blank_answers_do_not_count_as_an_identifier(self):
        # U+3000 is the full-width space a Chinese keyboard types.
        form = MerchantForm(data={"merchant_name": "   ", "wechat_id": "\u3000\u3000"})

        assert not form.is_valid()
        assert form.non_field_errors() == [str(MSG_NO_MERCHANT)]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("merchant_name", "好运来"),
            ("mini_program_name", "好运来商城"),
            ("app_id", "wx0123456789abcdef"),
            ("shop_url", "haoyunlai.example.com"),
            ("merchant_phone", "138 0013 8000"),
            ("wechat_id", "haoyunlai888"),
            ("payee_account", "好运来"),
            ("company_name", "好运来科技有限公司"),
            ("company_uscc", "91440300MA5F0Y1X2R"),
        ],
    )
    def test_any_single_identifier_is_enough(self, field, value):
        form = MerchantForm(data={field: value})

        assert form.is_valid(), form.errors
        assert form.cleaned_data[field] == value
        assert form.cleaned_data["platform"] == ""

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("app_id", "wx0123", "invalid"),
            ("company_uscc", "91440300MA5F0Y1X2A", "checksum"),
            ("merchant_phone", "12345", "invalid"),
            ("shop_url", "not a link", "invalid"),
        ],
    )
    def test_an_identifier_that_cannot_be_what_its_field_says_is_a_field_error(self, field, value, code):
        form = MerchantForm(data={"merchant_name": "好运来", field: value})

        assert not form.is_valid()
        assert [e.code for e in form.errors.as_data()[field]] == [code]

    def test_unknown_platform_is_refused(self):
        form = MerchantForm(data={"merchant_name": "好运来", "platform": "myspace"})

        assert not form.is_valid()
        assert "platform" in form.errors

    def test_model_length_limits_apply(self):
        form = MerchantForm(data={"merchant_name": "x" * 201})

        assert not form.is_valid()
        assert "merchant_name" in form.errors


class TestFactsForm:
    def test_valid_facts(self):
        form = FactsForm(
            data=facts(amount="6999.50", payment_method="wechat_pay", paid_at="2025-03-01", region="440000")
        )

        assert form.is_valid(), form.errors
        assert str(form.cleaned_data["amount"]) == "6999.50"
        assert form.cleaned_data["paid_at"].isoformat() == "2025-03-01"

    def test_slash_dates_are_understood(self):
        form = FactsForm(data=facts(paid_at="2025/03/01"))

        assert form.is_valid(), form.errors
        assert form.cleaned_data["paid_at"].isoformat() == "2025-03-01"

    def test_narrative_too_short(self):
        form = FactsForm(data=facts(narrative="x" * (NARRATIVE_MIN - 1)))

        assert not form.is_valid()
        assert f"at least {NARRATIVE_MIN} characters" in form.errors["narrative"][0]

    def test_narrative_too_long(self):
        form = FactsForm(data=facts(narrative="x" * (NARRATIVE_MAX + 1)))

        assert not form.is_valid()
        assert f"at most {NARRATIVE_MAX} characters" in form.errors["narrative"][0]

    def test_narrative_of_spaces_is_refused(self):
        form = FactsForm(data=facts(narrative=" " * 40))

        assert not form.is_valid()
        assert "narrative" in form.errors

    def test_category_is_required_and_offered_without_a_blank_choice(self):
        form = FactsForm(data=facts(category=""))

        assert not form.is_valid()
        assert "category" in form.errors
        assert [value for value, _label in form.fields["category"].choices] == Category.values

    @pytest.mark.parametrize("amount", ["-1", "12.345", "abc"])
    def test_bad_amounts(self, amount):
        form = FactsForm(data=facts(amount=amount))

        assert not form.is_valid()
        assert "amount" in form.errors

    def test_payment_in_the_future_is_refused(self):
        tomorrow = timezone.localdate() + timedelta(days=1)
        form = FactsForm(data=facts(paid_at=tomorrow.isoformat()))

        assert not form.is_valid()
        assert form.errors["paid_at"] == [str(MSG_PAID_IN_FUTURE)]

    def test_date_input_offers_no_future_day(self):
        html = str(FactsForm()["paid_at"])

        assert 'type="date"' in html
        assert f'max="{timezone.localdate().isoformat()}"' in html

    def test_narrative_help_names_the_limits(self):
        help_text = str(FactsForm().fields["narrative"].help_text)

        assert f"Between {NARRATIVE_MIN} and {NARRATIVE_MAX} characters" in help_text

    def test_vulnerability_is_an_optional_checkbox(self):
        unchecked = FactsForm(data=facts())
        checked = FactsForm(data=facts(vulnerable="on"))

        assert unchecked.is_valid() and checked.is_valid()
        assert (unchecked.cleaned_data["vulnerable"], checked.cleaned_data["vulnerable"]) == (False, True)
        assert FactsForm()["vulnerable"].widget_type == "checkbox"
        assert FactsForm().fields["vulnerable"].label == "I am elderly or a minor, or I am filing for such a person"


class TestAnswerForm:
    def test_an_answer_is_kept_trimmed(self):
        form = AnswerForm(data={"answer": "  On 1 March.  "})

        assert form.is_valid()
        assert form.cleaned_data["answer"] == "On 1 March."

    @pytest.mark.parametrize("answer", ["", "   "])
    def test_an_empty_answer_says_to_write_one(self, answer):
        form = AnswerForm(data={"answer": answer})

        assert not form.is_valid()
        assert form.errors["answer"] == [str(MSG_ANSWER_REQUIRED)]

    def test_an_answer_is_limited_like_a_narrative(self):
        form = AnswerForm(data={"answer": "x" * (NARRATIVE_MAX + 1)})

        assert not form.is_valid()
        assert f'maxlength="{NARRATIVE_MAX}"' in str(form["answer"])


class TestConsentForm:
    @pytest.mark.parametrize(("value", "consent"), [("1", True), ("0", False)])
    def test_one_for_yes_zero_for_no(self, value, consent):
        form = ConsentForm(data={"consent": value})

        assert form.is_valid()
        assert form.cleaned_data["consent"] is consent

    @pytest.mark.parametrize("data", [{}, {"consent": ""}, {"consent": "yes"}])
    def test_anything_else_is_refused(self, data):
        assert not ConsentForm(data=data).is_valid()


class TestPrivacyForm:
    def test_defaults_keep_identity_hidden_and_do_not_publish(self):
        form = PrivacyForm()

        assert form["hide_identity"].value() is True
        assert form["consent_publish"].value() is False

    def test_unchecked_boxes_mean_no(self):
        form = PrivacyForm(data={})

        assert form.is_valid()
        assert form.cleaned_data == {"consent_publish": False, "hide_identity": False}


class TestEvidenceForm:
    def test_widget_takes_several_files_of_the_accepted_types(self):
        html = str(EvidenceForm()["evidence"])

        assert "multiple" in html
        assert f'accept="{EVIDENCE_ACCEPT}"' in html

    def test_every_file_is_passed_on_unchecked(self):
        files = MultiValueDict({"evidence": [upload("a.jpg", jpeg_bytes()), upload("b.pdf", pdf_bytes())]})
        form = EvidenceForm(files=files)

        assert form.is_valid()
        assert [f.name for f in form.cleaned_data["evidence"]] == ["a.jpg", "b.pdf"]

    def test_no_file_is_an_empty_list(self):
        form = EvidenceForm(files=MultiValueDict())

        assert form.is_valid()
        assert form.cleaned_data["evidence"] == []
