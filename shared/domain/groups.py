"""List groups (lijstengroepen): seats and elected candidates when a party's lists differ per kieskring.

Kieswet P 1: lists with the same designation form a list group; identical lists in several kieskringen (a
"stel gelijkluidende lijsten") count as one list. The group competes as one list for the seats (P 5–P 10, with
its votes summed over all its lists), and its seats are then split over its lists (P 12: group quota, full
seats, largest remainders, a lot on a tie). A list that got more seats than it has candidates passes the
surplus to the group's other lists by largest averages (P 13). Candidates are elected per group: whoever has
more votes than the preference threshold, counted on all the group's lists together, is elected by preference
and takes a seat on the list where most of those votes were cast (P 15, P 16); the other seats go in list
order on each list (P 17), and a candidate elected on more than one list counts on the one where he got most
votes, the lowest kieskring on a tie, his other seats going down those lists again (P 18).

Pure computation: candidates are identified by a key the caller builds (`candidate_key`), lots are inputs
(`shared.domain.apportionment.Lots`), and every decision is kept as a step, so the P 22-1 prints why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Literal

import msgspec

from shared.domain.apportionment import (
    GroupSplit,
    LotRequest,
    LotRequired,
    Lots,
    LotStep,
    fraction_text,
    split_group_seats,
)
from shared.domain.election import Candidate, CandidateList, District, DistrictId, Election
from shared.domain.tally import ListTally, Tally
from shared.errors import InputError

CandidateKey = tuple[str, ...]


def candidate_key(c: Candidate) -> CandidateKey:
    """Who a candidate is across a group's lists: the 230b gives no shared id, so the person as printed."""
    return (c.last_name, c.prefix or "", c.initials, c.first_name or "", c.locality or "", c.country or "")


def list_label(lst: CandidateList) -> str:
    """A list's name as the Kiesraad's 510d writes it: its designation, or for a list without one
    "Blanco (Zeven, A.J.L.B.)" after its first candidate."""
    if lst.name or not lst.candidates:
        return lst.name
    first = lst.candidates[0]
    return f"Blanco ({first.last_name}, {first.initials})"


# --------------------------------------------------------------------------------------------------- model
class GroupMember(msgspec.Struct, frozen=True, kw_only=True):
    """One list of a group in the sense of P 12: one kieskring's list, or a set of identical lists (P 1).

    `districts` are the kieskringen it was submitted in (ascending); `candidates` its candidates in list order
    (by `candidate_key`); `candidate_votes` their votes summed over those kieskringen.
    """

    districts: tuple[str, ...]
    candidates: tuple[CandidateKey, ...]
    candidate_votes: tuple[int, ...]

    @property
    def votes(self) -> int:
        """The list's stemcijfer: the votes on its candidates (P 2), summed over its kieskringen."""
        return sum(self.candidate_votes)

    @property
    def lowest_district(self) -> int:
        return min(int(d) if d.isdigit() else 0 for d in self.districts)


class ListGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A party's lists over all kieskringen (P 1); one member for a party with the same list everywhere."""

    number: int
    name: str
    members: tuple[GroupMember, ...]
    #: the group's candidates once each, in order of first appearance (kieskring order, then list order)
    candidates: tuple[CandidateKey, ...]

    def candidate_votes(self) -> dict[CandidateKey, int]:
        """Each candidate's votes on all the group's lists together (P 15: "op de gezamenlijke lijsten")."""
        out = dict.fromkeys(self.candidates, 0)
        for m in self.members:
            for key, v in zip(m.candidates, m.candidate_votes, strict=True):
                out[key] += v
        return out

    @property
    def votes(self) -> int:
        return sum(m.votes for m in self.members)


