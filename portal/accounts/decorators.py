from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

MSG_VERIFY_FIRST = _("Please verify your email address first: open the link we sent you.")


def verified_email_required(view_func):
    """Like login_required, and the address must be verified: anonymous people are sent to log in,
    logged-in people with an unverified address to the "check your inbox" page."""

    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.email_verified:
            messages.info(request, MSG_VERIFY_FIRST)
            return redirect("accounts:verify_sent")
        return view_func(request, *args, **kwargs)

    return wrapped
