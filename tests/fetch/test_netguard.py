"""Address checks. Only literal IPs are used: they never reach DNS or the network."""

from __future__ import annotations

import ipaddress

import pytest

from wirebrief.errors import AddressNotAllowed, UnsupportedURL
from wirebrief.fetch.netguard import address_allowed, check_url, is_public_address, resolve

LOOPBACK_V4 = (ipaddress.ip_network("127.0.0.0/8"),)

REFUSED = [
    "127.0.0.1",  # loopback
    "10.0.0.1",  # RFC 1918
    "172.16.5.4",  # RFC 1918
    "192.168.1.1",  # RFC 1918
    "169.254.169.254",  # link-local, cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "224.0.0.1",  # multicast
    "0.0.0.0",  # unspecified
    "240.0.0.1",  # reserved
    "255.255.255.255",  # broadcast
    "::1",  # IPv6 loopback
    "::",  # IPv6 unspecified
    "fe80::1",  # IPv6 link-local
    "fc00::1",  # IPv6 unique local
    "ff02::1",  # IPv6 multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "2001:db8::1",  # documentation
]


def _url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}/feed.xml"


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    """Only checked, never contacted."""
    assert is_public_address(ipaddress.ip_address(address))
    assert address_allowed(ipaddress.ip_address(address))


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
