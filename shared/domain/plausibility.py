"""Plausibility checks across reporting units: advice for people, never a rule that blocks a result.

Double entry catches a typing error; it cannot catch a polling station whose paper is itself wrong but
adds up (two lists' rows swapped, a pile of ballots counted for the neighbouring list, a digit dropped on
the form, an impossible station). Such a unit looks unlike its peers: the other units of the same count
file, which share the ballot, the day and mostly the electorate. Every check compares one unit with its
peers (leave-one-out), with a spread estimated robustly from the units themselves, so places that simply
vote differently raise the bar for everyone instead of being flagged one by one. The statistics, the
thresholds and what they do not prove are in docs/plausibility.md; bench/plausibility.py measures the
detection and false-alarm rates on real Kiesraad files.

Pure: counts in, findings out (scores are floats: this is statistics, not the law's arithmetic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

import msgspec

#: A score above this flags a unit: a 5-sigma deviation under the fitted model (bench/plausibility.py shows
#: what 4 and 6 would cost in false alarms and misses).
Z_FLAG = 5.0
#: A specific explanation (swap, shift, one cell) must reduce the unit's scaled χ² by at least this much (a
#: 6-sigma improvement for one degree of freedom) and leave the unit typical (z below `Z_TYPICAL`).
DELTA_FLAG = 36.0
Z_TYPICAL = 2.5
#: Units with fewer valid votes than this are too small for the distribution tests (they still get the
#: absolute checks).
MIN_VOTES = 100
#: Peers needed before a unit is compared with them.
MIN_PEERS = 3
#: No polling station processes this many ballots in one day (about one voter every 5 s for 14.5 hours).
STATION_BALLOTS_MAX = 10_000
#: A turnout of at least this, over at least `TURNOUT_ABSOLUTE_MIN_ELECTORATE` eligible voters, has never
#: occurred in a Dutch municipality (the highest municipal turnouts are around 90 %).
TURNOUT_ABSOLUTE = 0.99
TURNOUT_ABSOLUTE_MIN_ELECTORATE = 1_000
#: The median of χ²₁, to turn a median of squared residuals into a dispersion factor.
_MEDIAN_CHI2_1 = 0.454936


class Unit(msgspec.Struct, frozen=True, kw_only=True):
    """One reporting unit's counts: valid votes per list in ballot order, blank, invalid, electorate (0 =
    not stated)."""

    id: str
    name: str
    list_votes: tuple[int, ...]
    blank: int
    invalid: int
    eligible: int

    @property
    def valid(self) -> int:
        return sum(self.list_votes)

    @property
    def ballots(self) -> int:
        return self.valid + self.blank + self.invalid


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One piece of advice about one unit.

    `kind` is a short code (docs/plausibility.md): shares, swap, shift, cell, turnout, turnout_limit, blank,
    invalid, size, electorate. `lists` are the list positions (0-based, ballot order) the finding is about;
    `observed` and `expected` are what the unit has and what its peers suggest, in the finding's own unit
    (votes, per mille).
    """

    unit: str
    kind: str
    score: float
    lists: tuple[int, ...] = ()
    observed: tuple[float, ...] = ()
    expected: tuple[float, ...] = ()


def check_units(units: Sequence[Unit], *, stations: bool) -> list[Finding]:
    """All findings for the units of one count file, strongest first.

    `stations` says the units are polling stations (a 510b): voters may vote at any station of their
    municipality, so a station's turnout against its own register is not compared, but its size is; for
    municipalities and districts (510c/d) the electorate is known and turnout is compared.
    """
    findings: list[Finding] = []
    findings += _absolute(units, stations=stations)
    findings += _distribution(units)
    findings += _rate(units, "blank", [u.blank for u in units])
    findings += _rate(units, "invalid", [u.invalid for u in units])
    if not stations:
        findings += _turnout(units)
    findings.sort(key=lambda f: (-f.score, f.unit, f.kind))
    return findings


