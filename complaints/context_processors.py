"""Template context every page shares (settings.TEMPLATES context_processors)."""

from django.utils.functional import SimpleLazyObject

from complaints import selectors


def notices(request) -> dict:
    """The unread notices count for the nav of a signed-in user.

    Lazy, so the query runs only when a template shows it (full pages, not the htmx fragments), and once.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: selectors.notification_unread_count(user=user))}
