"""Private files (evidence, business licences) as they are served: the hardened response, and the short-lived
signed links to the evidence origin (settings.EVIDENCE_ORIGIN).

With an evidence origin, the main site still decides who may see a file, then redirects to a link on that origin
which names the file and nothing else, signed with SECRET_KEY under a salt of its own and valid for
settings.EVIDENCE_LINK_TTL. The evidence origin has no session: holding the link is the permission, so it must be
short-lived, leave no trace in caches and never travel on in a Referer. A malicious file that slipped past the
upload checks then opens on an origin where no session cookie lives.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse

from complaints.models import Evidence

EVIDENCE_LINK_SALT = "complaints.evidence-link"
EVIDENCE_LINK_URL = "evidence_file"


def link_url(*, url_name: str, salt: str, payload) -> str:
    """The evidence origin's URL `url_name` (settings.EVIDENCE_URLCONF) for `payload` signed now under `salt`."""
    token = signing.dumps(payload, salt=salt)
    return settings.EVIDENCE_ORIGIN + reverse(url_name, urlconf=settings.EVIDENCE_URLCONF, kwargs={"token": token})


def link_payload(token: str, *, salt: str):
    """What a link signed under `salt` names, while it is valid; Http404 for an expired, altered or foreign one,
    saying no more (no detail helps someone trying tokens)."""
    try:
        return signing.loads(token, salt=salt, max_age=settings.EVIDENCE_LINK_TTL)
    except signing.BadSignature:
        raise Http404 from None


def link_redirect(url: str) -> HttpResponseRedirect:
    """Send the browser to a signed link: not kept by any cache, and not named in the next request's Referer."""
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def file_response(field_file, *, filename: str, content_type: str, embeddable: bool = False) -> FileResponse:
    """Stream a private file as an attachment the browser will not sniff, run or keep; Http404 when its bytes are
    gone from storage.

    Cross-Origin-Resource-Policy keeps other origins from embedding it; an `embeddable` file (a thumbnail the main
    site shows with <img>, served from the evidence origin) allows them, as the main site is another origin and
    may be another site: such a link is known only to the browser it was issued to, for a minute."""
    try:
        opened = field_file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(opened, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "cross-origin" if embeddable else "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Frame-Options"] = "DENY"
    return response


def evidence_link(*, evidence: Evidence, variant: str) -> str:
    """A signed link to one variant of evidence the caller has checked the user may see."""
    return link_url(url_name=EVIDENCE_LINK_URL, salt=EVIDENCE_LINK_SALT, payload=[evidence.uuid.hex, variant])


def evidence_from_link(token: str) -> tuple[Evidence, str]:
    """The evidence and variant a valid link names, if the evidence still exists (the privacy purge may have erased
    it since the link was issued); Http404 otherwise."""
    evidence_hex, variant = link_payload(token, salt=EVIDENCE_LINK_SALT)
    evidence = Evidence.objects.filter(uuid=uuid.UUID(hex=evidence_hex)).first()
    if evidence is None:
        raise Http404
    return evidence, variant