def _absolute(units: Sequence[Unit], *, stations: bool) -> list[Finding]:
    out: list[Finding] = []
    for u in units:
        if stations and u.ballots > STATION_BALLOTS_MAX:
            out.append(
                Finding(
                    unit=u.id,
                    kind="size",
                    score=u.ballots / STATION_BALLOTS_MAX * Z_FLAG,
                    observed=(float(u.ballots),),
                    expected=(float(STATION_BALLOTS_MAX),),
                )
            )
        if not stations and u.eligible == 0 and u.ballots > 0:
            out.append(Finding(unit=u.id, kind="electorate", score=Z_FLAG, observed=(0.0,)))
        if u.eligible >= TURNOUT_ABSOLUTE_MIN_ELECTORATE and u.ballots >= TURNOUT_ABSOLUTE * u.eligible:
            turnout = u.ballots / u.eligible
            out.append(
                Finding(
                    unit=u.id,
                    kind="turnout_limit",
                    score=Z_FLAG * turnout / TURNOUT_ABSOLUTE,
                    observed=(1000 * turnout,),
                    expected=(1000 * TURNOUT_ABSOLUTE,),
                )
            )
    return out


def wilson_hilferty(chi2: float, df: int) -> float:
    """The standard-normal z of a χ² value with `df` degrees of freedom (Wilson & Hilferty 1931): accurate
    to about 0.01 in the tail we use, and needs no special functions."""
    if df <= 0:
        return 0.0
    k = 2.0 / (9.0 * df)
    root: float = (max(chi2, 0.0) / df) ** (1.0 / 3.0)
    return (root - (1.0 - k)) / math.sqrt(k)


def _chi2_median(df: int) -> float:
    return df * (1.0 - 2.0 / (9.0 * df)) ** 3


class _Fit(msgspec.Struct, frozen=True):
    """A unit against its peers, on the square-root scale of the list shares (where binomial noise has the
    same variance, 1/4n, for every share): the peers' median and robust spread per list, and the unit's
    standardised residuals."""

    unit: Unit
    centre: tuple[float, ...]
    spread: tuple[float, ...]
    score: float

    def residuals(self, counts: Sequence[float]) -> list[float]:
        n = sum(counts)
        if n <= 0:
            return [0.0] * len(counts)
        return [
            (math.sqrt(max(x, 0.0) / n) - c) / math.sqrt(s * s + 0.25 / n)
            for x, c, s in zip(counts, self.centre, self.spread, strict=True)
        ]

    def chi2(self, counts: Sequence[float]) -> float:
        return sum(r * r for r in self.residuals(counts))


def _fits(units: Sequence[Unit]) -> list[_Fit]:
    lists = len(units[0].list_votes)
    roots = [[math.sqrt(v / u.valid) for v in u.list_votes] if u.valid else [] for u in units]
    fits = []
    for k, u in enumerate(units):
        if u.valid < MIN_VOTES:
            continue
        peers = [roots[i] for i, w in enumerate(units) if i != k and w.valid >= MIN_VOTES]
        if len(peers) < MIN_PEERS:
            continue
        centre = tuple(median(p[j] for p in peers) for j in range(lists))
        spread = tuple(_spread([p[j] for p in peers], centre[j]) for j in range(lists))
        fit = _Fit(u, centre, spread, 0.0)
        fits.append(_Fit(u, centre, spread, fit.chi2([float(v) for v in u.list_votes])))
    return fits


def _spread(values: Sequence[float], centre: float) -> float:
    """Between-unit spread of one list's root share: the larger of 1.4826 × MAD (the standard deviation if
    the spread were normal) and the 10–90 % range over 2.563 (its normal equivalent). The second keeps a
    party that is strong in a few places — the SGP in the Bible belt — from making those places outliers:
    a long tail among the peers widens the bar for everyone."""
    ordered = sorted(values)
    last = len(ordered) - 1
    low, high = ordered[round(0.1 * last)], ordered[round(0.9 * last)]
    return max(1.4826 * median(abs(v - centre) for v in values), (high - low) / 2.563)


