"""The results site's seat chart: one bar per list, and a colour of its own for every list.

A hemicycle of dots is hard to read at 9 seats (scattered dots) and at 150 on a phone (specks), and a
palette that cycles gives two lists one colour. Bars of real HTML text stay legible at every width and number
of seats: each bar carries its list's name and seats as text, its length is its share of the largest list's.
The chart is hidden from screen readers, who get the table of votes and seats beside it (the same numbers).
The colours: the 18 print-safe ones first, then further hues on the golden angle, each kept only if it is
clearly different from every colour before it, so no two lists share a colour however many stand (TK2021:
37)."""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

from markupsafe import Markup, escape

#: Distinct, print-safe colours for the first lists in ballot order.
PALETTE = (
    "#154273", "#d52b1e", "#39870c", "#f9e11e", "#8fcae7", "#a90061", "#e17000", "#42145f", "#007bc7",
    "#94710a", "#673327", "#76d2b6", "#f092cd", "#275937", "#ffb612", "#b2d7ee", "#ca005d", "#535353",
)  # fmt: skip
#: Two list colours are told apart when they are at least this far apart in RGB (0–255 per channel).
MIN_DISTANCE = 40.0
GOLDEN_ANGLE = 137.508


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _distance(a: str, b: str) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5)


def list_colours(n: int) -> list[str]:
    """`n` different colours, the same for the same `n` (ballot order): after the palette, each one at least
    `MIN_DISTANCE` from every colour before it."""
    chosen = list(PALETTE[:n])
    step = 0
    while len(chosen) < n:
        step += 1
        hue = (step * GOLDEN_ANGLE) % 360 / 360
        lightness = (0.30, 0.45, 0.60, 0.75)[step % 4]
        r, g, b = colorsys.hls_to_rgb(hue, lightness, 0.70)
        candidate = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
        if all(_distance(candidate, c) >= MIN_DISTANCE for c in chosen):
            chosen.append(candidate)
    return chosen


def seat_bars(lists: Sequence[tuple[str, str, int]]) -> Markup:
    """The chart as HTML: a bar per list with seats, as `(label, colour, seats)` in ballot order."""
    most = max((k for _, _, k in lists), default=0)
    if most == 0:
        return Markup("")
    rows = []
    for label, colour, seats in lists:
        if seats == 0:
            continue
        width = f"{85 * seats / most:.2f}".rstrip("0").rstrip(".")  # room for the number after the longest
        rows.append(
            f'<li><span class="bar-label">{escape(label)}</span>'
            f'<span class="bar"><span class="bar-fill" style="width: {width}%; background: {colour}"></span>'
            f'<span class="bar-seats">{seats}</span></span></li>'
        )
    return Markup(f'<ol class="bars" aria-hidden="true">{"".join(rows)}</ol>')
