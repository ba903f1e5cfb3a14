"""Who a request comes from, for budgets and per-client limits: the peer address, or what a trusted proxy says.

A header the client writes (User-Agent, X-Forwarded-For) never changes who it is. Only when the peer is one of
``KG_TRUSTED_PROXIES`` is ``X-Forwarded-For`` read, from the right: the first address that is not itself a trusted
proxy is the client (a client can prepend any addresses it likes, but not what the proxies appended).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """The settings' proxy addresses and networks, parsed once."""
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: Iterable[str], proxies: Sequence[str]) -> str:
    """The client's address: ``peer``, unless ``peer`` is a trusted proxy and ``forwarded_for`` (the values of the
    X-Forwarded-For headers) names an address before it.

    >>> client_address("127.0.0.1", ["10.0.0.9"], [])
    '127.0.0.1'
    >>> client_address("10.1.1.1", ["6.6.6.6, 203.0.113.5, 10.1.1.2"], ["10.1.0.0/16"])
    '203.0.113.5'
    """
    networks = trusted_networks(tuple(proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy wrote something that is not an address: trust nothing it says
    return peer
