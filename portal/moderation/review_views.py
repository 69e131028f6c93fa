"""Moderators' queue of review requests from merchants' representatives, open ones first, each beside its
requester's record (requests made, dismissed). Upholding one records the decision and opens the complaint in the
moderation workflow, where the moderator changes it; nothing about the complaint changes here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from complaints.decorators import moderator_required
from complaints.review_requests import (
    RequesterRecord,
    review_request_decide,
    review_request_get,
    review_request_records,
    review_requests_for_moderators,
)
from portal.moderation.forms import ReviewDecisionForm
from portal.moderation.views import flash_form_errors

REQUESTS_PER_PAGE = 25

MSG_UPHELD = _("Review request upheld. Now change complaint %(code)s here, in the moderation workflow.")
MSG_DISMISSED = _("Review request on complaint %(code)s dismissed.")


@moderator_required
@require_safe
def review_request_list(request):
    page = Paginator(review_requests_for_moderators(), REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    records = review_request_records(user_ids={row.requested_by_id for row in page.object_list})
    rows = [{"request": row, "record": records.get(row.requested_by_id, RequesterRecord())} for row in page]
    return render(request, "moderation/review_requests/list.html", {"page": page, "rows": rows})


@moderator_required
@require_safe
def review_request_detail(request, uuid):
    review = review_request_get(uuid=uuid)
    records = review_request_records(user_ids=[review.requested_by_id])
    context = {
        "review": review,
        "complaint": review.complaint,
        "record": records.get(review.requested_by_id, RequesterRecord()),
        "form": ReviewDecisionForm(),
    }
    return render(request, "moderation/review_requests/detail.html", context)


@moderator_required
@require_POST
def review_request_decide_view(request, uuid):
    review = review_request_get(uuid=uuid)
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("moderation:review_request", uuid=review.uuid)
    upheld = form.cleaned_data["decision"] == ReviewDecisionForm.UPHOLD
    try:
        review_request_decide(request=review, moderator=request.user, upheld=upheld, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("moderation:review_request", uuid=review.uuid)
    code = review.complaint.code
    if upheld:
        messages.success(request, MSG_UPHELD % {"code": code})
        return redirect("complaint_moderation:detail", code=code)
    messages.success(request, MSG_DISMISSED % {"code": code})
    return redirect("moderation:review_requests")
