"""The air-gap check reads the kernel's routing tables: loopback, no link, or a closed office network (private
addresses, no default route, no radio) pass; a way towards the internet or an unreadable table refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.airgap import (
    ENV_OVERRIDE,
    AirGap,
    NetworkRoute,
    check_air_gap,
    classify,
    find_network_routes,
    parse_ipv4_routes,
    parse_ipv6_routes,
)
from shared.errors import EnvironmentProblem

HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
V4_CONNECTED = HEADER + (
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
)
V4_LOOPBACK_ONLY = HEADER + "lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
V6_LO = (
    "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
)
V6_LINK_LOCAL = (
    "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000002 00000000 00000001   wlan0\n"
    "fe8000000000000000fc00fffe000001 80 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000000 00000002 00000000 80200001   wlan0\n"
    "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000003 00000000 00000001   wlan0\n"
)


def v4_route(iface: str, dest: str, mask_bits: int) -> str:
    """One /proc/net/route line (addresses in host-order hex, as the kernel writes them)."""
    le = bytes(reversed(bytes(int(p) for p in dest.split(".")))).hex().upper()
    mask = bytes(reversed(((1 << 32) - (1 << (32 - mask_bits))).to_bytes(4, "big"))).hex().upper()
    return f"{iface}\t{le}\t00000000\t0001\t0\t0\t0\t{mask}\t0\t0\t0\n"


def fake_machine(
    tmp_path: Path,
    v4: str | None,
    v6: str | None,
    carriers: dict[str, str],
    *,
    ipv6_kernel: bool = True,
    radio: tuple[str, ...] = (),
) -> tuple[Path, Path]:
    proc, sysnet = tmp_path / "proc", tmp_path / "sys"
    (proc / "net").mkdir(parents=True)
    if ipv6_kernel:
        (proc / "sys" / "net" / "ipv6").mkdir(parents=True)
    if v4 is not None:
        (proc / "net" / "route").write_text(v4)
    if v6 is not None:
        (proc / "net" / "ipv6_route").write_text(v6)
    for iface, carrier in carriers.items():
        (sysnet / iface).mkdir(parents=True)
        (sysnet / iface / "carrier").write_text(carrier + "\n")
    for iface in radio:
        (sysnet / iface / "wireless").mkdir(parents=True)
    return proc, sysnet


def test_parse_ipv4_finds_default_route_and_skips_loopback() -> None:
    routes = parse_ipv4_routes(V4_CONNECTED + "lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n")
    assert [str(r) for r in routes] == ["0.0.0.0/0 via eth0 (IPv4)", "192.0.2.0/24 via eth0 (IPv4)"]
    assert parse_ipv4_routes(V4_LOOPBACK_ONLY) == []
    assert parse_ipv4_routes(HEADER + "eth0\tzz\t0\t0001\t0\t0\t0\t0\n") == []  # malformed line skipped


def test_parse_ipv6_keeps_link_local_and_drops_local_multicast_and_reject() -> None:
    assert parse_ipv6_routes(V6_LO) == []
    assert [r.destination for r in parse_ipv6_routes(V6_LINK_LOCAL)] == ["fe80::/64"]


def test_loopback_only_machine_passes(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_LOOPBACK_ONLY, V6_LO, {"lo": "1"})
    assert check_air_gap(env={}, proc=proc, sys_net=sysnet) == AirGap()


def route(destination: str, interface: str = "eth0") -> NetworkRoute:
    family = "IPv6" if ":" in destination else "IPv4"
    return NetworkRoute(interface=interface, destination=destination, family=family)


@pytest.mark.parametrize(
    ("destination", "local"),
    [
        ("192.168.1.0/24", True),
        ("10.0.0.0/8", True),
        ("172.16.4.0/22", True),
        ("169.254.0.0/16", True),
        ("fd12:3456::/64", True),
        ("fe80::/64", True),
        ("0.0.0.0/0", False),  # the default route
        ("::/0", False),
        ("0.0.0.0/1", False),  # half the internet without being called "default"
        ("192.0.2.0/24", False),  # a public network
        ("172.0.0.0/8", False),  # wider than 172.16/12: reaches public addresses
        ("8.8.8.8/32", False),
        ("2001:db8::/32", False),
    ],
)
def test_a_route_passes_only_when_all_it_reaches_is_private(destination: str, local: bool) -> None:
    found = classify([route(destination)], radio=lambda iface: False)
    assert (found.local, found.outside) == (
        ((route(destination),), ()) if local else ((), (route(destination),))
    )


def test_a_closed_office_network_passes_and_a_route_out_of_it_does_not(tmp_path: Path) -> None:
    """Three desks on 192.168.10.0/24, no gateway: what a real counting room does. Add a default route (a
    router plugged in) and the same machine refuses."""
    office = HEADER + v4_route("eth0", "192.168.10.0", 24)
    proc, sysnet = fake_machine(tmp_path / "a", office, V6_LO, {"eth0": "1"})
    found = check_air_gap(env={}, proc=proc, sys_net=sysnet)
    assert not found.refuses and [str(r) for r in found.local] == ["192.168.10.0/24 via eth0 (IPv4)"]
    routed = office + v4_route("eth0", "0.0.0.0", 0)
    proc, sysnet = fake_machine(tmp_path / "b", routed, V6_LO, {"eth0": "1"})
    with pytest.raises(EnvironmentProblem, match=r"0\.0\.0\.0/0 via eth0"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)


def test_connected_machine_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, V6_LO, {"eth0": "1"})
    with pytest.raises(EnvironmentProblem) as exc:
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    assert "connected to a network" in str(exc.value) and "eth0" in str(exc.value)
    assert "--allow-network" in str(exc.value) and exc.value.exit_code == 5


def test_a_wifi_link_counts_even_with_only_link_local_addresses(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_LOOPBACK_ONLY, V6_LINK_LOCAL, {"wlan0": "1"}, radio=("wlan0",))
    with pytest.raises(EnvironmentProblem, match="wlan0"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    cable = fake_machine(tmp_path / "cable", V4_LOOPBACK_ONLY, V6_LINK_LOCAL, {"wlan0": "1"})
    assert not check_air_gap(env={}, proc=cable[0], sys_net=cable[1]).refuses


def test_an_unplugged_cable_does_not_count(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, V6_LO, {"eth0": "0"})
    assert find_network_routes(proc, sysnet) == AirGap()


def test_an_unreadable_carrier_file_counts_as_a_live_link(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, V6_LO, {})
    assert find_network_routes(proc, sysnet).refuses


def test_override_by_flag_or_environment_returns_what_was_found(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, None, {"eth0": "1"}, ipv6_kernel=False)
    found = check_air_gap(allow_network=True, env={}, proc=proc, sys_net=sysnet)
    assert found.overridden and found.audit_payload() == {
        "routes": ["0.0.0.0/0 via eth0 (IPv4)", "192.0.2.0/24 via eth0 (IPv4)"],
        "local": [],
        "unreadable": None,
    }
    assert check_air_gap(env={ENV_OVERRIDE: "1"}, proc=proc, sys_net=sysnet).overridden
    with pytest.raises(EnvironmentProblem):
        check_air_gap(env={ENV_OVERRIDE: "0"}, proc=proc, sys_net=sysnet)


def test_unreadable_routing_tables_fail_closed(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, None, None, {})
    with pytest.raises(EnvironmentProblem, match="cannot read the kernel's routing tables"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    found = check_air_gap(env={ENV_OVERRIDE: "yes"}, proc=proc, sys_net=sysnet)
    assert found.overridden and found.unreadable == f"{proc / 'net' / 'route'}: missing"


def test_one_unreadable_table_fails_closed_although_the_other_is_clean(tmp_path: Path) -> None:
    """A readable, clean IPv6 table proves nothing about IPv4 (and back): each unreadable file refuses."""
    proc, sysnet = fake_machine(tmp_path / "a", None, V6_LO, {})
    (proc / "net" / "route").mkdir()  # exists, cannot be read as a file
    with pytest.raises(EnvironmentProblem, match="net/route"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    proc, sysnet = fake_machine(tmp_path / "b", V4_LOOPBACK_ONLY, None, {})
    with pytest.raises(EnvironmentProblem, match="ipv6_route: missing"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    proc, sysnet = fake_machine(tmp_path / "c", V4_LOOPBACK_ONLY, None, {}, ipv6_kernel=False)
    assert not check_air_gap(env={}, proc=proc, sys_net=sysnet).refuses  # a kernel without IPv6


def test_this_machine_is_checked_without_error_when_overridden() -> None:
    assert isinstance(check_air_gap(allow_network=True), AirGap)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789abcdefABCDEF \t\nlo eth0wlan-x:"), max_size=400))
def test_the_parsers_never_crash_on_garbled_tables(text: str) -> None:
    """The kernel's files are outside input too: anything unreadable is skipped, never a traceback."""
    for route in parse_ipv4_routes("header\n" + text) + parse_ipv6_routes(text):
        assert route.interface != "lo"
