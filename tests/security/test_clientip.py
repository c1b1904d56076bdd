"""Unit tests of ``client_ip``: whose address counts against the per-IP limits."""

from __future__ import annotations

import ipaddress

import pytest

from promptcrafter.security.clientip import client_ip, parse_networks

LOCAL = parse_networks(["127.0.0.1"])
PROXIES = parse_networks(["10.0.0.0/8", "::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # No trusted proxies: the header is never read, whatever it says.
        ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),
        ("127.0.0.1", "198.51.100.1", (), "127.0.0.1"),
        # An untrusted peer cannot choose its identity either.
        ("203.0.113.9", "198.51.100.1", LOCAL, "203.0.113.9"),
        ("203.0.113.9", "127.0.0.1", LOCAL, "203.0.113.9"),
        # A trusted proxy's header names the client...
        ("127.0.0.1", "198.51.100.1", LOCAL, "198.51.100.1"),
        ("127.0.0.1", " 198.51.100.1 ", LOCAL, "198.51.100.1"),
        # ...the hop our proxy appended, not what the client wrote at the left end.
        ("127.0.0.1", "1.2.3.4, 198.51.100.1", LOCAL, "198.51.100.1"),
        ("127.0.0.1", "1.2.3.4,5.6.7.8,198.51.100.1", LOCAL, "198.51.100.1"),
        # A chain of trusted proxies is skipped from the right.
        ("10.0.0.1", "198.51.100.1, 10.0.0.2, 10.1.2.3", PROXIES, "198.51.100.1"),
        ("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.2", PROXIES, "198.51.100.1"),
        # Every hop trusted: the left-most one is the best we know.
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", PROXIES, "10.0.0.3"),
        # IPv6 peers and clients.
        ("::1", "2001:db8::7", PROXIES, "2001:db8::7"),
        ("2001:db8::1", "198.51.100.1", PROXIES, "2001:db8::1"),
        # Empty or blank headers leave the peer.
        ("127.0.0.1", None, LOCAL, "127.0.0.1"),
        ("127.0.0.1", "", LOCAL, "127.0.0.1"),
        ("127.0.0.1", " , ,", LOCAL, "127.0.0.1"),
        # A peer that is not an address is never trusted.
        ("testclient", "198.51.100.1", LOCAL, "testclient"),
        (None, "198.51.100.1", LOCAL, "unknown"),
        (None, None, (), "unknown"),
    ],
)
def test_client_ip(peer: str | None, forwarded: str | None, trusted: tuple, expected: str) -> None:
    assert client_ip(peer, forwarded, trusted) == expected


def test_parse_networks_accepts_addresses_and_networks() -> None:
    networks = parse_networks([" 127.0.0.1 ", "10.1.2.3/8", "fd00::/8"])
    assert networks == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("fd00::/8"),
    )
    assert client_ip("10.200.0.1", "198.51.100.1", networks) == "198.51.100.1"
    assert client_ip("11.0.0.1", "198.51.100.1", networks) == "11.0.0.1"


def test_parse_networks_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        parse_networks(["not-an-address"])
