"""The evidence origin (settings.EVIDENCE_ORIGIN): where evidence and licence files are served when it is set.

Read and checked while the settings load, so a wrong value stops the web and worker processes at start-up
instead of breaking every evidence link later. The settings import this module: it imports nothing of Django's
but an exception.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(value: str, name: str) -> str:
    """`value` as scheme://host[:port], lower-cased, the scheme's default port left out."""
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number: {value!r}.") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http or https origin, e.g. https://files.redress.example.")
    if parts.username is not None or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{name} must be a scheme and a host only, with no user, path or query: {value!r}.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, DEFAULT_PORTS[parts.scheme]) else "")


def evidence_origin(value: str, *, site_url: str) -> str:
    """The evidence origin normalised, or "" when not set. ImproperlyConfigured when it is not an http(s) origin
    or is the site's own: served there, a malicious file would run where the session cookies live."""
    value = value.strip()
    if not value:
        return ""
    origin = _origin(value, "EVIDENCE_ORIGIN")
    site = urlsplit(site_url)
    if site.netloc and origin == _origin(f"{site.scheme}://{site.netloc}", "SITE_URL"):
        raise ImproperlyConfigured("EVIDENCE_ORIGIN must be another origin than SITE_URL's, e.g. a domain of its own.")
    return origin


def origin_host(origin: str) -> str:
    """The host name of a normalised origin, as ALLOWED_HOSTS takes it (no port)."""
    return urlsplit(origin).hostname


def is_origin_host(host: str, origin: str) -> bool:
    """Whether a request's validated Host header (request.get_host()) names `origin`, default port or none."""
    parts = urlsplit(origin)
    netloc = parts.netloc
    default = f"{netloc}:{DEFAULT_PORTS[parts.scheme]}"
    return host.lower() in (netloc, default)
