"""REST API v1 for complaints (DESIGN.md section 7): file, list, read, add evidence; the complainant's answers to
moderators' questions, withdrawal and publication consent.

Each operation is one APIView with its own InputSerializer/OutputSerializer. Serializers check shapes only;
the rules (at least one merchant identifier, narrative length, file limits) live in complaints.services,
which raise Django's ValidationError; portal.api.errors turns those into the one error body.
"""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from complaints import selectors, services, workflow
from complaints.client_address import client_ip
from complaints.codes import normalize_tracking_code
from complaints.decorators import MSG_VERIFY_FIRST
from complaints.models import NARRATIVE_MAX, Category, Complaint, Evidence, PaymentMethod
from complaints.pagination import Pagination
from merchants.regions import Region
from merchants.selectors import platform_choices
from merchants.services import MerchantClaims


class TransitionConflict(APIException):
    """A workflow step refused in the complaint's current state (complaints.workflow.TransitionError): 409 with the
    workflow's message. Shared by the complainant's and the moderators' APIs."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Not possible in the current state.")
    default_code = workflow.TransitionError.code


def _claim(field_name: str) -> serializers.CharField:
    """An optional merchant claim, as long as the complaint's column allows."""
    max_length = Complaint._meta.get_field(field_name).max_length
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.Field):
    """A file part, passed on as it came: complaints.services.uploads_check judges name, size and bytes."""

    default_error_messages = {"not_a_file": _("Send evidence as files in a multipart/form-data request.")}

    def to_internal_value(self, data):
        if not isinstance(data, UploadedFile):
            self.fail("not_a_file")
        return data


class MerchantRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()


class EvidenceSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField(source="original_name")
    status = serializers.ChoiceField(choices=Evidence.Status.choices)


def _complaint_for(request, code: str) -> Complaint:
    """Tracking codes arrive as people type them (`rd7k3f9q2m`); outsiders get 404."""
    return selectors.complaint_get_for_user(user=request.user, code=normalize_tracking_code(code))


def _public_url(request, complaint: Complaint) -> str | None:
    if not complaint.is_public:
        return None
    return request.build_absolute_uri(reverse("complaints:public_detail", kwargs={"uuid": complaint.uuid}))


class HasVerifiedEmail(BasePermission):
    """Filing needs a verified address (as on the web): moderators and merchants answer by email."""

    message = MSG_VERIFY_FIRST

    def has_permission(self, request, view):
        return request.method != "POST" or bool(getattr(request.user, "email_verified", False))


