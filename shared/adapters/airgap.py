"""The air-gap check: data entry refuses to start on a machine that can reach a network.

Why: the municipality is where numbers enter the digital world (ARCHITECTURE §4); a machine on a network can
be reached, so typing must happen on one that is not. What counts as "connected": a route (IPv4
`/proc/net/route`, IPv6 `/proc/net/ipv6_route`) through an interface other than loopback whose link has a
carrier (`/sys/class/net/<if>/carrier`). An IPv6 link-local route counts too: it means a cable or radio link
is up. Reject routes, multicast and the kernel's own local-address entries do not. When the kernel files
cannot be read the check fails closed (it cannot prove the machine is offline).

Override, for tests, training and the demo (documented in docs/municipality.md): the command-line flag
`--allow-network` or the environment variable `TELKETEN_ALLOW_NETWORK=1`. An overridden check still returns
what it found so the caller can write it to the audit log.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from shared.errors import EnvironmentProblem

ENV_OVERRIDE = "TELKETEN_ALLOW_NETWORK"
_RTF_UP = 0x0001
_RTF_REJECT = 0x0200
_RTF_LOCAL6 = 0x80000000


class NetworkRoute(msgspec.Struct, frozen=True, kw_only=True):
    """A route that leaves the machine: interface, destination (CIDR) and address family."""

    interface: str
    destination: str
    family: str

    def __str__(self) -> str:
        return f"{self.destination} via {self.interface} ({self.family})"


def _ipv4(hex_le: str) -> str:
    """/proc/net/route writes addresses as host-order (little-endian) hex."""
    return str(ipaddress.IPv4Address(bytes.fromhex(hex_le)[::-1]))


def parse_ipv4_routes(text: str) -> list[NetworkRoute]:
    """Routes of /proc/net/route that are up and not on loopback."""
    out: list[NetworkRoute] = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 8:
            continue
        try:
            iface, dest, flags, mask = cols[0], _ipv4(cols[1]), int(cols[3], 16), int(cols[7], 16)
        except ValueError:
            continue
        if iface == "lo" or not flags & _RTF_UP or flags & _RTF_REJECT:
            continue
        out.append(NetworkRoute(interface=iface, destination=f"{dest}/{mask.bit_count()}", family="IPv4"))
    return out


def parse_ipv6_routes(text: str) -> list[NetworkRoute]:
    """Routes of /proc/net/ipv6_route off loopback, without reject, multicast and local-address entries."""
    out: list[NetworkRoute] = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) < 10:
            continue
        try:
            dest, plen, flags, iface = cols[0], int(cols[1], 16), int(cols[8], 16), cols[9]
        except ValueError:
            continue
        if iface == "lo" or flags & _RTF_REJECT or flags & _RTF_LOCAL6 or dest.startswith("ff"):
            continue
        try:
            addr = ipaddress.IPv6Address(bytes.fromhex(dest)).compressed
        except ValueError:
            continue
        out.append(NetworkRoute(interface=iface, destination=f"{addr}/{plen}", family="IPv6"))
    return out


def _has_carrier(sys_net: Path, iface: str) -> bool:
    try:
        return (sys_net / iface / "carrier").read_text().strip() != "0"
    except OSError:
        return True  # unknown: assume connected (fail closed)


def find_network_routes(
    proc: Path = Path("/proc"), sys_net: Path = Path("/sys/class/net")
) -> list[NetworkRoute]:
    """Every route off this machine through an interface with a live link."""
    routes: list[NetworkRoute] = []
    readable = False
    for name, parse in (("net/route", parse_ipv4_routes), ("net/ipv6_route", parse_ipv6_routes)):
        try:
            text = (proc / name).read_text()
        except OSError:
            continue
        readable = True
        routes.extend(parse(text))
    if not readable:
        raise EnvironmentProblem(
            "cannot read the routing tables (/proc/net/route, /proc/net/ipv6_route) to check the air gap; "
            f"use --allow-network or {ENV_OVERRIDE}=1 only on a machine you know is offline",
            where="air gap",
        )
    return [r for r in routes if _has_carrier(sys_net, r.interface)]


def override_requested(allow_network: bool, env: Mapping[str, str] | None = None) -> bool:
    """Whether the flag or the environment variable asks to skip the refusal."""
    value = (os.environ if env is None else env).get(ENV_OVERRIDE, "")
    return allow_network or value.strip().lower() in {"1", "yes", "true"}


def check_air_gap(
    *,
    allow_network: bool = False,
    env: Mapping[str, str] | None = None,
    proc: Path = Path("/proc"),
    sys_net: Path = Path("/sys/class/net"),
) -> list[NetworkRoute]:
    """Refuse (EnvironmentProblem) when the machine has a network route, unless overridden.

    Returns the routes found (empty on an air-gapped machine; non-empty only when overridden).
    """
    overridden = override_requested(allow_network, env)
    try:
        routes = find_network_routes(proc, sys_net)
    except EnvironmentProblem:
        if overridden:
            return []
        raise
    if routes and not overridden:
        interfaces = sorted({r.interface for r in routes})
        shown = "; ".join(str(r) for r in routes[:3]) + (" …" if len(routes) > 3 else "")
        raise EnvironmentProblem(
            f"this machine is connected to a network (interface {', '.join(interfaces)}: {shown}). "
            "Data entry needs an air-gapped machine: unplug the cable, switch off wifi and bluetooth, "
            f"and try again. For tests and training only: --allow-network or {ENV_OVERRIDE}=1",
            where="air gap",
        )
    return routes
