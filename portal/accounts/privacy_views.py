"""The complainant's own data: withdrawing it from a complaint, deleting the account (complaints.privacy)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from complaints import privacy
from portal.accounts.forms import PasswordConfirmForm
from portal.accounts.services import MSG_CANNOT_DELETE, user_delete, user_may_delete
from portal.accounts.views import ratelimit_post

# Per client address: each of these POSTs checks a password.
CONFIRM_RATE = "30/h"

MSG_DATA_WITHDRAWN = _("Your data was removed from complaint %(code)s.")
MSG_ALREADY_ERASED = _("Your data was already removed from complaint %(code)s.")
MSG_ACCOUNT_DELETED = _("Your account was deleted.")


@login_required
@require_safe
def privacy_overview(request):
    complaints = [
        (complaint, privacy.is_erased(complaint))
        for complaint in privacy.erasable_complaints_for_user(user=request.user)
    ]
    context = {
        "complaints": complaints,
        "may_delete": user_may_delete(request.user),
        "cannot_delete": MSG_CANNOT_DELETE,
    }
    return render(request, "accounts/privacy.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit_post(group="accounts:password_confirm", rate=CONFIRM_RATE)
@sensitive_post_parameters("password")
def complaint_erase(request, uuid):
    complaint = privacy.erasable_complaint_get(user=request.user, uuid=uuid)
    if privacy.is_erased(complaint):
        messages.info(request, MSG_ALREADY_ERASED % {"code": complaint.code})
        return redirect("accounts:privacy")
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            privacy.complaint_data_withdraw(complaint=complaint, user=request.user)
        except privacy.ErasureRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, MSG_DATA_WITHDRAWN % {"code": complaint.code})
            return redirect("accounts:privacy")
    context = {"complaint": complaint, "form": form, "withdraws": privacy.erasure_withdraws(complaint)}
    return render(request, "accounts/complaint_erase.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit_post(group="accounts:password_confirm", rate=CONFIRM_RATE)
@sensitive_post_parameters("password")
def account_delete(request):
    may_delete = user_may_delete(request.user)
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None, user=request.user)
    if may_delete and form.is_bound and form.is_valid():
        try:
            user_delete(user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, MSG_ACCOUNT_DELETED)
            return redirect("pages:home")
    status = 200
    if form.is_bound:
        status = 400 if may_delete else 403
    context = {"form": form, "may_delete": may_delete, "cannot_delete": MSG_CANNOT_DELETE}
    return render(request, "accounts/delete.html", context, status=status)
