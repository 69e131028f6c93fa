"""The address a request came from, trusting only the proxies the deployment says it runs. Knows no models.

Each trusted proxy appends the address it saw to X-Forwarded-For, so with N of them the client is the N-th entry
from the right; anything further left was written by the client and is ignored. With none (the default),
X-Forwarded-For is ignored altogether. Rate limits, login lockouts and brigading flags all key on this, so a
client cannot shed them by rotating the header.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come through all of them; trust only the socket.
        return remote
    return forwarded[-proxies]
