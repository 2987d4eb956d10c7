"""Verify a published folder from scratch: read everything, then run every check and collect the findings.

Order: the definition (110a + 230b + 110b) says what the election is; then each 510's lists against the 230b,
the sums inside each file and up the chain, the signatures, the reports' QR sheets against the signed
summaries, the signed manifests against every file in the folder, the summary tree, and last the seats and
the elected candidates. Each stage adds findings and goes on, so one run lists every problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shared.domain.election import Election
from shared.errors import InputError, TelketenError
from shared.formats.eml.build import build_election
from shared.formats.eml.model import (
    CandidateLists230b,
    Count510,
    Definition110a,
    PollingStations110b,
    Result520,
)
from telketen.verify.collect import Eml, Published, collect
from telketen.verify.counts import check_chain, check_file_sums, check_layout
from telketen.verify.csvfile import check_csvs
from telketen.verify.findings import Report
from telketen.verify.investigations import note_investigations
from telketen.verify.manifest import check_manifests
from telketen.verify.paper import check_paper
from telketen.verify.plausible import plausibility_of
from telketen.verify.result import check_result
from telketen.verify.tree import check_tree, verify_signatures


def _one(published: Published, kind: type[object], name: str, report: Report) -> Eml | None:
    files = published.of_type(kind)
    distinct = {f.sha256: f for f in files}
    report.count("definition")
    if not distinct:
        report.add("definition", "definition/", "-", name, "published", "missing")
        return None
    if len(distinct) > 1:
        report.add(
            "definition",
            " and ".join(f.file for f in distinct.values()),
            "-",
            name,
            "one version",
            f"{len(distinct)} different files",
        )
        return None
    return next(iter(distinct.values()))


def _candidate_lists(published: Published, report: Report) -> list[CandidateLists230b] | None:
    """The 230b files: one for the whole election, or — as the Kiesraad publishes a Tweede Kamer — one per
    kieskring (each hoofdstembureau numbers and publishes its own lists). Two versions of one kieskring's
    lists is a finding."""
    files = {f.sha256: f for f in published.of_type(CandidateLists230b)}
    report.count("definition")
    if not files:
        report.add("definition", "definition/", "-", "230b (candidate lists)", "published", "missing")
        return None
    by_district: dict[str, list[Eml]] = {}
    for f in files.values():
        assert isinstance(f.message, CandidateLists230b)
        for d in f.message.districts:
            by_district.setdefault(str(d.id), []).append(f)
    twice = {k: v for k, v in by_district.items() if len(v) > 1}
    for district, versions in sorted(twice.items()):
        report.add(
            "definition",
            " and ".join(f.file for f in versions),
            f"kieskring {district}",
            "230b (candidate lists)",
            "one version",
            f"{len(versions)} different files",
        )
    if twice:
        return None
    return [
        f.message
        for f in sorted(files.values(), key=lambda f: f.file)
        if isinstance(f.message, CandidateLists230b)
    ]


def election_of(published: Published, report: Report) -> Election | None:
    """The election as the published definition files describe it, or None (with findings) if they can't."""
    d110a = _one(published, Definition110a, "110a (election definition)", report)
    lists = _candidate_lists(published, report)
    if d110a is None or lists is None:
        return None
    stations: dict[str, PollingStations110b] = {}
    for f in published.of_type(PollingStations110b):
        assert isinstance(f.message, PollingStations110b)
        stations.setdefault(f.message.municipality_id, f.message)
    assert isinstance(d110a.message, Definition110a)
    try:
        election = build_election(d110a.message, lists, list(stations.values()))
    except TelketenError as exc:
        report.add("definition", exc.where or d110a.file, "-", "definition files", "consistent", exc.message)
        return None
    for d in election.districts:
        if not d.lists:  # a kieskring whose 230b is not in the folder: said once, not per list of each file
            report.add(
                "definition",
                "definition/",
                f"kieskring {d.id}",
                "230b (candidate lists)",
                "published",
                "missing",
            )
    return election


def verify_dir(directory: Path, *, lots: Sequence[int] = ()) -> Report:
    """Every check on the published files under `directory`; `report.ok` only when all of them hold."""
    if not directory.is_dir():
        raise InputError("not a folder of published files", where=str(directory))
    report = Report(directory=str(directory))
    published = collect(directory, report)
    if not published.emls and not published.summaries:
        report.add("file", str(directory), "-", "published files", "EML files and signed summaries", "none")
        return report
    election = election_of(published, report)
    counts = [(f, f.message) for f in published.emls if isinstance(f.message, Count510)]
    results = [(f, f.message) for f in published.emls if isinstance(f.message, Result520)]
    # A set with no signed summary and no key at all is not a Telketen set with its signatures removed one by
    # one (each removal is a finding): it is a set that was never signed, like the Kiesraad's own files.
    report.signed = bool(published.summaries or published.enrolments)
    if not report.signed:
        report.note(
            "handtekeningen",
            "Niet ondertekend: deze map bevat geen ondertekende samenvattingen of sleutels; handtekeningen "
            "en de hash-boom zijn niet gecontroleerd, alleen de inhoud van de bestanden.",
        )
    summaries = verify_signatures(published, election, report)
    check_paper(published, summaries, report)
    check_manifests(directory, published, election, summaries, report)
    if election is None:
        return report
    report.election_id, report.election_name = election.id, election.name
    for d in election.districts:
        for cl in d.lists:
            report.list_names.setdefault(str(cl.number), cl.name)
    for f, c in counts:
        check_layout(f, c, election, report)
        check_file_sums(f, c, report)
    note_investigations([(f.file, c) for f, c in counts], report)
    check_csvs(published, election, report)
    check_chain(election, counts, report)
    if report.signed:
        check_tree(election, summaries, published, report)
    check_result(election, counts, results, summaries, report, lots, published.deceased)
    report.plausibility = plausibility_of(counts)
    return report
