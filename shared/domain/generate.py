"""A realistic election generator: the definition and every station's counts, from a seeded random source.

Why: the demo and the national benchmark need an election of real size and real shape (skewed party sizes that
differ per region, preference votes heaped on the list pullers, a few blank and invalid ballots, a few
stations whose ballots and admitted voters differ), and the tests need many small ones. Real complete data
sets are not in the repository, so we generate them.

The domain stays pure: the random source is passed in (anything with the methods of `RandomSource`; the edge
passes a seeded `random.Random`), so the same seed gives the same election, byte for byte, on every machine.
Nothing here reads the clock: dates are fixed per scale.

Every valid Dutch ballot is a vote for one candidate (Kieswet art. J 20), so a list's votes are the sum of its
candidates' votes by construction; every station's tally satisfies D = A + B + C and H = D + I − J.
"""

from __future__ import annotations

import math
from collections.abc import MutableSequence, Sequence
from itertools import accumulate
from typing import Any, Protocol, TypeVar

import msgspec

from shared.domain.election import (
    Candidate,
    CandidateList,
    District,
    DistrictId,
    Election,
    ElectionId,
    Municipality,
    MunicipalityCode,
    Station,
    StationId,
)
from shared.domain.tally import ListTally, Tally

T = TypeVar("T")


class RandomSource(Protocol):
    """The methods of `random.Random` the generator uses; a seeded instance is passed in from the edge."""

    def random(self) -> float: ...

    def randint(self, a: int, b: int) -> int: ...

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float: ...

    def gammavariate(self, alpha: float, beta: float) -> float: ...

    def choices(
        self,
        population: Sequence[T],
        weights: Sequence[float] | None = None,
        *,
        cum_weights: Sequence[float] | None = None,
        k: int = 1,
    ) -> list[T]: ...

    def shuffle(self, x: MutableSequence[Any]) -> None: ...

    def sample(self, population: Sequence[T], k: int) -> list[T]: ...


class GeneratedElection(msgspec.Struct, frozen=True, kw_only=True):
    """An election definition and the true counts of every station (what the paper reports say)."""

    election: Election
    tallies: dict[StationId, Tally]

    def station_tallies(self, code: str) -> list[tuple[StationId, Tally]]:
        """The stations of one municipality with their tallies, in station order."""
        return [(s.id, self.tallies[s.id]) for s in self.election.municipality(code).stations]


def _split(text: str) -> tuple[str, ...]:
    """A word list written compactly, separated by '|' (names may contain spaces)."""
    return tuple(text.split("|"))


# --- names -----------------------------------------------------------------------------------------

#: The 20 kieskringen of the Tweede Kamer (Kieswet art. E 1, bijlage).
KIESKRINGEN = _split(
    "Groningen|Leeuwarden|Assen|Zwolle|Lelystad|Nijmegen|Arnhem|Utrecht|Amsterdam|Haarlem|Den Helder|"
    "'s-Gravenhage|Rotterdam|Dordrecht|Leiden|Middelburg|Tilburg|'s-Hertogenbosch|Maastricht|Bonaire"
)

PARTIES = _split(
    "Partij voor de Polder|Verbond voor Vooruitgang|Sociaal Akkoord|Groen Nederland|"
    "Christelijk Midden|Liberaal Forum|Partij voor Werk en Wonen|Democraten 2030|Boerenbelang|"
    "Vrije Burgerpartij|Ouderenunie|Zeeuws-Hollandse Lijst|Nieuwe Generatie|Dierenpartij Nederland|"
    "Europa Nu|Partij voor Zorg|Lijst Water en Land|Solidair|Republikeinse Partij|Wetenschap en Rede|"
    "Fietspartij|Piratenpartij Nederland|Volkspartij Noord|Lokaal Eerst|Onafhankelijke Kandidaten|"
    "Partij Digitaal|Blauwe Golf|Middenstandslijst|Jongerenlijst|Eerlijk Delen"
)

