"""REST API v1 for moderators: the priority queue, one case, and one operation per moderation step.

Only moderators: anyone else gets 401 (not signed in) or 403 (signed in), before any complaint is looked up, so
the answer says nothing about which codes exist. A step the complaint's state (or another moderator's claim or
decision) does not allow is a 409 with code `invalid_transition` and the workflow's message.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import queue
from complaints.apis import MerchantRefSerializer, TransitionConflict
from complaints.codes import normalize_tracking_code
from complaints.models import Category, Complaint, Evidence, Flag
from complaints.moderation_forms import NOTE_MAX_LENGTH, OUTCOME_CHOICES, REDACTION_MAX_LENGTH, run_action
from complaints.pagination import Pagination
from complaints.workflow import MSG_NOT_MODERATOR, TransitionError, claim_is_live
from merchants.regions import Region
from merchants.selectors import platform_choices


class IsModerator(BasePermission):
    message = MSG_NOT_MODERATOR

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)


MODERATORS = [IsAuthenticated, IsModerator]


def _case(request, code: str) -> Complaint:
    return queue.moderation_complaint_get(user=request.user, code=normalize_tracking_code(code))


def _platform(complaint: Complaint) -> str:
    return complaint.merchant.platform.code if complaint.merchant.platform_id else complaint.platform


class FlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Flag.Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    other = serializers.CharField(source="other.code", allow_null=True, default=None)

    class Meta:
        ref_name = "ModerationFlag"


class QueueItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=Complaint.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    priority = serializers.IntegerField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_display = serializers.CharField(source="get_category_display")
    merchant = MerchantRefSerializer()
    platform = serializers.SerializerMethodField()
    region = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    vulnerable = serializers.BooleanField()
    flags = FlagSerializer(many=True)
    claimed_by = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ModerationQueueItem"

    @extend_schema_field(OpenApiTypes.STR)
    def get_platform(self, complaint) -> str:
        """The merchant's platform code, or the one the complainant named when the merchant has none."""
        return _platform(complaint)

    @extend_schema_field({"type": "string", "format": "email", "nullable": True})
    def get_claimed_by(self, complaint) -> str | None:
        """The moderator working on it while their claim lasts."""
        return complaint.claimed_by.email if claim_is_live(complaint) else None


class ModerationQueueApi(APIView):
    """The moderation queue, worst first (priority, then the longest waiting)."""

    permission_classes = MODERATORS
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.MultipleChoiceField(
            choices=Complaint.Status.choices,
            required=False,
            help_text="Repeat to ask for several; by default the open ones (submitted, in_review, needs_info).",
        )
        category = serializers.ChoiceField(choices=Category.choices, required=False)
        platform = serializers.ChoiceField(
            choices=platform_choices(),
            required=False,
            help_text="The merchant's platform, or the one the complainant named.",
        )
        region = serializers.ChoiceField(choices=Region.choices, required=False)
        merchant = serializers.UUIDField(required=False, help_text="The merchant's public id.")
        flag = serializers.ChoiceField(choices=Flag.Kind.choices, required=False)

        class Meta:
            ref_name = "ModerationQueueFilter"

    @extend_schema(parameters=[FilterSerializer], responses={200: QueueItemSerializer(many=True)})
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        complaints = queue.moderation_queue(user=request.user, filters=filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(complaints, request, view=self)
        return paginator.get_paginated_response(QueueItemSerializer(page, many=True).data)


class CaseSerializer(QueueItemSerializer):
    """Everything a moderator weighs, and the steps open to them now."""

    class EvidenceSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="uuid")
        name = serializers.CharField(source="original_name")
        kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
        status = serializers.ChoiceField(choices=Evidence.Status.choices)

        class Meta:
            ref_name = "ModerationEvidence"

    class FindingSerializer(serializers.Serializer):
        kind = serializers.CharField()
        start = serializers.IntegerField()
        end = serializers.IntegerField()

        class Meta:
            ref_name = "ModerationPiiFinding"

    class HistorySerializer(serializers.Serializer):
        total = serializers.IntegerField()
        by_status = serializers.SerializerMethodField()

        class Meta:
            ref_name = "ModerationComplainantHistory"

        @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
        def get_by_status(self, history) -> dict:
            return {code: count for code, _label, count in history.by_status}

    class TimelineEntrySerializer(serializers.Serializer):
        at = serializers.DateTimeField()
        label = serializers.CharField()
        actor = serializers.CharField()
        audited = serializers.BooleanField(help_text="A moderator's action, from the audit record.")
        change = serializers.CharField()
        note = serializers.CharField()
        before = serializers.CharField()
        after = serializers.CharField()

        class Meta:
            ref_name = "ModerationTimelineEntry"

    uuid = serializers.UUIDField()
    reject_reason = serializers.CharField()
    complainant = serializers.EmailField(source="complainant.email")
    merchant_name = serializers.CharField()
    mini_program_name = serializers.CharField()
    app_id = serializers.CharField()
    shop_url = serializers.CharField()
    merchant_phone = serializers.CharField()
    wechat_id = serializers.CharField()
    payee_account = serializers.CharField()
    company_name = serializers.CharField()
    company_uscc = serializers.CharField()
    payment_method = serializers.CharField()
    paid_at = serializers.DateField(allow_null=True)
    order_number = serializers.CharField()
    narrative = serializers.CharField()
    pii = serializers.SerializerMethodField()
    narrative_redacted = serializers.CharField()
    consent_publish = serializers.BooleanField()
    hide_identity = serializers.BooleanField()
    is_public = serializers.BooleanField()
    evidence = EvidenceSerializer(many=True)
    history = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ModerationCase"

    @extend_schema_field(FindingSerializer(many=True))
    def get_pii(self, complaint) -> list:
        """Personal data in `narrative` (offsets in it) that the automatic redaction masks."""
        return self.FindingSerializer(queue.pii_findings(complaint), many=True).data

    @extend_schema_field(HistorySerializer)
    def get_history(self, complaint) -> dict:
        """The same complainant's other complaints, counted by status."""
        return self.HistorySerializer(queue.complainant_history(complaint)).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, complaint) -> list:
        return self.TimelineEntrySerializer(queue.staff_timeline(complaint), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, complaint) -> list:
        """The steps open to the requesting moderator now, named as in their URLs."""
        return sorted(queue.allowed_actions(complaint, user=self.context["request"].user))


