"""Address checks. Only literal IPs are used: they never reach DNS or the network."""

from __future__ import annotations

import ipaddress

import pytest

from wirebrief.errors import AddressNotAllowed, UnsupportedURL
from wirebrief.fetch.netguard import address_allowed, check_url, is_public_address, resolve

LOOPBACK_V4 = (ipaddress.ip_network("127.0.0.0/8"),)

# address, allowed, why: the deciding function only; nothing here is ever contacted.
ADDRESSES = [
    # IPv4
    ("8.8.8.8", True, "global unicast"),
    ("1.1.1.1", True, "global unicast"),
    ("192.0.0.8", False, "IPv4 dummy address (RFC 7600)"),
    ("192.0.0.9", False, "IETF protocol assignments: PCP anycast, not a web server"),
    ("192.0.0.170", False, "NAT64 discovery"),
    ("192.88.99.1", False, "deprecated 6to4 relay anycast"),
    ("127.0.0.1", False, "loopback"),
    ("127.255.255.254", False, "loopback"),
    ("10.0.0.1", False, "RFC 1918"),
    ("172.16.5.4", False, "RFC 1918"),
    ("172.31.255.255", False, "RFC 1918"),
    ("192.168.1.1", False, "RFC 1918"),
    ("169.254.169.254", False, "link-local, cloud metadata"),
    ("100.64.0.1", False, "carrier-grade NAT"),
    ("198.18.0.1", False, "benchmarking"),
    ("192.0.2.1", False, "documentation"),
    ("198.51.100.7", False, "documentation"),
    ("203.0.113.9", False, "documentation"),
    ("224.0.0.1", False, "multicast"),
    ("239.255.255.250", False, "multicast (SSDP)"),
    ("0.0.0.0", False, "unspecified"),
    ("0.1.2.3", False, "this network"),
    ("240.0.0.1", False, "reserved"),
    ("255.255.255.255", False, "broadcast"),
    # IPv6
    ("2001:4860:4860::8888", True, "global unicast"),
    ("2606:4700:4700::1111", True, "global unicast"),
    ("::1", False, "loopback"),
    ("::", False, "unspecified"),
    ("fe80::1", False, "link-local"),
    ("fec0::1", False, "site-local (deprecated)"),
    ("fefe::1", False, "site-local (deprecated)"),
    ("fc00::1", False, "unique local"),
    ("fd12:3456::1", False, "unique local"),
    ("ff02::1", False, "multicast, link scope"),
    ("ff0e::1", False, "multicast, global scope"),
    ("2001:db8::1", False, "documentation"),
    ("3fff::1", False, "documentation (RFC 9637)"),
    ("100::1", False, "discard-only"),
    ("5f00::1", False, "SRv6 segment identifier"),
    ("4000::1", False, "unassigned"),
    ("::8.8.8.8", False, "IPv4-compatible (deprecated)"),
    ("::10.0.0.1", False, "IPv4-compatible (deprecated)"),
    # IPv6 carrying an IPv4 destination: decided by the IPv4 address
    ("::ffff:8.8.8.8", True, "IPv4-mapped, public"),
    ("::ffff:127.0.0.1", False, "IPv4-mapped loopback"),
    ("::ffff:10.0.0.1", False, "IPv4-mapped private"),
    ("::ffff:169.254.169.254", False, "IPv4-mapped metadata"),
    ("::ffff:192.0.0.8", False, "IPv4-mapped dummy"),
    ("64:ff9b::8.8.8.8", True, "NAT64, public"),
    ("64:ff9b::10.0.0.1", False, "NAT64 to a private address"),
    ("64:ff9b::127.0.0.1", False, "NAT64 to loopback"),
    ("64:ff9b::169.254.169.254", False, "NAT64 to cloud metadata"),
    ("64:ff9b:1::8.8.8.8", False, "local-use NAT64 (RFC 8215)"),
    ("2002:808:808::1", True, "6to4, public"),
    ("2002:a00:1::1", False, "6to4 of 10.0.0.1"),
    ("2002:7f00:1::1", False, "6to4 of 127.0.0.1"),
    ("2002:a9fe:a9fe::1", False, "6to4 of 169.254.169.254"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False, "Teredo"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False, "Teredo of 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False, "Teredo of 127.0.0.1"),
]
REFUSED = [address for address, allowed, _ in ADDRESSES if not allowed]


def _url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}/feed.xml"


@pytest.mark.parametrize(("address", "allowed", "why"), ADDRESSES)
def test_addresses_are_allowed_only_when_globally_reachable(
    address: str, allowed: bool, why: str
) -> None:
    """Only checked, never contacted."""
    assert is_public_address(ipaddress.ip_address(address)) is allowed, why
    assert address_allowed(ipaddress.ip_address(address)) is allowed, why


def test_the_table_covers_every_form() -> None:
    assert len(ADDRESSES) >= 40
    whys = " ".join(why for _, _, why in ADDRESSES)
    for form in ("IPv4-mapped", "NAT64", "6to4", "Teredo", "site-local", "192.0.0.8"):
        assert form in whys or any(form == a for a, _, _ in ADDRESSES), form


@pytest.mark.parametrize("address", REFUSED)
def test_check_url_refuses_non_public_literals(address: str) -> None:
    with pytest.raises(AddressNotAllowed) as caught:
        check_url(_url(address))
    assert caught.value.reason == "address_refused"


def test_allowed_network_lets_its_addresses_through() -> None:
    assert address_allowed(ipaddress.ip_address("127.0.0.1"), LOOPBACK_V4)
    assert address_allowed(ipaddress.ip_address("127.10.20.30"), LOOPBACK_V4)
    assert address_allowed(ipaddress.ip_address("10.1.2.3"), [ipaddress.ip_network("10.0.0.0/8")])


def test_allowed_network_does_not_open_other_private_ranges() -> None:
    for address in ["10.0.0.1", "192.168.1.1", "169.254.169.254", "::1", "::ffff:127.0.0.1"]:
        assert not address_allowed(ipaddress.ip_address(address), LOOPBACK_V4), address


def test_check_url_returns_the_allowed_addresses() -> None:
    assert check_url("http://127.0.0.1:8080/feed", LOOPBACK_V4) == [
        ipaddress.ip_address("127.0.0.1")
    ]
    assert check_url("https://[::1]/", [ipaddress.ip_network("::1/128")]) == [
        ipaddress.ip_address("::1")
    ]


def test_resolve_takes_literals_without_dns() -> None:
    assert resolve("[fe80::1]", 80) == [ipaddress.ip_address("fe80::1")]
    assert resolve("192.168.1.1", 80) == [ipaddress.ip_address("192.168.1.1")]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/feed.xml",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "javascript:alert(1)",
        "/relative/feed.xml",
        "http:///no-host",
        "",
    ],
)
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(UnsupportedURL):
        check_url(url, LOOPBACK_V4)
