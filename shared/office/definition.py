"""The election as this office needs it, from the imported 110a (definition) and 230b (candidate lists).

A thin edge over `shared.formats.eml.build.build_election`: read the two files (naming each in errors) and let
the shared builder apply the definition rules and refuse files of different elections.
"""

from __future__ import annotations

from shared.domain.election import Election
from shared.formats.eml.build import build_election, naming_files
from shared.formats.eml.read import read_110a, read_230b


def election_from_eml(
    a110: bytes, b230: bytes, *more: tuple[str, bytes], where: tuple[str, str] = ("110a", "230b")
) -> Election:
    """Combine a 110a and a 230b into one `Election`; `more` are (name, bytes) of further 230b files (the
    Kiesraad's one per kieskring), each adding its kieskringen's lists."""
    with naming_files({"110a": where[0], "230b": where[1] if not more else "230b"}):
        lists = [read_230b(b230, where[1]), *(read_230b(data, name) for name, data in more)]
        return build_election(read_110a(a110, where[0]), lists)