def _distribution(units: Sequence[Unit]) -> list[Finding]:
    if len(units) < MIN_PEERS + 1 or not units[0].list_votes or len({len(u.list_votes) for u in units}) != 1:
        return []
    fits = _fits(units)
    df = len(units[0].list_votes)
    if len(fits) < MIN_PEERS + 1:
        return []
    phi = max(median(f.score for f in fits) / _chi2_median(df), 1.0)
    out = []
    for fit in fits:
        z = wilson_hilferty(fit.score / phi, df)
        best = _best_explanation(fit, phi, df)
        if best is not None:
            out.append(best)
        elif z > Z_FLAG:
            residuals = fit.residuals([float(v) for v in fit.unit.list_votes])
            worst = max(range(df), key=lambda j: abs(residuals[j]))
            out.append(
                Finding(
                    unit=fit.unit.id,
                    kind="shares",
                    score=z,
                    lists=(worst,),
                    observed=(1000 * fit.unit.list_votes[worst] / fit.unit.valid,),
                    expected=(1000 * fit.centre[worst] ** 2,),
                )
            )
    return out


def _best_explanation(fit: _Fit, phi: float, df: int) -> Finding | None:
    """The most specific error that makes the unit typical again, if one does so markedly.

    Candidates: two lists' rows swapped (no free parameter); votes moved between neighbouring lists on the
    ballot (the split of their sum is fitted); one list's count replaced by what its peers suggest (a dropped
    or changed digit). A swap is preferred over a shift that explains nearly as much, since it fits nothing.
    """
    if fit.score / phi < DELTA_FLAG:
        return None  # no change can lower the (non-negative) χ² by DELTA_FLAG: the typical unit, at once
    x = fit.unit.list_votes
    best: tuple[float, str, tuple[int, ...], tuple[float, ...], tuple[float, ...]] | None = None

    def consider(kind: str, changed: list[float], lists: tuple[int, ...], weight: float = 1.0) -> None:
        nonlocal best
        after = fit.chi2(changed)
        delta = (fit.score - after) / phi
        if delta < DELTA_FLAG or wilson_hilferty(after / phi, df) > Z_TYPICAL:
            return
        if best is None or delta * weight > best[0]:
            observed = tuple(float(x[j]) for j in lists)
            expected = tuple(float(changed[j]) for j in lists)
            best = (delta * weight, kind, lists, observed, expected)

    size = len(x)
    n = float(fit.unit.valid)
    # A swap keeps the unit's total, so only two residuals change: screen every pair in O(1) and score
    # the full vector only for pairs that could pass.
    base = fit.residuals([float(v) for v in x])
    scale = [math.sqrt(s * s + 0.25 / n) for s in fit.spread]
    for i in range(size):
        for j in range(i + 1, size):
            ri = (math.sqrt(x[j] / n) - fit.centre[i]) / scale[i]
            rj = (math.sqrt(x[i] / n) - fit.centre[j]) / scale[j]
            gain = base[i] ** 2 + base[j] ** 2 - ri * ri - rj * rj
            if gain / phi < DELTA_FLAG:
                continue
            swapped = [float(v) for v in x]
            swapped[i], swapped[j] = swapped[j], swapped[i]
            consider("swap", swapped, (i, j), weight=1.1)
    typical = [c * c for c in fit.centre]
    for i in range(size - 1):
        p, q = typical[i], typical[i + 1]
        pair = x[i] + x[i + 1]
        if p + q <= 0:
            continue
        moved = [float(v) for v in x]
        moved[i] = pair * p / (p + q)
        moved[i + 1] = pair - moved[i]
        consider("shift", moved, (i, i + 1))
    for j in range(size):
        others = n - x[j]
        if others <= 0 or typical[j] >= 1.0:
            continue
        # First the count that gives list j its peers' typical share of the corrected total; only if that
        # would explain the unit, the counts one written digit away (a digit dropped, added, changed or two
        # swapped): a cell finding names a correction a person can check against the paper.
        fixed = [float(v) for v in x]
        fixed[j] = typical[j] * others / (1.0 - typical[j])
        if not _explains(fit, phi, df, fixed):
            continue
        for edit in sorted(digit_edits(x[j]), key=lambda e: abs(e - fixed[j])):
            changed = [float(v) for v in x]
            changed[j] = float(edit)
            if _explains(fit, phi, df, changed):
                consider("cell", changed, (j,))
                break
    if best is None:
        return None
    score, kind, lists, observed, expected = best
    return Finding(
        unit=fit.unit.id,
        kind=kind,
        score=wilson_hilferty(score, 1) + Z_FLAG,
        lists=lists,
        observed=observed,
        expected=tuple(round(e, 1) for e in expected),
    )


