"""The counted numbers of one reporting unit (station, municipality, district, nation) and how they add up.

A `Tally` is what a PV's voters-and-votes block and its per-candidate tables hold, with the letters of the
paper models (GLOSSARY): A poll cards, B proxy certificates, C voter cards, D admitted voters, E.x votes per
list, F blank, G invalid, I more / J fewer ballots counted, Z eligible voters. E and H are derived, never
stored, so a tally cannot disagree with itself about them. Counts per list are in ballot order; candidate
votes in list order, so a tally is plain integer arrays (what the summary and EML carry)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from shared.errors import InputError


class ListTally(msgspec.Struct, frozen=True, array_like=True):
    """Votes for one list: E.x, and the votes of each candidate in list order (preference votes)."""

    number: int
    votes: int
    candidate_votes: tuple[int, ...]


class Tally(msgspec.Struct, frozen=True, kw_only=True):
    """The counts of one reporting unit. `explanations` keeps the other EML UncountedVotes reasons by code."""

    eligible_voters: int = 0
    poll_cards: int = 0
    proxy_certificates: int = 0
    voter_cards: int = 0
    admitted_voters: int = 0
    blank: int = 0
    invalid: int = 0
    more_ballots: int = 0
    fewer_ballots: int = 0
    lists: tuple[ListTally, ...] = ()
    explanations: tuple[tuple[str, int], ...] = ()

    @property
    def votes_on_lists(self) -> int:
        """E: the valid votes on lists (the sum of E.x); the basis of the quota (P 5)."""
        return sum(lst.votes for lst in self.lists)

    @property
    def ballots_cast(self) -> int:
        """H = E + F + G: ballots counted."""
        return self.votes_on_lists + self.blank + self.invalid

    def list_votes(self, number: int) -> ListTally:
        for lst in self.lists:
            if lst.number == number:
                return lst
        raise KeyError(number)


#: Scalar fields of a Tally with the letter printed on the paper models.
SCALAR_FIELDS: tuple[tuple[str, str], ...] = (
    ("eligible_voters", "Z"),
    ("poll_cards", "A"),
    ("proxy_certificates", "B"),
    ("voter_cards", "C"),
    ("admitted_voters", "D"),
    ("blank", "F"),
    ("invalid", "G"),
    ("more_ballots", "I"),
    ("fewer_ballots", "J"),
)


class SumMismatch(msgspec.Struct, frozen=True):
    """One field of one unit that does not equal the sum of its parts."""

    unit: str
    field: str
    expected: int
    found: int

    def __str__(self) -> str:
        return f"{self.unit}: {self.field} is {self.found}, the sum of its parts is {self.expected}"


def _shape(t: Tally) -> tuple[tuple[int, int], ...]:
    return tuple((lst.number, len(lst.candidate_votes)) for lst in t.lists)


def add_tallies(parts: Iterable[tuple[str, Tally]], *, unit: str = "total") -> Tally:
    """Add the tallies of the parts (name, tally) field by field.

    All parts must have the same lists and candidates in the same order; a part that differs is named in the
    error, since adding it would silently mix up votes.
    """
    items = list(parts)
    if not items:
        return Tally()
    first_name, first = items[0]
    shape = _shape(first)
    scalars = {name: 0 for name, _ in SCALAR_FIELDS}
    list_votes = [0] * len(shape)
    cand_votes = [[0] * n for _, n in shape]
    explanations: dict[str, int] = {}
    for name, t in items:
        if _shape(t) != shape:
            raise InputError(
                f"lists or candidates differ from those of {first_name}; cannot add up",
                where=f"{unit}/{name}",
            )
        for field, _ in SCALAR_FIELDS:
            scalars[field] += getattr(t, field)
        for i, lst in enumerate(t.lists):
            list_votes[i] += lst.votes
            row = cand_votes[i]
            for j, v in enumerate(lst.candidate_votes):
                row[j] += v
        for code, n in t.explanations:
            explanations[code] = explanations.get(code, 0) + n
    return Tally(
        **scalars,
        lists=tuple(
            ListTally(number, list_votes[i], tuple(cand_votes[i])) for i, (number, _) in enumerate(shape)
        ),
        explanations=tuple(sorted(explanations.items())),
    )


def compare_tallies(unit: str, expected: Tally, found: Tally) -> list[SumMismatch]:
    """Every field where `found` differs from `expected`, named with its paper letter / list / candidate."""
    out: list[SumMismatch] = []
    for field, letter in SCALAR_FIELDS:
        e, f = getattr(expected, field), getattr(found, field)
        if e != f:
            out.append(SumMismatch(unit, f"{letter} ({field})", e, f))
    exp_lists = {lst.number: lst for lst in expected.lists}
    found_lists = {lst.number: lst for lst in found.lists}
    for number in sorted(set(exp_lists) | set(found_lists)):
        el, fl = exp_lists.get(number), found_lists.get(number)
        if el is None or fl is None:
            out.append(SumMismatch(unit, f"list {number}", 0 if el is None else 1, 0 if fl is None else 1))
            continue
        if el.votes != fl.votes:
            out.append(SumMismatch(unit, f"E.{number} (list {number} votes)", el.votes, fl.votes))
        if len(el.candidate_votes) != len(fl.candidate_votes):
            out.append(
                SumMismatch(
                    unit,
                    f"list {number} number of candidates",
                    len(el.candidate_votes),
                    len(fl.candidate_votes),
                )
            )
            continue
        for pos, (ev, fv) in enumerate(zip(el.candidate_votes, fl.candidate_votes, strict=True), start=1):
            if ev != fv:
                out.append(SumMismatch(unit, f"list {number} candidate {pos}", ev, fv))
    exp_expl, found_expl = dict(expected.explanations), dict(found.explanations)
    for code in sorted(set(exp_expl) | set(found_expl)):
        if exp_expl.get(code, 0) != found_expl.get(code, 0):
            out.append(
                SumMismatch(unit, f"explanation '{code}'", exp_expl.get(code, 0), found_expl.get(code, 0))
            )
    return out


def check_sum(unit: str, total: Tally, parts: Mapping[str, Tally]) -> list[SumMismatch]:
    """Check that `total` is the field-wise sum of `parts`; returns the mismatches (empty when it adds up)."""
    return compare_tallies(unit, add_tallies(parts.items(), unit=unit), total)


def check_internal(unit: str, t: Tally) -> list[SumMismatch]:
    """The identities inside one tally: D = A + B + C, list votes = sum of candidate votes, H = D + I − J."""
    out: list[SumMismatch] = []
    abc = t.poll_cards + t.proxy_certificates + t.voter_cards
    if abc != t.admitted_voters:
        out.append(SumMismatch(unit, "D (admitted_voters) = A + B + C", abc, t.admitted_voters))
    for lst in t.lists:
        s = sum(lst.candidate_votes)
        if lst.candidate_votes and s != lst.votes:
            out.append(SumMismatch(unit, f"E.{lst.number} = sum of candidate votes", s, lst.votes))
    expected_h = t.admitted_voters + t.more_ballots - t.fewer_ballots
    if t.ballots_cast != expected_h:
        out.append(SumMismatch(unit, "H (ballots cast) = D + I − J", expected_h, t.ballots_cast))
    return out
