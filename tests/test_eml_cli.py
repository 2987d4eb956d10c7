"""`telketen eml`: csv byte for byte against the official oracles, info, check and the one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.errors import InputError
from shared.formats.eml import osv43_csv, read_230b, read_510
from telketen.cli import main
from tests.conftest import EML_SAMPLES, needs_shared, reference_params

pytestmark = needs_shared

GR = EML_SAMPLES / "gr2022_westmaasenwaal"
TK = EML_SAMPLES / "tk2025_westmaasenwaal"
CSV_CASES = [
    (
        GR / "Telling_GR2022_WestMaasenWaal.eml.xml",
        GR / "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
        GR / "osv4-3_telling_gr2022_westmaasenwaal.csv",
    ),
    (
        TK / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        TK / "Kandidatenlijsten_TK2025_Nijmegen.eml.xml",
        TK / "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv",
    ),
]


@pytest.mark.parametrize(("counts", "lists", "oracle"), CSV_CASES, ids=["GR2022", "TK2025"])
def test_csv_is_byte_identical_to_the_official_one(
    counts: Path, lists: Path, oracle: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    assert main(["eml", "csv", str(counts), str(lists), "-o", str(out)]) == 0
    assert out.read_bytes() == oracle.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name != "out.csv"]  # no temp file left behind


def test_csv_refuses_lists_of_another_contest() -> None:
    count = read_510(CSV_CASES[1][0].read_bytes())
    haarlem = read_230b((TK / "Kandidatenlijsten_TK2025_Haarlem.eml.xml").read_bytes())
    with pytest.raises(InputError, match="no contest 6"):
        osv43_csv(count, haarlem)
    gr_lists = read_230b(CSV_CASES[0][1].read_bytes())
    with pytest.raises(InputError, match="election GR2022_WestMaasenWaal"):
        osv43_csv(count, gr_lists)


def test_csv_quotes_names_with_quotes() -> None:
    count = read_510(CSV_CASES[0][0].read_bytes())
    lists = read_230b(CSV_CASES[0][1].read_bytes())
    d = lists.districts[0]
    renamed = d.lists[0].__class__(
        number=d.lists[0].number, name='Partij "Nu"', candidates=d.lists[0].candidates
    )
    district = d.__class__(id=d.id, name=d.name, lists=(renamed, *d.lists[1:]))
    text = osv43_csv(count, district).decode("utf-8-sig")
    assert '"1";"Partij ""Nu""";;;"1893"' in text


def test_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eml", "info", str(CSV_CASES[1][0])]) == 0
    out = capsys.readouterr().out
    assert "EML 510b" in out and "TK2025" in out and "0668 West Maas en Waal" in out
    assert "units:     11" in out and "D 13697" in out and "E 13627" in out
    assert "hash:      d66b 851c a97d 2fce" in out


