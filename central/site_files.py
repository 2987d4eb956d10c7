"""What each published file is, in a line of Dutch, for the results site's list of files.

A reader who opens the folder sees `0276/Telling_GR2026_OostNeddam.eml.xml` and `CSB/summary.tks`; the site
says what each one is, which tier published it, and in which model or EML message (the names the Kiesraad
uses), so nobody has to know the file naming of the EML_NL standard to find the result of their station."""

from __future__ import annotations

import re
from collections.abc import Mapping

_QR = ", met de ondertekende samenvatting in QR-codes"
#: File name patterns (without the folder) → what the file is; `{who}` is the tier that published it.
KINDS: tuple[tuple[str, str], ...] = (
    (r"Verkiezingsdefinitie_.*\.eml\.xml", "Verkiezingsdefinitie (EML 110a): de verkiezing en haar gebieden"),
    (r"Kandidatenlijsten_.*\.eml\.xml", "Kandidatenlijsten (EML 230b)"),
    (r"Stembureaus_.*\.eml\.xml", "Stembureaus van {who} (EML 110b)"),
    (r"Telling_.*kieskring.*\.eml\.xml", "Telling van {who} per gemeente (EML 510c)"),
    (r"Telling_.*\.eml\.xml", "Telling van {who} per stembureau (EML 510b)"),
    (r"Totaaltelling_.*\.eml\.xml", "Totaaltelling van {who} (EML 510d)"),
    (r"Resultaat_.*\.eml\.xml", "Uitslag: zetels en gekozen kandidaten (EML 520)"),
    (r"Model_Na31-2_.*\.pdf", "Proces-verbaal van {who} (model Na 31-2)" + _QR),
    (r"Model_Na14-2_.*\.pdf", "Proces-verbaal van {who} (model Na 14-2)" + _QR),
    (r"Model_Na31-1_.*\.pdf", "Proces-verbaal van {who} (model Na 31-1, decentrale stemopneming)" + _QR),
    (r"Model_Na14-1_.*\.pdf", "Corrigenda van stembureaus van {who} (model Na 14-1)" + _QR),
    (r"Model_O3_.*\.pdf", "Proces-verbaal van {who} (model O 3)" + _QR),
    (r"Model_P22-1_.*\.pdf", "Proces-verbaal van {who} met de uitslag (model P 22-1)"),
    (r"Model_P22-2_.*\.pdf", "Proces-verbaal van {who} met de uitslag (model P 22-2)"),
    (r"Model_(.+?)_.*\.pdf", "Proces-verbaal van {who} (model {0})"),
    (r".*\.csv", "Uitslag van {who} per stembureau als CSV-bestand (voor spreadsheets)"),
    (r"summary\.tks", "Ondertekende samenvatting van {who}: de getallen en de vingerafdrukken"),
    (r"key\.tke", "Publieke sleutel van {who}: controleert de handtekening van de samenvatting"),
    (r"manifest\.tkm", "Ondertekende lijst van alle bestanden die {who} publiceerde, met hun SHA-256"),
    (r"Hashcodes\.txt", "Hashcodes van {who}: de SHA-256 van de telling en de samenvatting, zoals op papier"),
    (r"plan\.json", "Hertelplan: de te hertellen stembureaus, getrokken met een openbaar startgetal"),
    (r"hertelling\.html", "Uitleg van het hertelplan"),
    (r"hertelformulieren\.pdf", "Hertelformulieren voor de teams die met de hand hertellen"),
    (r"deceased\.json", "Overleden kandidaten, overgeslagen bij de toewijzing (artikel P 19a Kieswet)"),
    (r".*\.eml\.xml", "EML-bestand van {who}"),
    (r".*\.pdf", "PDF-document van {who}"),
)  # fmt: skip


def publisher(folder: str, municipalities: Mapping[str, str]) -> str:
    """Who published the files in a top-level folder of the published tree, as the site says it."""
    if folder == "CSB":
        return "het centraal stembureau"
    if folder == "definition":
        return "de verkiezing"
    if match := re.fullmatch(r"HSB(\d+)", folder):
        return f"het hoofdstembureau van kieskring {match.group(1)}"
    if folder in municipalities:
        return f"de gemeente {municipalities[folder]}"
    return f"de map {folder}"


def describe(rel: str, municipalities: Mapping[str, str]) -> str:
    """One line of Dutch on the published file at `rel` (a path inside the published folder)."""
    folder, _, name = rel.rpartition("/")
    who = publisher(folder.split("/")[0], municipalities) if folder else "het centraal stembureau"
    for pattern, text in KINDS:
        if match := re.fullmatch(pattern, name):
            return text.format(*match.groups(), who=who)
    return f"Bijlage van {who}"
