import socket

import pytest

from portal.escalations import ssrf
from portal.escalations.ssrf import UnsafeURLError, address_refusal, safe_post


def _resolving_to(monkeypatch, *addresses):
    calls = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in a], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(ssrf.socket, "getaddrinfo", fake_getaddrinfo)
    return calls


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "loopback"),
        ("http://127.8.9.10:8080/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://172.16.0.1/hook", "private"),
        ("http://192.168.1.1/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://169.254.1.1/hook", "link_local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[fd00:ec2::254]/hook", "metadata"),
        ("http://[fe80::1]/hook", "link_local"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://100.64.0.1/hook", "not_global"),
    ],
)
def test_internal_addresses_are_refused(url, reason):
    with pytest.raises(UnsafeURLError, match=reason):
        safe_post(url, body=b"{}", headers={}, timeout=1)


def test_hostname_resolving_to_loopback_is_refused(monkeypatch):
    calls = _resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(UnsafeURLError, match="loopback"):
        safe_post("https://receiver.example.com/hook", body=b"{}", headers={}, timeout=1)
    assert calls == ["receiver.example.com"]


def test_hostname_with_any_internal_address_is_refused(monkeypatch):
    _resolving_to(monkeypatch, "93.184.215.14", "10.0.0.5")
    with pytest.raises(UnsafeURLError, match="private"):
        safe_post("https://receiver.example.com/hook", body=b"{}", headers={}, timeout=1)


def test_unresolvable_host_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(ssrf.socket, "getaddrinfo", fail)
    with pytest.raises(UnsafeURLError, match="resolve"):
        safe_post("https://nowhere.invalid/hook", body=b"{}", headers={}, timeout=1)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "http:///nohost", "http://u:p@example.com/"],
)
def test_only_plain_http_and_https_urls_are_allowed(url):
    with pytest.raises(UnsafeURLError):
        safe_post(url, body=b"{}", headers={}, timeout=1)


def test_loopback_is_allowed_only_when_asked():
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("::1", allow_loopback=True) is None
    # Allowing loopback for a local test receiver allows nothing else.
    assert address_refusal("10.0.0.1", allow_loopback=True) == "private"
    assert address_refusal("169.254.169.254", allow_loopback=True) == "metadata"


def test_public_addresses_pass():
    assert address_refusal("93.184.215.14") is None
    assert address_refusal("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None


def test_connection_goes_to_the_checked_address(monkeypatch):
    """The name is resolved once; the connection uses that address (no second lookup to rebind)."""
    calls = _resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(ssrf.urllib3.exceptions.HTTPError):
        # Port 9 (discard) on loopback is closed here: the refusal comes from connecting, after the one lookup.
        safe_post("http://receiver.example.com:9/hook", body=b"{}", headers={}, timeout=1, allow_loopback=True)
    # urllib3 "resolves" the IP literal it is given; the name itself is looked up once.
    assert calls == ["receiver.example.com", "127.0.0.1"]