LOCAL_PARTIES = _split(
    "Gemeentebelangen|Dorpslijst|Lokaal Sterk|Samen Verder|Leefbaar|Progressief Lokaal|Burgerbelang|"
    "Onafhankelijk Gemeentebelang|Groen Lokaal|Christelijke Gemeentelijst|Liberaal Lokaal|"
    "Sociaal Lokaal"
)

FIRST_NAMES_F = _split(
    "Anna|Emma|Sanne|Femke|Lotte|Fleur|Eva|Noor|Lieke|Marieke|Ilse|Joke|Ingrid|Petra|Karin|Monique|"
    "Esther|Yvonne|Fatima|Samira|Priya|Aylin|Hanneke|Wilma|Gerda|Anouk|Sophie|Julia|Maud|Tessa"
)
FIRST_NAMES_M = _split(
    "Jan|Pieter|Kees|Henk|Willem|Bart|Thijs|Daan|Sem|Lars|Ruben|Joost|Maarten|Gerrit|Hans|Erik|"
    "Mohamed|Yusuf|Ahmed|Rajesh|Tim|Niels|Sander|Jeroen|Wouter|Bas|Frank|Koen|Stefan|Arjen"
)
LAST_NAMES = _split(
    "Jansen|Bakker|Visser|Smit|Meijer|Mulder|Bos|Vos|Peters|Hendriks|Dekker|Brouwer|Dijkstra|Kok|"
    "Jacobs|Vermeulen|Willems|Hoekstra|Koster|Prins|Postma|Kuipers|Schouten|Huisman|Kramer|Veenstra|"
    "Timmermans|Verhoeven|Boer|Groot|Bosman|Lammers|Wijnands|Yilmaz|El Amrani|Ramdin|Kaya|Oosterhuis|"
    "Zwart|Haan"
)
#: Last names that take a prefix (tussenvoegsel), with it.
PREFIXED = (
    ("van", "Dijk"),
    ("de", "Vries"),
    ("van der", "Berg"),
    ("de", "Jong"),
    ("van den", "Broek"),
    ("de", "Graaf"),
    ("van", "Leeuwen"),
    ("van der", "Meer"),
    ("de", "Wit"),
    ("ten", "Hove"),
    ("van 't", "Hof"),
    ("in 't", "Veld"),
)
PLACES = _split(
    "Amsterdam|Rotterdam|'s-Gravenhage|Utrecht|Eindhoven|Groningen|Tilburg|Almere|Breda|Nijmegen|"
    "Apeldoorn|Arnhem|Haarlem|Enschede|Amersfoort|Zaanstad|Zwolle|Leiden|Maastricht|Dordrecht|"
    "Zoetermeer|Leeuwarden|Deventer|Delft|Alkmaar|Heerlen|Venlo|Assen|Emmen|Middelburg|Lelystad|"
    "Hoorn|Sneek|Goes|Tiel|Doetinchem|Oss|Weert"
)
BUILDINGS = _split(
    "Gemeentehuis|Dorpshuis|Sporthal|Bibliotheek|Wijkcentrum|Basisschool De Regenboog|"
    "Basisschool De Wegwijzer|Kerkzaal|Buurthuis|Zorgcentrum|Station|Cultureel Centrum|"
    "Brandweerkazerne|Jongerencentrum|Muziekschool|Clubhuis|Theater|Zwembad"
)
_STEMS = _split(
    "Wester|Ooster|Elder|Bram|Holt|Lin|Mar|Rijn|Vliet|Wad|Zand|Berg|Heel|Kamp|Loos|Ammer|Baar|Dal|"
    "Eem|Gooi|Hil|Ijssel|Lek|Maas|Ned|Ros|Steen|Veen|Waal|Zwaan"
)
_ENDINGS = _split(
    "brugge|dam|dijk|veen|wijk|hoven|horst|rade|zijl|huizen|meer|beek|burg|lo|drecht|sloot|wolde|hem|"
    "oord|stein"
)
_QUALIFIERS = ("", "", "", "", "Noord-", "Zuid-", "Oost-", "West-", "Nieuw-", "Oud-", "Groot-")