def test_check_real_files_pass(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(c) for c, _, _ in CSV_CASES] + [str(lists) for _, lists, _ in CSV_CASES]
    assert main(["eml", "check", *files]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok —") == 4


def test_check_fake_steenwijkerland_names_unit_and_field(capsys: pytest.CaptureFixture[str]) -> None:
    path = EML_SAMPLES / "hcp" / "Fake_test_data_Telling_EP2024_gemeente_Steenwijkerland.eml.xml"
    assert main(["eml", "check", str(path)]) == 3
    err = capsys.readouterr().err
    assert "1708::SB4: D (admitted_voters) = A + B + C is 12, the sum of its parts is 0" in err
    assert (
        "TotalVotes (1708 Steenwijkerland): E.1 (list 1 votes) is 20000, the sum of its parts is 20035" in err
    )


def test_check_fake_dordrecht_is_arithmetically_consistent(capsys: pytest.CaptureFixture[str]) -> None:
    # Its one station equals the total and every identity holds (72095+3+0 = 72098; 72065+3+2 = 72098-28):
    # what HCP fakes there is statistical, not a sum. The check must not invent an error.
    path = EML_SAMPLES / "hcp" / "Fake_test_data_Telling_TK2023_gemeente_Dordrecht.eml.xml"
    assert main(["eml", "check", str(path)]) == 0


def test_check_tampered_real_file_names_unit_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = CSV_CASES[0][0].read_bytes()
    # Add a vote for the first candidate in the first station only.
    first_unit = data.index(b"<ReportingUnitVotes>")
    pos = data.index(b"<Candidate>", first_unit)
    vv = data.index(b"<ValidVotes>", pos) + len(b"<ValidVotes>")
    end = data.index(b"<", vv)
    tampered = data[:vv] + str(int(data[vv:end]) + 1).encode() + data[end:]
    path = tmp_path / "t.eml.xml"
    path.write_bytes(tampered)
    assert main(["eml", "check", str(path)]) == 3
    err = capsys.readouterr().err
    assert "0668::SB1: E.1 = sum of candidate votes is 3, the sum of its parts is 4" in err
    assert "list 1 candidate 1" in err


def _invalid_samples() -> list[Path]:
    words = ("invalid", "empty", "not_matching")
    return sorted(p for p in EML_SAMPLES.rglob("*.xml") if any(w in p.name for w in words))


#: What each deliberately broken sample must be refused for (a word of the one-line message).
EXPECTED = {
    "eml110a_invalid_election_category_and_sub_category_mismatch": "does not belong to category GR",
    "eml110a_invalid_election_limited_elections_supported": "KIESKRING",
    "eml110a_invalid_election_missing_election_domain": "ElectionDomain is missing",
    "eml110b_not_matching_election_id": "election definition says GR2022_Test",
    "eml230b_invalid_document_type": "Id says 110a, but the body is CandidateList",
    "eml230b_invalid_empty_affiliates": "a contest without lists",
    "eml230b_invalid_empty_candidates": "list 3 has no candidates",
    "eml230b_invalid_incorrect_election": "names year 2024",
    "eml230b_invalid_incorrect_election_date": "not after kr:NominationDate",
    "eml230b_invalid_incorrect_election_domain": "ElectionDomain of this 230b is 0001",
    "eml230b_invalid_incorrect_election_type": "is a GR id, but ElectionCategory is TK",
    "eml230b_invalid_missing_authority": "ManagingAuthority",
    "eml230b_invalid_missing_election_domain": "ElectionDomain is missing",
    "eml110a_invalid_election_date_format": "'2022-16'",
    "eml110a_invalid_election_date_nomination_format": "'2022-31'",
    "eml110a_invalid_election_mismatch_preference_threshold": "PreferenceThreshold 50 does not fit 45 seats",
    "eml110a_invalid_election_mismatch_preference_threshold_small_election": "PreferenceThreshold 25",
    "eml110a_invalid_election_missing_election_tree": "missing required element ElectionTree",
    "eml110a_invalid_election_missing_nomination_date": "NominationDate is missing",
    "eml110a_invalid_election_missing_number_of_seats": "missing required element NumberOfSeats",
    "eml110a_invalid_election_missing_preference_threshold": "missing required element PreferenceThreshold",
    "eml110a_invalid_election_missing_region": "no kr:Region",
    "eml110a_invalid_election_missing_subcategory": "ElectionSubcategory is missing",
    "eml110a_invalid_election_number_of_seats": "does not fit 9 seats",
    "eml110a_invalid_election_number_of_seats_out_of_range": "NumberOfSeats 250 is outside 9..45",
    "eml110a_invalid_election_only_municipal_supported": "ElectionSubcategory is missing",
    "eml110a_invalid_election_subcategory": "GR1 does not fit 45 seats",
    "eml110a_invalid_election_voting_method": "EPV",
    "eml110a_invalid_xml": "not well-formed XML (line 4)",
    "eml110b_empty_polling_station": "no PollingPlace",
    "eml110b_invalid_number_of_voters": "MaxVotes: expected a non-negative integer, found 'test'",
    "eml110b_invalid_polling_station_number_of_voters": "PollingStation: expected a non-negative integer",
}


@pytest.mark.parametrize("path", reference_params(_invalid_samples), ids=lambda p: p.name)
def test_every_invalid_sample_is_refused_with_a_specific_line(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = EML_SAMPLES / "abacus" / "eml110a_test.eml.xml"
    code = main(["eml", "check", "--definition", str(definition), str(path)])
    err = capsys.readouterr().err
    assert code == 2
    key = path.name.split(".")[0]
    assert EXPECTED[key] in err, err
    assert err.startswith(f"telketen: error: {path}") and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary\xff\xfe", "not well-formed XML"),
        (b"<root><child/></root>", "not an EML_NL file: root element is root"),
    ],
    ids=["missing", "empty", "binary", "non-eml"],
)
def test_bad_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "f.eml.xml"
    if content is not None:
        path.write_bytes(content)
    for argv in (["eml", "info", str(path)], ["eml", "check", str(path)], ["eml", "hash", str(path)]):
        if argv[1] == "hash" and content is not None:
            continue  # any bytes have a hash
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err


def test_truncated_real_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = (EML_SAMPLES / "juinen" / "eml230b_kandidatenlijsten-juinen.eml.xml").read_bytes()
    path = tmp_path / "cut.eml.xml"
    path.write_bytes(data[: len(data) // 3])
    assert main(["eml", "info", str(path)]) == 2
    assert "not well-formed XML (line" in capsys.readouterr().err


def test_hash_command(capsys: pytest.CaptureFixture[str]) -> None:
    path = EML_SAMPLES / "juinen" / "eml110a_verkiezingsdefinitie-juinen.eml.xml"
    assert main(["eml", "hash", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("fae2 12ff 03ce 27d0 45e2") and "____" in out
    assert main(["eml", "hash", str(path), "--typed", "0000", "0000"]) == 3


def test_csv_to_an_impossible_place_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counts, lists, _ = CSV_CASES[0]
    for target in (tmp_path / "no" / "such" / "dir.csv", tmp_path):
        assert main(["eml", "csv", str(counts), str(lists), "-o", str(target)]) == 2
        err = capsys.readouterr().err.strip()
        assert str(target) in err and "\n" not in err


def test_csv_with_swapped_arguments_says_what_is_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counts, lists, _ = CSV_CASES[0]
    assert main(["eml", "csv", str(lists), str(counts), "-o", str(tmp_path / "x.csv")]) == 2
    assert "message type 230b where a 510 count was expected" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
