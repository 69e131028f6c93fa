from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.services import MSG_EMAIL_TAKEN

MSG_PASSWORD_MISMATCH = _("The two passwords are not the same.")
MSG_LOGIN_INVALID = _("The email address or the password is not correct.")


def _email_field(**attrs):
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", **attrs}),
    )


class SignupForm(forms.Form):
    email = _email_field(autofocus=True)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(MSG_EMAIL_TAKEN, code="email_taken")
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password, user=User(email=cleaned.get("email", "")))
            except ValidationError as error:
                self.add_error("password", error)
        confirm = cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", ValidationError(MSG_PASSWORD_MISMATCH, code="password_mismatch"))
        return cleaned


class LoginForm(AuthenticationForm):
    """Log in by email address. The field keeps the name `username`, which django-axes reads."""

    username = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": MSG_LOGIN_INVALID}

    def clean_username(self):
        # Addresses are stored in lower case; lower-casing here also stops "Buyer@" and "buyer@" from
        # counting as two accounts in the lockout.
        return self.cleaned_data["username"].strip().lower()


class ResendVerificationForm(forms.Form):
    email = _email_field()


class PasswordResetRequestForm(PasswordResetForm):
    email = _email_field(autofocus=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        """Write the email in the language the account chose at sign-up, else the page's language."""
        language = context["user"].preferred_language or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


MSG_PASSWORD_WRONG = _("The password is not correct.")


class PasswordConfirmForm(forms.Form):
    """Asks for the account's password again before something that cannot be undone."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(MSG_PASSWORD_WRONG, code="password_incorrect")
        return password