_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


# --- Kieswet and Gemeentewet rules the generator needs ---------------------------------------------

#: Gemeentewet art. 8: seats of a municipal council by number of inhabitants (upper bound inclusive, seats).
COUNCIL_SEATS = (
    (3_000, 9),
    (6_000, 11),
    (10_000, 13),
    (15_000, 15),
    (20_000, 17),
    (25_000, 19),
    (30_000, 21),
    (35_000, 23),
    (40_000, 25),
    (45_000, 27),
    (50_000, 29),
    (60_000, 31),
    (70_000, 33),
    (80_000, 35),
    (90_000, 37),
    (100_000, 39),
)


def council_seats(inhabitants: int) -> int:
    """Seats of a municipal council for its number of inhabitants (Gemeentewet art. 8; 45 above 200,000)."""
    for bound, seats in COUNCIL_SEATS:
        if inhabitants <= bound:
            return seats
    return 45 if inhabitants > 200_000 else 39


def preference_threshold(seats: int) -> int:
    """Percent of the quota a candidate needs for a preference seat: 25, 50 below 19 seats (Kieswet P 15)."""
    return 25 if seats >= 19 else 50


# --- small random helpers --------------------------------------------------------------------------


def poisson(rng: RandomSource, lam: float) -> int:
    """A Poisson draw: Knuth's product method for small means, a rounded normal for large ones."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def dirichlet_like(rng: RandomSource, shares: Sequence[float], concentration: float) -> list[float]:
    """Shares perturbed around `shares` (a Dirichlet draw with the given concentration), normalised to 1."""
    draws = [rng.gammavariate(max(concentration * s, 1e-3), 1.0) for s in shares]
    total = sum(draws) or 1.0
    return [d / total for d in draws]


def zipf_shares(rng: RandomSource, n: int, exponent: float) -> list[float]:
    """Party sizes that fall off like 1/rank^exponent, with some noise so no two elections look the same."""
    raw = [(1.0 / (rank**exponent)) * math.exp(rng.gauss(0.0, 0.25)) for rank in range(1, n + 1)]
    raw.sort(reverse=True)
    total = sum(raw)
    return [r / total for r in raw]


# --- names -----------------------------------------------------------------------------------------


def _candidate(rng: RandomSource, position: int, home: Sequence[str]) -> Candidate:
    female = rng.random() < 0.45
    first = rng.choices(FIRST_NAMES_F if female else FIRST_NAMES_M)[0]
    initials = first[0] + "."
    if rng.random() < 0.4:
        initials += rng.choices(_LETTERS)[0] + "."
    prefix: str | None = None
    if rng.random() < 0.25:
        prefix, last = rng.choices(PREFIXED)[0]
    else:
        last = rng.choices(LAST_NAMES)[0]
    return Candidate(
        position=position,
        last_name=last,
        initials=initials,
        first_name=first,
        prefix=prefix,
        gender="female" if female else "male",
        locality=rng.choices(home)[0],
    )


def _candidate_list(
    rng: RandomSource, number: int, name: str, size: int, home: Sequence[str]
) -> CandidateList:
    return CandidateList(
        number=number,
        name=name,
        candidates=tuple(_candidate(rng, p, home) for p in range(1, size + 1)),
        list_type="op zichzelf staande lijst",
    )


def _municipality_names(rng: RandomSource, n: int) -> list[str]:
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < n:
        name = rng.choices(_QUALIFIERS)[0] + rng.choices(_STEMS)[0] + rng.choices(_ENDINGS)[0]
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _postal_code(rng: RandomSource) -> str:
    return f"{rng.randint(1000, 9999)} {rng.choices(_LETTERS)[0]}{rng.choices(_LETTERS)[0]}"


def _stations(rng: RandomSource, code: str, town: str, n: int, mean_eligible: int) -> tuple[Station, ...]:
    out = []
    for number in range(1, n + 1):
        building = rng.choices(BUILDINGS)[0]
        eligible = max(150, round(rng.gauss(mean_eligible, mean_eligible * 0.25)))
        out.append(
            Station(
                id=StationId(f"{code}::SB{number}"),
                number=number,
                name=f"{building} {town}" if rng.random() < 0.5 else f"{building} {number}",
                postal_code=_postal_code(rng),
                eligible_voters=eligible,
            )
        )
    return tuple(out)


def _electorate(stations: Sequence[Station]) -> int:
    """The municipality's electorate as its 110b's MaxVotes says it: here the sum of its stations'."""
    return sum(s.eligible_voters or 0 for s in stations)


