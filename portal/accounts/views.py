from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from portal.accounts.forms import LoginForm, PasswordResetRequestForm, ResendVerificationForm, SignupForm
from portal.accounts.services import (
    user_send_verification,
    user_send_verification_by_email,
    user_signup,
    user_verify_email,
)

# Per client address, on the POSTs that create accounts or send email.
SIGNUP_RATE = "10/h"
RESET_RATE = "10/h"
VERIFY_RESEND_RATE = "10/h"

# Sign-up and password reset log people in without asking for the password again.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

MSG_VERIFIED = _("Thank you, your email address is verified. You can file a complaint now.")
MSG_ALREADY_VERIFIED = _("Your email address is already verified.")
MSG_LINK_SENT = _("We sent a new link to %(email)s.")
MSG_LINK_SENT_IF_WAITING = _("If an account with this address is waiting for verification, we sent it a new link.")
MSG_LINK_NOT_SENT = _("We could not send the email just now. Please try again in a few minutes.")


def ratelimit_post(*, group, rate):
    """Limit POSTs per client address with django-ratelimit, answering with settings.RATELIMIT_VIEW (429).

    The view is called here rather than through RatelimitMiddleware so the answer does not depend on that
    middleware being installed.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True):
                return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator


def _base_url(request):
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
@ratelimit_post(group="accounts:signup", rate=SIGNUP_RATE)
@sensitive_post_parameters("password", "password_confirm")
def signup(request):
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            user = user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                language=get_language(),
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=MODEL_BACKEND)
            return redirect("accounts:verify_sent")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm


@require_safe
def verify(request, uidb64, token):
    try:
        user_verify_email(uidb64=uidb64, token=token)
    except ValidationError as error:
        context = {"error": error.message, "form": ResendVerificationForm()}
        return render(request, "accounts/verify_invalid.html", context, status=400)
    messages.success(request, MSG_VERIFIED)
    return redirect("complaints:new")


@require_safe
def verify_sent(request):
    return render(request, "accounts/verify_sent.html", {"form": ResendVerificationForm()})


@require_POST
@ratelimit_post(group="accounts:verify_resend", rate=VERIFY_RESEND_RATE)
def verify_resend(request):
    """Send the link again: to the logged-in person, or to the address typed by someone logged out."""
    if request.user.is_authenticated:
        if request.user.email_verified:
            messages.info(request, MSG_ALREADY_VERIFIED)
        elif user_send_verification(user=request.user, base_url=_base_url(request)):
            messages.success(request, MSG_LINK_SENT % {"email": request.user.email})
        else:
            messages.error(request, MSG_LINK_NOT_SENT)
        return redirect("accounts:verify_sent")
    form = ResendVerificationForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/verify_sent.html", {"form": form}, status=400)
    user_send_verification_by_email(email=form.cleaned_data["email"], base_url=_base_url(request))
    messages.success(request, MSG_LINK_SENT_IF_WAITING)
    return redirect("accounts:verify_sent")


@method_decorator(ratelimit_post(group="accounts:password_reset", rate=RESET_RATE), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset_body.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    # Logging in here also clears a login lockout for this address (AXES_RESET_ON_SUCCESS), so the
    # lockout page can honestly say "reset your password to get back in now".
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
