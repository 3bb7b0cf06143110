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
