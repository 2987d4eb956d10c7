"""The fast 230b candidate path, the lazy `shared.formats.eml` package and the lean `eml csv` import path.

`fast230.fast_candidate` must give exactly what `read._candidate` gives, or None (then the slow path runs and
names the error): checked on every Candidate of every real 230b/520 sample, and on generated candidates with
the oddities real files may have (prefixes, whitespace, duplicates, nesting, missing parts).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

import shared.formats.eml as eml_package
from shared.domain.election import Candidate
from shared.errors import EmlError
from shared.formats.eml.fast230 import fast_candidate
from shared.formats.eml.read import _candidate, read_230b
from shared.formats.eml.xml import EML_NS, XAL_NS, XNL_NS, e, parse_xml
from tests.conftest import EML_SAMPLES, REPO, needs_shared, reference_params

TK = EML_SAMPLES / "tk2025_westmaasenwaal"
TK510 = TK / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
TK230 = TK / "Kandidatenlijsten_TK2025_Nijmegen.eml.xml"
TK_CSV = TK / "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv"


def _outcome(el: object) -> Candidate | str:
    try:
        return _candidate(el, "f")
    except EmlError as exc:
        return f"error: {exc}"


def _candidate_files() -> list[Path]:
    return sorted(p for p in EML_SAMPLES.rglob("*.xml") if b"Candidate>" in p.read_bytes())


@needs_shared
@pytest.mark.parametrize("path", reference_params(_candidate_files), ids=lambda p: p.name)
def test_fast_path_equals_the_element_walk_on_real_files(path: Path) -> None:
    root = parse_xml(path.read_bytes(), str(path))
    candidates = list(root.iter(e("Candidate")))
    assert candidates
    for el in candidates:
        fast = fast_candidate(el)
        slow = _outcome(el)
        if isinstance(slow, str):
            assert fast is None, slow
        else:
            assert fast == slow


@needs_shared
def test_fast_path_takes_every_candidate_of_the_tk_file_and_is_faster() -> None:
    root = parse_xml(TK230.read_bytes(), "tk")
    candidates = list(root.iter(e("Candidate")))
    assert len(candidates) == 1085
    assert all(fast_candidate(el) is not None for el in candidates)

    def best(fn: object) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for el in candidates:
                fn(el)  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return min(times)

    # Measured ~3.5× on the TK2025 file; 1.5× leaves room for a loaded machine.
    assert best(fast_candidate) * 1.5 < best(lambda el: _candidate(el, "tk"))


# ---------------------------------------------------------------- generated candidates

_SPACE = st.sampled_from(["", " ", "\n  ", "\t", "\u00a0", "\r\n"])
_WORD = st.sampled_from(["Jansen", "van der", "A.B.", "Ærø", "O'Neil", "d&apos;Arc", "x &amp; y", ""])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    return draw(_SPACE) + draw(_WORD) + draw(st.sampled_from(["", " ", "  "])) + draw(_WORD) + draw(_SPACE)


@st.composite
def _candidate_xml(draw: st.DrawFn) -> str:
    """A Candidate element with the variations a real writer (or a broken one) may produce."""
    p = draw(st.sampled_from(["", "e:"]))  # prefixed or default namespace for EML
    n = draw(st.sampled_from(["xnl:", "n2:"]))
    parts: list[str] = []
    ident_attrs = ""
    if draw(st.integers(0, 5)):
        ident_attrs += f' Id="{draw(st.sampled_from(["1", "12", " 2 ", "x", "", "07"]))}"'
    if draw(st.booleans()):
        ident_attrs += f' ShortCode="{draw(st.sampled_from(["", "AB1", " c "]))}"'
    ident_body = draw(st.sampled_from(["", f"<{p}ShortCode>{draw(_texts())}</{p}ShortCode>"]))
    idents = [f"<{p}CandidateIdentifier{ident_attrs}>{ident_body}</{p}CandidateIdentifier>"]
    if draw(st.booleans()):
        idents.append(f'<{p}CandidateIdentifier Id="9"/>')
    person_parts: list[str] = []
    if draw(st.integers(0, 4)):
        person_parts.append(f"<{n}LastName>{draw(_texts())}Last</{n}LastName>")
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(
            st.sampled_from(["NameLine", "NameLineOther", "LastName", "FirstName", "NamePrefix", "Nest"])
        )
        if kind == "NameLine":
            person_parts.append(f'<{n}NameLine NameType="Initials">{draw(_texts())}</{n}NameLine>')
        elif kind == "NameLineOther":
            person_parts.append(f'<{n}NameLine NameType="Other">{draw(_texts())}</{n}NameLine>')
        elif kind == "Nest":
            person_parts.append(
                f'<{n}Wrap><{n}NameLine NameType="Initials">{draw(_texts())}</{n}NameLine></{n}Wrap>'
            )
        else:
            person_parts.append(f"<{n}{kind}>{draw(_texts())}</{n}{kind}>")
    person_parts = list(draw(st.permutations(person_parts)))
    full_names = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 0, 2]))):
        inner = draw(st.sampled_from(["", "", f"<{n}Other/>"]))
        if draw(st.integers(0, 5)):
            inner += f"<{n}PersonName>{''.join(person_parts)}</{n}PersonName>"
        full_names.append(f"<{p}CandidateFullName>{inner}</{p}CandidateFullName>")
    genders = [f"<{p}Gender>{draw(_texts())}</{p}Gender>" for _ in range(draw(st.integers(0, 2)))]
    addresses = []
    for _ in range(draw(st.integers(0, 2))):
        inner = ""
        if draw(st.booleans()):
            inner += f"<xal:Locality><xal:LocalityName>{draw(_texts())}</xal:LocalityName></xal:Locality>"
        if draw(st.booleans()):
            inner += f"<xal:LocalityName>{draw(_texts())}Town</xal:LocalityName>"
        if draw(st.booleans()):
            inner += f"<xal:Country><xal:CountryNameCode>{draw(_texts())}</xal:CountryNameCode></xal:Country>"
        if draw(st.booleans()):
            inner += f"<xal:CountryNameCode>{draw(_texts())}NL</xal:CountryNameCode>"
        addresses.append(f"<{p}QualifyingAddress>{inner}</{p}QualifyingAddress>")
    parts = idents + full_names + genders + addresses
    if draw(st.booleans()):
        parts.append(f"<{p}Unknown>text</{p}Unknown>")
    order = draw(st.permutations(parts))
    return (
        f'<{p}Candidate xmlns="{EML_NS}" xmlns:e="{EML_NS}" xmlns:xnl="{XNL_NS}" xmlns:n2="{XNL_NS}" '
        f'xmlns:xal="{XAL_NS}">{"".join(order)}</{p}Candidate>'
    )


@settings(max_examples=400, deadline=None)
@given(_candidate_xml())
def test_fast_path_equals_the_element_walk_on_generated_candidates(xml: str) -> None:
    el = etree.fromstring(xml.encode())
    fast = fast_candidate(el)
    slow = _outcome(el)
    if isinstance(slow, str):
        assert fast is None, slow  # the slow path then raises this very error
    elif fast is not None:
        assert fast == slow


@needs_shared
def test_broken_candidate_in_a_real_file_keeps_the_precise_error() -> None:
    data = TK230.read_bytes()
    broken = data.replace("<xnl:LastName>Stöteler</xnl:LastName>".encode(), b"", 1)
    assert broken != data
    with pytest.raises(
        EmlError,
        match=r"tk:1: /EML/CandidateList/Election/Contest/Affiliation\[1\]/"
        r"Candidate\[2\]/CandidateFullName/PersonName: missing or empty xnl:LastName",
    ):
        read_230b(broken, "tk")


# ---------------------------------------------------------------- lazy package, lean import path


def test_lazy_package_resolves_every_public_name() -> None:
    for name in eml_package.__all__:
        value = getattr(eml_package, name)
        home = sys.modules[value.__module__]
        assert getattr(home, name) is value
    assert set(eml_package.__all__) <= set(dir(eml_package))
    with pytest.raises(AttributeError, match="no_such_name"):
        eml_package.no_such_name  # noqa: B018
    namespace: dict[str, object] = {}
    exec("from shared.formats.eml import *", namespace)
    assert set(eml_package.__all__) <= set(namespace)


@needs_shared
def test_eml_csv_whole_process_imports_only_what_it_needs(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code = (
        "import sys; from telketen.cli import main; rc = main(sys.argv[1:]); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('shared', 'telketen', 'rich'))))); "
        "sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "eml", "csv", str(TK510), str(TK230), "-o", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(done.stdout.split())
    assert out.read_bytes() == TK_CSV.read_bytes()
    assert "shared.formats.eml.read" in loaded  # the probe sees the modules at all
    unneeded = {
        "shared.formats.eml.build",
        "shared.formats.eml.check",
        "shared.formats.eml.hashcode",
        "shared.formats.eml.rules",
        "shared.formats.eml.schema",
        "shared.formats.eml.write",
        "rich",
    }
    assert not loaded & unneeded
