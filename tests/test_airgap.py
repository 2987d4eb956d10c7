"""The air-gap check reads the kernel's routing tables; only loopback (or no link) counts as offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.airgap import (
    ENV_OVERRIDE,
    check_air_gap,
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


def fake_machine(
    tmp_path: Path, v4: str | None, v6: str | None, carriers: dict[str, str]
) -> tuple[Path, Path]:
    proc, sysnet = tmp_path / "proc", tmp_path / "sys"
    (proc / "net").mkdir(parents=True)
    if v4 is not None:
        (proc / "net" / "route").write_text(v4)
    if v6 is not None:
        (proc / "net" / "ipv6_route").write_text(v6)
    for iface, carrier in carriers.items():
        (sysnet / iface).mkdir(parents=True)
        (sysnet / iface / "carrier").write_text(carrier + "\n")
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
    assert check_air_gap(env={}, proc=proc, sys_net=sysnet) == []


def test_connected_machine_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, V6_LO, {"eth0": "1"})
    with pytest.raises(EnvironmentProblem) as exc:
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    assert "connected to a network" in str(exc.value) and "eth0" in str(exc.value)
    assert "--allow-network" in str(exc.value) and exc.value.exit_code == 5


def test_a_wifi_link_with_only_link_local_counts(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_LOOPBACK_ONLY, V6_LINK_LOCAL, {"wlan0": "1"})
    with pytest.raises(EnvironmentProblem, match="wlan0"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)


def test_an_unplugged_cable_does_not_count(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, V6_LO, {"eth0": "0"})
    assert find_network_routes(proc, sysnet) == []


def test_override_by_flag_or_environment_returns_what_was_found(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, V4_CONNECTED, None, {"eth0": "1"})
    assert len(check_air_gap(allow_network=True, env={}, proc=proc, sys_net=sysnet)) == 2
    assert len(check_air_gap(env={ENV_OVERRIDE: "1"}, proc=proc, sys_net=sysnet)) == 2
    with pytest.raises(EnvironmentProblem):
        check_air_gap(env={ENV_OVERRIDE: "0"}, proc=proc, sys_net=sysnet)


def test_unreadable_routing_tables_fail_closed(tmp_path: Path) -> None:
    proc, sysnet = fake_machine(tmp_path, None, None, {})
    with pytest.raises(EnvironmentProblem, match="cannot read the routing tables"):
        check_air_gap(env={}, proc=proc, sys_net=sysnet)
    assert check_air_gap(env={ENV_OVERRIDE: "yes"}, proc=proc, sys_net=sysnet) == []


def test_this_machine_is_checked_without_error_when_overridden() -> None:
    assert isinstance(check_air_gap(allow_network=True), list)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789abcdefABCDEF \t\nlo eth0wlan-x:"), max_size=400))
def test_the_parsers_never_crash_on_garbled_tables(text: str) -> None:
    """The kernel's files are outside input too: anything unreadable is skipped, never a traceback."""
    for route in parse_ipv4_routes("header\n" + text) + parse_ipv6_routes(text):
        assert route.interface != "lo"
