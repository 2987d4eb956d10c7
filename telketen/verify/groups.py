"""Verify's own reading of the list-group articles: a party's lists in several kieskringen (Kieswet P 1, P 12,
P 15 lid 2, P 17, P 18), on the Kiesraad's national 510d.

Why here and not in `law.py`: only a multi-kieskring election (Tweede Kamer, EP, some provinces) needs it,
and it works on what the national 510d says per kieskring. Like `law.py` it shares no code with the
central office's (tests/test_architecture.py).

How the law reads, step by step:
- P 1: the lists with one designation form a list group; lists that are the same in several kieskringen form
  one "stel gelijkluidende lijsten", counted as one list. A group gets its seats as one list (P 5–P 10, with
  as many candidates as it has different ones).
- P 12: a group's seats are split over its lists: group quota = group votes / group seats; each list the whole
  times the quota fits in its votes; the seats left by largest remainders, one per list, ties by lot.
- P 15: a candidate whose votes on all lists of the group together exceed the preference threshold is elected
  (in order of those votes); he takes his seat on the list where he got the most votes (a tie: the list of the
  lowest kieskring) — or, when that list has no seat left, on his next list that has one.
- P 17/P 18: each list's remaining seats go in list order; a candidate so elected on several lists keeps
  the seat of the list where he got most votes (tie: lowest kieskring), and the other lists go on down their
  order, until every seat is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from telketen.verify.law import Draws, Lot


@dataclass
class GroupList:
    """One list of a group: the kieskringen it was handed in for, its candidates in order, its votes."""

    districts: list[int]
    candidates: tuple[str, ...]
    votes: int = 0
    candidate_votes: dict[str, int] = field(default_factory=dict)
    seats: int = 0

    @property
    def first_district(self) -> int:
        return min(self.districts)


def gather(rows: Sequence[tuple[int, tuple[str, ...], int, Sequence[int]]]) -> list[GroupList]:
    """The group's lists from its rows per kieskring (district, candidate keys, votes, candidate votes):
    identical candidate sequences are one stel gelijkluidende lijsten (P 1), their votes added."""
    by_candidates: dict[tuple[str, ...], GroupList] = {}
    for district, keys, votes, cand in rows:
        lst = by_candidates.setdefault(keys, GroupList(districts=[], candidates=keys))
        lst.districts.append(district)
        lst.votes += votes
        for key, v in zip(keys, cand, strict=True):
            lst.candidate_votes[key] = lst.candidate_votes.get(key, 0) + v
    return sorted(by_candidates.values(), key=lambda g: g.first_district)


def split(group: int, seats: int, lists: list[GroupList], draws: Draws) -> None:
    """P 12: the group's seats over its lists (sets each list's `seats`)."""
    votes = sum(lst.votes for lst in lists)
    if seats == 0 or votes == 0:
        return
    quota = Fraction(votes, seats)
    for lst in lists:
        lst.seats = int(lst.votes // quota)
    left = seats - sum(lst.seats for lst in lists)
    waiting = list(lists)
    while left > 0:
        top = max(lst.votes - lst.seats * quota for lst in waiting)
        level = [lst for lst in waiting if lst.votes - lst.seats * quota == top]
        if len(level) > left:
            drawn = draws.take(Lot("group_split", tuple(lst.first_district for lst in level), group))
            level = [lst for lst in level if lst.first_district == drawn]
        for lst in level:
            lst.seats += 1
            waiting.remove(lst)
            left -= 1


@dataclass
class Elected:
    """A candidate of the group declared elected, on which list, and how."""

    candidate: str
    list_district: int
    by_preference: bool


def _best_list(candidate: str, lists: list[GroupList], room: dict[int, int]) -> GroupList | None:
    """The list where the candidate got the most votes (a tie: the lowest kieskring) among those with room."""
    own = [lst for lst in lists if candidate in lst.candidate_votes and room[lst.first_district] > 0]
    if not own:
        return None
    return min(own, key=lambda lst: (-lst.candidate_votes[candidate], lst.first_district))


def elect(
    group: int,
    seats: int,
    lists: list[GroupList],
    group_votes: dict[str, int],
    threshold: Fraction,
    draws: Draws,
) -> list[Elected]:
    """P 15 (votes summed over the group), P 17 and P 18 for a group whose seats P 12 has split."""
    room = {lst.first_district: lst.seats for lst in lists}
    order = {key: i for i, key in enumerate(dict.fromkeys(k for lst in lists for k in lst.candidates), 1)}
    out: list[Elected] = []
    waiting = sorted((k for k, v in group_votes.items() if v > threshold), key=lambda k: -group_votes[k])
    while waiting and len(out) < seats:
        level = [k for k in waiting if group_votes[k] == group_votes[waiting[0]]]
        pick = level[0]
        if len(level) > seats - len(out):
            drawn = draws.take(Lot("candidate", tuple(order[k] for k in level), group))
            pick = next(k for k in level if order[k] == drawn)
        waiting.remove(pick)
        target = _best_list(pick, lists, room)
        if target is not None:
            room[target.first_district] -= 1
            out.append(Elected(pick, target.first_district, True))
    done = {e.candidate for e in out}
    while any(room.values()):
        # P 17: every list with room takes its next candidates in list order; P 18: one elected on several
        # lists keeps the seat where he got most votes, the other lists go on down their order.
        offers: dict[str, list[GroupList]] = {}
        for lst in lists:
            free = room[lst.first_district]
            for key in [k for k in lst.candidates if k not in done][:free]:
                offers.setdefault(key, []).append(lst)
        if not offers:
            break  # every candidate of the lists with room is elected already: the seats stay empty
        for key, where in offers.items():
            best = min(where, key=lambda lst: (-lst.candidate_votes.get(key, 0), lst.first_district))
            room[best.first_district] -= 1
            done.add(key)
            out.append(Elected(key, best.first_district, False))
    return out
