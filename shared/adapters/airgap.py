"""The air-gap check: a tier's data handling refuses to start on a machine that can reach the internet.

Why: numbers enter the digital world at the municipality and are added up at the upper tiers
(ARCHITECTURE §4); a machine that can reach the internet can be reached from it. What real offices do is
allowed: several desks of the same office on a closed cable network of their own (private addresses, no
gateway out). So the check reads the kernel's routing tables (IPv4 `/proc/net/route`, IPv6
`/proc/net/ipv6_route`) and, per route off the machine through an interface with a live link
(`/sys/class/net/<if>/carrier`), decides:

- a route whose destination lies wholly inside private or link-local space (10/8, 172.16/12, 192.168/16,
  169.254/16; fc00::/7, fe80::/10) is the office's own network: it passes;
- a default route, or a route to any public address, is a way towards the internet: it refuses;
- a radio link (`/sys/class/net/<if>/wireless`, `phy80211`) refuses whatever its addresses: wifi reaches
  beyond the room, so it is not a closed network of the office's own machines.

Reject routes, multicast and the kernel's own local-address entries are not routes off the machine.
Whatever the check cannot read makes it fail closed: an unreadable routing table, an IPv6 table missing on
a kernel with IPv6, an unreadable carrier file (the link counts as up).

Override, for tests, training and the demo (documented in docs/municipality.md): the command-line flag
`--allow-network` or the environment variable `TELKETEN_ALLOW_NETWORK=1`. An overridden refusal returns
what it found, and `require_air_gap` writes that to the tier's audit log.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from shared.errors import EnvironmentProblem

ENV_OVERRIDE = "TELKETEN_ALLOW_NETWORK"
_RTF_UP = 0x0001
_RTF_REJECT = 0x0200
_RTF_LOCAL6 = 0x80000000


_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10")
)


class NetworkRoute(msgspec.Struct, frozen=True, kw_only=True):
    """A route that leaves the machine: interface, destination (CIDR) and address family."""

    interface: str
    destination: str
    family: str

    def __str__(self) -> str:
        return f"{self.destination} via {self.interface} ({self.family})"

    def is_local(self) -> bool:
        """Whether every address the route leads to is private or link-local (never a default route)."""
        net = ipaddress.ip_network(self.destination, strict=False)
        return any(net.version == p.version and net.subnet_of(p) for p in _PRIVATE)  # type: ignore[arg-type]


class AirGap(msgspec.Struct, frozen=True, kw_only=True):
    """What the check found: the routes towards the internet, the office-network routes that passed, and
    why it could not tell (a kernel file it could not read); `overridden` when it would have refused."""

    outside: tuple[NetworkRoute, ...] = ()
    local: tuple[NetworkRoute, ...] = ()
    unreadable: str | None = None
    overridden: bool = False

    @property
    def refuses(self) -> bool:
        return bool(self.outside) or self.unreadable is not None

    def audit_payload(self) -> dict[str, Any]:
        return {
            "routes": [str(r) for r in self.outside],
            "local": [str(r) for r in self.local],
            "unreadable": self.unreadable,
        }


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


def _link_up(sys_net: Path, iface: str) -> bool:
    """Whether the interface has a carrier; an unreadable carrier file counts as up (fail closed)."""
    try:
        return (sys_net / iface / "carrier").read_text().strip() != "0"
    except OSError:
        return True


def _is_radio(sys_net: Path, iface: str) -> bool:
    return (sys_net / iface / "wireless").exists() or (sys_net / iface / "phy80211").exists()


def classify(routes: list[NetworkRoute], *, radio: Callable[[str], bool]) -> AirGap:
    """Split the live routes into the office's own network and the way out (pure: tests feed it tables)."""
    outside = tuple(r for r in routes if radio(r.interface) or not r.is_local())
    return AirGap(outside=outside, local=tuple(r for r in routes if r not in outside))


def find_network_routes(proc: Path = Path("/proc"), sys_net: Path = Path("/sys/class/net")) -> AirGap:
    """Every route off this machine through an interface with a live link, classified; `unreadable` names the
    kernel file that could not be read."""
    routes: list[NetworkRoute] = []
    for name, parse in (("net/route", parse_ipv4_routes), ("net/ipv6_route", parse_ipv6_routes)):
        path = proc / name
        try:
            text = path.read_text()
        except FileNotFoundError:
            if name == "net/ipv6_route" and not (proc / "sys/net/ipv6").exists():
                continue  # a kernel without IPv6 has no IPv6 table and no IPv6 routes
            return AirGap(unreadable=f"{path}: missing")
        except OSError as exc:
            return AirGap(unreadable=f"{path}: {exc.strerror}")
        routes.extend(parse(text))
    live = [r for r in routes if _link_up(sys_net, r.interface)]
    return classify(live, radio=lambda iface: _is_radio(sys_net, iface))


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
) -> AirGap:
    """Refuse (EnvironmentProblem) when the machine can reach beyond the office's own network or the check
    cannot tell, unless overridden; returns what was found (`overridden` set when the override was needed)."""
    found = find_network_routes(proc, sys_net)
    if not found.refuses:
        return found
    if override_requested(allow_network, env):
        return msgspec.structs.replace(found, overridden=True)
    hint = f"For tests and training only: --allow-network or {ENV_OVERRIDE}=1"
    if found.unreadable is not None:
        raise EnvironmentProblem(
            f"cannot read the kernel's routing tables ({found.unreadable}), so the air gap cannot be "
            f"proven; {hint}, on a machine you know is offline",
            where="air gap",
        )
    interfaces = sorted({r.interface for r in found.outside})
    shown = "; ".join(str(r) for r in found.outside[:3]) + (" …" if len(found.outside) > 3 else "")
    raise EnvironmentProblem(
        f"this machine is connected to a network beyond the office's own (interface {', '.join(interfaces)}: "
        f"{shown}). Data handling needs an air-gapped machine or a closed office network (private addresses, "
        f"no default route, no wifi): unplug the cable, switch off wifi and bluetooth, and try again. {hint}",
        where="air gap",
    )


def require_air_gap(allow_network: bool, record: Callable[[dict[str, Any]], None]) -> AirGap:
    """The check at the start of a tier's data handling: refuse, or, when overridden, audit the override
    through `record` (the tier's audit log) and warn on stderr."""
    found = check_air_gap(allow_network=allow_network)
    if found.overridden:
        record(found.audit_payload())
        print("telketen: warning: air-gap check overridden (tests/training only)", file=sys.stderr)
    return found
