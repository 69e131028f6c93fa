from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.accounts.middleware import session_start


@receiver(user_logged_in, dispatch_uid="portal.accounts.session_start")
def _session_start(sender, request, user, **kwargs):
    # The API's token sign-in sends this signal too, with no session login behind it: nothing to start.
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) is not None:
        session_start(session, user)
