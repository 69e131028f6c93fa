"""How long a session lives (settings.SESSION_COOKIE_AGE, settings.STAFF_SESSION_IDLE_TIMEOUT).

Django's own expiry slides: every change to the session pushes it back, so an active session never ends. The
login time and, for staff, the last request are kept in the session (portal.accounts.signals sets both at login)
and checked here on every request of a logged-in session.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User

LOGIN_AT_KEY = "redress_login_at"
SEEN_AT_KEY = "redress_seen_at"
# Rewriting the session on every request would cost a database write each time; a minute is precise enough.
SEEN_AT_RESOLUTION = 60

MSG_SESSION_EXPIRED = _("Your session has ended. Please log in again.")


def idle_timeout_applies(user: User) -> bool:
    """Staff see complainants' personal data: their sessions end when left idle."""
    return user.is_staff or user.role in (User.Role.MODERATOR, User.Role.AUTHORITY)


def session_start(session, user: User, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[LOGIN_AT_KEY] = now
    if idle_timeout_applies(user):
        session[SEEN_AT_KEY] = now
    else:
        session.pop(SEEN_AT_KEY, None)


class SessionLimitsMiddleware:
    """Log out sessions older than SESSION_COOKIE_AGE and staff sessions idle for STAFF_SESSION_IDLE_TIMEOUT.

    The request then carries on as a visitor's: pages that need a login send the person to it, with a message.
    Only the session is read (no user query): whether the idle limit applies was decided at login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.get(SESSION_KEY) is not None and self._expired(session, time.time()):
            logout(request)
            messages.info(request, MSG_SESSION_EXPIRED)
        return self.get_response(request)

    @staticmethod
    def _expired(session, now: float) -> bool:
        login_at = session.get(LOGIN_AT_KEY)
        if login_at is None:
            # A session from before these limits: its clock starts now.
            session[LOGIN_AT_KEY] = now
            return False
        if now - login_at > settings.SESSION_COOKIE_AGE:
            return True
        seen_at = session.get(SEEN_AT_KEY)
        if seen_at is None:
            return False
        if now - seen_at > settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds():
            return True
        if now - seen_at >= SEEN_AT_RESOLUTION:
            session[SEEN_AT_KEY] = now
        return False