def _split_sizes(rng: RandomSource, total: int, parts: int, exponent: float) -> list[int]:
    """`total` split into `parts` positive sizes skewed like a Zipf law (a few big cities, many villages)."""
    weights = [1.0 / (r**exponent) * math.exp(rng.gauss(0.0, 0.3)) for r in range(1, parts + 1)]
    rng.shuffle(weights)
    wsum = sum(weights)
    sizes = [max(1, math.floor(total * w / wsum)) for w in weights]
    i = 0
    while sum(sizes) < total:
        sizes[i % parts] += 1
        i += 1
    while sum(sizes) > total:
        j = max(range(parts), key=lambda k: sizes[k])
        sizes[j] -= 1
    return sizes


# --- votes -----------------------------------------------------------------------------------------


def _candidate_weights(rng: RandomSource, size: int, big: bool) -> list[float]:
    """Within-list shares of the preference votes: the list puller takes most, a few others stand out."""
    weights = [math.exp(rng.gauss(0.0, 0.35)) / (p**1.3) for p in range(1, size + 1)]
    puller_share = 0.55 + 0.3 * rng.random() if big else 0.35 + 0.35 * rng.random()
    rest = sum(weights[1:]) or 1.0
    weights[0] = rest * puller_share / (1.0 - puller_share)
    for _ in range(rng.randint(0, 2)):  # a popular local or a woman voted up (voorkeurstemmen)
        if size > 2:
            weights[rng.randint(1, size - 1)] *= 4.0 + 8.0 * rng.random()
    total = sum(weights)
    return [w / total for w in weights]


def station_tally(
    rng: RandomSource,
    station: Station,
    list_numbers: Sequence[int],
    list_shares: Sequence[float],
    candidate_cum: Sequence[Sequence[float]],
    *,
    turnout: float,
    voter_cards: bool,
) -> Tally:
    """One station's counts: admitted voters, ballots, blank and invalid, and every candidate's votes.

    Each valid ballot is drawn: first its list (`list_shares`, this station's party popularity), then its
    candidate on that list (`candidate_cum`, cumulative within-list shares), so the counts have the noise of
    real small numbers. Two small draws per ballot instead of one over all ~1,100 candidates keeps a national
    election (13 million ballots) fast.
    """
    eligible = station.eligible_voters or 0
    admitted = max(1, round(eligible * min(0.98, max(0.2, rng.gauss(turnout, 0.06)))))
    more = fewer = 0
    if rng.random() < 0.06:  # a few stations count more or fewer ballots than admitted voters (I / J)
        diff = rng.choices((-2, -1, -1, 1, 1, 2))[0]
        if diff > 0:
            more = diff
        else:
            fewer = min(-diff, admitted - 1)
    ballots = admitted + more - fewer
    blank = min(poisson(rng, ballots * 0.003), ballots)
    invalid = min(poisson(rng, ballots * 0.002), ballots - blank)
    valid = ballots - blank - invalid
    proxies = min(poisson(rng, admitted * 0.045), admitted)
    cards = min(poisson(rng, admitted * 0.015), admitted - proxies) if voter_cards else 0
    per_list = [0] * len(list_numbers)
    if valid:
        for i in rng.choices(range(len(per_list)), weights=list_shares, k=valid):
            per_list[i] += 1
    lists: list[ListTally] = []
    for number, n, cum in zip(list_numbers, per_list, candidate_cum, strict=True):
        counts = [0] * len(cum)
        if n:
            for j in rng.choices(range(len(cum)), cum_weights=cum, k=n):
                counts[j] += 1
        lists.append(ListTally(number, n, tuple(counts)))
    return Tally(
        eligible_voters=eligible,
        poll_cards=admitted - proxies - cards,
        proxy_certificates=proxies,
        voter_cards=cards,
        admitted_voters=admitted,
        blank=blank,
        invalid=invalid,
        more_ballots=more,
        fewer_ballots=fewer,
        lists=tuple(lists),
    )


