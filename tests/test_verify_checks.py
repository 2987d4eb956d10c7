"""A test per `verify` check that builds the case the check exists for, breaking no hash or signature.

Every forgery here is signed consistently with the genuine key of the body that signs it (the test Publisher's
keys are derived from the authority id, as enrolled in its `key.tke`), and every parent summary is re-signed
over the new digests; and every body signs its manifest over the files it now publishes (`verify_dir`
below reseals them). So no signature, no `eml_sha256`, no child digest and no manifest gives the change
away: only the check under test can. Each test asserts the exact finding of that check, so it fails when the
check is removed (docs/verify.md lists each check with its test).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.domain.keyregister import EnrolmentRecord
from shared.domain.tally import ListTally, Tally
from shared.formats.eml.model import Count510, UnitVotes
from shared.formats.eml.read import read_510
from shared.formats.eml.write import unit_votes, write_510
from shared.formats.signing import (
    message_digest,
    open_enrolment,
    sign_enrolment,
    sign_summary,
    split_signed,
)
from shared.formats.summary import ChildDigest, Summary, counts_from_tally, decode_summary, encode_summary
from telketen.verify import run
from telketen.verify.findings import Finding, Report
from tests.manifest_tools import seal_manifests
from tests.test_verify import Publisher, copy, gr_folder, tk_folder  # noqa: F401  (fixtures)

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture
def gr(request: pytest.FixtureRequest) -> Path:
    """test_verify's municipal council (one municipality, the central office adds it up)."""
    root: Path = request.getfixturevalue("gr_folder")
    return root


@pytest.fixture
def tk(request: pytest.FixtureRequest) -> Path:
    """test_verify's Tweede Kamer (20 kieskringen, hoofdstembureaus in between)."""
    root: Path = request.getfixturevalue("tk_folder")
    return root


# ------------------------------------------------------------------------------------------- forging tools


def genuine_key(authority: str) -> Ed25519PrivateKey:
    """The key the Publisher enrolled for `authority` (it keeps no state)."""
    return Publisher.key(Publisher.__new__(Publisher), authority)


def summary_of(root: Path, folder: str) -> Summary:
    return decode_summary(split_signed((root / folder / "summary.tks").read_bytes()).summary_bytes)


def sign(root: Path, folder: str, summary: Summary, *, by: str | None = None) -> None:
    """Write `summary` into `folder`, signed with the genuine key of `by` (default: its own authority)."""
    key = genuine_key(by or summary.authority_id)
    (root / folder / "summary.tks").write_bytes(sign_summary(encode_summary(summary), key))


def verify_dir(root: Path) -> Report:
    """Verify `root` after every body signed its manifest over what it now publishes (the forger too)."""
    seal_manifests(root, genuine_key)
    return run.verify_dir(root)


def count_file(root: Path, folder: str) -> Path:
    (path,) = (p for p in (root / folder).glob("*.eml.xml") if not p.name.startswith("Resultaat"))
    return path


def folders_bottom_up(root: Path) -> list[str]:
    """The folders with a summary: municipalities, then hoofdstembureaus, then the central office."""
    names = [p.name for p in root.iterdir() if (p / "summary.tks").exists()]
    return sorted(names, key=lambda n: (0 if n.isdigit() else 1 if n.startswith("HSB") else 2, n))


def reseal(root: Path, *, skip: str = "") -> None:
    """Re-sign every summary bottom-up over the current files: `eml_sha256` of its count, children digests of
    the summaries now published. `skip` is a folder left as it is (a forgery signed by another key)."""
    digests: dict[str, bytes] = {}
    for folder in folders_bottom_up(root):
        tks = root / folder / "summary.tks"
        s = summary_of(root, folder)
        if folder != skip:
            s = msgspec.structs.replace(
                s,
                eml_sha256=hashlib.sha256(count_file(root, folder).read_bytes()).digest(),
                children=[
                    ChildDigest(c.authority_id, digests.get(c.authority_id, c.digest)) for c in s.children
                ],
            )
            sign(root, folder, s)
        digests[s.authority_id] = message_digest(tks.read_bytes())


def hsb_with_children(root: Path) -> str:
    """A hoofdstembureau folder whose summary names more than one municipality."""
    return next(
        p.name
        for p in sorted(root.iterdir())
        if p.name.startswith("HSB") and len(summary_of(root, p.name).children) > 1
    )


