"""Keys: fingerprints, the register and its acceptance rules, key files on disk, and `telketen keys`."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.keyfiles import (
    PASSPHRASE_ENV,
    load_register,
    load_signing_key,
    read_enrolment_file,
    read_key_file_public,
    resolve_passphrase,
    save_register,
    write_enrolment_file,
    write_key_file,
)
from shared.domain.keyregister import (
    ENROLMENT_VERSION,
    Accepted,
    Claim,
    EnrolmentRecord,
    Issuer,
    KeyRegister,
    Reason,
    Receiver,
    Refusal,
    Role,
    check_acceptance,
    enrol,
    fingerprint_matches,
    parse_fingerprint,
    readable_fingerprint,
)
from shared.errors import InputError, IntegrityError, StateError, TelketenError
from shared.formats.signing import key_id, message_digest, raw_public_key, sign_enrolment
from telketen.commands import keys as keys_command

PASS = "correct horse battery"
FAST_KDF = 2**10  # tests only: the default scrypt cost is for real key files


def _key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def _record(key: Ed25519PrivateKey, **changes: object) -> EnrolmentRecord:
    base = EnrolmentRecord(
        version=ENROLMENT_VERSION,
        role=Role.MUNICIPALITY,
        authority_id="0668",
        authority_name="West Maas en Waal",
        election_id="TK2025",
        district_id="6",
        public_key=raw_public_key(key),
        created_at="2025-10-01T09:00:00+00:00",
    )
    return msgspec.structs.replace(base, **changes)


K0668, K0669, KHSB = _key("0668"), _key("0669"), _key("HSB6")
D_FIRST, D_CORR, D_OTHER = (hashlib.sha256(x).digest() for x in (b"first", b"corr", b"other"))


def _register() -> KeyRegister:
    reg = KeyRegister(election_id="TK2025")
    for key, rec in (
        (K0668, _record(K0668)),
        (K0669, _record(K0669, authority_id="0669", authority_name="Andere gemeente")),
        (KHSB, _record(KHSB, role=Role.HOOFDSTEMBUREAU, authority_id="HSB6", authority_name="HSB 6")),
    ):
        reg = enrol(
            reg, rec, enrolled_at="2025-10-02", record_digest=message_digest(sign_enrolment(rec, key))
        )
    return reg


RECEIVER = Receiver(election_id="TK2025", district_id="6", child_role=Role.MUNICIPALITY)
ISSUER = Issuer(Role.MUNICIPALITY, "0668", "6")


def _claim(**changes: object) -> Claim:
    base = Claim(
        key_id=key_id(K0668),
        digest=D_FIRST,
        election_id="TK2025",
        district_id="6",
        role=Role.MUNICIPALITY,
        authority_id="0668",
        phase=0,
        supersedes=b"",
    )
    return msgspec.structs.replace(base, **changes)


def _check(claim: Claim, accepted: Mapping[Issuer, Accepted] | None = None) -> Reason | None:
    refusal = check_acceptance(_register(), RECEIVER, claim, accepted or {})
    return None if refusal is None else refusal.reason


# ---------------------------------------------------------------------------------------------- fingerprints


def test_readable_fingerprint_and_parsing() -> None:
    kid = key_id(K0668)
    text = readable_fingerprint(kid)
    assert len(text.split()) == 8 and all(len(g) == 4 for g in text.split())
    assert text.replace(" ", "") == kid.hex()
    first4 = " ".join(text.split()[:4])
    assert fingerprint_matches(kid, first4)
    assert fingerprint_matches(kid, first4.upper().replace(" ", "-"))
    assert not fingerprint_matches(key_id(K0669), first4)
    with pytest.raises(InputError, match="at least the first 4"):
        parse_fingerprint(" ".join(text.split()[:3]))
    with pytest.raises(InputError, match="hex"):
        parse_fingerprint("zzzz " + first4)
    with pytest.raises(InputError, match="more were typed"):
        parse_fingerprint(text + " abcd")


# ------------------------------------------------------------------------------------------------ acceptance


def test_a_correct_first_session_is_accepted() -> None:
    assert _check(_claim()) is None


def test_unknown_key() -> None:
    assert _check(_claim(key_id=key_id(_key("stranger")))) is Reason.UNKNOWN_KEY


def test_wrong_election() -> None:
    assert _check(_claim(election_id="TK2023")) is Reason.WRONG_ELECTION
    assert _check(_claim(election_id="TK2025")) is None


def test_wrong_district() -> None:
    assert _check(_claim(district_id="7")) is Reason.WRONG_DISTRICT
    # Central receives any district, but still only the one the key was enrolled for.
    central = Receiver(election_id="TK2025", district_id="", child_role=Role.MUNICIPALITY)
    refusal = check_acceptance(_register(), central, _claim(district_id="7"), {})
    assert refusal is not None and refusal.reason is Reason.WRONG_DISTRICT
    assert check_acceptance(_register(), central, _claim(), {}) is None


def test_wrong_issuer() -> None:
    """0668's key cannot deliver 0669's numbers, nor speak as a hoofdstembureau."""
    assert _check(_claim(authority_id="0669")) is Reason.WRONG_ISSUER
    assert _check(_claim(role=Role.HOOFDSTEMBUREAU)) is Reason.WRONG_ISSUER
    assert _check(_claim(key_id=key_id(K0669), authority_id="0669")) is None


def test_wrong_tier_for_this_receiver() -> None:
    """An HSB summary correctly signed by the HSB key is still not what a receiver of municipalities takes."""
    claim = _claim(key_id=key_id(KHSB), role=Role.HOOFDSTEMBUREAU, authority_id="HSB6")
    assert _check(claim) is Reason.WRONG_ISSUER
    central = Receiver(election_id="TK2025", district_id="", child_role=Role.HOOFDSTEMBUREAU)
    assert check_acceptance(_register(), central, claim, {}) is None


def test_duplicate() -> None:
    assert _check(_claim(), {ISSUER: Accepted(0, D_FIRST)}) is Reason.DUPLICATE
    assert _check(_claim(), {Issuer(Role.MUNICIPALITY, "0669", "6"): Accepted(0, D_FIRST)}) is None


def test_not_newer() -> None:
    assert _check(_claim(digest=D_OTHER), {ISSUER: Accepted(0, D_FIRST)}) is Reason.NOT_NEWER
    old_corr = _claim(digest=D_OTHER, phase=1, supersedes=D_FIRST)
    assert _check(old_corr, {ISSUER: Accepted(2, D_CORR)}) is Reason.NOT_NEWER
    assert _check(old_corr, {ISSUER: Accepted(0, D_FIRST)}) is None


def test_corrigendum_must_name_what_it_supersedes() -> None:
    accepted = {ISSUER: Accepted(0, D_FIRST)}
    assert _check(_claim(digest=D_CORR, phase=1), accepted) is Reason.SUPERSEDES_MISSING
    assert _check(_claim(digest=D_CORR, phase=1, supersedes=D_OTHER), accepted) is Reason.SUPERSEDES_WRONG
    assert _check(_claim(digest=D_CORR, phase=1, supersedes=D_FIRST), accepted) is None
    # A first session that claims to supersede something is inconsistent.
    assert _check(_claim(supersedes=D_OTHER)) is Reason.SUPERSEDES_WRONG
    # Without an accepted first session, a corrigendum that names one is taken (it is the current truth).
    assert _check(_claim(digest=D_CORR, phase=1, supersedes=D_FIRST)) is None
    assert _check(_claim(digest=D_CORR, phase=1)) is Reason.SUPERSEDES_MISSING


def test_every_reason_has_dutch_and_english_text() -> None:
    for reason in Reason:
        r = Refusal(reason, found="A", expected="B", key="1234")
        assert r.text("nl") and r.text("en") and r.text("nl") != r.text("en")
        assert "{" not in r.text("nl") + r.text("en")
    assert "onbekende sleutel 1234" in Refusal(Reason.UNKNOWN_KEY, key="1234").text("nl")
    assert str(Refusal(Reason.WRONG_DISTRICT, found="7", expected="6")) == "belongs to district 7, expected 6"


# ------------------------------------------------------------------------------------------------ register


def test_enrol_rules() -> None:
    reg = _register()
    rec = _record(K0668)
    assert enrol(reg, rec, enrolled_at="later", record_digest=b"\0" * 32) is reg  # same key again: no-op
    with pytest.raises(StateError, match="already enrolled for"):
        enrol(reg, _record(K0668, authority_id="0670"), enrolled_at="x", record_digest=b"\0" * 32)
    new_key = _key("0668 new machine")
    with pytest.raises(StateError, match="already has key"):
        enrol(reg, _record(new_key), enrolled_at="x", record_digest=b"\0" * 32)
    replaced = enrol(reg, _record(new_key), enrolled_at="x", record_digest=b"\0" * 32, replace=True)
    assert replaced.lookup(key_id(K0668)) is None
    entry = replaced.for_issuer(ISSUER)
    assert entry is not None and entry.key_id == key_id(new_key)
    assert len(replaced.keys) == len(reg.keys)
    with pytest.raises(StateError, match="for election TK2023"):
        enrol(reg, _record(_key("x"), election_id="TK2023"), enrolled_at="x", record_digest=b"\0" * 32)


def test_register_file_round_trip_and_tampering(tmp_path: Path) -> None:
    path = tmp_path / "register.json"
    reg = _register()
    save_register(path, reg)
    assert load_register(path) == reg
    assert load_register(path, election_id="TK2025") == reg
    with pytest.raises(StateError, match="not TK2023"):
        load_register(path, election_id="TK2023")
    assert load_register(tmp_path / "none.json", election_id="X") == KeyRegister(election_id="X")
    data = json.loads(path.read_text())
    data["register"]["keys"].append(data["register"]["keys"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="enrolled twice"):
        load_register(path)
    path.write_text("{not json")
    with pytest.raises(InputError, match="not a key register"):
        load_register(path)
    data["format"] = "other/9"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="register format"):
        load_register(path)


# ------------------------------------------------------------------------------------------------ key files


def _write(tmp_path: Path, key: Ed25519PrivateKey = K0668) -> Path:
    path = tmp_path / "k.key"
    write_key_file(path, key, sign_enrolment(_record(key), key), PASS.encode(), kdf_n=FAST_KDF)
    return path


def test_key_file_round_trip_and_mode(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY-----" in path.read_bytes()
    assert raw_public_key(K0668).hex().encode() not in path.read_bytes()
    unlocked = load_signing_key(path, PASS.encode())
    assert raw_public_key(unlocked.private_key) == raw_public_key(K0668)
    assert unlocked.record == _record(K0668)
    assert read_key_file_public(path)[1] == _record(K0668)


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path)
    with pytest.raises(InputError, match="wrong passphrase"):
        load_signing_key(path, b"not the passphrase")


def test_key_file_refusals(tmp_path: Path) -> None:
    path = _write(tmp_path)
    with pytest.raises(StateError, match="refusing to overwrite"):
        _write(tmp_path)
    os.chmod(path, 0o644)
    with pytest.raises(StateError, match="readable by others"):
        load_signing_key(path, PASS.encode())
    os.chmod(path, 0o600)
    with pytest.raises(InputError, match="not for this private key"):
        write_key_file(tmp_path / "x.key", K0669, sign_enrolment(_record(K0668), K0668), b"12345678")
    text = path.read_bytes()
    path.write_bytes(text.replace(b"TELKETEN KDF", b"SOMETHING"))
    with pytest.raises(InputError, match="no TELKETEN KDF block"):
        load_signing_key(path, PASS.encode())
    with pytest.raises(InputError, match="file not found"):
        load_signing_key(tmp_path / "absent.key", PASS.encode())


def test_key_file_with_swapped_private_key_is_refused(tmp_path: Path) -> None:
    """The enrolment block of one key in front of the private key of another is detected on unlock."""
    a = _write(tmp_path / "a", K0668).read_bytes()
    b = _write(tmp_path / "b", K0669).read_bytes()
    mixed = a[: a.index(b"-----BEGIN TELKETEN KDF")] + b[b.index(b"-----BEGIN TELKETEN KDF") :]
    path = tmp_path / "mixed.key"
    path.write_bytes(mixed)
    os.chmod(path, 0o600)
    with pytest.raises(IntegrityError, match="does not match"):
        load_signing_key(path, PASS.encode())


def test_enrolment_file_round_trip(tmp_path: Path) -> None:
    msg = sign_enrolment(_record(K0668), K0668)
    path = write_enrolment_file(tmp_path / "x.tke", msg)
    assert read_enrolment_file(path) == (msg, _record(K0668))
    path.write_bytes(msg[:-2])
    with pytest.raises(InputError, match="truncated"):
        read_enrolment_file(path)


def test_passphrase_sources() -> None:
    env = {PASSPHRASE_ENV: "from the environment"}
    assert resolve_passphrase("from argument", new=False, env=env) == b"from argument"
    assert resolve_passphrase(None, new=False, env=env) == b"from the environment"
    assert resolve_passphrase(None, new=True, env={}, interactive=True, prompt=lambda _: "typed twice") == (
        b"typed twice"
    )
    with pytest.raises(InputError, match="no passphrase"):
        resolve_passphrase(None, new=False, env={}, interactive=False)
    answers = iter(["first answer", "second answer"])
    with pytest.raises(InputError, match="differ"):
        resolve_passphrase(None, new=True, env={}, interactive=True, prompt=lambda _: next(answers))
    with pytest.raises(InputError, match="at least 8"):
        resolve_passphrase("short", new=True, env={})
    with pytest.raises(InputError, match="empty"):
        resolve_passphrase("", new=False, env={})


# ------------------------------------------------------------------------------------------------ CLI


def main(argv: list[str]) -> int:
    """`telketen keys …` as `telketen.cli.main` runs it, without importing the other (unfinished) commands."""
    parser = argparse.ArgumentParser(prog="telketen")
    keys_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except TelketenError as exc:
        print(f"telketen: error: {exc}", file=sys.stderr)
        return exc.exit_code


needs_sheets = pytest.mark.skipif(
    importlib.util.find_spec("shared.adapters.sheets") is None, reason="shared.adapters.sheets not there yet"
)
needs_scan = pytest.mark.skipif(
    importlib.util.find_spec("shared.adapters.qr_scan") is None,
    reason="shared.adapters.qr_scan not there yet",
)


@pytest.fixture
def made_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv(PASSPHRASE_ENV, PASS)
    code = main(
        [
            "keys", "new", "--role", "municipality", "--authority", "0668", "--name", "West Maas en Waal",
            "--election", "TK2025", "--district", "6", "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    assert code == 0
    capsys.readouterr()
    return tmp_path / "out"


@needs_sheets
def test_keys_new_writes_key_record_and_sheet(made_key: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = made_key / "municipality-0668-TK2025"
    key_file, tke, pdf = (Path(f"{base}.key"), Path(f"{base}.tke"), Path(f"{base}-sleutelregistratie.pdf"))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert pdf.read_bytes().startswith(b"%PDF")
    _, record = read_enrolment_file(tke)
    assert record.authority_id == "0668" and record.district_id == "6" and record.role is Role.MUNICIPALITY
    assert load_signing_key(key_file, PASS.encode()).record == record
    assert main(["keys", "show", str(tke)]) == 0
    shown = capsys.readouterr().out
    assert readable_fingerprint(record.key_id) in shown and "TK2025" in shown and "0668" in shown
    assert main(["keys", "show", str(key_file)]) == 0
    assert readable_fingerprint(record.key_id) in capsys.readouterr().out


@needs_sheets
def test_keys_new_refuses_to_overwrite(made_key: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["keys", "new", "--role", "municipality", "--authority", "0668", "--name", "W"]
    code = main([*argv, "--election", "TK2025", "--out", str(made_key)])
    assert code == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_keys_new_without_passphrase_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    argv = [
        "keys",
        "new",
        "--role",
        "central",
        "--authority",
        "CSB",
        "--name",
        "Kiesraad",
        "--election",
        "TK2025",
    ]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    assert "no passphrase" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_keys_enrol_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = sign_enrolment(_record(K0668), K0668)
    tke = write_enrolment_file(tmp_path / "0668.tke", msg)
    register = tmp_path / "register.json"
    groups = readable_fingerprint(key_id(K0668)).split()
    # Non-interactive without --expect-fingerprint: refused, nothing written.
    assert main(["keys", "enrol", str(register), str(tke)]) == 2
    assert "--expect-fingerprint" in capsys.readouterr().err
    assert not register.exists()
    # Wrong fingerprint: refused as an integrity failure.
    wrong = readable_fingerprint(key_id(K0669)).split()[:4]
    assert main(["keys", "enrol", str(register), str(tke), "--expect-fingerprint", " ".join(wrong)]) == 3
    assert "does not start with" in capsys.readouterr().err
    assert not register.exists()
    # Too few groups: refused.
    assert main(["keys", "enrol", str(register), str(tke), "--expect-fingerprint", " ".join(groups[:3])]) == 2
    assert not register.exists()
    # Right fingerprint: enrolled.
    assert main(["keys", "enrol", str(register), str(tke), "--expect-fingerprint", " ".join(groups[:4])]) == 0
    assert "enrolled: municipality 0668" in capsys.readouterr().out
    reg = load_register(register)
    assert reg.election_id == "TK2025" and reg.lookup(key_id(K0668)) is not None
    assert reg.keys[0].record_digest == message_digest(msg)
    assert main(["keys", "enrol", str(register), str(tke), "--expect-fingerprint", "".join(groups)]) == 0
    assert "already enrolled" in capsys.readouterr().out
    assert main(["keys", "list", str(register)]) == 0
    out = capsys.readouterr().out
    assert "1 key(s)" in out and " ".join(groups) in out and "West Maas en Waal" in out


def test_keys_enrol_refuses_damaged_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = bytearray(sign_enrolment(_record(K0668), K0668))
    msg[30] ^= 0x01
    tke = tmp_path / "bad.tke"
    tke.write_bytes(bytes(msg))
    code = main(
        ["keys", "enrol", str(tmp_path / "r.json"), str(tke), "--expect-fingerprint", "0000 0000 0000 0000"]
    )
    assert code in (2, 3)
    assert "bad.tke" in capsys.readouterr().err


def test_keys_show_refuses_other_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "x.txt"
    other.write_text("hello")
    assert main(["keys", "show", str(other)]) == 2
    assert "neither a key file" in capsys.readouterr().err
    assert main(["keys", "list", str(tmp_path / "absent.json")]) == 2


@needs_sheets
@needs_scan
def test_keys_enrol_from_a_scanned_sheet(
    made_key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = made_key / "municipality-0668-TK2025-sleutelregistratie.pdf"
    _, record = read_enrolment_file(made_key / "municipality-0668-TK2025.tke")
    register = tmp_path / "hsb-register.json"
    first4 = " ".join(readable_fingerprint(record.key_id).split()[:4])
    assert main(["keys", "enrol", str(register), str(pdf), "--expect-fingerprint", first4]) == 0
    assert load_register(register).lookup(record.key_id) is not None
    assert msgspec.json.decode(register.read_bytes())["format"] == "telketen-key-register/1"


def test_keys_new_checks_its_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["keys", "new", "--role", "central", "--name", "Kiesraad", "--election", "TK2025"]
    assert main([*argv, "--authority", "  ", "--out", str(tmp_path)]) == 2
    assert "--authority: must not be empty" in capsys.readouterr().err
    assert main([*argv, "--authority", "C" * 201, "--out", str(tmp_path)]) == 2
    assert "at most 200" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_enrol_into_a_register_of_another_election(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = tmp_path / "register.json"
    save_register(register, KeyRegister(election_id="GR2026_Stadskanaal"))
    tke = write_enrolment_file(tmp_path / "0668.tke", sign_enrolment(_record(K0668), K0668))
    first4 = " ".join(readable_fingerprint(key_id(K0668)).split()[:4])
    assert main(["keys", "enrol", str(register), str(tke), "--expect-fingerprint", first4]) == 4
    assert "not TK2025" in capsys.readouterr().err
    assert load_register(register).keys == ()


def test_interactive_confirmation() -> None:
    """At a terminal the operator types the groups; a mismatch or too few groups refuses."""
    rec = _record(K0668)
    groups = readable_fingerprint(rec.key_id).split()
    confirm = keys_command._confirm
    confirm(rec, [], interactive=True, ask=lambda _: " ".join(groups[:4]), where="x")
    with pytest.raises(IntegrityError, match="does not match"):
        confirm(rec, [], interactive=True, ask=lambda _: " ".join(groups[1:5]), where="x")
    with pytest.raises(InputError, match="at least the first 4"):
        confirm(rec, [], interactive=True, ask=lambda _: groups[0], where="x")
    with pytest.raises(InputError, match="not at a terminal"):
        confirm(rec, [], interactive=False, ask=lambda _: "", where="x")
