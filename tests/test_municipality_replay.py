"""Proof on real data: the GR2022 West Maas en Waal stations, typed twice, give the official 510b and CSV.

There is no 110a/110b for this election, so the Election is built from the real 230b plus the 510b's reporting
units, with the seats (17) and preference threshold (50) supplied by hand. Each station's report is built from
the official per-station counts (`report_from_tally`) and entered by two typists through the service; the
coordinator finalises. The printed PDF's QR page is rasterised and decoded back to the signed summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality import setup
from municipality.service import Service, SourceFile
from shared.adapters import audit
from shared.adapters.qr_scan import ScanReport, add_payloads, decode_page
from shared.domain.election import Election, Municipality, MunicipalityCode, Station, StationId
from shared.domain.station_report import report_from_tally
from shared.domain.tally import compare_tallies
from shared.formats.eml.model import Count510
from shared.formats.eml.read import read_230b, read_510
from shared.formats.eml.schema import validate as xsd_validate
from shared.formats.signing import message_digest, open_signed, raw_public_key
from shared.formats.summary import tally_from_counts
from tests.conftest import EML_SAMPLES, needs_shared

pytestmark = needs_shared
WMW = EML_SAMPLES / "gr2022_westmaasenwaal"
_LABEL = re.compile(r"^Stembureau (.*?)(?: \(postcode: (\d{4} \w{2})\))?$")
PASSWORD = "correct horse battery"


def election_from_real_files() -> tuple[Election, Count510]:
    count = read_510((WMW / "Telling_GR2022_WestMaasenWaal.eml.xml").read_bytes())
    lists = read_230b((WMW / "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml").read_bytes())
    stations = []
    for unit in count.units:
        m = _LABEL.match(unit.name)
        assert m, unit.name
        stations.append(
            Station(
                id=StationId(unit.id),
                number=int(unit.id.split("::SB")[1]),
                name=m.group(1),
                postal_code=m.group(2),
                eligible_voters=unit.tally.eligible_voters,
            )
        )
    e = count.election
    election = Election(
        id=e.id,  # type: ignore[arg-type]
        name=e.name or e.id,
        category=e.category,
        subcategory=e.subcategory,
        date=e.date,
        seats=17,  # ../shared/data/oracle/GR20220316_municipalities.json
        preference_threshold=50,  # Kieswet P 15: fewer than 19 seats
        districts=lists.districts,
        municipalities=(
            Municipality(
                code=MunicipalityCode(count.authority_id),
                name=count.authority_name,
                district_id=lists.districts[0].id,
                stations=tuple(stations),
            ),
        ),
        domain=e.domain_id,
    )
    return election, count


@dataclass
class Replay:
    svc: Service
    official: Count510
    out: Path
    key: Ed25519PrivateKey
    result: setup.FinaliseResult


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    election, official = election_from_real_files()
    state = tmp_path_factory.mktemp("state")
    at = datetime(2022, 3, 17, 1, 32, 49)
    key = Ed25519PrivateKey.generate()
    setup.initialise(
        state,
        election,
        "0668",
        sources=[
            SourceFile(kind="230b", name="Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml", sha256="0" * 64)
        ],
        passphrase=b"passphrase for tests",
        at=at,
        private_key=key,
    )
    svc = Service.open(state, at=at.isoformat())
    svc.add_user("coord", "coordinator", PASSWORD, at="t", by="setup")
    anna = svc.add_user("anna", "typist", PASSWORD, at="t", by="setup")
    bert = svc.add_user("bert", "typist", PASSWORD, at="t", by="setup")
    for unit in official.units:
        report = report_from_tally("cso_first", unit.tally, with_voter_cards=False)
        for typist in (anna, bert):
            svc.claim(typist, unit.id, at="t")
            svc.save(typist, unit.id, report, progress=100, at="t")
            svc.finalise_entry(typist, unit.id, accept_warnings=True, at="t")
    out = tmp_path_factory.mktemp("out")
    result = setup.finalise(svc, svc.login("coord", PASSWORD), out, key, at=at)
    yield Replay(svc, official, out, key, result)
    svc.close()


def test_every_station_is_definitive_after_two_typists(replay: Replay) -> None:
    assert {s.state for s in replay.svc.status()} == {"definitive"}
    assert len(replay.svc.status()) == 21


def test_the_510b_totals_equal_the_official_ones(replay: Replay) -> None:
    ours = read_510((replay.out / "Telling_GR2022_WestMaasenWaal.eml.xml").read_bytes())
    assert compare_tallies("gemeente", replay.official.total.tally, ours.total.tally) == []
    assert [u.id for u in ours.units] == [u.id for u in replay.official.units]
    for mine, theirs in zip(ours.units, replay.official.units, strict=True):
        assert compare_tallies(mine.id, theirs.tally, mine.tally) == []
        assert mine.name == theirs.name


def test_the_510b_validates_against_the_official_schema(replay: Replay) -> None:
    assert xsd_validate((replay.out / "Telling_GR2022_WestMaasenWaal.eml.xml").read_bytes()) == []


def test_the_csv_equals_the_official_csv_byte_for_byte(replay: Replay) -> None:
    ours = (replay.out / "osv4-3_telling_gr2022_westmaasenwaal.csv").read_bytes()
    assert ours == (WMW / "osv4-3_telling_gr2022_westmaasenwaal.csv").read_bytes()


def test_the_pdf_qr_codes_decode_to_the_same_signed_summary(replay: Replay) -> None:
    pdf = pdfium.PdfDocument(next(replay.out.glob("Model_Na31-2_*_0668.pdf")).read_bytes())
    scan = ScanReport()
    page = pdf[len(pdf) - 1].render(scale=200 / 72, grayscale=True).to_pil()
    add_payloads(scan, decode_page(page).payloads, "last page")
    message = scan.message()
    saved = (replay.out / "summary.tks").read_bytes()
    assert message == saved
    assert message_digest(message).hex() == replay.result.digest
    public = replay.key.public_key()
    _, summary = open_signed(message, lambda kid: public)
    assert summary.authority_id == "0668" and summary.phase == 0 and summary.supersedes == b""
    assert summary.eml_sha256.hex() == replay.result.eml_hash
    assert compare_tallies("summary", replay.official.total.tally, tally_from_counts(summary.counts)) == []
    assert raw_public_key(replay.key)


def test_the_pdf_prints_the_510b_hash_and_the_totals(replay: Replay) -> None:
    pdf = pdfium.PdfDocument(next(replay.out.glob("Model_Na31-2_*_0668.pdf")).read_bytes())
    first = pdf[0].get_textpage().get_text_range()
    groups = " ".join(replay.result.eml_hash[i : i + 4] for i in range(0, 64, 4))
    assert groups in first.replace("\r\n", "\n").replace("\n", " ")
    assert "0668 West Maas en Waal" in first and "Model Na 31-2" in first
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "9.398" in text  # D, admitted voters of the municipality
    assert "Voor de stembureaus met de nummers 7 zijn" in text  # the one station with more ballots (I)
    assert "Dorpshuis De Hucht" in text  # Bijlage 1 / station list


def test_the_audit_log_holds_every_step_and_verifies(replay: Replay) -> None:
    events = audit.events(replay.svc.conn)
    actions = [e.action for e in events]
    assert actions[0] == "init" and actions[-1] == "finalise"
    assert actions.count("entry-finalise") == 42 and actions.count("entry-save") == 42
    assert audit.verify_audit(replay.svc.conn) == []
    printed = events[-1].data()["printed_audit_head"]
    assert audit.verify_audit(replay.svc.conn, expected_head=(printed[0], printed[1])) == []