def _explains(fit: _Fit, phi: float, df: int, changed: Sequence[float]) -> bool:
    after = fit.chi2(changed)
    return (fit.score - after) / phi >= DELTA_FLAG and wilson_hilferty(after / phi, df) <= Z_TYPICAL


def digit_edits(value: int) -> set[int]:
    """Every count one handwritten-digit slip away from `value`: a digit left out, one added, one changed,
    two neighbours swapped (leading zeros dropped)."""
    s = str(value)
    digits = "0123456789"
    out: set[str] = set()
    for k in range(len(s)):
        out.add(s[:k] + s[k + 1 :])
        out.update(s[:k] + d + s[k + 1 :] for d in digits)
        if k + 1 < len(s):
            out.add(s[:k] + s[k + 1] + s[k] + s[k + 2 :])
    for k in range(len(s) + 1):
        out.update(s[:k] + d + s[k:] for d in digits)
    return {int(e) for e in out if e} - {value}


def _rate(units: Sequence[Unit], kind: str, counts: Sequence[int]) -> list[Finding]:
    """Blank or invalid ballots far above the peers' rate (quasi-binomial, dispersion from the median)."""
    pairs = [(u, c) for u, c in zip(units, counts, strict=True) if u.ballots >= MIN_VOTES]
    if len(pairs) < MIN_PEERS + 1:
        return []
    total_count = sum(c for _, c in pairs)
    total_ballots = sum(u.ballots for u, _ in pairs)
    residuals = []
    for u, c in pairs:
        rest = total_ballots - u.ballots
        p = (total_count - c + 0.5) / (rest + 1.0)
        residuals.append((u, c, p, (c - u.ballots * p) / math.sqrt(u.ballots * p * (1.0 - p))))
    phi = max(median(r * r for *_, r in residuals) / _MEDIAN_CHI2_1, 1.0)
    out = []
    for u, c, p, r in residuals:
        z = r / math.sqrt(phi)
        if z > Z_FLAG + 1.0:
            out.append(
                Finding(
                    unit=u.id,
                    kind=kind,
                    score=z,
                    observed=(1000 * c / u.ballots,),
                    expected=(1000 * p,),
                )
            )
    return out


def _turnout(units: Sequence[Unit]) -> list[Finding]:
    """Turnout far from the peers' (robust z of the logit: median and MAD), where the electorate is known."""
    known = [u for u in units if u.eligible > 0 and 0 < u.ballots < u.eligible]
    if len(known) < MIN_PEERS + 1:
        return []
    logits = [math.log(u.ballots / (u.eligible - u.ballots)) for u in known]
    centre = median(logits)
    spread = 1.4826 * median(abs(v - centre) for v in logits)
    if spread <= 0:
        return []
    out = []
    for u, v in zip(known, logits, strict=True):
        z = (v - centre) / spread
        if abs(z) > Z_FLAG:
            typical = 1.0 / (1.0 + math.exp(-centre))
            out.append(
                Finding(
                    unit=u.id,
                    kind="turnout",
                    score=abs(z),
                    observed=(1000 * u.ballots / u.eligible,),
                    expected=(1000 * typical,),
                )
            )
    return out