class ModerationCaseApi(APIView):
    """One complaint as moderators see it."""

    permission_classes = MODERATORS

    @extend_schema(responses={200: CaseSerializer})
    def get(self, request, code):
        return Response(CaseSerializer(_case(request, code), context={"request": request}).data)


class _ModerationStepApi(APIView):
    """One moderation step: validate the input, take the step, answer with the case as it is now."""

    permission_classes = MODERATORS
    # Steps carry a few short fields: JSON or a plain form, never files.
    parser_classes = [JSONParser, FormParser]
    # Documented with the one error body (portal.api.schema): another moderator acted first, or the status
    # forbids the step.
    error_statuses = (409,)
    step = ""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ModerationNoInput"

    def take(self, request, code):
        complaint = _case(request, code)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run_action(action=self.step, complaint=complaint, moderator=request.user, data=serializer.validated_data)
        except TransitionError as error:
            raise TransitionConflict(detail=error.message) from None
        return Response(CaseSerializer(_case(request, code), context={"request": request}).data)


def _note() -> serializers.CharField:
    return serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


STEP_RESPONSES = {200: CaseSerializer}


class ModerationReviewApi(_ModerationStepApi):
    step = "review"

    @extend_schema(request=None, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Take a submitted complaint into review."""
        return self.take(request, code)


class ModerationRequestInfoApi(_ModerationStepApi):
    step = "request-info"

    class InputSerializer(serializers.Serializer):
        question = serializers.CharField(max_length=NOTE_MAX_LENGTH)

        class Meta:
            ref_name = "ModerationRequestInfo"

    @extend_schema(request=InputSerializer, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Send the complaint back to its complainant with a question (emailed to them)."""
        return self.take(request, code)


class ModerationAcceptApi(_ModerationStepApi):
    step = "accept"

    class InputSerializer(serializers.Serializer):
        note = _note()

        class Meta:
            ref_name = "ModerationAccept"

    @extend_schema(request=InputSerializer, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Accept the complaint; its redacted account is published if the complainant consents."""
        return self.take(request, code)


class ModerationRejectApi(_ModerationStepApi):
    step = "reject"

    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=Complaint.RejectReason.choices)
        note = _note()

        class Meta:
            ref_name = "ModerationReject"

    @extend_schema(request=InputSerializer, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Reject the complaint with one of the reasons."""
        return self.take(request, code)


class ModerationCloseApi(_ModerationStepApi):
    step = "close"

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)
        note = _note()

        class Meta:
            ref_name = "ModerationClose"

    @extend_schema(request=InputSerializer, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Close an accepted complaint with its outcome, after the merchant's reply."""
        return self.take(request, code)


class ModerationClaimApi(_ModerationStepApi):
    step = "claim"

    @extend_schema(request=None, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Take the case: other moderators cannot act on it until you act, release it, or the claim lapses."""
        return self.take(request, code)


class ModerationReleaseApi(_ModerationStepApi):
    step = "release"

    @extend_schema(request=None, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Give your claim on the case up."""
        return self.take(request, code)


class ModerationRedactionApi(_ModerationStepApi):
    step = "redaction"

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(
            max_length=REDACTION_MAX_LENGTH,
            allow_blank=True,
            help_text="The published text; empty restores the automatic redaction.",
        )

        class Meta:
            ref_name = "ModerationRedaction"

    @extend_schema(request=InputSerializer, responses=STEP_RESPONSES)
    def post(self, request, code):
        """Replace the redacted account: the only text published or shown to the merchant."""
        return self.take(request, code)


STEP_APIS = {
    api.step: api
    for api in (
        ModerationReviewApi,
        ModerationRequestInfoApi,
        ModerationAcceptApi,
        ModerationRejectApi,
        ModerationCloseApi,
        ModerationClaimApi,
        ModerationReleaseApi,
        ModerationRedactionApi,
    )
}
