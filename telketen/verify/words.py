"""The words of verify's readable report, in Dutch (the default: the reader compares it with Dutch paper) and
in English (`--lang en`).

The JSON keeps the short English codes and texts the checks write (scripts depend on them); a person reads
them through `say`, which puts the findings' field, expected and found texts into the report's language.
"""

from __future__ import annotations

import re
from typing import Literal

from shared.formats.dutch import number

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")

#: Each check: its name and what it compared, as the report explains it.
CHECKS: dict[Lang, dict[str, tuple[str, str]]] = {
    "nl": {
        "file": ("bestand", "elk gepubliceerd bestand is leesbaar en van een bekende soort"),
        "definition": ("definitie", "één 110a en één 230b per kieskring, onderling kloppend"),
        "layout": ("lijsten", "de lijsten en kandidaten van elke telling = die van de 230b"),
        "sum": ("optelling", "de eenheden van elke telling opgeteld = het totaal in dat bestand"),
        "chain": ("keten", "elke eenheid van een telling = het totaal van het bestand eronder"),
        "completeness": ("volledigheid", "elke gemeente, elk stembureau en elke kieskring is er"),
        "signature": ("handtekening", "elke samenvatting en sleutelbrief tegen de gepubliceerde sleutels"),
        "hash": ("hash", "de hash in elke samenvatting = de SHA-256 van het EML-bestand ernaast"),
        "summary": ("samenvatting", "de getallen van elke ondertekende samenvatting = het totaal in de EML"),
        "paper": ("papier", "de QR-codes van elk proces-verbaal = de ondertekende samenvatting ernaast"),
        "csv": ("osv4-3-CSV", "elk CSV-bestand = het CSV-bestand dat de 510b ernaast oplevert"),
        "seats": ("zetels", "de zetels herberekend uit de totalen = de zetels in de 520 en de samenvatting"),
        "elected": ("gekozen", "de gekozen kandidaten herberekend = die in de 520"),
        "manifest": (
            "manifest",
            "elk gepubliceerd bestand = het bestand in het ondertekende manifest van wie het publiceerde",
        ),
    },
    "en": {
        "file": ("file", "every published file is readable and of a known kind"),
        "definition": ("definition", "one 110a and one 230b per district, consistent with each other"),
        "layout": ("lists", "the lists and candidates of each count = those of the 230b"),
        "sum": ("sum", "the units of each count added up = the total in that file"),
        "chain": ("chain", "each unit of a count = the total of the file below it"),
        "completeness": ("completeness", "every municipality, station and district is there"),
        "signature": ("signature", "every summary and enrolment record against the published keys"),
        "hash": ("hash", "the hash in each summary = the SHA-256 of the EML file beside it"),
        "summary": ("summary", "the numbers of each signed summary = the total in the EML"),
        "paper": ("paper", "the QR codes of each printed report = the signed summary beside it"),
        "csv": ("osv4-3 CSV", "each CSV file = the CSV file the 510b beside it makes"),
        "seats": ("seats", "the seats recomputed from the totals = the seats in the 520 and the summary"),
        "elected": ("elected", "the elected candidates recomputed = those in the 520"),
        "manifest": (
            "manifest",
            "every published file = the file in the signed manifest of who published it",
        ),
    },
}

ROLES: dict[Lang, dict[str, str]] = {
    "nl": {
        "municipality": "gemeente",
        "hoofdstembureau": "hoofdstembureau",
        "central": "centraal stembureau",
    },
    "en": {"municipality": "municipality", "hoofdstembureau": "hoofdstembureau", "central": "central office"},
}
KINDS: dict[Lang, dict[str, str]] = {
    "nl": {
        "summary": "samenvatting",
        "enrolment": "sleutelbrief",
        "keyed": "van papier ingevoerd",
        "manifest": "manifest",
        "deceased": "overleden kandidaten",
        "other": "overig",
        "error": "onleesbaar",
    },
    "en": {"keyed": "keyed from paper", "deceased": "deceased candidates", "error": "unreadable"},
}
HOW: dict[Lang, dict[str, str]] = {
    "nl": {"preference": "voorkeurstemmen", "list_order": "lijstvolgorde", "": "niet herberekend"},
    "en": {"preference": "preference votes", "list_order": "list order", "": "not recomputed"},
}
#: What the parts of a total are (telketen.verify.counts.part_kind, or the kind of file below), plural.
PARTS: dict[Lang, dict[str, str]] = {
    "nl": {"station": "stembureaus", "municipality": "gemeenten", "district": "kieskringen"},
    "en": {"station": "polling stations", "municipality": "municipalities", "district": "districts"},
}

