"""Keyed fallback at the hoofdstembureau: a municipal report typed twice from paper becomes a counted part.

The case it exists for: in a district, one municipality's sheet will not scan (a torn sheet: half its
symbols gone) and that municipality is keyed by hand by two users; the district finalises and its 510c is
byte for byte the 510c of the same district with every sheet scanned (same clock), while its signed summary
(format version 2), its O 3 and its published folder say which part was keyed and by whom. Around it: the
double-entry rules (the same user twice, differences to the coordinator, errors and warnings of the
totals-level rules F.201–F.204, F.312, F.4xx, W.205/W.206), a keyed part never replacing a summary that is in,
and the command line.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from hashlib import sha256
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest
from rich.console import Console
from starlette.testclient import TestClient
from test_central_app import enrolled_council
from test_central_fixtures import (
    PASSPHRASE,
    Chain,
    make_chain,
    municipal_summary,
    publish_municipality,
    sheet,
)
from test_web_desk import login, make_hsb_office
from test_web_support import PW

from central import finalise as central_finalise
from central import publish as central_publish
from central import setup as csb_setup
from central.office import open_office as open_central
from central.receive import receive_message as central_receive
from hoofdstembureau import finalise as hsb_finalise
from hoofdstembureau import publish as hsb_publish
from hoofdstembureau.office import Office, open_office
from hoofdstembureau.receive import receive_message
from hoofdstembureau.web import create_hsb_app
from shared.adapters.qr_scan import scan_files
from shared.adapters.web import USERS_FILE, UserFile
from shared.domain import keyed as kd
from shared.domain.keyregister import readable_fingerprint
from shared.domain.station_report import report_from_tally
from shared.domain.validation import has_voter_cards
from shared.errors import InputError, StateError
from shared.formats.eml.hashcode import typed_groups
from shared.formats.keyed import FILE_NAME, decode_keyed, encode_keyed
from shared.formats.signing import open_enrolment, split_signed
from shared.formats.summary import decode_summary
from shared.office import keyed
from shared.office.keyed_cli import ask_totals
from shared.office.setup import ENROLMENT_FILE
from telketen.cli import main
from telketen.verify.findings import Finding, Report
from telketen.verify.render import render
from telketen.verify.run import verify_dir

AT = datetime(2029, 3, 22, 9, 0)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return make_chain(tmp_path_factory.mktemp("keyed-chain"), national=True)


def office_for(chain: Chain, root: Path) -> tuple[Office, str]:
    district = chain.election.districts[0].id
    state = make_hsb_office(chain, root, district)
    return open_office(state, "olga", clock=lambda: AT), district


def paper(chain: Chain, code: str, **changes: int) -> kd.KeyedTotals:
    """What a typist types from `code`'s paper report (its true totals), with `changes` as typos."""
    total = chain.total(code)
    cards = has_voter_cards(chain.election.category)
    report = report_from_tally("cso_next", total, with_voter_cards=cards)
    for name, value in changes.items():
        setattr(report.voters, name, value)
    return kd.KeyedTotals(eligible_voters=total.eligible_voters, report=report)


