"""Which address a request is counted under: only what trusted proxies wrote, never what the client sent."""

import pytest
from django.test import RequestFactory

from complaints.client_address import client_ip


def request_from(remote="198.51.100.7", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from(forwarded="1.2.3.4")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # One proxy appends the address it saw; whatever the client wrote before it is ignored.
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        # Two proxies: the first one's view of the client is second from the right.
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # Fewer entries than proxies, or none: only the socket is trusted.
        (2, "203.0.113.9", "198.51.100.7"),
        (1, None, "198.51.100.7"),
        (1, " , ", "198.51.100.7"),
    ],
)
def test_behind_proxies_the_client_is_what_the_outermost_trusted_proxy_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from(forwarded=forwarded)) == expected