def build_groups(
    election: Election, district_votes: Mapping[str, Mapping[int, Sequence[int]]]
) -> tuple[ListGroup, ...]:
    """The list groups of an election from each kieskring's lists and candidate votes (Kieswet P 1).

    `district_votes` maps a kieskring id to list number → candidate votes in that kieskring's list order.
    Lists with the same number are one party's (the central office numbers a designation once for all
    kieskringen, I 17); identical lists (same candidates, same order) become one member, a stel. A list
    without a designation is named as the Kiesraad's 510d names it: "Blanco (Zeven, A.J.L.B.)".
    """
    by_number: dict[int, list[tuple[District, CandidateList]]] = {}
    for d in election.districts:
        for lst in d.lists:
            by_number.setdefault(lst.number, []).append((d, lst))
    groups = []
    for number in sorted(by_number):
        sets: dict[tuple[CandidateKey, ...], list[tuple[str, tuple[int, ...]]]] = {}
        order: list[CandidateKey] = []
        seen: set[CandidateKey] = set()
        for d, lst in by_number[number]:
            keys = tuple(candidate_key(c) for c in lst.candidates)
            if len(set(keys)) != len(keys):
                raise InputError(f"list {number} names a candidate twice", where=f"kieskring {d.id}")
            votes = tuple(district_votes.get(d.id, {}).get(number, (0,) * len(keys)))
            if len(votes) != len(keys):
                raise InputError(
                    f"list {number} has {len(keys)} candidates but {len(votes)} candidate counts",
                    where=f"kieskring {d.id}",
                )
            sets.setdefault(keys, []).append((d.id, votes))
            for k in keys:
                if k not in seen:
                    seen.add(k)
                    order.append(k)
        members = []
        for keys, parts in sets.items():
            summed = [0] * len(keys)
            for _, votes in parts:
                for i, v in enumerate(votes):
                    summed[i] += v
            members.append(
                GroupMember(
                    districts=tuple(d for d, _ in parts), candidates=keys, candidate_votes=tuple(summed)
                )
            )
        members.sort(key=lambda m: m.lowest_district)
        name = list_label(by_number[number][0][1])
        groups.append(ListGroup(number=number, name=name, members=tuple(members), candidates=tuple(order)))
    return tuple(groups)


# --------------------------------------------------------------------------------------------------- steps
class GroupExhaustionStep(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="group_exhaustion"
):
    """Kieswet P 13 lid 1: a list of the group has fewer candidates than seats; the surplus moves on."""

    group: int
    member: int
    seats: int
    article: str = "P 13"


class GroupResidualStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="group_residual"):
    """Kieswet P 13 lid 2: a moved seat given to the list of the group with the largest average."""

    group: int
    member: int
    value: str
    by_lot: bool
    article: str = "P 13"


class GroupElectedStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="group_elected"):
    """A group's candidate elected on one of its lists: by preference (P 15/P 16), list order (P 17/P 18)."""

    group: int
    member: int
    candidate: int
    votes: int
    rule: Literal["preference", "list_order"]
    by_lot: bool
    article: str


GroupStep = LotStep | GroupExhaustionStep | GroupResidualStep | GroupElectedStep


class MemberSeats(msgspec.Struct, frozen=True, kw_only=True):
    """A list of the group after P 12/P 13: its kieskringen, votes, seats, and who is elected on it."""

    districts: tuple[str, ...]
    votes: int
    full_seats: int
    remainder: str
    remainder_seat: bool
    seats: int
    #: positions in the group's candidate order (1-based) of those elected on this list
    elected: tuple[int, ...] = ()


class GroupOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """One group's seats split over its lists and its elected candidates in order of election.

    `elected` are positions in `ListGroup.candidates` (1-based): preference-elected first (by votes), then
    those elected in list order; `by_preference` the first part.
    """

    number: int
    seats: int
    votes: int
    group_quota: str
    members: tuple[MemberSeats, ...]
    elected: tuple[int, ...]
    by_preference: tuple[int, ...]
    steps: tuple[GroupStep, ...] = ()


# --------------------------------------------------------------------------------------------------- engine
def _split(group: ListGroup, seats: int, lots: Lots, steps: list[GroupStep]) -> tuple[GroupSplit, list[int]]:
    """P 12, then P 13: seats per member (index order), an exhausted list's surplus moved within the group."""
    split = split_group_seats(seats, [(i, m.votes) for i, m in enumerate(group.members, start=1)], lots=lots)
    if split.status == "lot_required":
        assert split.lot is not None
        raise LotRequired(split.lot)
    steps.extend(split.steps)
    held = [lst.seats for lst in split.lists]
    size = [len(m.candidates) for m in group.members]
    _pass_on(group, held, [size[i] - held[i] for i in range(len(held))], lots, steps)
    return split, held