def torn(message: bytes, path: Path) -> Path:
    """The message's sheet with a band across its symbols gone (a torn or wet sheet)."""
    pdf = sheet(message, path.with_suffix(".whole.pdf"))
    document = pdfium.PdfDocument(pdf.read_bytes())
    bitmap = document[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    bitmap.paste(255, (0, bitmap.height * 15 // 100, bitmap.width, bitmap.height * 35 // 100))
    bitmap.save(path, format="PNG")
    return path


def test_a_district_with_a_torn_sheet_keyed_by_hand_finalises_to_the_same_510c(
    chain: Chain, tmp_path: Path
) -> None:
    scanned, district = office_for(chain, tmp_path / "scanned")
    mixed, _ = office_for(chain, tmp_path / "mixed")
    codes = chain.codes(district)
    assert len(codes) >= 2
    lost = codes[1]
    for code in codes:
        assert not receive_message(scanned, code, municipal_summary(chain, code)).refused
        if code != lost:
            assert not receive_message(mixed, code, municipal_summary(chain, code)).refused
    # the torn sheet does not give its summary: the municipality is still missing
    report = scan_files([torn(municipal_summary(chain, lost), tmp_path / "torn.png")])
    assert not report.messages
    assert mixed.book().missing == (lost,)
    with pytest.raises(StateError, match="missing"):
        hsb_finalise.finalise(mixed, passphrase=PASSPHRASE.encode())

    first = keyed.enter(mixed, lost, "ann", paper(chain, lost))
    assert first.state == "first_entry_done" and not first.digest
    assert mixed.book().missing == (lost,)  # one entry never counts
    second = keyed.enter(mixed, lost, "bob", paper(chain, lost))
    assert second.state == "definitive" and second.digest
    assert mixed.book().complete

    out_scanned = hsb_finalise.finalise(scanned, passphrase=PASSPHRASE.encode())
    out_mixed = hsb_finalise.finalise(mixed, passphrase=PASSPHRASE.encode())
    _, signed_s, eml_s, _, _, _ = hsb_finalise.latest(scanned)
    _, signed_m, eml_m, _, pdf_m, _ = hsb_finalise.latest(mixed)
    assert eml_m == eml_s and out_mixed.total == out_scanned.total

    summary = decode_summary(split_signed(signed_m, where="hsb").summary_bytes)
    assert summary.version == 2
    sources = dict(zip([c.authority_id for c in summary.children], summary.sources, strict=True))
    assert sources[lost].keyed and sources[lost].keyed_by == ["ann", "bob"]
    for code in codes:
        if code != lost:
            assert sources[code].key_id == split_signed(municipal_summary(chain, code), where=code).key_id
    assert [s.keyed for s in decode_summary(split_signed(signed_s, where="s").summary_bytes).sources] == [
        False
    ] * len(codes)

    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf_m))
    assert "van papier ingevoerd door ann en bob" in " ".join(text.split())
    assert "gescand, ondertekend met sleutel" in " ".join(text.split())

    published = tmp_path / "published"
    written = hsb_publish.publish(mixed, published, PASSPHRASE.encode())
    part = decode_keyed((published / lost / FILE_NAME).read_bytes())
    assert part.keyed_by == ["ann", "bob"] and part.authority_id == lost
    assert not (published / lost / "summary.tks").exists()
    assert any(p.name == FILE_NAME for p in written)

    # verify says where every part came from, and the keyed part holds in the tree
    report = verify_dir(published)
    sources = {p.unit: p.source for p in report.sources if p.parent == f"HSB{district}"}
    assert sources[lost] == "van papier ingevoerd door ann en bob"
    assert all(sources[c].startswith("gescand, ondertekend met sleutel") for c in codes if c != lost)
    assert tree_findings(report) == []
    unsigned = {f.unit for f in report.findings if f.check == "completeness" and f.field == "signed summary"}
    others = {m.code for m in chain.election.municipalities if m.district_id != district}
    assert lost not in unsigned and others <= unsigned  # keyed and signed for by the office above it
    console = Console(record=True, width=160)
    render(report, console)
    assert "van papier ingevoerd door ann en bob" in console.export_text()

    # a keyed record changed after the fact (other typists) no longer matches what the office signed
    (published / lost / FILE_NAME).write_bytes(
        encode_keyed(msgspec.structs.replace(part, keyed_by=["ann", "eve"]))
    )
    assert {(f.unit, f.field) for f in tree_findings(verify_dir(published))} == {
        (lost, "child digest"),
        (lost, "source (keyed part)"),
    }


def tree_findings(report: Report) -> list[Finding]:
    """The findings about the district's children and their sources (the folder holds one district's
    office, without the municipalities' own files: completeness and their 510b are not asked here)."""
    fields = {"child digest", "child summary", "keyed part", "source (keyed part)", "source (scanned, key)"}
    return [f for f in report.findings if f.check == "hash" and f.field in fields]


def test_the_second_entry_is_typed_by_another_user_and_differences_go_to_the_coordinator(
    chain: Chain, tmp_path: Path
) -> None:
    office, district = office_for(chain, tmp_path)
    code = chain.codes(district)[0]
    keyed.enter(office, code, "ann", paper(chain, code))
    with pytest.raises(StateError, match="another user"):
        keyed.enter(office, code, "ann", paper(chain, code))
    typo = paper(chain, code)
    typo.eligible_voters += 10  # a typo no rule can see: only the double entry catches it
    typo.report.votes.blank, typo.report.votes.invalid = typo.report.votes.invalid, typo.report.votes.blank
    out = keyed.enter(office, code, "bob", typo)
    assert out.state == "entries_different" and not out.digest
    assert out.differences == ("eligible_voters", "votes.blank", "votes.invalid")
    assert office.book().missing[0] == code  # differing entries never count
    with pytest.raises(StateError, match="coordinator decides"):
        keyed.enter(office, code, "cas", paper(chain, code))
    assert keyed.resolve(office, code, "coco", "keep_first") == "first_entry_done"
    assert keyed.enter(office, code, "cas", paper(chain, code)).state == "definitive"
    with pytest.raises(StateError, match="already in"):
        keyed.enter(office, code, "dirk", paper(chain, code))
    actions = [r[0] for r in office.conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions[-5:] == ["keyed_entry", "keyed_entry", "keyed_resolve", "keyed_entry", "summary_accept"]


def test_totals_level_rules_refuse_an_inconsistent_entry_and_warnings_need_confirming(
    chain: Chain, tmp_path: Path
) -> None:
    office, district = office_for(chain, tmp_path)
    code = chain.codes(district)[0]
    true = chain.total(code)
    with pytest.raises(StateError, match=r"F\.201"):  # A + B + C ≠ D
        keyed.enter(office, code, "ann", paper(chain, code, poll_cards=true.poll_cards + 1))
    bad = paper(chain, code)
    bad.report.differences.more_ballots = 3  # D ≠ H − I + J
    with pytest.raises(StateError, match=r"F\.312"):
        keyed.enter(office, code, "ann", bad)
    no_z = paper(chain, code)
    no_z.eligible_voters = 0
    with pytest.raises(StateError, match=r"W\.205"):
        keyed.enter(office, code, "ann", no_z)
    few_z = paper(chain, code)
    few_z.eligible_voters = true.poll_cards - 1
    with pytest.raises(StateError, match=r"W\.206"):
        keyed.enter(office, code, "ann", few_z)
    out = keyed.enter(office, code, "ann", few_z, accept_warnings=True)
    assert [r.code for r in out.findings.warnings] == ["W.206"]
    with pytest.raises(InputError, match="64 hexadecimal"):
        keyed.enter(office, code, "bob", msgspec.structs.replace(paper(chain, code), eml_sha256="12 34"))
    with pytest.raises(InputError, match="not one of the authorities"):
        keyed.enter(office, "9999", "ann", paper(chain, code))


def test_a_keyed_part_never_replaces_a_summary_that_is_in(chain: Chain, tmp_path: Path) -> None:
    office, district = office_for(chain, tmp_path)
    code = chain.codes(district)[0]
    assert not receive_message(office, code, municipal_summary(chain, code)).refused
    with pytest.raises(StateError, match="already in"):
        keyed.enter(office, code, "ann", paper(chain, code))


def test_the_command_line_writes_the_form_and_books_two_entries(
    chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    office, district = office_for(chain, tmp_path)
    state = office.state_dir
    office.conn.close()
    code = chain.codes(district)[0]
    form = tmp_path / "form.json"
    assert main(["hsb", "key", code, "--state", str(state), "--blank", str(form)]) == 0
    blank = json.loads(form.read_text())
    assert list(blank) == ["eligible_voters", "report", "eml_sha256"]
    assert [lst["number"] for lst in blank["report"]["lists"]] == [
        lst.number for lst in chain.election.district(district).lists
    ]
    filled = tmp_path / "filled.json"
    filled.write_bytes(msgspec.json.encode(paper(chain, code)))
    for user in ("ann", "bob"):
        assert main(["hsb", "key", code, "--state", str(state), "--user", user, "--from", str(filled)]) == 0
    assert main(["hsb", "key", code, "--state", str(state), "--user", "cas", "--from", str(filled)]) == 4
    (tmp_path / "junk.json").write_text('{"eligible_voters": "many"}')
    assert main(["hsb", "key", chain.codes(district)[1], "--state", str(state), "--user", "ann",
                 "--from", str(tmp_path / "junk.json")]) == 2  # fmt: skip
    reopened = open_office(state, "check", clock=lambda: AT)
    assert code not in reopened.book().missing


def test_the_dashboard_and_the_desk_show_where_each_part_came_from(chain: Chain, tmp_path: Path) -> None:
    office, district = office_for(chain, tmp_path)
    scanned_code, keyed_code = chain.codes(district)[:2]
    assert not receive_message(office, scanned_code, municipal_summary(chain, scanned_code)).refused
    keyed.enter(office, keyed_code, "ann", paper(chain, keyed_code))
    rows = {r.code: r for r in hsb_publish.status(office).rows}
    assert rows[scanned_code].source.startswith("gescand, ondertekend met sleutel ")
    assert rows[keyed_code].state == "missing"
    assert rows[keyed_code].source == "van papier: eerste invoer klaar, tweede invoer nodig"
    keyed.enter(office, keyed_code, "bob", paper(chain, keyed_code))
    rows = {r.code: r for r in hsb_publish.status(office).rows}
    assert rows[keyed_code].state == "in"
    assert rows[keyed_code].source == "van papier ingevoerd door ann en bob"
    office.conn.close()
    users = UserFile(office.state_dir / USERS_FILE, ("operator", "observer"))
    users.add("otto", "observer", PW)
    client = TestClient(create_hsb_app(office.state_dir), follow_redirects=True)
    login(client, "otto")
    page = client.get("/status").text
    row = re.search(rf'data-code="{keyed_code}">(.*?)</tr>', page, re.DOTALL)
    assert row and "<td>van papier ingevoerd door ann en bob</td>" in row.group(1)


def test_at_a_terminal_the_form_is_asked_in_the_order_of_the_paper(chain: Chain, tmp_path: Path) -> None:
    office, district = office_for(chain, tmp_path)
    code = chain.codes(district)[0]
    typed = paper(chain, code)
    r = typed.report
    voters, votes, diff = r.voters, r.votes, r.differences
    answers = [typed.eligible_voters, voters.poll_cards, voters.proxy_certificates, voters.voter_cards,
               voters.admitted_voters, *votes.list_votes, votes.votes_on_candidates, votes.blank,
               votes.invalid, votes.ballots_cast, diff.more_ballots, diff.fewer_ballots]  # fmt: skip
    for entry in r.lists:
        answers += [*entry.candidate_votes, entry.total]
    script = iter(["twaalf", *(f"{n:,}".replace(",", ".") if n else "" for n in answers), "AB" * 32])
    asked: list[str] = []

    def ask(label: str) -> str:
        asked.append(label)
        return next(script)

    blank = kd.blank_totals(keyed.context(office, code))
    got = ask_totals(blank, office.list_names(code), ask)
    assert asked[:7] == ["Z kiesgerechtigden: "] * 2 + ["A stempassen: ", "B volmachtbewijzen: ",
                         "C kiezerspassen: ", "D toegelaten kiezers: ", asked[6]]  # fmt: skip
    assert asked[6].startswith("E.1 ") and asked[-2] == f"lijst {r.lists[-1].number} totaal: "
    assert got.eligible_voters == typed.eligible_voters and got.eml_sha256 == "AB" * 32
    assert got.report.voters == r.voters and got.report.votes == r.votes and got.report.lists == r.lists
    assert keyed.enter(office, code, "ann", got).state == "first_entry_done"


def test_a_council_whose_municipal_sheet_will_not_scan_is_keyed_at_the_central_office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Abacus's central office does: the municipality's totals re-keyed twice; the 510d equals the one
    from the scanned sheet; the central summary (version 2) and the P 22 name the typists."""
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    results = {}
    for how in ("scanned", "keyed"):
        chain, state, code = enrolled_council(tmp_path / how)
        office = open_central(state, "olga", clock=lambda: AT)
        if how == "scanned":
            assert not central_receive(office, code, municipal_summary(chain, code)).refused
        else:
            keyed.enter(office, code, "ann", paper(chain, code))
            assert keyed.enter(office, code, "bob", paper(chain, code)).state == "definitive"
        central_finalise.finalise(office, passphrase=PASSPHRASE.encode())
        (signed,) = office.conn.execute("SELECT signed_message FROM outputs").fetchone()
        files = dict(office.conn.execute("SELECT name, content FROM output_files").fetchall())
        (eml_510d,) = [bytes(v) for k, v in files.items() if k.startswith("Totaaltelling")]
        (p22,) = [bytes(v) for k, v in files.items() if k.endswith(".pdf")]
        text = " ".join("".join(pg.get_textpage().get_text_range() for pg in pdfium.PdfDocument(p22)).split())
        source = (
            "van papier ingevoerd door ann en bob" if how == "keyed" else "gescand, ondertekend met sleutel"
        )
        assert f"({code}): {source}" in text  # P 22-2 says where the municipality's numbers came from
        results[how] = (bytes(signed), eml_510d)
    assert results["keyed"][1] == results["scanned"][1]  # the 510d, byte for byte
    summary = decode_summary(split_signed(results["keyed"][0], where="csb").summary_bytes)
    assert summary.version == 2 and summary.sources[0].keyed_by == ["ann", "bob"]
    scanned = decode_summary(split_signed(results["scanned"][0], where="csb").summary_bytes)
    assert not scanned.sources[0].keyed


def test_a_whole_chain_with_a_keyed_municipality_verifies_and_the_site_marks_it(
    chain: Chain, tmp_path: Path
) -> None:
    """Two districts; in the first, one municipality's sheet would not scan and was keyed at its
    hoofdstembureau. The central office scans both HSB summaries, finalises and publishes; the municipalities
    publish their own files (the keyed one too: only its sheet was damaged). `verify` holds on the whole
    folder and reports the keyed part; the results site marks it on the district's page."""
    published = tmp_path / "published"
    keyed_code = chain.codes(chain.election.districts[0].id)[0]
    hsb: list[tuple[str, bytes, bytes]] = []
    for d in chain.election.districts:
        office = open_office(make_hsb_office(chain, tmp_path / f"hsb{d.id}", d.id), "olga", clock=lambda: AT)
        for code in chain.codes(d.id):
            message = municipal_summary(chain, code)
            publish_municipality(chain, code, published, message)
            if code == keyed_code:  # the typists also type the hash printed on the paper report
                (eml,) = (published / code).glob("*.eml.xml")
                typed = msgspec.structs.replace(
                    paper(chain, code), eml_sha256=sha256(eml.read_bytes()).hexdigest()
                )
                keyed.enter(office, code, "ann", typed)
                keyed.enter(office, code, "bob", typed)
            else:
                assert not receive_message(office, code, message).refused
        hsb_finalise.finalise(office, passphrase=PASSPHRASE.encode())
        hsb_publish.publish(office, published, PASSPHRASE.encode())
        _, signed, *_ = hsb_finalise.latest(office)
        hsb.append((office.authority_id, (office.state_dir / ENROLMENT_FILE).read_bytes(), signed))
    state = tmp_path / "csb"
    csb_setup.init(
        state,
        definition=(str(chain.a110), chain.a110.read_bytes()),
        candidates=(str(chain.b230), chain.b230.read_bytes()),
        typed_110a=typed_groups(chain.a110.read_bytes()),
        typed_230b=typed_groups(chain.b230.read_bytes()),
        place="Den Haag",
        passphrase=PASSPHRASE.encode(),
        user="setup",
        at=AT,
    )
    central = open_central(state, "olga", clock=lambda: AT)
    fps = [readable_fingerprint(open_enrolment(tke).key_id) for _, tke, _ in hsb]
    csb_setup.enrol_messages(
        central, [(a, tke) for a, tke, _ in hsb], expected=fps, ask=None, show=lambda r: None
    )
    for authority, _, signed in hsb:
        assert not central_receive(central, authority, signed).refused
    central_finalise.finalise(central, passphrase=PASSPHRASE.encode())
    central_publish.publish(central, published, PASSPHRASE.encode())

    report = verify_dir(published)
    assert report.ok, [str(f) for f in report.findings]
    assert [(p.unit, p.source) for p in report.sources if p.source.startswith("van papier")] == [
        (keyed_code, "van papier ingevoerd door ann en bob")
    ]
    pages = [p.read_text() for p in (published / "site").glob("gebied-*.html")]
    marked = [p for p in pages if "(van papier ingevoerd door ann en bob)" in p]
    assert len(marked) == 1 and chain.election.municipality(keyed_code).name in marked[0]

    # the O 3 of a hoofdstembureau deleted: its signed manifest names it (docs/verify.md, `manifest`)
    (o3,) = (published / f"HSB{chain.election.districts[0].id}").glob("Model_O3_*.pdf")
    kept = o3.read_bytes()
    o3.unlink()
    gone = [f for f in verify_dir(published).findings if f.check == "manifest"]
    assert [(f.file, f.found) for f in gone] == [(o3.relative_to(published).as_posix(), "missing")]
    o3.write_bytes(kept)

    # a hash typed wrong from the paper: the record no longer names the municipality's published 510b
    record = published / keyed_code / FILE_NAME
    record.write_bytes(
        encode_keyed(msgspec.structs.replace(decode_keyed(record.read_bytes()), eml_sha256=b"\1" * 32))
    )
    fields = {f.field.split(" (")[0] for f in verify_dir(published).findings if f.unit == keyed_code}
    assert "typed EML hash" in fields
