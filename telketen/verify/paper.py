"""The paper and the files agree: each report's QR sheets carry the signed summary published beside it.

Why: the next tier added up what it scanned from the printed report, and the public checks the `.tks` files.
If the two ever differed, the published tree would vouch for numbers the paper chain never carried. So every
message in a PDF's QR sheets must be a summary published in the same folder whose signature held, or the one
that summary replaces (a corrigendum leaves the earlier report published); and where a folder holds reports
with QR sheets, its summary must be on one of them. A PDF without QR sheets (the central office's P 22,
which goes to no next tier) is not compared.
"""

from __future__ import annotations

from collections import defaultdict

from shared.formats.signing import message_digest
from telketen.verify.collect import Published
from telketen.verify.findings import Report
from telketen.verify.tree import VerifiedSummary

_SHEETS = "signed summary in the QR sheets"


def check_paper(published: Published, summaries: list[VerifiedSummary], report: Report) -> None:
    """Compare every published PDF's QR messages with the verified summaries of its folder."""
    by_folder: dict[str, list[VerifiedSummary]] = defaultdict(list)
    for s in summaries:
        by_folder[s.folder].append(s)
    carried: dict[str, set[bytes]] = defaultdict(set)
    for paper in published.papers:
        for problem in paper.partial:
            report.add("paper", paper.file, paper.folder, "QR sheets", "every QR code of a message", problem)
        here = by_folder.get(paper.folder, [])
        for message in paper.messages:
            report.count("paper")
            digest = message_digest(message)
            carried[paper.folder].add(digest)
            if any(digest in (s.digest, s.summary.supersedes) for s in here):
                continue
            report.add(
                "paper",
                paper.file,
                paper.folder,
                _SHEETS,
                "the summary.tks of this folder, or the summary it replaces",
                f"another message (digest {digest.hex()})",
            )
    for folder, digests in carried.items():
        for s in by_folder.get(folder, []):
            if s.digest not in digests:
                report.add(
                    "paper",
                    s.file,
                    folder,
                    "printed report",
                    "a PDF in this folder with this summary in its QR sheets",
                    "none: the reports here carry other messages",
                )
