"""O 3 rubric 4 from what two municipalities reported: their explanation counts and investigated stations.

Each municipality signs a version-3 summary (as municipality/finalise writes after a next session): one
corrected station and an explained difference in one, one uncorrected station and an unexplained difference
in the other. The hoofdstembureau scans both and prints both on its O 3, and its 510c adds the counts up."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest
from test_central_fixtures import PASSPHRASE, Chain, make_chain, municipal_510b, tks_files

from shared.domain.tally import Tally
from shared.formats.eml.read import read_510
from shared.formats.signing import sign_summary
from shared.formats.summary import (
    INVESTIGATIONS_VERSION,
    StationInvestigation,
    Summary,
    counts_from_tally,
    encode_summary,
)
from telketen.cli import main
from tests.test_hoofdstembureau_app import enrol_all, init


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return make_chain(tmp_path_factory.mktemp("inq-hsb"), national=True)


def _v3(chain: Chain, code: str, total: Tally, investigated: list[StationInvestigation]) -> bytes:
    author = chain.municipalities[code]
    summary = Summary(
        version=INVESTIGATIONS_VERSION,
        election_id=chain.election.id,
        district_id=chain.district_of(code),
        role=author.role,
        authority_id=code,
        phase=0,
        supersedes=b"",
        issued_at="2029-03-19T22:00:00",
        counts=counts_from_tally(total),
        eml_sha256=hashlib.sha256(municipal_510b(chain, code, total)).digest(),
        children=[],
        seats=[],
        investigations=investigated,
    )
    return sign_summary(encode_summary(summary), author.key)


def test_o3_lists_investigated_stations_and_the_explanation_counts_of_two_municipalities(
    chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    district = chain.election.districts[0].id
    a, b = chain.codes(district)[:2]
    state = tmp_path / "state"
    assert init(chain, state, district) == 0
    assert enrol_all(chain, state, district) == 0
    total_a = msgspec.structs.replace(chain.total(a), explanations=(("andere verklaring", 3),))
    total_b = msgspec.structs.replace(
        chain.total(b), explanations=(("andere verklaring", 4), ("geen verklaring", 2))
    )
    messages = (
        _v3(chain, a, total_a, [StationInvestigation(f"{a}::SB2", True)]),
        _v3(chain, b, total_b, [StationInvestigation(f"{b}::SB7", False)]),
    )
    assert main(["hsb", "scan", "--state", str(state), *tks_files(tmp_path, *messages)]) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 0
    out = tmp_path / "published"
    assert main(["hsb", "publish", "--state", str(state), "--out", str(out)]) == 0
    folder = out / f"HSB{district}"
    (pdf_path,) = folder.glob("Model_O3_*.pdf")
    doc = pdfium.PdfDocument(pdf_path.read_bytes())
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Onderzochte stembureaus" in text
    name_a, name_b = (chain.election.municipality(c).name for c in (a, b))
    assert f"{a} {name_a}" in text and f"{b} {name_b}" in text
    assert "uitslag gecorrigeerd" in text and "uitslag ongewijzigd" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Andere verklaring 7" in lines  # 3 + 4
    assert "Geen verklaring 2" in lines
    (eml,) = folder.glob("Telling_*.eml.xml")
    assert dict(read_510(eml.read_bytes()).total.tally.explanations)["andere verklaring"] == 7


def test_a_part_keyed_from_paper_is_named_not_listed_as_without_investigations(chain: Chain) -> None:
    """A keyed part carries no investigation list: the O 3 says which municipality that is, rather than
    letting "geen" stand for it."""
    from hoofdstembureau.investigations import o3_lines, reported
    from shared.domain.keyregister import KeyRegister, RegisteredKey
    from shared.formats.keyed import KeyedPart, encode_keyed
    from shared.formats.signing import open_enrolment

    district = chain.election.districts[0].id
    a, b = chain.codes(district)[:2]
    keyed = encode_keyed(
        KeyedPart(
            election_id=chain.election.id,
            district_id=district,
            authority_id=b,
            keyed_at="2029-03-20T10:00:00",
            keyed_by=["ann", "bob"],
            counts=counts_from_tally(chain.total(b)),
            eml_sha256=b"",
        )
    )
    signed = _v3(chain, a, chain.total(a), [StationInvestigation(f"{a}::SB3", True)])
    record = open_enrolment(chain.municipalities[a].enrolment)
    entry = RegisteredKey(record=record, enrolled_at="t", record_digest=b"\x00" * 32)
    register = KeyRegister(election_id=chain.election.id, keys=(entry,))
    found, named = reported([(a, "A-stad", signed), (b, "B-dorp", keyed)], register)
    assert named == [f"{b} B-dorp"]
    assert o3_lines(found) == [
        {"municipality": f"{a} A-stad", "station": "3", "outcome": "uitslag gecorrigeerd"}
    ]
