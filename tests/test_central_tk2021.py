"""The central office on the real Tweede Kamer 2021: list groups through the receive path to the 510d and 520.

Twenty hoofdstembureaus (test keys) sign summaries whose totals are those of the Kiesraad's 19 kieskring 510c
files, and for kieskring 20 (Bonaire, which has no 510c) its totals in the official 510d. The central office
enrols their keys, scans the signed summaries, and finalises: CDA, D66, PvdA and CODE ORANJE had a different
list in every kieskring and SP five sets of identical lists, so the result passes through the list groups
(Kieswet P 1, P 12, P 13, P 15–P 18). Its 510d must equal the official Totaaltelling field by field (apart
from the two eligible-voter numbers the Kiesraad's own note says differ between its 510c and 510d files), and
its 520 the official Resultaat: seats per party, all 150 elected candidates, in order, with their ranking.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pdf_structure
import pypdfium2 as pdfium
import pytest
from conftest import SHARED_DATA, needs_shared
from test_central_fixtures import PASSPHRASE, fingerprint, make_authority, signed_summary, tks_files

from shared.domain.election import Election
from shared.domain.keyregister import Role
from shared.domain.tally import Tally
from shared.formats.eml.build import build_election
from shared.formats.eml.hashcode import typed_groups
from shared.formats.eml.model import Count510
from shared.formats.eml.read import read_110a, read_230b, read_510, read_520, read_path
from shared.formats.eml.schema import schema_dir, validate
from telketen.cli import main

TK2021 = SHARED_DATA / "eml" / "tk2021"
pytestmark = [needs_shared, pytest.mark.skipif(not TK2021.is_dir(), reason="no tk2021 result set")]

#: The Kiesraad's note (`Opmerking bestanden TK2021.txt`): the Haarlem (10) and 's-Gravenhage (12) kieskring
#: 510c files give 0 eligible voters for municipalities (Haarlem, Bloemendaal, Zandvoort;
#: Leidschendam-Voorburg) that the 510d counts.
KNOWN_CAST_DIFFERENCES = {"HSB10", "HSB12"}
#: Every 510c counts voter cards (geldige kiezerspassen, C); the Kiesraad's 510d writes 0 everywhere. We keep
#: the kieskringen's numbers: a sum never drops what its parts say.
DROPPED_BY_THE_OFFICIAL_510D = ("voter_cards",)
SAME_FIELDS = ("blank", "invalid", "admitted_voters", "poll_cards", "proxy_certificates", "more_ballots",
               "fewer_ballots", "explanations")  # fmt: skip


def official_election() -> Election:
    a110 = read_110a(read_path(TK2021 / "Verkiezingsdefinitie_TK2021.eml.xml"))
    return build_election(
        a110, [read_230b(read_path(p)) for p in sorted(TK2021.glob("Kandidatenlijsten_TK2021_*.eml.xml"))]
    )


def district_counts(official_510d: Count510) -> dict[str, tuple[Tally, bytes]]:
    """Each kieskring's totals and the EML its summary stands for: its 510c, or Bonaire's 510d unit."""
    out: dict[str, tuple[Tally, bytes]] = {}
    for path in sorted(TK2021.glob("Telling_TK2021_kieskring_*.eml.xml")):
        data = path.read_bytes()
        count = read_510(data, path.name)
        out[count.contest_id] = (count.total.tally, data)
    (bonaire,) = [u for u in official_510d.units if u.id == "HSB20"]
    out["20"] = (bonaire.tally, bonaire.name.encode())
    return out


class Finalised(msgspec.Struct, frozen=True, kw_only=True):
    election: Election
    files: dict[str, bytes]
    official_510d: Count510
    site: dict[str, str]
    definition: dict[str, bytes]


@pytest.fixture(scope="module")
def tk2021(tmp_path_factory: pytest.TempPathFactory) -> Finalised:
    mp = pytest.MonkeyPatch()
    mp.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    base = tmp_path_factory.mktemp("tk2021")
    election = official_election()
    a110 = TK2021 / "Verkiezingsdefinitie_TK2021.eml.xml"
    # the definition as the Kiesraad publishes it: the 110a and one 230b per kieskring, each hash-checked
    b230s = sorted(TK2021.glob("Kandidatenlijsten_TK2021_*.eml.xml"))
    state = base / "csb"
    typed = [arg for p in b230s for arg in ("--hash-230b", typed_groups(p.read_bytes()))]
    assert main(
        ["central", "init", "--state", str(state), "--definition", str(a110), "--place", "Den Haag",
         "--candidates", *map(str, b230s), "--hash-110a", typed_groups(a110.read_bytes()), *typed]
    ) == 0  # fmt: skip
    official_510d = read_510(read_path(TK2021 / "Totaaltelling_TK2021.eml.xml"))
    messages = []
    for district_id, (tally, eml) in district_counts(official_510d).items():
        hsb = make_authority(
            Role.HOOFDSTEMBUREAU,
            f"HSB{district_id}",
            f"Kieskring {district_id}",
            election.id,
            district_id,
            seed=21,
        )
        tke = base / f"HSB{district_id}.tke"
        tke.write_bytes(hsb.enrolment)
        fp = fingerprint(hsb.enrolment)
        assert main(["central", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 0
        messages.append(
            signed_summary(hsb, election_id=election.id, district_id=district_id, total=tally, eml=eml)
        )
    scans = base / "scans"
    scans.mkdir()
    assert main(["central", "scan", "--state", str(state), *tks_files(scans, *messages)]) == 0
    assert main(["central", "finalise", "--state", str(state)]) == 0
    files = {p.name: p.read_bytes() for p in (state / "output").iterdir()}
    published = base / "published"
    assert main(["central", "publish", "--state", str(state), "--out", str(published)]) == 0
    site = {p.name: p.read_text("utf-8") for p in (published / "site").glob("*.html")}
    definition = {p.name: p.read_bytes() for p in (published / "definition").iterdir()}
    mp.undo()
    return Finalised(
        election=election, files=files, official_510d=official_510d, site=site, definition=definition
    )


def _file(result: Finalised, prefix: str) -> bytes:
    (name,) = [n for n in result.files if n.startswith(prefix)]
    return result.files[name]


def _by_code(layout_codes: tuple[str, ...], votes: tuple[int, ...]) -> dict[str, int]:
    return dict(zip(layout_codes, votes, strict=True))


def test_510d_equals_the_official_totaaltelling(tk2021: Finalised) -> None:
    ours = read_510(_file(tk2021, "Totaaltelling_"), "ours")
    official = tk2021.official_510d
    assert ours.contest_id == official.contest_id == "alle"
    # TotalVotes: each party's votes, each candidate's votes on all the party's lists together (by person:
    # the official names candidates by ShortCode, ours by the group's order; names tie the two)
    assert [(lay.number, lay.name) for lay in ours.lists] == [
        (lay.number, lay.name) for lay in official.lists
    ]
    t_ours, t_off = ours.total.tally, official.total.tally
    for field in SAME_FIELDS:
        assert getattr(t_ours, field) == getattr(t_off, field), field
    assert [(lst.number, lst.votes) for lst in t_ours.lists] == [
        (lst.number, lst.votes) for lst in t_off.lists
    ]
    # every kieskring's unit, with its own lists: the same numbers in the same places
    assert [u.id for u in ours.units] == [u.id for u in official.units]
    for u_ours, u_off in zip(ours.units, official.units, strict=True):
        assert u_ours.tally.lists == u_off.tally.lists, u_ours.id
        assert u_ours.layout is not None and u_off.layout is not None
        # the 230b carries no ShortCode, so ours names candidates by position only, as every 510c does
        assert [(x.number, x.name, x.positions) for x in u_ours.layout] == [
            (x.number, x.name, x.positions) for x in u_off.layout
        ], u_ours.id
        for field in SAME_FIELDS:
            assert getattr(u_ours.tally, field) == getattr(u_off.tally, field), (u_ours.id, field)
        assert u_off.tally.voter_cards == 0
    pairs = list(zip(ours.units, official.units, strict=True))
    assert {
        u.id for u, o in pairs if u.tally.eligible_voters != o.tally.eligible_voters
    } == KNOWN_CAST_DIFFERENCES
    assert t_ours.eligible_voters - t_off.eligible_voters == sum(
        u.tally.eligible_voters - o.tally.eligible_voters for u, o in pairs
    )
    assert t_ours.voter_cards == sum(u.tally.voter_cards for u, _ in pairs) > 0 == t_off.voter_cards


def test_510d_candidate_votes_by_person(tk2021: Finalised) -> None:
    """National candidate votes are summed per person over a group's lists: CDA's leader stood on all 20."""
    ours = read_510(_file(tk2021, "Totaaltelling_"), "ours")
    official = tk2021.official_510d
    view = {lst.number: lst for lst in ours.lists}
    off_lists = {lst.number: lst for lst in official.total.tally.lists}
    cda_ours = next(lst for lst in ours.total.tally.lists if lst.number == 3)
    cda_off_layout = next(lay for lay in official.lists if lay.number == 3)
    off_votes = _by_code(cda_off_layout.short_codes, off_lists[3].candidate_votes)
    assert off_votes["HoekstraWB"] == cda_ours.candidate_votes[0] == 437240
    assert len(cda_ours.candidate_votes) == len(view[3].positions) == len(cda_off_layout.short_codes)


def test_520_equals_the_official_resultaat(tk2021: Finalised) -> None:
    ours = read_520(_file(tk2021, "Resultaat_"), "ours")
    official = read_520(read_path(TK2021 / "Resultaat_TK2021.eml.xml"))
    assert ours.seats() == official.seats()
    assert sum(ours.seats().values()) == 150
    assert len(ours.elected) == len(official.elected) == 150

    def person(el: object) -> tuple[object, ...]:
        c = el.candidate  # type: ignore[attr-defined]
        return (el.list_number, c.position, c.last_name, c.prefix, c.initials, c.locality, el.ranking)  # type: ignore[attr-defined]

    assert [person(el) for el in ours.elected] == [person(el) for el in official.elected]


def test_p22_1_has_the_list_group_section(tk2021: Finalised) -> None:
    """Rubric 2.8a: each group's quota and split (P 12); each group seat with its list (P 16, P 18)."""
    doc = pdfium.PdfDocument(_file(tk2021, "Model_P22-1_"))
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    text = "\n".join(pages)
    assert "Verdeling van de zetels binnen de lijstengroepen" in text
    assert "groepskiesdeler 66.040 1/15" in text  # CDA: 990.601 / 15
    assert "Stel gelijkluidende lijsten (kieskringen 16, 17, 18, 19)" in text  # SP
    submitted = next(p for p in pages if "Ingeleverde kandidatenlijsten" in p)
    assert "3 CDA lijstengroep (20 lijsten) alle" in submitted
    assert "lijstengroep (5 lijsten)" in submitted  # SP's five sets
    assert "1 VVD stel gelijkluidende lijsten alle" in submitted
    cda = next(p for p in pages if "Lijst 3 CDA" in p and "Hoekstra" in p)
    hoekstra = cda[cda.index("Hoekstra") :].splitlines()
    assert any("Kieskring 7" in line for line in hoekstra[:6])
    assert "Lijst waarop de zetel" in cda


