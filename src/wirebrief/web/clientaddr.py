"""The client's address: the connecting peer, or what a trusted reverse proxy says it is.

``X-Forwarded-For`` and ``Forwarded`` (RFC 7239) are believed only when the connecting peer
is in ``WIREBRIEF_TRUSTED_PROXIES`` (none by default: anyone could send them). Then the
chain is read from the right, skipping trusted proxies; the first other address is the
client, and the proxy's ``proto`` becomes the request's scheme (secure cookies behind TLS).
"""

from __future__ import annotations

import ipaddress
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from wirebrief.settings import Network

_FORWARDED_PAIR = re.compile(r'(for|proto)\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


class TrustedProxyMiddleware:
    """Sets ``scope["client"]`` (and the scheme) from proxy headers sent by trusted proxies."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            peer = scope["client"][0]
            if self._is_trusted(peer):
                hops, proto = _forwarded_chain(dict(scope["headers"]))
                client = next((hop for hop in reversed(hops) if not self._is_trusted(hop)), None)
                if client is not None:
                    scope = {**scope, "client": (client, 0)}
                    if proto in ("http", "https"):
                        scope["scheme"] = proto
        await self.app(scope, receive, send)

    def _is_trusted(self, address: str) -> bool:
        parsed = parse_address(address)
        return parsed is not None and any(parsed in network for network in self.trusted)


def _forwarded_chain(headers: dict[bytes, bytes]) -> tuple[list[str], str | None]:
    """The addresses a request passed, client first, and the first proxy's protocol."""
    forwarded = headers.get(b"forwarded", b"").decode("latin-1")
    if forwarded:
        hops, protos = [], []
        for element in forwarded.split(","):
            pairs = {k.lower(): v.strip('"') for k, v in _FORWARDED_PAIR.findall(element)}
            if "for" in pairs:
                hops.append(_strip_port(pairs["for"]))
            if "proto" in pairs:
                protos.append(pairs["proto"].lower())
        return hops, protos[-1] if protos else None
    chain = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    hops = [_strip_port(hop.strip()) for hop in chain.split(",") if hop.strip()]
    proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[-1].strip()
    return hops, proto.lower() or None


def _strip_port(hop: str) -> str:
    """``[2001:db8::1]:443`` → ``2001:db8::1``; ``192.0.2.1:80`` → ``192.0.2.1``."""
    if hop.startswith("["):
        return hop[1:].partition("]")[0]
    if hop.count(":") == 1:
        return hop.partition(":")[0]
    return hop


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address, or ``None`` for ``unknown``, obfuscated identifiers and garbage."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_key(address: str | None) -> str:
    """What limits count by: the IPv4 address, or the IPv6 /64 (one subscriber's network
    hands out the whole /64, so single addresses would be free to rotate)."""
    parsed = parse_address(address or "")
    if parsed is None:
        return (address or "unknown")[:100]
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
