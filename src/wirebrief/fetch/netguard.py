"""Which addresses the fetcher may talk to.

Server-side request forgery is the classic way a feed reader gets turned against
its own network. The check runs inside the connection itself
(:class:`GuardedNetworkBackend`): the name is resolved once, every address is
checked, and the connection goes to a checked address, so DNS rebinding between
check and connect is impossible, and every redirect hop is covered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore

from wirebrief.errors import AddressNotAllowed, ResolveError, UnsupportedURL
from wirebrief.settings import Network

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not globally reachable (IANA special-purpose registries, RFC 6890 and later), yet global
# by ``is_global`` on some Python versions we support (3.11 knows none of these).
NOT_GLOBAL_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.0.0/24",  # IETF protocol assignments: 192.0.0.8 dummy, NAT64 discovery, …
        "192.88.99.0/24",  # the deprecated 6to4 relay anycast
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 segment identifiers (RFC 9602)
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
    )
)
# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 destination.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(address: IPAddress) -> bool:
    """True when ``address`` is globally reachable unicast, and so is any IPv4 address it
    carries to its destination (IPv4-mapped, NAT64, 6to4)."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or _nat64_destination(address)
        if carried is not None:  # the packets end up at this IPv4 address
            return is_public_address(carried)
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False  # is_global alone lets global-scope multicast through
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:  # fec0::/10, deprecated but still routed inside sites
            return False
        if address.sixtofour is not None:
            return is_public_address(address.sixtofour)
    return not any(address in network for network in NOT_GLOBAL_NETWORKS)


def _nat64_destination(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address not in NAT64_PREFIX:
        return None
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def address_allowed(address: IPAddress, allowed_networks: Iterable[Network] = ()) -> bool:
    """Public addresses are allowed; others only inside an explicitly allowed network."""
    if is_public_address(address):
        return True
    return any(address.version == net.version and address in net for net in allowed_networks)


def check_scheme(url: str) -> None:
    """Raise unless ``url`` is an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsupportedURL(url, "only absolute http:// and https:// URLs can be fetched")


def check_url(url: str, allowed_networks: Iterable[Network] = ()) -> list[IPAddress]:
    """Validate scheme and resolve the host; raise unless every address is allowed."""
    check_scheme(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return checked_addresses(parts.hostname or "", resolve(parts.hostname or "", port),
                             tuple(allowed_networks))  # fmt: skip


def checked_addresses(
    host: str, addresses: list[IPAddress], allowed_networks: tuple[Network, ...]
) -> list[IPAddress]:
    """``addresses`` when every one is allowed; else :class:`AddressNotAllowed`."""
    for address in addresses:
        if not address_allowed(address, allowed_networks):
            raise AddressNotAllowed(
                f"//{host}",
                f"{host} resolves to {address}, a private or reserved address; "
                "set WIREBRIEF_ALLOW_PRIVATE_NETWORKS to allow it",
            )
    return addresses


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal IP resolves to itself)."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolveError(f"//{host}", f"cannot resolve host {host}: {exc}") from exc
    return _addresses(infos)


async def resolve_async(host: str, port: int) -> list[IPAddress]:
    """:func:`resolve` without blocking the event loop."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolveError(f"//{host}", f"cannot resolve host {host}: {exc}") from exc
    return _addresses(infos)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _addresses(infos: list) -> list[IPAddress]:
    return sorted({ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}, key=str)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that connects only to checked addresses."""

    def __init__(self, allowed_networks: Iterable[Network] = ()) -> None:
        self._allowed = tuple(allowed_networks)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = checked_addresses(host, await resolve_async(host, port), self._allowed)
        error: Exception | None = None
        for address in addresses:  # connect to what we checked, never re-resolve
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressNotAllowed(path, "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