def test_p22_1_reads_as_a_whole_report(tk2021: Finalised, tmp_path: Path) -> None:
    """The P 22-1 of TK2021 (20 kieskringen, list groups) as poppler reads it: true page numbers, no heading
    at a page's foot, every Bijlage referred to is in the contents, no warning (tests/pdf_structure.py)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (pdftotext)")
    pdf = tmp_path / "Model_P22-1.pdf"
    pdf.write_bytes(_file(tk2021, "Model_P22-1_"))
    texts = pdf_structure.pages(pdf)
    assert pdf_structure.numbering_problems(texts) == []
    assert pdf_structure.stranded_headings(texts) == []
    listed, referred = pdf_structure.listed_appendices(texts)
    assert referred <= listed
    assert pdf_structure.poppler_warnings(pdf, tmp_path) == []


def test_results_site_shows_the_split_within_each_list_group(tk2021: Finalised) -> None:
    """The CDA page: its seats per kieskring list (P 12) and, per elected candidate, the list of the seat."""
    cda = tk2021.site["lijst-3.html"]
    assert "Verdeling van de zetels binnen de lijstengroep" in cda
    assert "groepskiesdeler 66.040 1/15" in cda
    row = cda[cda.index("Hoekstra") :].split("</tr>")[0]
    assert "437.240" in row and "gekozen (voorkeur), kieskring 7" in row
    assert (
        "Verdeling van de zetels binnen de lijstengroep" not in tk2021.site["lijst-1.html"]
    )  # VVD: one list
    assert "Stel gelijkluidende lijsten (kieskringen 16, 17, 18, 19)" in tk2021.site["lijst-6.html"]  # SP


def test_510d_and_520_validate_against_the_schema(tk2021: Finalised) -> None:
    """The group forms (kieskring units with their own lists; elected numbered in order) are valid."""

    if schema_dir() is None:
        pytest.skip("no EML_NL schemas")
    for prefix in ("Totaaltelling_", "Resultaat_"):
        assert validate(_file(tk2021, prefix), prefix) == [], prefix


def test_the_published_definition_is_the_kiesraads_twenty_230b_files(tk2021: Finalised) -> None:
    """Imported one per kieskring, published byte for byte as received (so `verify` reads the real files)."""
    for path in TK2021.glob("Kandidatenlijsten_TK2021_*.eml.xml"):
        assert tk2021.definition[path.name] == path.read_bytes(), path.name
    assert len(tk2021.definition) == 21
