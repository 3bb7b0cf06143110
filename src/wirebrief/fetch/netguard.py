"""Which addresses the fetcher may talk to.

Server-side request forgery is the classic way a feed reader gets turned against
its own network, so every host is resolved and every address checked before we
connect, on the first request and on each redirect hop.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from wirebrief.errors import AddressNotAllowed, ResolveError, UnsupportedURL
from wirebrief.settings import Network

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IPAddress) -> bool:
    """True for globally routable unicast addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None:
            return is_public_address(embedded)
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
    )


def address_allowed(address: IPAddress, allowed_networks: Iterable[Network] = ()) -> bool:
    """Public addresses are allowed; others only inside an explicitly allowed network."""
    if is_public_address(address):
        return True
    return any(address.version == net.version and address in net for net in allowed_networks)


def check_url(url: str, allowed_networks: Iterable[Network] = ()) -> list[IPAddress]:
    """Validate scheme and resolve the host; raise unless every address is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsupportedURL(url, "only absolute http:// and https:// URLs can be fetched")
    networks = tuple(allowed_networks)
    addresses = resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    for address in addresses:
        if not address_allowed(address, networks):
            raise AddressNotAllowed(
                url,
                f"{parts.hostname} resolves to {address}, a private or reserved address; "
                "set WIREBRIEF_ALLOW_PRIVATE_NETWORKS to allow it",
            )
    return addresses


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal IP resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolveError(f"//{host}", f"cannot resolve host {host}: {exc}") from exc
    return sorted({ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}, key=str)
