"""This machine's names and addresses: what ``serve --host 0.0.0.0`` prints for a phone or a
projector on the network to open, and what the Host check accepts.

The hostname often resolves to 127.0.1.1 only (Debian's /etc/hosts), so it is not enough to
find the address others reach this machine at. The address the system would send from is:
connecting a UDP socket picks a route and a source address without sending anything (the
destination is a documentation address, RFC 5737 / RFC 3849, never contacted).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Final

_PROBES: Final = {socket.AF_INET: "192.0.2.1", socket.AF_INET6: "2001:db8::1"}


def primary_address(family: socket.AddressFamily = socket.AF_INET) -> str | None:
    """The address this machine sends from on its default route, or None (no network)."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((_PROBES[family], 9))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    ip = ipaddress.ip_address(address.split("%")[0])
    return None if ip.is_loopback or ip.is_unspecified else address


def machine_names() -> set[str]:
    """This machine's host name, and its mDNS name (``NAME.local``)."""
    name = socket.gethostname().lower()
    return {name, f"{name.split('.')[0]}.local"} if name else set()


def machine_addresses() -> set[str]:
    """The addresses this machine is known by: its host name's and its default routes'."""
    found: set[str] = set()
    try:
        found |= {str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    except OSError:
        pass
    for family in _PROBES:
        address = primary_address(family)
        if address is not None:
            found.add(address.split("%")[0])
    return found


def shown_host(bound: str) -> str:
    """The host to print in the URL for a server bound to ``bound``: for every interface
    (``0.0.0.0``, ``::``) the address others reach this machine at, else the bound one."""
    if bound == "0.0.0.0":
        return primary_address(socket.AF_INET) or socket.gethostname() or "127.0.0.1"
    if bound == "::":
        return primary_address(socket.AF_INET6) or primary_address(socket.AF_INET) or socket.gethostname() or "::1"
    return bound


def same_address(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are the same IP address (in any of its spellings)."""
    try:
        return ipaddress.ip_address(a.strip("[]")) == ipaddress.ip_address(b.strip("[]"))
    except ValueError:
        return False
