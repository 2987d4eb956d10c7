"""The results site's parts beside the page flow: list colours, seat chart, file descriptions, station names.

Issue 15: the chart repeated colours beyond 18 lists and read as scattered dots at 23 seats; area pages showed
raw EML ids ("0276::SB1"); the file list called the site's files "other".
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from central.site import station_label
from central.site_chart import MIN_DISTANCE, PALETTE, _distance, list_colours, seat_bars
from central.site_files import describe


def test_every_list_gets_its_own_colour_up_to_sixty_lists() -> None:
    colours = list_colours(60)
    assert colours[:18] == list(PALETTE)
    assert len(set(colours)) == 60
    for i in range(len(PALETTE), 60):
        assert all(_distance(colours[i], c) >= MIN_DISTANCE for c in colours[:i]), colours[i]
    assert list_colours(37) == colours[:37]  # the same list keeps its colour, however many stand
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)


@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=40).filter(
        lambda s: 9 <= sum(s) <= 150
    )
)
def test_the_chart_has_a_bar_per_list_with_seats_its_length_the_share_of_the_largest(
    seats: list[int],
) -> None:
    colours = list_colours(len(seats))
    html = str(seat_bars([(f"{i + 1} Lijst", colours[i], k) for i, k in enumerate(seats)]))
    bar = r'<li><span class="bar-label">(\d+) Lijst</span>.*?width: ([\d.]+)%; background: (#\w+).*?'
    rows = re.findall(bar + r'<span class="bar-seats">(\d+)</span>', html)
    assert [(int(n), int(k)) for n, _, _, k in rows] == [(i + 1, k) for i, k in enumerate(seats) if k]
    most = max(seats)
    for n, width, colour, k in rows:
        assert abs(float(width) - 85 * int(k) / most) < 0.01
        assert colour == colours[int(n) - 1]
    assert 'aria-hidden="true"' in html  # the table beside it is what screen readers read


def test_no_chart_without_seats() -> None:
    assert str(seat_bars([("1 A", "#000000", 0)])) == ""


def test_stations_are_named_not_identified() -> None:
    assert station_label("0276::SB1", "Stembureau Sporthal (postcode: 4439 BA)") == (
        "1 Stembureau Sporthal (postcode: 4439 BA)"
    )
    assert station_label("0085::SB12", "0085::SB12") == "Stembureau 12"
    assert station_label("0085::SB3", "") == "Stembureau 3"


#: Files a municipal and a national demo publish (`telketen demo`), with words that must explain each.
PUBLISHED = {
    "definition/Verkiezingsdefinitie_TK2029.eml.xml": "EML 110a",
    "definition/Kandidatenlijsten_TK2029.eml.xml": "EML 230b",
    "0276/Stembureaus_GR2026_OostNeddam_0276.eml.xml": "Stembureaus van de gemeente Oost-Neddam (EML 110b)",
    "0276/Telling_GR2026_OostNeddam.eml.xml": "Telling van de gemeente Oost-Neddam per stembureau (EML 510b)",
    "0276/Model_Na31-2_GR2026_OostNeddam_0276.pdf": "model Na\u00a031-2",
    "0276/Model_Na31-1_GR2026_OostNeddam_0276.pdf": "model Na\u00a031-1, decentrale stemopneming",
    "0276/Model_Na14-1_GR2026_OostNeddam_0276.pdf": "Corrigenda van stembureaus van de gemeente Oost-Neddam",
    "0276/summary.tks": "Ondertekende samenvatting van de gemeente Oost-Neddam",
    "0276/key.tke": "Publieke sleutel van de gemeente Oost-Neddam",
    "0276/Hashcodes.txt": "Hashcodes van de gemeente Oost-Neddam",
    "0276/manifest.tkm": "alle bestanden die de gemeente Oost-Neddam publiceerde",
    "CSB/manifest.tkm": "alle bestanden die het centraal stembureau publiceerde",
    "HSB7/Telling_TK2029_kieskring_Amsterdam.eml.xml": "hoofdstembureau van kieskring 7 per gemeente",
    "HSB7/Model_O3_TK2029_kieskring_7.pdf": "model O\u00a03",
    "CSB/Totaaltelling_TK2029.eml.xml": "Totaaltelling van het centraal stembureau (EML 510d)",
    "CSB/Resultaat_TK2029.eml.xml": "EML 520",
    "CSB/Model_P22-1_TK2029.pdf": "model P\u00a022-1",
    "CSB/Model_P22-2_GR2026_OostNeddam.pdf": "model P\u00a022-2",
    "CSB/deceased.json": "P 19a",
    "CSB/osv4-3_Telling_GR2026_OostNeddam.csv": "CSV",
}


def test_every_published_file_is_explained() -> None:
    for rel, words in PUBLISHED.items():
        assert words in describe(rel, {"0276": "Oost-Neddam"}), (rel, describe(rel, {"0276": "Oost-Neddam"}))
    assert describe("0999/notes.txt", {}) == "Bijlage van de map 0999"