#: The report's fixed texts.
TEXT: dict[Lang, dict[str, str]] = {
    "nl": {
        "title": "Controle van {directory}",
        "unknown_election": "(onbekende verkiezing)",
        "definition": "Definitiebestanden: vergelijk de hashcode met het papier",
        "keys": "Sleutels: vergelijk de vingerafdruk met de ondertekende brief",
        "district": "kieskring {district}",
        "keyed": "Delen van papier ingevoerd (niet gescand): wie ze typten",
        "keyed_row": "{unit} (in het totaal van {parent}): {source}",
        "sources": "Herkomst van de delen: {scanned} gescand en ondertekend, {keyed} van papier ingevoerd",
        "files": "Gelezen bestanden: {files}",
        "checks": "Wat is vergeleken ({total} controles)",
        "check_row": "{name} ({n}): {what}",
        "sum_row": "{file}: som van {parts} {kind} = totaal {authority}: {votes} stemmen",
        "chain_row": "{file}: {parts} eenheden = de totalen van hun {kind}-bestanden",
        "more": "… en nog {n}",
        "deceased": "Overleden kandidaten weggelaten (Kieswet P 19a, deceased.json): {n}",
        "note": "Status ({subject}): {text}",
        "seats": "Zetels (herberekend uit de totalen van het centraal stembureau): {total}",
        "seat_row": "lijst {number} {name}: {seats}",
        "elected": "Gekozen kandidaten (herberekend, naast de 520): {n}",
        "elected_list": "lijst {number} {name}",
        "elected_row": "{candidate}. {name} ({how}; in de 520: {in_520})",
        "elected_row_code": "{name} ({how}; in de 520: {in_520})",
        "yes": "ja",
        "no": "nee",
        "plausibility": "Ter informatie, geen fout: {n} eenheid/eenheden die afwijken van de andere "
        "(plausibiliteit, docs/plausibility.md)",
        "plausibility_row": "{file}, {unit} (score {score}): {detail}",
        "findings": "{n} bevinding(en)",
        "finding_head": "{i}. {check}: {file}",
        "finding_unit": "eenheid: {unit}",
        "finding_field": "veld: {field}",
        "finding_expected": "verwacht: {expected}",
        "finding_found": "gevonden: {found}",
        "findings_more": "… en nog {n} (alle staan in --json)",
        "failed": "NIET GEVERIFIEERD: de gepubliceerde bestanden kloppen niet met elkaar.",
        "verified": "GEVERIFIEERD{unsigned}: {total} controles kloppen, {elected} kandidaten gekozen.",
        "unsigned": " (niet ondertekend: alleen de inhoud van de bestanden)",
        "nothing": "NIET GEVERIFIEERD: niets te controleren.",
    },
    "en": {
        "title": "Verification of {directory}",
        "unknown_election": "(unknown election)",
        "definition": "Definition files: compare the hash code with the paper",
        "keys": "Keys: compare the fingerprint with the signed letter",
        "district": "district {district}",
        "keyed": "Parts keyed from paper (not scanned): who typed them",
        "keyed_row": "{unit} (in the total of {parent}): {source}",
        "sources": "Sources of the parts: {scanned} scanned and signed, {keyed} keyed from paper",
        "files": "Files read: {files}",
        "checks": "What was compared ({total} checks)",
        "check_row": "{name} ({n}): {what}",
        "sum_row": "{file}: sum of {parts} {kind} = total of {authority}: {votes} votes",
        "chain_row": "{file}: {parts} units = the totals of their {kind} files",
        "more": "… and {n} more",
        "deceased": "Deceased candidates passed over (Kieswet P 19a, deceased.json): {n}",
        "note": "Status ({subject}): {text}",
        "seats": "Seats (recomputed from the central office's totals): {total}",
        "seat_row": "list {number} {name}: {seats}",
        "elected": "Elected candidates (recomputed, beside the 520): {n}",
        "elected_list": "list {number} {name}",
        "elected_row": "{candidate}. {name} ({how}; in the 520: {in_520})",
        "elected_row_code": "{name} ({how}; in the 520: {in_520})",
        "yes": "yes",
        "no": "no",
        "plausibility": "For information, not a failure: {n} unit(s) unlike the others (plausibility, "
        "docs/plausibility.md; details in Dutch)",
        "plausibility_row": "{file}, {unit} ({kind}, score {score}): {detail}",
        "findings": "{n} finding(s)",
        "finding_head": "{i}. {check}: {file}",
        "finding_unit": "unit: {unit}",
        "finding_field": "field: {field}",
        "finding_expected": "expected: {expected}",
        "finding_found": "found: {found}",
        "findings_more": "… and {n} more (all of them are in --json)",
        "failed": "NOT VERIFIED: the published files do not agree with each other.",
        "verified": "VERIFIED{unsigned}: {total} checks hold, {elected} candidates elected.",
        "unsigned": " (not signed: only the contents of the files)",
        "nothing": "NOT VERIFIED: nothing to check.",
    },
}

