"""Outbound HTTP to addresses authorities give us (webhook endpoints), refusing anything inside our network.

An endpoint's host is resolved once, every address it resolves to is checked, and the connection goes to the
checked address: a second lookup could answer differently (DNS rebinding). Only public (globally routable)
addresses pass; loopback can be allowed for tests that run a local receiver. Redirects are never followed, so a
public endpoint cannot bounce a request to an internal one.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

# Cloud metadata services; both are also non-global, listed so the refusal says why.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
# The receiver's answer is not used; reading a little lets the connection close cleanly without buffering a
# large body.
MAX_RESPONSE_BYTES = 4096


class UnsafeURLError(Exception):
    """The URL's scheme, host or resolved address is not allowed for outbound requests."""


@dataclass(frozen=True)
class Response:
    status: int


def address_refusal(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why an IP address must not be contacted, or None when it may be."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    for reason in ("unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{reason}"):
            return reason
    # Shared address space (100.64/10), documentation ranges and the like are neither private nor global.
    return None if ip.is_global else "not_global"


def resolve_checked(host: str, port: int, *, allow_loopback: bool = False) -> str:
    """Resolve the host and return an address to connect to; refuse if ANY address it resolves to is unsafe,
    so a name mixing a public and an internal address cannot be used to reach the internal one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURLError(f"cannot resolve host: {type(error).__name__}") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeURLError("host has no address")
    for address in addresses:
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason:
            raise UnsafeURLError(f"address refused: {reason}")
    return addresses[0]


def safe_post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_loopback: bool = False
) -> Response:
    """POST to a public http(s) URL without following redirects.

    Raises UnsafeURLError for a refused URL and urllib3.exceptions.HTTPError for timeouts and connection
    errors; any status (3xx included) is returned for the caller to judge.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURLError("only http and https URLs are allowed")
    if parts.username or parts.password:
        raise UnsafeURLError("credentials in the URL are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeURLError("invalid port") from error
    address = resolve_checked(parts.hostname, port, allow_loopback=allow_loopback)
    options = {"timeout": urllib3.Timeout(connect=min(timeout, 5.0), read=timeout), "retries": False}
    if parts.scheme == "https":
        # Connect to the checked address, but present and verify the certificate for the endpoint's name.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **options)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": parts.netloc},
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        response.read(MAX_RESPONSE_BYTES)
        response.release_conn()
        return Response(status=response.status)
    finally:
        pool.close()
