"""A merchant representative's pages: the merchant's accepted complaints with their reply clocks, and one
complaint as the merchant may see it (the redacted account, never the evidence or who complained unless they
allowed it) with the forms to reply, propose a resolution, withdraw it and ask moderators for a review.

Someone who represents no merchant gets 403; a complaint or merchant they do not answer for, 404. There is no
way here to change or delete a complaint: replies and proposals are added beside it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from complaints import replies, reply_forms, reply_selectors
from complaints.models import Complaint, ResolutionProposal
from complaints.review_requests import review_request_create
from complaints.workflow import TransitionError

COMPLAINTS_PER_PAGE = 25

MSG_REPLIED = _("Your reply is published beside the complaint and the complainant was told.")
MSG_PROPOSED = _("Your proposal was sent to the complainant.")
MSG_WITHDRAWN = _("Your proposal was withdrawn. You can make another.")
MSG_REVIEW_REQUESTED = _("Moderators will review the complaint and tell you what they decide.")


@login_required
@require_safe
def merchant_complaints(request, merchant):
    merchant = reply_selectors.merchant_get_for_representative(user=request.user, uuid=merchant)
    page = Paginator(
        reply_selectors.merchant_complaints_for_representative(merchant=merchant), COMPLAINTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"complaint": c, "overdue": reply_selectors.reply_overdue(c, now=now)} for c in page.object_list]
    context = {"merchant": merchant, "page": page, "rows": rows, "reply_days": settings.MERCHANT_REPLY_DAYS}
    return render(request, "representation/complaints.html", context)


def _proposal_rows(complaint: Complaint) -> list[dict]:
    answers = reply_selectors.proposal_answers(complaint=complaint)
    rows = []
    for proposal in reply_selectors.complaint_proposals(complaint=complaint):
        answer = answers.get(str(proposal.uuid), {})
        rows.append({"proposal": proposal, "reason": answer.get("reason", "")})
    return rows


def _page(request, complaint: Complaint, **forms):
    proposals = _proposal_rows(complaint)
    # A representative who filed this complaint themselves may read it here but not answer it (replies refuses).
    own = complaint.complainant_id == request.user.pk and not complaint.source
    is_open = complaint.status == Complaint.Status.ACCEPTED and not own
    waiting = [row["proposal"] for row in proposals if row["proposal"].status == ResolutionProposal.Status.OPEN]
    open_proposal = waiting[0] if waiting else None
    review_requests = reply_selectors.complaint_review_requests(complaint=complaint)
    context = {
        "complaint": complaint,
        "merchant": complaint.merchant,
        "contact": reply_selectors.complainant_contact(complaint),
        "overdue": reply_selectors.reply_overdue(complaint),
        "replies": reply_selectors.complaint_replies(complaint=complaint),
        "proposals": proposals,
        "open_proposal": open_proposal,
        "review_requests": review_requests,
        "own": own,
        "can_reply": is_open,
        "can_propose": is_open and open_proposal is None,
        "can_request_review": not any(r.status == r.Status.OPEN for r in review_requests),
        "reply_form": forms.get("reply_form") or reply_forms.ReplyForm(),
        "proposal_form": forms.get("proposal_form") or reply_forms.ProposalForm(),
        "review_form": forms.get("review_form") or reply_forms.ReviewRequestForm(),
    }
    return render(request, "representation/detail.html", context, status=400 if forms else 200)


@login_required
@require_safe
def complaint_detail(request, uuid):
    return _page(request, reply_selectors.complaint_get_for_representative(user=request.user, uuid=uuid))


def _submit(request, complaint: Complaint, form, form_name: str, action, success):
    """Run a service with a valid form's data: success -> message and back to the page; bad input -> the page
    again with the errors on the form's fields; a step no longer possible (a proposal or a review request
    already waits, the complaint closed) -> the reason as a message, since the page may no longer offer it."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                for message in error.messages:
                    messages.error(request, message)
                return redirect("representation:detail", uuid=complaint.uuid)
            form.add_error(None, error)
        except TransitionError as error:
            messages.error(request, error.message)
            return redirect("representation:detail", uuid=complaint.uuid)
        else:
            messages.success(request, success)
            return redirect("representation:detail", uuid=complaint.uuid)
    return _page(request, complaint, **{form_name: form})


@login_required
@require_POST
def reply(request, uuid):
    complaint = reply_selectors.complaint_get_for_representative(user=request.user, uuid=uuid)
    return _submit(
        request,
        complaint,
        reply_forms.ReplyForm(request.POST),
        "reply_form",
        lambda data: replies.reply_post(complaint=complaint, user=request.user, body=data["body"]),
        MSG_REPLIED,
    )


@login_required
@require_POST
def propose(request, uuid):
    complaint = reply_selectors.complaint_get_for_representative(user=request.user, uuid=uuid)
    return _submit(
        request,
        complaint,
        reply_forms.ProposalForm(request.POST),
        "proposal_form",
        lambda data: replies.proposal_make(
            complaint=complaint, user=request.user, kind=data["kind"], amount=data["amount"], message=data["message"]
        ),
        MSG_PROPOSED,
    )


@login_required
@require_POST
def proposal_withdraw(request, uuid, proposal):
    complaint = reply_selectors.complaint_get_for_representative(user=request.user, uuid=uuid)
    proposal = reply_selectors.proposal_get(complaint=complaint, uuid=proposal)
    try:
        replies.proposal_withdraw(proposal=proposal, user=request.user)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MSG_WITHDRAWN)
    return redirect("representation:detail", uuid=complaint.uuid)


@login_required
@require_POST
def review_request(request, uuid):
    complaint = reply_selectors.complaint_get_for_representative(user=request.user, uuid=uuid)
    return _submit(
        request,
        complaint,
        reply_forms.ReviewRequestForm(request.POST),
        "review_form",
        lambda data: review_request_create(
            complaint=complaint, user=request.user, reason=data["reason"], explanation=data["explanation"]
        ),
        MSG_REVIEW_REQUESTED,
    )