def _pass_on(group: ListGroup, held: list[int], room: list[int], lots: Lots, steps: list[GroupStep]) -> None:
    """P 13: a list of the group whose seats outnumber the candidates it can still give (`room` < 0) passes
    the excess on to the group's other lists by largest averages (stemcijfer / (seats + 1)), a lot on a tie.

    Also used once candidates are taken by another list of the group (P 18), so that a list's seat nobody on
    it can fill any more moves to a list that can; lists without votes take part with average 0.
    """
    moved = 0
    for i, r in enumerate(room):
        if r < 0:
            held[i] += r
            room[i] = 0
            moved -= r
            steps.append(GroupExhaustionStep(group=group.number, member=i + 1, seats=-r))
    for _ in range(moved):
        open_ = [i for i in range(len(held)) if room[i] > 0]
        if not open_:
            raise InputError(f"list group {group.number} has fewer candidates than seats", where="P 13")
        values = {i: Fraction(group.members[i].votes, held[i] + 1) for i in open_}
        best = max(values.values())
        tied = [i for i in open_ if values[i] == best]
        by_lot = len(tied) > 1
        winner = tied[0]
        if by_lot:
            request = LotRequest(
                kind="group_split",
                options=tuple(i + 1 for i in tied),
                list_number=group.number,
                reason=f"P 13: lists {[i + 1 for i in tied]} of group {group.number} tie with average {best}",
            )
            drawn = lots.draw(request)
            steps.append(
                LotStep(kind=request.kind, options=request.options, outcome=drawn, reason=request.reason)
            )
            winner = drawn - 1
        held[winner] += 1
        room[winner] -= 1
        steps.append(
            GroupResidualStep(
                group=group.number,
                member=winner + 1,
                value=fraction_text(group.members[winner].votes, held[winner]),
                by_lot=by_lot,
            )
        )


def _preference(
    group: ListGroup,
    held: list[int],
    threshold: Fraction,
    lots: Lots,
    steps: list[GroupStep],
    on: list[list[int]],
) -> list[int]:
    """P 15/P 16: candidates above the threshold on the group's lists together, in order of votes, each on the
    list with most of his votes that still has a free seat (lowest kieskring on equal votes)."""
    position = {k: i for i, k in enumerate(group.candidates, start=1)}
    totals = group.candidate_votes()
    pool = sorted((k for k in group.candidates if totals[k] > threshold), key=lambda k: -totals[k])
    elected: list[int] = []
    while pool:
        free = sum(held) - sum(len(x) for x in on)
        if free <= 0:
            break
        top = totals[pool[0]]
        tied = [k for k in pool if totals[k] == top]
        placeable = [k for k in tied if _best_member(group, k, held, on) is not None]
        by_lot = len(placeable) > free
        if by_lot:
            request = LotRequest(
                kind="candidate",
                options=tuple(position[k] for k in placeable),
                list_number=group.number,
                reason=f"group {group.number}: candidates {[position[k] for k in placeable]} tie with {top} "
                f"votes for {free} remaining seat(s)",
            )
            drawn = lots.draw(request)
            steps.append(
                LotStep(
                    kind=request.kind,
                    options=request.options,
                    outcome=drawn,
                    reason=request.reason,
                    list_number=group.number,
                )
            )
            chosen = group.candidates[drawn - 1]
        else:
            chosen = tied[0]
        pool.remove(chosen)
        member = _best_member(group, chosen, held, on)
        if member is None:
            continue  # every list he stands on is full: he is not elected by preference
        on[member].append(position[chosen])
        elected.append(position[chosen])
        steps.append(
            GroupElectedStep(
                group=group.number,
                member=member + 1,
                candidate=position[chosen],
                votes=totals[chosen],
                rule="preference",
                by_lot=by_lot,
                article="P 16" if by_lot else "P 15",
            )
        )
    return elected


def _votes_on(member: GroupMember, key: CandidateKey) -> int | None:
    try:
        return member.candidate_votes[member.candidates.index(key)]
    except ValueError:
        return None


def _best_member(group: ListGroup, key: CandidateKey, held: list[int], on: list[list[int]]) -> int | None:
    """The group's list with most votes for `key` that still has a free seat; lowest kieskring on a tie."""
    best: tuple[int, int] | None = None
    choice = None
    for i, m in enumerate(group.members):
        v = _votes_on(m, key)
        if v is None or len(on[i]) >= held[i]:
            continue
        rank = (v, -m.lowest_district)
        if best is None or rank > best:
            best, choice = rank, i
    return choice