class ComplaintCreateApi(APIView):
    permission_classes = [IsAuthenticated, HasVerifiedEmail]
    throttle_scope = "filing"

    parser_classes = [MultiPartParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        merchant_name = _claim("merchant_name")
        platform = serializers.ChoiceField(choices=platform_choices(), required=False, allow_blank=True, default="")
        mini_program_name = _claim("mini_program_name")
        app_id = _claim("app_id")
        shop_url = _claim("shop_url")
        merchant_phone = _claim("merchant_phone")
        wechat_id = _claim("wechat_id")
        payee_account = _claim("payee_account")
        company_name = _claim("company_name")
        company_uscc = _claim("company_uscc")
        category = serializers.ChoiceField(choices=Category.choices)
        narrative = serializers.CharField()
        amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
        currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="CNY")
        payment_method = serializers.ChoiceField(
            choices=PaymentMethod.choices, required=False, allow_blank=True, default=""
        )
        paid_at = serializers.DateField(required=False, allow_null=True, default=None)
        order_number = _claim("order_number")
        region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True, default="")
        vulnerable = serializers.BooleanField(
            required=False,
            default=False,
            help_text=_("The complainant is elderly or a minor, or files for such a person: moderators see it first."),
        )
        consent_publish = serializers.BooleanField(required=False, default=False)
        hide_identity = serializers.BooleanField(required=False, default=True)
        evidence = serializers.ListField(child=UploadField(), required=False, default=list)

        class Meta:
            ref_name = "ComplaintCreate"

    # Documents the JSON variant, which carries no files; requests are validated by InputSerializer.
    class JsonInputSerializer(InputSerializer):
        evidence = None

        class Meta:
            ref_name = "ComplaintCreateJson"

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        status = serializers.ChoiceField(choices=Complaint.Status.choices)
        merchant = MerchantRefSerializer()
        evidence = EvidenceSummarySerializer(many=True)

        class Meta:
            ref_name = "ComplaintCreated"

    def get_throttles(self):
        # Filings per account; listing on the same path (ComplaintsApi) is not filing.
        throttles = super().get_throttles()
        return [*throttles, ScopedRateThrottle()] if self.request.method == "POST" else throttles

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": JsonInputSerializer},
        responses={201: OutputSerializer},
    )
    def post(self, request):
        """File a complaint: the merchant as you know it, what happened, and up to 10 evidence files.

        Send multipart/form-data with each file as a part named `evidence`, or JSON when there are no files.
        The files are checked all together: if one is refused, nothing is saved.
        """
        serializer = ComplaintCreateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checked = services.uploads_check(uploads=data["evidence"])
        complaint = services.complaint_submit(
            complainant=request.user,
            claims=MerchantClaims(**{name: data[name] for name in MerchantClaims.field_names()}),
            uploads=checked,
            client_ip=client_ip(request),
            **{name: data[name] for name in services.FACT_FIELDS if name in data},
        )
        # A filing without files has no evidence to list: no query for it.
        evidence = complaint.evidence.all() if checked else []
        output = ComplaintCreateApi.OutputSerializer(
            {"code": complaint.code, "status": complaint.status, "merchant": complaint.merchant, "evidence": evidence}
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class ComplaintListApi(APIView):
    pagination_class = Pagination

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        status = serializers.ChoiceField(choices=Complaint.Status.choices)
        status_display = serializers.CharField(source="get_status_display")
        category = serializers.ChoiceField(choices=Category.choices)
        category_display = serializers.CharField(source="get_category_display")
        merchant = MerchantRefSerializer()
        amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
        currency = serializers.CharField()
        submitted_at = serializers.DateTimeField()
        evidence = EvidenceSummarySerializer(many=True)

        class Meta:
            ref_name = "ComplaintListItem"

    @extend_schema(
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        """Your complaints, newest first."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.complaint_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(ComplaintListApi.OutputSerializer(page, many=True).data)


class ComplaintsApi(ComplaintListApi, ComplaintCreateApi):
    """`/complaints/` carries two operations, each kept in its own view: GET lists, POST files.

    Their methods name their own serializers (not `self.`), which would resolve to the first base here.
    """


class ComplaintDetailApi(APIView):
    """One of your complaints: what you filed, its evidence as checked, and its timeline."""

    class OutputSerializer(serializers.Serializer):
        class EvidenceSerializer(serializers.Serializer):
            id = serializers.UUIDField(source="uuid")
            name = serializers.CharField(source="original_name")
            kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
            status = serializers.ChoiceField(choices=Evidence.Status.choices)
            reject_reason = serializers.ChoiceField(choices=Evidence.RejectReason.choices, allow_blank=True)
            reject_reason_display = serializers.CharField(source="get_reject_reason_display")
            size = serializers.IntegerField()
            sha256 = serializers.CharField()

            class Meta:
                ref_name = "ComplaintEvidence"

        class TimelineEventSerializer(serializers.Serializer):
            kind = serializers.CharField()
            kind_display = serializers.CharField(source="get_kind_display")
            at = serializers.DateTimeField(source="created_at")
            data = serializers.DictField()

            class Meta:
                ref_name = "ComplaintTimelineEvent"

        code = serializers.CharField()
        status = serializers.ChoiceField(choices=Complaint.Status.choices)
        status_display = serializers.CharField(source="get_status_display")
        submitted_at = serializers.DateTimeField()
        merchant = MerchantRefSerializer()
        merchant_name = serializers.CharField()
        platform = serializers.CharField()
        mini_program_name = serializers.CharField()
        app_id = serializers.CharField()
        shop_url = serializers.CharField()
        merchant_phone = serializers.CharField()
        wechat_id = serializers.CharField()
        payee_account = serializers.CharField()
        company_name = serializers.CharField()
        company_uscc = serializers.CharField()
        category = serializers.ChoiceField(choices=Category.choices)
        category_display = serializers.CharField(source="get_category_display")
        narrative = serializers.CharField()
        amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
        currency = serializers.CharField()
        payment_method = serializers.CharField()
        paid_at = serializers.DateField(allow_null=True)
        order_number = serializers.CharField()
        region = serializers.CharField()
        narrative_redacted = serializers.CharField(
            help_text=_("The account as it is published and shown to the merchant, personal details hidden.")
        )
        vulnerable = serializers.BooleanField()
        consent_publish = serializers.BooleanField()
        hide_identity = serializers.BooleanField()
        reject_reason = serializers.ChoiceField(choices=Complaint.RejectReason.choices, allow_blank=True)
        reject_reason_display = serializers.CharField(source="get_reject_reason_display")
        question = serializers.SerializerMethodField(
            help_text=_("The moderator's question to answer while the status is needs_info; empty otherwise.")
        )
        is_public = serializers.BooleanField()
        public_url = serializers.SerializerMethodField(help_text=_("The public page while it is published."))
        evidence = EvidenceSerializer(many=True)
        timeline = TimelineEventSerializer(many=True)

        class Meta:
            ref_name = "ComplaintDetail"

        def get_question(self, complaint) -> str:
            return selectors.complaint_question(complaint=complaint)

        def get_public_url(self, complaint) -> str | None:
            return _public_url(self.context["request"], complaint)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request, code):
        complaint = _complaint_for(request, code)
        return Response(self.OutputSerializer(complaint, context={"request": request}).data)


class ComplaintEvidenceAddApi(APIView):
    """Add evidence files to your complaint, each as a multipart part named `evidence`.

    The files are checked all together against the complaint's limit: if one is refused, none is added.
    """

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        evidence = serializers.ListField(child=UploadField(), allow_empty=False)

        class Meta:
            ref_name = "EvidenceAdd"

    class OutputSerializer(serializers.Serializer):
        evidence = EvidenceSummarySerializer(many=True)

        class Meta:
            ref_name = "EvidenceAdded"

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: OutputSerializer},
    )
    def post(self, request, code):
        complaint = _complaint_for(request, code)
        if complaint.complainant_id != request.user.pk:
            # Moderators can read the complaint, but the evidence is the complainant's to give.
            raise PermissionDenied
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stored = services.evidence_attach(
            user=request.user, complaint=complaint, uploads=serializer.validated_data["evidence"]
        )
        output = self.OutputSerializer({"evidence": stored})
        return Response(output.data, status=status.HTTP_201_CREATED)


# The complainant's side of moderation ------------------------------------------------------------------


class ComplaintStateSerializer(serializers.Serializer):
    """Where a complaint stands after the complainant's action."""

    code = serializers.CharField()
    status = serializers.ChoiceField(choices=Complaint.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    consent_publish = serializers.BooleanField()
    is_public = serializers.BooleanField()
    public_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ComplaintState"

    def get_public_url(self, complaint) -> str | None:
        return _public_url(self.context["request"], complaint)


class ComplainantActionApi(APIView):
    """Shared by the complainant's actions: their own complaint only (404 to outsiders, 403 to staff who may read
    it), and a refused transition (the complaint moved on meanwhile) is a 409 with the workflow's message."""

    # JSON bodies only: a form body that left `consent` out would read as false and unpublish by mistake.
    parser_classes = [JSONParser]
    # OpenAPI: the schema class adds these to the documented errors (portal.api.schema).
    error_statuses = (409,)

    def _own(self, request, code: str) -> Complaint:
        complaint = _complaint_for(request, code)
        if complaint.complainant_id != request.user.pk:
            raise PermissionDenied
        return complaint

    def _act(self, request, code: str, action, **arguments) -> Response:
        complaint = self._own(request, code)
        try:
            complaint = action(complaint=complaint, user=request.user, **arguments)
        except workflow.TransitionError as error:
            raise TransitionConflict(error.message) from None
        return Response(ComplaintStateSerializer(complaint, context={"request": request}).data)


class ComplaintAnswerApi(ComplainantActionApi):
    """Answer the moderator's question (the complaint must be needs_info); it goes back to review."""

    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(max_length=NARRATIVE_MAX)

        class Meta:
            ref_name = "ComplaintAnswer"

    @extend_schema(request=InputSerializer, responses={200: ComplaintStateSerializer})
    def post(self, request, code):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(request, code, workflow.complaint_answer, answer=serializer.validated_data["answer"])


class ComplaintWithdrawApi(ComplainantActionApi):
    """Withdraw your complaint while it is open or accepted: moderation stops and it is unpublished. Final."""

    @extend_schema(request=None, responses={200: ComplaintStateSerializer})
    def post(self, request, code):
        return self._act(request, code, workflow.complaint_withdraw)


class ComplaintConsentApi(ComplainantActionApi):
    """Give or withdraw consent to publishing a redacted account; withdrawing unpublishes it at once."""

    class InputSerializer(serializers.Serializer):
        consent = serializers.BooleanField()

        class Meta:
            ref_name = "ComplaintConsent"

    @extend_schema(request=InputSerializer, responses={200: ComplaintStateSerializer})
    def post(self, request, code):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(request, code, workflow.complaint_consent_set, consent=serializer.validated_data["consent"])