def move_vote(t: Tally) -> Tally:
    """One preference vote moved from the first candidate with votes to the next candidate of that list: the
    list totals, and so the seats, stay the same."""
    lists = list(t.lists)
    for i, lst in enumerate(lists):
        votes = list(lst.candidate_votes)
        if len(votes) > 1 and votes[0] > 0:
            votes[0] -= 1
            votes[1] += 1
            lists[i] = ListTally(lst.number, lst.votes, tuple(votes))
            return msgspec.structs.replace(t, lists=tuple(lists))
    raise AssertionError("no candidate votes to move")


def rewrite_count(root: Path, folder: str, change: Callable[[Count510], Count510]) -> Count510:
    path = count_file(root, folder)
    changed = change(read_510(path.read_bytes()))
    path.write_bytes(write_510(changed))
    return changed


def forge_count(root: Path, folder: str, change: Callable[[Count510], Count510]) -> Count510:
    """Change the count in `folder` and sign its summary's totals to match, with the body's own key."""
    changed = rewrite_count(root, folder, change)
    s = summary_of(root, folder)
    sign(root, folder, msgspec.structs.replace(s, counts=counts_from_tally(changed.total.tally)))
    return changed


def with_unit(c: Count510, index: int, tally: Tally) -> Count510:
    units = list(c.units)
    units[index] = unit_votes(units[index].id, units[index].name, tally)
    return msgspec.structs.replace(c, units=tuple(units))


def with_total(c: Count510, tally: Tally) -> Count510:
    total: UnitVotes = unit_votes(c.total.id, c.total.name, tally)
    return msgspec.structs.replace(c, total=total)


def findings(root: Path) -> list[tuple[str, str, str]]:
    return [(f.check, f.file, f.field) for f in verify_dir(root).findings]


def only(root: Path) -> Finding:
    """The first finding, when every finding is about the same file and unit by the same check (a moved vote
    gives one finding for each of the two candidates). Manifest findings are left out: a body forging another
    election signs its manifest for that election too (that check is tested in test_verify_manifest.py)."""
    found = [f for f in verify_dir(root).findings if f.check != "manifest"]
    assert len({(f.check, f.file, f.unit) for f in found}) == 1, found
    return found[0]