#: The findings' texts the checks write (English, as in the JSON) in Dutch: whole texts first.
_NL_EXACT = {
    "election": "verkiezing",
    "contest": "kieskring",
    "a kieskring of the election": "een kieskring van deze verkiezing",
    "present": "aanwezig",
    "absent": "afwezig",
    "order of lists": "volgorde van de lijsten",
    "TotalCounted = sum of list votes": "TotalCounted = som van de lijststemmen",
    "units": "eenheden",
    "unit": "eenheid",
    "the same lists and candidates": "dezelfde lijsten en kandidaten",
    "different": "verschillend",
    "published": "gepubliceerd",
    "missing": "ontbreekt",
    "station (110b)": "stembureau (110b)",
    "not in the election": "niet in deze verkiezing",
    "510c of the kieskring": "510c van de kieskring",
    "510d (central totals)": "510d (totalen van het centraal stembureau)",
    "one file": "één bestand",
    "QR sheets": "QR-bladen",
    "every QR code of a message": "elke QR-code van een bericht",
    "printed report": "afgedrukt proces-verbaal",
    "a PDF in this folder with this summary in its QR sheets": "een pdf in deze map met deze samenvatting "
    "in de QR-bladen",
    "none: the reports here carry other messages": "geen: de processen-verbaal hier dragen andere berichten",
    "the summary.tks of this folder, or the summary it replaces": "de summary.tks van deze map, of de "
    "samenvatting die die vervangt",
    "deceased candidates": "overleden kandidaten",
    "valid JSON (Kieswet P 19a list)": "geldige JSON (lijst volgens Kieswet P 19a)",
    "seat computation": "zetelberekening",
    "computable from the totals": "te berekenen uit de totalen",
    "lot": "loting",
    "outcome given with --lot (see the P 22 report)": "uitkomst gegeven met --lot (zie proces-verbaal P 22)",
    "520 (result)": "520 (uitslag)",
    "seats in the central summary": "zetels in de samenvatting van het centraal stembureau",
    "the seats per list": "de zetels per lijst",
    "none": "geen",
    "seats (elected candidates in the 520)": "zetels (gekozen kandidaten in de 520)",
    "name": "naam",
    "one version": "één versie",
    "110a (election definition)": "110a (verkiezingsdefinitie)",
    "230b (candidate lists)": "230b (kandidatenlijsten)",
    "definition files": "definitiebestanden",
    "consistent": "onderling kloppend",
    "published files": "gepubliceerde bestanden",
    "EML files and signed summaries": "EML-bestanden en ondertekende samenvattingen",
    "keyed part": "van papier ingevoerd deel",
    "a readable keyed record": "een leesbaar ingevoerd deel",
    "source (keyed part)": "herkomst (van papier ingevoerd)",
    "source (scanned, key)": "herkomst (gescand, sleutel)",
    "enrolment record": "sleutelbrief",
    "a self-signed record": "een door de sleutel zelf ondertekende brief",
    "signed summary": "ondertekende samenvatting",
    "a well-formed signed summary": "een goed gevormde ondertekende samenvatting",
    "key": "sleutel",
    "an enrolment record (.tke) published for this key": "een gepubliceerde sleutelbrief (.tke) voor deze "
    "sleutel",
    "signature": "handtekening",
    "children": "delen",
    "none (a municipality adds up stations)": "geen (een gemeente telt stembureaus op)",
    "child digest": "digest van een deel",
    "the digest of a published summary": "de digest van een gepubliceerde samenvatting",
    "child summary": "samenvatting van een deel",
    "named in children": "genoemd als deel",
    "not a body below this one": "geen instantie onder deze",
    "published and valid": "gepubliceerd en geldig",
    "a second, different file": "een tweede, ander bestand",
    "one 510b beside it": "één 510b ernaast",
    "signed manifest": "ondertekend manifest",
    "a valid signed manifest": "een geldig ondertekend manifest",
    "folder of the manifest": "map van het manifest",
    "one per body": "één per instantie",
    "signed manifest of the published files": "ondertekend manifest van de gepubliceerde bestanden",
    "listed in a body's signed manifest": "genoemd in het ondertekende manifest van een instantie",
    "listed": "genoemd",
    "in no manifest": "in geen enkel manifest",
}
#: Texts with a variable part (file names, numbers, fields) in Dutch.
_NL_PATTERNS = [
    (re.compile(p), r)
    for p, r in (
        (r"^list (\d+)$", r"lijst \1"),
        (r"^list (\d+) name$", r"lijst \1 naam"),
        (r"^list (\d+) candidates$", r"lijst \1 kandidaten"),
        (r"^list (\d+) candidate (.+)$", r"lijst \1 kandidaat \2"),
        (r"^(.+) = sum of units$", r"\1 = som van de eenheden"),
        (r"^one (\S+) per authority$", r"één \1 per instantie"),
        (r"^(\S+) for this unit$", r"\1 voor deze eenheid"),
        (r"^(\d+) files$", r"\1 bestanden"),
        (r"^(\d+) different files$", r"\1 verschillende bestanden"),
        (r"^(\d+) 510b files$", r"\1 510b-bestanden"),
        (r"^made from (.+)$", r"gemaakt uit \1"),
        (r"^line (\d+) differs: (.*)$", r"regel \1 wijkt af: \2"),
        (r"^(\d+) bytes instead of (\d+)$", r"\1 bytes in plaats van \2"),
        (r"^another message \(digest (\w+)\)$", r"een ander bericht (digest \1)"),
        (r"^typed EML hash \(SHA-256 of (.+)\)$", r"getypte EML-hash (SHA-256 van \1)"),
        (r"^keyed by (.+) and (.+)$", r"ingevoerd door \1 en \2"),
        (r"^none for (.+)$", r"geen voor \1"),
        (r"^valid for key (.+)$", r"geldig voor sleutel \1"),
        (r"^(.+) \(as enrolled for this key\)$", r"\1 (zoals ingeschreven voor deze sleutel)"),
        (r"^(\S+) beside the summary$", r"\1 naast de samenvatting"),
        (r"^eml_sha256 \(SHA-256 of (.+)\)$", r"eml_sha256 (SHA-256 van \1)"),
        (r"^authority of (.+)$", r"instantie van \1"),
        (r"^summary (.+) \(= TotalVotes of (.+)\)$", r"samenvatting \1 (= TotalVotes van \2)"),
        (r"^a keyed part of (.+)$", r"een ingevoerd deel van \1"),
        (r"^the keyed part of (.+)$", r"het ingevoerde deel van \1"),
        (r"^(\w+)… matches no published summary$", r"\1… hoort bij geen gepubliceerde samenvatting"),
        (r"^a summary of (.+)$", r"een samenvatting van \1"),
        (r"^the summary of (\S+) \((.+)\)$", r"de samenvatting van \1 (\2)"),
        (r"^a lot is needed \((.+)\) between (.+)$", r"een loting is nodig (\1) tussen \2"),
        (
            r"^(.+)/ \(the folder of the body that signed it\)$",
            r"\1/ (de map van de instantie die het ondertekende)",
        ),
        (r"^also (.+)$", r"ook \1"),
        (r"^file in the manifest of (\S+) \((.+)\)$", r"bestand in het manifest van \1 (\2)"),
        (
            r"^SHA-256 of the file in the manifest of (\S+) \((.+)\)$",
            r"SHA-256 van het bestand in het manifest van \1 (\2)",
        ),
        (r"^(.+) and (.+)$", r"\1 en \2"),
    )
]
#: The few texts the checks write in Dutch (as on the paper), for an English reader.
_EN_PATTERNS = [
    (re.compile(p), r)
    for p, r in (
        (
            r"^gekozen volgens de herberekening, niet in de 520$",
            "elected by the recomputation, not in the 520",
        ),
        (
            r"^gekozen volgens de 520, niet volgens de herberekening$",
            "elected in the 520, not by the recomputation",
        ),
        (r"^(.+) = som van de kieskringen$", r"\1 = sum of the districts"),
        (r"^(.+) \(totaal van (.+)\)$", r"\1 (total of \2)"),
    )
]


def say(text: str, lang: Lang) -> str:
    """A finding's text (field, expected or found) in the report's language; an unknown text unchanged.
    A plain number is printed as the paper prints it (23.412 in Dutch, 23,412 in English)."""
    if text.isascii() and text.isdigit():
        return number(int(text)) if lang == "nl" else f"{int(text):,}"
    if lang == "nl":
        if text in _NL_EXACT:
            return _NL_EXACT[text]
        patterns = _NL_PATTERNS
    else:
        patterns = _EN_PATTERNS
    for pattern, replacement in patterns:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text