def _cumulative(cand_weights: Sequence[Sequence[float]]) -> list[list[float]]:
    return [list(accumulate(ws)) for ws in cand_weights]


# --- the two scales --------------------------------------------------------------------------------


def generate_municipal(
    rng: RandomSource, *, stations: int = 20, lists: int = 8, year: int = 2026, code: str | None = None
) -> GeneratedElection:
    """A municipal council election (GR): one municipality of `stations` stations, `lists` lists of 15–40.

    The number of seats follows from the inhabitants (Gemeentewet art. 8), the preference threshold from the
    seats (Kieswet P 15); the municipality is its own single district `geen` (Kieswet art. E 1 lid 2).
    """
    if stations < 1 or lists < 1:
        raise ValueError("a municipal election needs at least one station and one list")
    code = code or f"{rng.randint(1, 1999):04d}"
    town = _municipality_names(rng, 1)[0]
    station_list = _stations(rng, code, town, stations, 1500)
    eligible = sum(s.eligible_voters or 0 for s in station_list)
    seats = council_seats(round(eligible * 1.27))
    names = rng.sample(LOCAL_PARTIES, min(lists, len(LOCAL_PARTIES))) + rng.sample(
        PARTIES, max(0, lists - 12)
    )
    homes = [town, *rng.sample(PLACES, 2)]
    cand_lists = tuple(
        _candidate_list(rng, i + 1, names[i], rng.randint(15, 40), homes) for i in range(lists)
    )
    district_id = DistrictId("geen")
    municipality = Municipality(
        code=MunicipalityCode(code),
        name=town,
        district_id=district_id,
        stations=station_list,
        electorate=_electorate(station_list),
    )
    election = Election(
        id=ElectionId(f"GR{year}_{town.replace('-', '')}"),
        name=f"Gemeenteraad {town} {year}",
        category="GR",
        subcategory="GR2" if seats >= 19 else "GR1",
        date=f"{year}-03-18",
        nomination_date=f"{year}-02-02",
        seats=seats,
        preference_threshold=preference_threshold(seats),
        districts=(District(id=district_id, name=None, lists=cand_lists),),
        municipalities=(municipality,),
        domain=code,
    )
    shares = zipf_shares(rng, lists, 0.8)
    order = list(range(lists))
    rng.shuffle(order)  # the biggest party need not be list 1
    shares = [shares[order[i]] for i in range(lists)]
    cand_weights = [
        _candidate_weights(rng, len(cl.candidates), shares[i] > 0.15) for i, cl in enumerate(cand_lists)
    ]
    numbers = [cl.number for cl in cand_lists]
    cum = _cumulative(cand_weights)
    tallies: dict[StationId, Tally] = {}
    for station in station_list:
        local = dirichlet_like(rng, shares, 300.0)
        tallies[station.id] = station_tally(
            rng, station, numbers, local, cum, turnout=0.55, voter_cards=False
        )
    return GeneratedElection(election=election, tallies=tallies)


