"""What every printed report must hold, read from the PDF as poppler reads it (test_pdf_structure, and the
TK2021 test of the P 22-1).

A report's pages say "Pagina x van y" with y its true page count, the QR sheets at its end included; each QR
sheet carries its "QR-blad" label, its Bijlage title and its page number; no page ends with a heading; the
Bijlagen a report refers to are in its contents; and poppler (pdfinfo, pdftoppm, pdftotext) prints nothing on
stderr, the warning "Suspects object is wrong type" included.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

#: Lines that are headings in our reports: numbered sections and rubrics ("2.6 Aantal volle zetels per lijst",
#: "2.4.1 Is het aantal …", O 3's "3. Aantal stemmen"), parts ("Deel 2 - Telresultaten …") and the P 22's
#: sub-headings above the tables of elected candidates.
HEADING = re.compile(
    r"^(\d+\.\d+(\.\d+)*a? [A-Z][^.]*|\d{1,2}\. [A-Z][^.]*|Deel \d+ - .*"
    r"|Met voorkeursstemmen gekozen kandidaten|Kandidaten die gekozen zijn vanwege hun positie op de lijst"
    r"|Rangschikking van kandidaten voor opvolging|Lijstengroep .*)$"
)
PAGE_OF = re.compile(r"Pagina (\d+) van (\d+)")
SHEET = re.compile(r"QR-blad \d+/\d+")
#: Where the footer starts on a page: the line with the date of the report.
FOOTER = re.compile(r"^Datum: ")
#: The last lines of a blank form's footer: what it is and which model.
MODEL_LINES = re.compile(r"^(Proces-verbaal van |Model )")


def poppler(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


def pages(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    done = poppler("pdftotext", "-layout", str(pdf), "-")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.split("\f")[:-1]


def page_count(pdf: Path) -> int:
    done = poppler("pdfinfo", str(pdf))
    assert done.returncode == 0, done.stderr
    found = re.search(r"^Pages:\s+(\d+)$", done.stdout, re.M)
    assert found, done.stdout
    return int(found.group(1))


def poppler_warnings(pdf: Path, tmp: Path) -> list[str]:
    """What pdfinfo and pdftoppm print on stderr for `pdf` (nothing, for a well-formed PDF)."""
    out = []
    for args in (("pdfinfo", str(pdf)), ("pdftoppm", "-r", "10", "-png", str(pdf), str(tmp / pdf.stem))):
        done = poppler(*args)
        out += [f"{args[0]}: {line}" for line in done.stderr.splitlines()]
    return out


def body_lines(text: str) -> list[str]:
    """The lines of a page between its header (first line) and its footer: from the "Datum:" line of a filled
    report, or the closing document-type and model lines of a blank form (which carries no date)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    end = next((i for i in range(len(lines) - 1, -1, -1) if FOOTER.match(lines[i])), len(lines))
    while end > 1 and MODEL_LINES.match(lines[end - 1]):
        end -= 1
    return lines[1:end]


def stranded_headings(texts: list[str]) -> list[str]:
    """Pages whose last line of text before the footer is a heading (by number, 1-based)."""
    out = []
    for number, text in enumerate(texts, start=1):
        body = [line for line in body_lines(text) if not SHEET.search(line)]
        if body and HEADING.match(re.split(r"\s{3,}", body[-1])[0]):
            out.append(f"page {number} ends with the heading {body[-1]!r}")
    return out


def numbering_problems(texts: list[str]) -> list[str]:
    """Pages without "Pagina x van y", or whose x or y is not true."""
    out = []
    for number, text in enumerate(texts, start=1):
        found = PAGE_OF.findall(text)
        if found != [(str(number), str(len(texts)))]:
            out.append(f"page {number} of {len(texts)} says {found}")
    return out


def sheet_problems(texts: list[str], appendix: str) -> list[str]:
    """QR sheets (pages that say "QR-blad") without the Bijlage title `appendix`; and a report without any."""
    sheets = [n for n, text in enumerate(texts, start=1) if SHEET.search(text)]
    if not sheets:
        return ["no QR sheet"]
    return [f"QR sheet on page {n} lacks {appendix!r}" for n in sheets if appendix not in texts[n - 1]]


def listed_appendices(texts: list[str]) -> tuple[set[str], set[str]]:
    """(the Bijlagen the contents list, the Bijlagen the text refers to), by number."""
    whole = "\n".join(texts)
    listed = set(re.findall(r"^\s*Bijlage (\d): ", whole, re.M))
    referred = set(re.findall(r"[Bb]ijlage (\d)\b", whole))
    return listed, referred
