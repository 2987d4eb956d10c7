"""Reading EML_NL: every real sample, robustness to how real files differ, refusal of bad or hostile input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.errors import EmlError
from shared.formats.eml import read_230b, read_510, read_eml
from shared.formats.eml.build import build_election
from shared.formats.eml.model import Count510
from shared.formats.eml.read import read_110a, read_110b
from tests.conftest import EML_SAMPLES, needs_shared, reference_params

pytestmark = needs_shared

GR510 = EML_SAMPLES / "gr2022_westmaasenwaal" / "Telling_GR2022_WestMaasenWaal.eml.xml"
TK510 = EML_SAMPLES / "tk2025_westmaasenwaal" / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
TK230 = EML_SAMPLES / "tk2025_westmaasenwaal" / "Kandidatenlijsten_TK2025_Nijmegen.eml.xml"
JUINEN = EML_SAMPLES / "juinen"

#: Files that are meant to be broken have one of these words in their name.
INVALID_WORDS = ("invalid", "empty", "not_matching")


def _valid_samples() -> list[Path]:
    return sorted(p for p in EML_SAMPLES.rglob("*.xml") if not any(w in p.name for w in INVALID_WORDS))


@pytest.mark.parametrize("path", reference_params(_valid_samples), ids=lambda p: p.name)
def test_every_valid_sample_reads(path: Path) -> None:
    msg = read_eml(path.read_bytes(), str(path))
    assert msg.election.id
    assert msg.election.category in ("GR", "TK", "EP", "PS", "AB")


def test_gr2022_counts() -> None:
    c = read_510(GR510.read_bytes())
    assert (c.message_id, c.contest_id, c.authority_id) == ("510b", "geen", "0668")
    assert len(c.units) == 21 and len(c.lists) == 8
    t = c.total.tally
    # spec/eml.md: 9350 + 27 + 21 = 9398 = toegelaten kiezers, with 1 "meer" and 1 "minder".
    assert (t.votes_on_lists, t.invalid, t.blank, t.admitted_voters) == (9350, 27, 21, 9398)
    assert (t.more_ballots, t.fewer_ballots, t.eligible_voters) == (1, 1, 16202)
    assert c.total.total_counted == 9350
    assert c.units[0].id == "0668::SB1" and c.units[0].name.startswith("Stembureau Dorpshuis De Hucht")
    assert c.lists[0].name == "FD Partij Beneden-Leeuwen" and t.lists[0].candidate_votes[0] == 581
    assert dict(t.explanations)["geen verklaring"] == 0


def test_tk2025_counts() -> None:
    c = read_510(TK510.read_bytes())
    assert (c.contest_id, c.contest_name, len(c.units)) == ("6", "Nijmegen", 11)
    assert sum(len(lst.positions) for lst in c.lists) == 1085
    assert c.total.tally.lists[0].votes == 3216 and c.total.tally.lists[0].candidate_votes[:3] == (
        3072,
        10,
        44,
    )
    assert all(u.tally.eligible_voters == 0 for u in c.units)


def test_candidate_lists_tk_nijmegen() -> None:
    cl = read_230b(TK230.read_bytes())
    (d,) = cl.districts
    assert (d.id, d.name) == ("6", "Nijmegen")
    wilders = d.lists[0].candidates[0]
    assert (wilders.last_name, wilders.initials, wilders.first_name, wilders.locality) == (
        "Wilders",
        "G.",
        "Geert",
        "'s-Gravenhage",
    )
    abroad = [c for lst in d.lists for c in lst.candidates if c.country == "BE"]
    assert abroad and abroad[0].locality


def test_build_election_juinen() -> None:
    el = build_election(
        read_110a((JUINEN / "eml110a_verkiezingsdefinitie-juinen.eml.xml").read_bytes()),
        [read_230b((JUINEN / "eml230b_kandidatenlijsten-juinen.eml.xml").read_bytes())],
        [read_110b((JUINEN / "eml110b_stembureaulijst-juinen.eml.xml").read_bytes())],
    )
    assert (el.id, el.seats, el.preference_threshold, el.category) == ("GR2025_Juinen", 45, 25, "GR")
    assert [d.id for d in el.districts] == ["geen"] and len(el.districts[0].lists) == 4
    (m,) = el.municipalities
    assert m.code == "0042" and len(m.stations) == 3 and m.stations[0].eligible_voters is not None


def test_build_election_ps_tree() -> None:
    path = EML_SAMPLES / "definitions" / "Verkiezingsdefinitie_PS2023_Gelderland.eml.xml"
    el = build_election(read_110a(path.read_bytes()))
    assert [d.id for d in el.districts] == ["1", "2"]
    assert {m.district_id for m in el.municipalities} == {"1", "2"}
    assert all(len(m.code) == 4 for m in el.municipalities)


def test_build_election_refuses_other_election_files() -> None:
    definition = read_110a((EML_SAMPLES / "abacus" / "eml110a_test.eml.xml").read_bytes())
    wrong_domain = read_230b(
        (EML_SAMPLES / "abacus" / "eml230b_invalid_incorrect_election_domain.eml.xml").read_bytes()
    )
    with pytest.raises(EmlError, match="ElectionDomain"):
        build_election(definition, [wrong_domain])
    wrong_id = read_110b((EML_SAMPLES / "abacus" / "eml110b_not_matching_election_id.eml.xml").read_bytes())
    with pytest.raises(EmlError, match="ElectionIdentifier Id"):
        build_election(definition, [], [wrong_id])


# ---------------------------------------------------------------- robustness: what real files do differently


def _pretty(data: bytes, indent: str) -> bytes:
    root = etree.fromstring(data)
    etree.indent(root, space=indent)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def _reprefix(data: bytes) -> bytes:
    """Bind EML core to 'eml:' instead of the default namespace and kr to 'k:'."""
    s = data.decode()
    s = s.replace(
        'xmlns="urn:oasis:names:tc:evs:schema:eml"', 'xmlns:eml="urn:oasis:names:tc:evs:schema:eml"'
    )
    s = re.sub(r"<(/?)(?=[A-Za-z])(?![A-Za-z]+:)", r"<\1eml:", s)
    return s.replace("xmlns:kr=", "xmlns:k=").replace("<kr:", "<k:").replace("</kr:", "</k:").encode()


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda d: _pretty(d, "\t"), id="tabs+declaration"),
        pytest.param(lambda d: _pretty(d, "  ").replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(
            lambda d: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + d, id="standalone"
        ),
        pytest.param(_reprefix, id="prefixes"),
        pytest.param(
            lambda d: d.replace(b"<ValidVotes>", b"<ValidVotes>\n   ").replace(b"</Cast>", b" </Cast>"),
            id="whitespace-in-numbers",
        ),
        pytest.param(lambda d: d.replace(b"<Selection>", b"<!-- c --><Selection>", 50), id="comments"),
    ],
)
def test_transformed_real_file_reads_the_same(transform: object) -> None:
    data = GR510.read_bytes()
    original = read_510(data)
    changed = transform(data)  # type: ignore[operator]
    assert changed != data
    assert read_510(changed) == original


def test_without_declaration_reads_the_same() -> None:
    data = (JUINEN / "eml230b_kandidatenlijsten-juinen.eml.xml").read_bytes()
    stripped = data.split(b"?>", 1)[1]
    assert read_230b(stripped) == read_230b(data)


# ------------------------------------------------------------------ bad and hostile input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not well-formed"),
        (b"<html><body>hi</body></html>", "not an EML_NL file"),
        (b'<EML xmlns="urn:other" Id="510b"/>', "not an EML_NL file"),
        (b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="999"/>', "not supported"),
        (b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml"/>', "missing required attribute Id"),
    ],
)
def test_bad_input_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(EmlError, match=message) as info:
        read_eml(data, "x.xml")
    assert "\n" not in str(info.value)


def test_truncated_file_names_the_line() -> None:
    data = _pretty(GR510.read_bytes(), "  ")
    with pytest.raises(EmlError, match=r"not well-formed XML \(line \d+\)"):
        read_eml(data[: len(data) // 2], "cut.xml")


def test_entities_and_doctype_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE EML [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">&x;</EML>'
    ).encode()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE EML [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">&b;</EML>'
    )
    for data in (xxe, laughs):
        with pytest.raises(EmlError, match="DOCTYPE") as info:
            read_eml(data, "evil.xml")
        assert "TOPSECRET" not in str(info.value)


def test_broken_510_fields_name_element_and_rule() -> None:
    data = GR510.read_bytes()
    bad_number = data.replace(b"<ValidVotes>581</ValidVotes>", b"<ValidVotes>58x</ValidVotes>", 1)
    with pytest.raises(EmlError, match=r"ValidVotes: expected a non-negative integer, found '58x'"):
        read_510(bad_number)
    negative = data.replace(b"<Cast>16202</Cast>", b"<Cast>-1</Cast>", 1)
    with pytest.raises(EmlError, match=r"TotalVotes/Cast: expected a non-negative integer"):
        read_510(negative)
    no_total_counted = data.replace(b"<TotalCounted>9350</TotalCounted>", b"", 1)
    with pytest.raises(EmlError, match="TotalVotes: missing required element TotalCounted"):
        read_510(no_total_counted)
    odd_code = data.replace(b'ReasonCode="geen verklaring"', b'ReasonCode="vergeten"', 1)
    with pytest.raises(EmlError, match="unknown UncountedVotes ReasonCode 'vergeten'"):
        read_510(odd_code)


def test_unit_with_other_candidates_is_named() -> None:
    data = GR510.read_bytes()
    # Drop the first candidate selection of the *second* reporting unit only.
    first_unit = data.index(b"<ReportingUnitVotes>", data.index(b"<ReportingUnitVotes>") + 1)
    cut_from = data.index(b"<Selection><Candidate>", first_unit)
    cut_to = data.index(b"</Selection>", cut_from) + len(b"</Selection>")
    broken = data[:cut_from] + data[cut_to:]
    with pytest.raises(EmlError, match=r"reporting unit 0668::SB2: list 1 has candidates 2\.\.\d+"):
        read_510(broken)


def test_count_struct_is_immutable() -> None:
    c = read_510(GR510.read_bytes())
    assert isinstance(c, Count510)
    with pytest.raises(AttributeError):
        c.contest_id = "x"  # type: ignore[misc]
