from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Signs verification links; keyed on `email_verified` so a link stops working once it has been used.

    The email address is in the hash too, so a link sent to an old address never verifies a new one.
    Links expire after settings.PASSWORD_RESET_TIMEOUT, like password reset links.
    """

    key_salt = "portal.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