def _list_order(
    group: ListGroup, held: list[int], lots: Lots, steps: list[GroupStep], on: list[list[int]]
) -> list[int]:
    """P 17 and P 18: the free seats of every list in list order; a candidate taken by several lists at once
    stays on the one with most votes for him (lowest kieskring on a tie), the others take their next one."""
    position = {k: i for i, k in enumerate(group.candidates, start=1)}
    taken = {p for seats in on for p in seats}
    elected: list[int] = []
    while True:
        proposals: dict[int, list[int]] = {}
        for i, m in enumerate(group.members):
            want = held[i] - len(on[i])
            for key in m.candidates:
                if want <= 0:
                    break
                p = position[key]
                if p in taken:
                    continue
                proposals.setdefault(p, []).append(i)
                want -= 1
        if not proposals:
            free = [held[i] - len(on[i]) for i in range(len(held))]
            if not any(free):
                return elected
            # a list whose remaining candidates were all elected on other lists: its seats move on (P 13)
            room = [
                sum(1 for k in m.candidates if position[k] not in taken) if free[i] == 0 else -free[i]
                for i, m in enumerate(group.members)
            ]
            _pass_on(group, held, room, lots, steps)
        for p in sorted(proposals):
            key = group.candidates[p - 1]
            members = proposals[p]
            winner = max(
                members,
                key=lambda i: (_votes_on(group.members[i], key) or 0, -group.members[i].lowest_district),
            )
            on[winner].append(p)
            taken.add(p)
            elected.append(p)
            steps.append(
                GroupElectedStep(
                    group=group.number,
                    member=winner + 1,
                    candidate=p,
                    votes=_votes_on(group.members[winner], key) or 0,
                    rule="list_order",
                    by_lot=False,
                    article="P 18" if len(members) > 1 else "P 17",
                )
            )


def assign_group(group: ListGroup, seats: int, threshold: Fraction, lots: Lots) -> GroupOutcome:
    """Split a group's seats over its lists (P 12, P 13) and elect its candidates (P 15–P 18).

    Raises `LotRequired` (the caller turns it into a `lot_required` result) when a lot must be drawn first.
    """
    steps: list[GroupStep] = []
    split, held = _split(group, seats, lots, steps)
    on: list[list[int]] = [[] for _ in group.members]
    by_pref = _preference(group, held, threshold, lots, steps, on)
    rest = _list_order(group, held, lots, steps, on)
    return GroupOutcome(
        number=group.number,
        seats=seats,
        votes=group.votes,
        group_quota=split.group_quota,
        members=tuple(
            MemberSeats(
                districts=m.districts,
                votes=m.votes,
                full_seats=s.full_seats,
                remainder=s.remainder,
                remainder_seat=s.remainder_seat,
                seats=held[i],
                elected=tuple(on[i]),
            )
            for i, (m, s) in enumerate(zip(group.members, split.lists, strict=True))
        ),
        elected=(*by_pref, *rest),
        by_preference=tuple(by_pref),
        steps=tuple(steps),
    )


def national_view(election: Election, groups: Sequence[ListGroup], district_id: DistrictId) -> District:
    """The contest of the whole election: one list per group with its candidates once each, in group order.

    What the 510d's TotalVotes, the 520 and the P 22-1 speak of: a candidate's position here is his place in
    `ListGroup.candidates`, not a number on any kieskring's ballot.
    """
    people: dict[CandidateKey, Candidate] = {}
    for d in election.districts:
        for lst in d.lists:
            for c in lst.candidates:
                people.setdefault(candidate_key(c), c)
    return District(
        id=district_id,
        name=None,
        lists=tuple(
            CandidateList(
                number=g.number,
                name=g.name,
                candidates=tuple(
                    msgspec.structs.replace(people[k], position=i)
                    for i, k in enumerate(g.candidates, start=1)
                ),
            )
            for g in groups
        ),
    )


def group_tally(groups: Sequence[ListGroup], counts: Tally) -> Tally:
    """The whole election's tally: `counts`' voters and blank/invalid, one list per group with its candidates'
    votes on all its lists together (what the 510d's TotalVotes carries)."""
    return msgspec.structs.replace(
        counts,
        lists=tuple(
            ListTally(g.number, g.votes, tuple(g.candidate_votes()[k] for k in g.candidates)) for g in groups
        ),
    )
