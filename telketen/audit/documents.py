"""What people read of an audit plan: the Dutch page that explains it (for the results site) and the Dutch
recount forms for the teams (PDF, one page per station), next to the plan itself (plan.json).

The forms are typst with the plan's data passed as a JSON file, so no name from an EML file can reach the
typst source as markup.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from shared.adapters.pdf import compile_typst
from shared.domain.rla import Margin, Plan
from shared.errors import InputError
from shared.formats.dutch import number

FORM = Path(__file__).with_name("recount_form.typ")


def _list_name(number_: int, names: dict[int, str] | None) -> str:
    name = (names or {}).get(number_)
    return f"lijst {number_} ({name})" if name else f"lijst {number_}"


def margin_sentence(margin: Margin, names: dict[int, str] | None) -> str:
    """The closest call in one Dutch sentence."""
    votes = number(margin.votes)
    winner, loser = _list_name(margin.winner, names), _list_name(margin.loser, names)
    if margin.kind == "largest_averages":
        return (
            f"De {margin.winner_seats}e zetel van {winner} gaat naar {loser} "
            f"(haar {margin.loser_seats + 1}e) als {votes} stemmen van {winner} naar {loser} verschuiven."
        )
    if margin.kind == "reaches_quota":
        return f"{winner.capitalize()} haalt de kiesdeler niet meer als er {votes} stemmen af gaan."
    return f"{loser.capitalize()} haalt de kiesdeler en een zetel als er {votes} stemmen bij komen."


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # published documents: readable by everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_documents(out: Path, plan: Plan, data: dict[str, Any], names: dict[int, str]) -> None:
    """plan.json, hertelling.html and hertelformulieren.pdf in `out`, each written atomically."""
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", where=str(out))
    _write(out / "plan.json", json.dumps(data, ensure_ascii=False, indent=1).encode() + b"\n")
    _write(out / "hertelling.html", explanation_page(plan, names).encode())
    _write(out / "hertelformulieren.pdf", recount_forms(plan, names))


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:g}".replace(".", ",") + " %"


def explanation_page(plan: Plan, names: dict[int, str]) -> str:
    """A self-contained Dutch page: what a risk-limiting audit is, this plan's margin, seed and stations."""
    e = html.escape
    risk = Fraction(plan.risk_limit)
    rows = "\n".join(
        f"<tr><td>{k + 1}</td><td>{e(b.unit)}</td><td>{e(b.municipality)}</td></tr>"
        for k, b in enumerate(plan.batches[p] for p in plan.stations())
    )
    seats = ", ".join(
        f"{e(_list_name(n, names))}: {s}" for n, s in zip(plan.lists, plan.reported_seats, strict=True) if s
    )
    if plan.margin is not None:
        sentence = margin_sentence(plan.margin, names)
        closest = f"<p>De kleinste marge: {e(sentence[0].lower() + sentence[1:])}</p>"
    else:
        closest = "<p>Voor deze uitslag is geen marge berekend.</p>"
    if plan.full_hand_count:
        verdict = (
            f"<p><strong>Alle {len(plan.batches)} stembureaus worden met de hand herteld.</strong> "
            f"Reden: {e(plan.reason or '')}.</p>"
        )
    else:
        verdict = (
            f"<p><strong>{len(plan.stations())} van de {len(plan.batches)} stembureaus worden met de hand "
            f"herteld</strong> ({len(plan.draws)} trekkingen; een stembureau dat vaker getrokken is, wordt "
            "één keer herteld).</p>"
        )
    return f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Controle door hertelling</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; line-height: 1.5;
  color: #1a1a1a; }}
h1 {{ font-size: 1.6rem; }}
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; }}
th, td {{ border-bottom: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }}
code {{ overflow-wrap: anywhere; }}
</style>
</head>
<body>
<main>
<h1>Controle door hertelling</h1>
<p>De uitslag is op papier geteld en daarna opgeteld. Om te controleren dat de zetelverdeling klopt, worden
stembureaus met de hand herteld, gekozen door loting. Het aantal is zo gekozen dat, als de zetelverdeling
<em>onjuist</em> zou zijn, de hertelling dat met een kans van ten minste {_percent(1 - risk)} aan het
licht brengt (risicogrens {_percent(risk)}). Vindt de hertelling afwijkingen, dan worden er meer stembureaus
herteld, zo nodig alle.</p>
<h2>Deze uitslag</h2>
<p>Zetels: {seats}.</p>
{closest}
<h2>De loting</h2>
<p>Het startgetal <code>{e(plan.seed)}</code> is in het openbaar met dobbelstenen gegooid. Iedereen kan de
trekking herhalen: <code>telketen audit plan --seed "{e(plan.seed)}" --risk-limit {float(risk):g}</code>
op de gepubliceerde bestanden geeft dezelfde stembureaus. Een stembureau dat meer stemmen telde, en dus de
uitslag meer kan veranderen, heeft een grotere kans getrokken te worden.</p>
{verdict}
<div class="scroll">
<table>
<caption>Te hertellen stembureaus, in volgorde van trekking</caption>
<thead><tr><th scope="col">Nr.</th><th scope="col">Stembureau</th><th scope="col">Gemeente</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</div>
<h2>Wat deze controle niet bewijst</h2>
<p>De controle gaat over de zetels per lijst. Welke kandidaten gekozen zijn, hangt ook af van de
voorkeurstemmen; die worden bij deze steekproef niet gecontroleerd. En de controle is zo goed als de bewaarde
stembiljetten: een hertelling telt wat er in de verzegelde pakken zit.</p>
</main>
</body>
</html>
"""


def recount_forms(plan: Plan, names: dict[int, str]) -> bytes:
    """One A4 page per station to recount: its lists and an empty column for the hand count. The reported
    counts are left off on purpose: a team that knows what to expect finds it (a blind recount)."""
    stations = [
        {
            "unit": plan.batches[k].unit,
            "municipality": plan.batches[k].municipality,
            "order": order + 1,
            "rows": [{"number": str(n), "name": names.get(n, "")} for n in plan.lists],
        }
        for order, k in enumerate(plan.stations())
    ]
    data = {"seed": plan.seed, "risk": _percent(Fraction(plan.risk_limit)), "stations": stations}
    return compile_typst(
        FORM.read_text(encoding="utf-8"),
        {"plan.json": json.dumps(data, ensure_ascii=False).encode()},
        timestamp=0,
    )
