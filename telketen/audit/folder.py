"""A published folder as the audit sees it: the contest (110a, 520) and every polling station (510b).

Files are recognised by content, as `verify` does: every `.xml` under the folder that reads as EML counts.
"""

from __future__ import annotations

from pathlib import Path

from shared.domain.election import QUOTA_THRESHOLD_CATEGORIES
from shared.domain.rla import Batch, Contest
from shared.errors import InputError, TelketenError
from shared.formats.eml.model import Count510, Definition110a, Result520
from shared.formats.eml.read import read_eml, read_path


def read_folder(folder: Path) -> tuple[Contest, list[Batch], dict[int, str]]:
    """The contest, the stations in a stable order (file path, then file order) and the list names."""
    if not folder.is_dir():
        raise InputError("not a folder", where=str(folder))
    definitions: list[Definition110a] = []
    results: list[Result520] = []
    counts: list[tuple[str, Count510]] = []
    for path in sorted(folder.rglob("*.xml")):
        try:
            message = read_eml(read_path(path), str(path))
        except TelketenError:
            continue  # not EML (or not readable as such): verify reports those; the audit needs only counts
        if isinstance(message, Definition110a):
            definitions.append(message)
        elif isinstance(message, Result520):
            results.append(message)
        elif isinstance(message, Count510) and message.message_id == "510b":
            counts.append((str(path.relative_to(folder)), message))
    if len(definitions) < 1:
        raise InputError("no election definition (EML 110a) in the folder", where=str(folder))
    if len(results) != 1:
        raise InputError(f"expected one result (EML 520), found {len(results)}", where=str(folder))
    if not counts:
        raise InputError("no polling-station counts (EML 510b) in the folder", where=str(folder))
    definition, result = definitions[0], results[0]
    names = dict(result.lists)
    numbers = tuple(sorted(names))
    seats = result.seats()
    contest = Contest(
        seats=definition.seats,
        lists=numbers,
        reported_seats=tuple(seats.get(n, 0) for n in numbers),
        quota_threshold=definition.election.category in QUOTA_THRESHOLD_CATEGORIES,
    )
    position = {n: k for k, n in enumerate(numbers)}
    batches: list[Batch] = []
    for where, count in counts:
        for layout in count.lists:
            if layout.number not in position:
                raise InputError(f"list {layout.number} is not in the result (520)", where=where)
        for unit in count.units:
            votes = [0] * len(numbers)
            for lst in unit.tally.lists:
                votes[position[lst.number]] = lst.votes
            batches.append(
                Batch(
                    unit=unit.id,
                    municipality=count.authority_name,
                    votes=tuple(votes),
                    ballots=unit.tally.ballots_cast,
                )
            )
    if len({b.unit for b in batches}) != len(batches):
        raise InputError("a polling station appears in more than one count file", where=str(folder))
    return contest, batches, names
