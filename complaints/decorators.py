from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

MSG_VERIFY_FIRST = _("Please verify your email address first: open the link we sent you.")


def verified_email_required(view_func):
    """Like login_required, and the address must be verified: anonymous people are sent to log in,
    logged-in people with an unverified address to settings.EMAIL_VERIFICATION_URL ("check your inbox").

    Filing needs a reachable complainant: moderators ask questions and merchants reply by email."""

    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.email_verified:
            messages.info(request, MSG_VERIFY_FIRST)
            return redirect(settings.EMAIL_VERIFICATION_URL)
        return view_func(request, *args, **kwargs)

    return wrapped


def moderator_required(view_func):
    """Moderators only; for anyone else, signed in or not, the page does not exist (404, not 403)."""

    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_moderator):
            raise Http404
        return view_func(request, *args, **kwargs)

    return wrapped