# ------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("folder", ["gr", "tk"])
def test_the_forging_tools_leave_a_clean_folder_clean(
    folder: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    root = copy(request.getfixturevalue(folder), tmp_path)
    reseal(root)
    assert verify_dir(root).findings == []


def test_an_upper_unit_that_is_not_the_total_below(gr: Path, tmp_path: Path) -> None:
    """counts.check_chain: the central office changes a municipality's unit in its 510d and its own total
    with it (so the file adds up), and signs that 510d with its own key."""
    root = copy(gr, tmp_path)
    changed = forge_count(
        root,
        "CSB",
        lambda c: with_total(with_unit(c, 0, move_vote(c.units[0].tally)), move_vote(c.total.tally)),
    )
    reseal(root)
    f = only(root)
    assert (f.check, f.file, f.unit) == ("sum", "CSB/" + count_file(root, "CSB").name, changed.units[0].id)
    below = changed.units[0].id
    assert f"{below}/{count_file(root, below).name}" in f.field  # names the file below


def test_a_hoofdstembureau_unit_that_is_not_the_municipality_total(tk: Path, tmp_path: Path) -> None:
    """counts.check_chain for a district: a 510c unit ≠ the 510b below, the 510c adding up in itself."""
    root = copy(tk, tmp_path)
    hsb = sorted(p.name for p in root.iterdir() if p.name.startswith("HSB"))[0]
    changed = forge_count(
        root,
        hsb,
        lambda c: with_total(with_unit(c, 0, move_vote(c.units[0].tally)), move_vote(c.total.tally)),
    )
    # the central office took the district's (wrong) total over faithfully
    district_total = changed.total.tally
    forge_count(
        root,
        "CSB",
        lambda c: with_total(
            with_unit(c, [u.id for u in c.units].index(hsb), district_total), move_vote(c.total.tally)
        ),
    )
    reseal(root)
    f = only(root)
    assert (f.check, f.file, f.unit) == ("sum", f"{hsb}/{count_file(root, hsb).name}", changed.units[0].id)


def test_a_total_that_is_not_the_sum_of_its_units(gr: Path, tmp_path: Path) -> None:
    """counts.check_file_sums: the central office's 510d total is not the sum of its units (signed)."""
    root = copy(gr, tmp_path)
    forge_count(root, "CSB", lambda c: with_total(c, move_vote(c.total.tally)))
    reseal(root)
    f = only(root)
    assert f.check == "sum" and f.unit.startswith("TotalVotes") and f.field.endswith("= sum of units")


def test_signed_totals_that_are_not_the_eml_totals(tk: Path, tmp_path: Path) -> None:
    """tree.check_tree: a municipality signs totals other than the TotalVotes of the 510b it publishes."""
    root = copy(tk, tmp_path)
    muni = next(p.name for p in sorted(root.iterdir()) if p.name.isdigit())
    s = summary_of(root, muni)
    moved = move_vote(
        Tally(lists=tuple(ListTally(x.number, x.votes, tuple(x.candidate_votes)) for x in s.counts.lists))
    )
    counts = msgspec.structs.replace(
        s.counts,
        lists=[type(s.counts.lists[0])(x.number, x.votes, list(x.candidate_votes)) for x in moved.lists],
    )
    sign(root, muni, msgspec.structs.replace(s, counts=counts))
    reseal(root)
    f = only(root)
    assert (f.check, f.file, f.unit) == ("hash", f"{muni}/summary.tks", muni)
    assert f.field.startswith("summary ") and "TotalVotes of" in f.field


@pytest.mark.parametrize(
    ("field", "claim"),
    [("authority_id", "the next municipality"), ("district_id", "99"), ("role", "hoofdstembureau")],
)
def test_a_summary_signed_for_another_body(field: str, claim: str, tk: Path, tmp_path: Path) -> None:
    """tree.verify_signatures: a genuine municipal key signs a summary that claims another body."""
    root = copy(tk, tmp_path)
    munis = [p.name for p in sorted(root.iterdir()) if p.name.isdigit()]
    s = summary_of(root, munis[0])
    target = munis[1] if field == "authority_id" else munis[0]
    if field == "authority_id":  # the other municipality's own summary, signed by the first one's key
        forged = summary_of(root, munis[1])
    else:
        forged = msgspec.structs.replace(s, **{field: msgspec.convert(claim, type(getattr(s, field)))})
    sign(root, target, forged, by=munis[0])
    reseal(root, skip=target)
    name = field.removesuffix("_id")
    found = [f for f in verify_dir(root).findings if f.field == f"{name} (as enrolled for this key)"]
    assert [(f.check, f.file) for f in found] == [("signature", f"{target}/summary.tks")]


def test_a_key_enrolled_for_another_election(tk: Path, tmp_path: Path) -> None:
    """tree.verify_signatures, election against the enrolment: the key's record names another election."""
    root = copy(tk, tmp_path)
    muni = next(p.name for p in sorted(root.iterdir()) if p.name.isdigit())
    record = open_enrolment((root / muni / "key.tke").read_bytes(), where="key.tke")
    other: EnrolmentRecord = msgspec.structs.replace(record, election_id="TK2099")
    (root / muni / "key.tke").write_bytes(sign_enrolment(other, genuine_key(muni)))
    f = only(root)
    assert (f.check, f.file, f.field, f.expected, f.found) == (
        "signature",
        f"{muni}/summary.tks",
        "election (as enrolled for this key)",
        "TK2099",
        record.election_id,
    )


def test_a_summary_of_another_election(tk: Path, tmp_path: Path) -> None:
    """tree.verify_signatures, election against the definition: key and summary agree on a wrong election."""
    root = copy(tk, tmp_path)
    muni = next(p.name for p in sorted(root.iterdir()) if p.name.isdigit())
    record = open_enrolment((root / muni / "key.tke").read_bytes(), where="key.tke")
    key = genuine_key(muni)
    (root / muni / "key.tke").write_bytes(
        sign_enrolment(msgspec.structs.replace(record, election_id="TK2099"), key)
    )
    sign(root, muni, msgspec.structs.replace(summary_of(root, muni), election_id="TK2099"))
    reseal(root)
    f = only(root)
    assert (f.check, f.file, f.field, f.found) == ("signature", f"{muni}/summary.tks", "election", "TK2099")


def test_a_child_left_out_of_a_parent_summary(tk: Path, tmp_path: Path) -> None:
    """tree._check_children: a hoofdstembureau signs children without one of its municipalities."""
    root = copy(tk, tmp_path)
    hsb = hsb_with_children(root)
    s = summary_of(root, hsb)
    dropped = s.children[-1].authority_id
    sign(root, hsb, msgspec.structs.replace(s, children=s.children[:-1]))
    reseal(root)
    f = only(root)
    assert (f.check, f.file, f.unit, f.field, f.found) == (
        "hash",
        f"{hsb}/summary.tks",
        dropped,
        "child summary",
        "missing",
    )


def test_a_child_from_elsewhere_in_a_parent_summary(tk: Path, tmp_path: Path) -> None:
    """tree._check_children: a hoofdstembureau names a municipality of another district as its child."""
    root = copy(tk, tmp_path)
    hsbs = sorted(p.name for p in root.iterdir() if p.name.startswith("HSB"))
    s, other = summary_of(root, hsbs[0]), summary_of(root, hsbs[1])
    sign(root, hsbs[0], msgspec.structs.replace(s, children=[*s.children, other.children[0]]))
    reseal(root)
    f = only(root)
    assert (f.file, f.unit, f.field, f.expected) == (
        f"{hsbs[0]}/summary.tks",
        other.children[0].authority_id,
        "child summary",
        "not a body below this one",
    )


def test_a_child_digest_of_another_body(tk: Path, tmp_path: Path) -> None:
    """tree._check_children: a child's authority paired with the digest of another published summary."""
    root = copy(tk, tmp_path)
    hsb = hsb_with_children(root)
    s = summary_of(root, hsb)
    first, second = s.children[0], s.children[1]
    sign(
        root,
        hsb,
        msgspec.structs.replace(
            s, children=[ChildDigest(first.authority_id, second.digest), *s.children[1:]]
        ),
    )
    reseal(root, skip=hsb)
    f = [x for x in verify_dir(root).findings if x.field == "child digest"]
    assert [(x.file, x.unit) for x in f] == [(f"{hsb}/summary.tks", first.authority_id)]
    assert second.authority_id in f[0].found


def test_children_in_a_municipality_summary(tk: Path, tmp_path: Path) -> None:
    """tree._check_children: a municipality adds up stations, never other summaries."""
    root = copy(tk, tmp_path)
    munis = [p.name for p in sorted(root.iterdir()) if p.name.isdigit()]
    s = summary_of(root, munis[0])
    child = ChildDigest(munis[1], message_digest((root / munis[1] / "summary.tks").read_bytes()))
    sign(root, munis[0], msgspec.structs.replace(s, children=[child]))
    reseal(root)
    f = only(root)
    assert (f.file, f.field, f.found) == (f"{munis[0]}/summary.tks", "children", "1")


def test_a_body_without_a_summary(gr: Path, tmp_path: Path) -> None:
    """tree.check_tree completeness: a municipality's signed summary (and its key) is not published."""
    root = copy(gr, tmp_path)
    muni = next(p.name for p in sorted(root.iterdir()) if p.name.isdigit())
    (root / muni / "summary.tks").unlink()
    (root / muni / "key.tke").unlink()
    found = [(f.check, f.file, f.field) for f in verify_dir(root).findings if f.check == "completeness"]
    assert found == [("completeness", f"{muni}/", "signed summary")]


def test_central_seats_that_are_not_the_recomputation(gr: Path, tmp_path: Path) -> None:
    """result.check_result: the central office signs seats per list that the law does not give."""
    root = copy(gr, tmp_path)
    s = summary_of(root, "CSB")
    seats = list(s.seats)
    top = seats.index(max(seats))
    seats[top] -= 1
    seats[(top + 1) % len(seats)] += 1
    sign(root, "CSB", msgspec.structs.replace(s, seats=seats))
    report = verify_dir(root)
    assert {(f.check, f.file, f.field) for f in report.findings} == {
        ("seats", "CSB/summary.tks", "seats in the central summary")
    }
    assert len(report.findings) == 2


def test_central_summary_without_seats(gr: Path, tmp_path: Path) -> None:
    root = copy(gr, tmp_path)
    sign(root, "CSB", msgspec.structs.replace(summary_of(root, "CSB"), seats=[]))
    f = only(root)
    assert (f.check, f.file, f.found) == ("seats", "CSB/summary.tks", "none")