def national_list_sizes(rng: RandomSource, lists: int, per_district: int) -> list[int]:
    """Candidates per list: big parties fill 50–80 places, small ones 10–30; about `per_district` in all."""
    raw = [80.0 / (rank**0.45) for rank in range(1, lists + 1)]
    scale = per_district / sum(raw)
    return [max(5, min(80, round(r * scale + rng.gauss(0.0, 2.0)))) for r in raw]


def generate_national(
    rng: RandomSource,
    *,
    districts: int = 20,
    municipalities: int = 340,
    stations: int = 10_000,
    lists: int = 26,
    candidates: int = 1_100,
    year: int = 2029,
) -> GeneratedElection:
    """A Tweede Kamer election: 150 seats (Constitution art. 51), threshold 25 % (Kieswet P 15).

    The same lists with the same candidates stand in every district (gelijkluidende lijsten, Kieswet
    art. H 11), so list groups are whole parties; party popularity differs per district and per municipality.
    """
    if not 1 <= districts <= len(KIESKRINGEN) or municipalities < districts or stations < municipalities:
        raise ValueError("need 1–20 districts, a municipality per district and a station per municipality")
    if lists > len(PARTIES):
        raise ValueError(f"at most {len(PARTIES)} lists")
    sizes = national_list_sizes(rng, lists, candidates)
    cand_lists = tuple(
        msgspec.structs.replace(
            _candidate_list(rng, i + 1, PARTIES[i], sizes[i], PLACES), list_type="stel gelijkluidende lijsten"
        )
        for i in range(lists)
    )
    district_ids = [DistrictId(str(i)) for i in range(1, districts + 1)]
    district_objs = tuple(
        District(id=d, name=KIESKRINGEN[i], lists=cand_lists) for i, d in enumerate(district_ids)
    )
    # municipalities: spread over the districts, then stations over municipalities, both skewed
    per_district = _split_sizes(rng, municipalities, districts, 0.3)
    codes = rng.sample(range(1, 2000), municipalities)
    names = _municipality_names(rng, municipalities)
    station_counts = _split_sizes(rng, stations, municipalities, 0.7)
    munis: list[Municipality] = []
    k = 0
    for d_index, count in enumerate(per_district):
        for _ in range(count):
            code = f"{codes[k]:04d}"
            munis.append(
                Municipality(
                    code=MunicipalityCode(code),
                    name=names[k],
                    district_id=district_ids[d_index],
                    stations=(own := _stations(rng, code, names[k], station_counts[k], 1750)),
                    electorate=_electorate(own),
                )
            )
            k += 1
    election = Election(
        id=ElectionId(f"TK{year}"),
        name=f"Tweede Kamer der Staten-Generaal {year}",
        category="TK",
        subcategory="TK",
        date=f"{year}-03-21",
        nomination_date=f"{year}-02-05",
        seats=150,
        preference_threshold=25,
        districts=district_objs,
        municipalities=tuple(munis),
    )
    national = zipf_shares(rng, lists, 1.05)
    numbers = [cl.number for cl in cand_lists]
    list_sizes = [len(cl.candidates) for cl in cand_lists]
    tallies: dict[StationId, Tally] = {}
    district_shares = {d: dirichlet_like(rng, national, 60.0) for d in district_ids}
    district_cum = {
        d: _cumulative([_candidate_weights(rng, s, national[i] > 0.06) for i, s in enumerate(list_sizes)])
        for d in district_ids
    }
    for muni in munis:
        m_shares = dirichlet_like(rng, district_shares[muni.district_id], 80.0)
        cum = district_cum[muni.district_id]
        turnout = min(0.92, max(0.55, rng.gauss(0.78, 0.05)))
        for station in muni.stations:
            local = dirichlet_like(rng, m_shares, 400.0)
            tallies[station.id] = station_tally(
                rng, station, numbers, local, cum, turnout=turnout, voter_cards=True
            )
    return GeneratedElection(election=election, tallies=tallies)
