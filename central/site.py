"""The results site: static HTML that works from a file folder (no server, no CDN, no scripts).

Written into `<published>/site/` after the central office published its files, so it can list every published
file with its SHA-256 and link to it relatively (`../CSB/Resultaat_….eml.xml`). Pages: the seats (a bar per
list, `central.site_chart`, the numbers beside it), lists and candidates, a drill-down per area (kieskring →
municipality → station, as far as the published files reach), and the files with their hashes.

The drill-down reads only what is published and checks it on the way: a municipal summary is used only when
its signature holds for the enrolment record published beside it and its digest is the one the kieskring's
summary lists as consumed; a 510b only when its SHA-256 is the one that summary carries. What does not check
out is left out of the site (and `telketen verify` will say why)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jinja2 import DictLoader, Environment, select_autoescape
from markupsafe import Markup, escape

from central.report import elected_order, member_label
from central.site_audit import audit_page
from central.site_chart import list_colours, seat_bars
from central.site_files import describe
from central.site_phone import phone_check_page
from shared.adapters.files import atomic_write_many
from shared.domain.candidates import PreferenceThresholdStep
from shared.domain.election import District, Election
from shared.domain.groups import GroupOutcome
from shared.domain.seats import SeatsResult
from shared.domain.tally import Tally
from shared.errors import TelketenError
from shared.formats import dutch
from shared.formats.eml.read import read_510
from shared.formats.keyed import FILE_NAME as KEYED_FILE
from shared.formats.keyed import KeyedPart, decode_keyed, source_text
from shared.formats.signing import message_digest, open_enrolment, open_signed
from shared.formats.summary import ChildSource, Summary, tally_from_counts

SITE_DIR = "site"
#: From this many bytes of 510b on, the files are read by two worker processes (a national folder: ~1 GB).
PARALLEL_FROM = 48 * 1024 * 1024
TEMPLATES = (
    "base.html",
    "index.html",
    "lists.html",
    "list.html",
    "areas.html",
    "area.html",
    "files.html",
    "audit.html",
    "controle.html",
)


class Area(msgspec.Struct, frozen=True, kw_only=True):
    """A unit the central office added up (a kieskring, or a municipality for a council) and its summary."""

    id: str
    name: str
    digest: bytes
    tally: Tally
    children: tuple[tuple[str, bytes], ...] = ()


def _env() -> Environment:
    folder = resources.files("central").joinpath("site")
    templates = {name: folder.joinpath(name).read_text(encoding="utf-8") for name in TEMPLATES}
    return Environment(loader=DictLoader(templates), autoescape=select_autoescape(default=True))


def _open_published_summary(folder: Path, expected_digest: bytes) -> Summary | None:
    """The summary in `folder/summary.tks` if signed by the key in `folder/key.tke` and of this digest."""
    try:
        message = (folder / "summary.tks").read_bytes()
        record = open_enrolment((folder / "key.tke").read_bytes(), where=str(folder / "key.tke"))
    except (OSError, TelketenError):
        return None
    if message_digest(message) != expected_digest:
        return None
    key = Ed25519PublicKey.from_public_bytes(record.public_key)
    try:
        _, summary = open_signed(message, lambda kid: key if kid == record.key_id else None)
    except TelketenError:
        return None
    return summary


def _open_published_part(folder: Path, expected_digest: bytes) -> Summary | KeyedPart | None:
    """The signed summary of this digest in `folder`, or — for a report keyed from paper by the office above
    it — the keyed record `folder/keyed.tkk` of this digest (shown as keyed, never as scanned)."""
    summary = _open_published_summary(folder, expected_digest)
    if summary is not None:
        return summary
    try:
        data = (folder / KEYED_FILE).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).digest() != expected_digest:
        return None
    try:
        return decode_keyed(data, where=str(folder / KEYED_FILE))
    except TelketenError:
        return None


def _keyed_text(part: Summary | KeyedPart) -> str:
    """ "van papier ingevoerd door … en …" for a keyed part, empty for a scanned, signed one."""
    if isinstance(part, KeyedPart):
        return source_text(ChildSource(key_id=b"", keyed_by=list(part.keyed_by)))
    return ""


class StationRow(msgspec.Struct, frozen=True, array_like=True):
    """What an area page shows of one station: id, name, ballots cast (H) and the votes per list."""

    id: str
    name: str
    ballots: int
    list_votes: tuple[int, ...]


class _FileRead(msgspec.Struct, frozen=True, array_like=True):
    """A published file as the site reads it, once: size, SHA-256, and the stations of a vouched-for 510b."""

    size: int
    sha256: bytes
    stations: tuple[StationRow, ...] | None = None


def _read_file(path: str, count_sha256: bytes | None) -> _FileRead:
    """Hash a published file; parse it for its stations only when it is the 510b a summary vouches for.

    Pure but for reading `path`, so it runs in a worker process."""
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).digest()
    if count_sha256 is None or sha != count_sha256:
        return _FileRead(size=len(data), sha256=sha)
    try:
        count = read_510(data, path)
    except TelketenError:
        return _FileRead(size=len(data), sha256=sha, stations=())
    rows = tuple(
        StationRow(u.id, u.name, u.tally.ballots_cast, tuple(lst.votes for lst in u.tally.lists))
        for u in count.units
    )
    return _FileRead(size=len(data), sha256=sha, stations=rows)


def _read_files(jobs: list[tuple[str, bytes | None]], size: int) -> list[_FileRead]:
    """Every job of `_read_file`, in order; by two worker processes when there is enough to read."""
    # Forked workers only from a single-threaded process (the command line), never from the web server, where
    # another thread may hold a lock the child would inherit; there the files are read here, one by one.
    if size < PARALLEL_FROM or len(jobs) < 2 or threading.active_count() > 1:
        return [_read_file(path, sha) for path, sha in jobs]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    workers = min(2, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_read_file, *zip(*jobs, strict=True), chunksize=4))


def _list_votes(t: Tally) -> list[str]:
    return [dutch.number(lst.votes) for lst in t.lists]


def _counts_of(folder: Path) -> list[Path]:
    return sorted(folder.glob("Telling_*.eml.xml"))


@dataclass(frozen=True)
class SiteContext:
    """What every page builder gets: the published folder, the templates, the data every template shows
    (`site`), the lists with their candidates, and the published files with their hashes."""

    out: Path
    env: Environment
    election: Election
    site: dict[str, Any]
    lists: list[dict[str, Any]]
    files: list[dict[str, Any]]

    def render(self, template: str, **data: Any) -> str:
        return self.env.get_template(template).render(site=self.site, root="", **data)


#: A page builder: the context in, {file name under site/: content} out. Pages are added by appending to
#: `PAGE_BUILDERS` (e.g. the citizen's check page), never by growing `build_site`.
PageBuilder = Callable[[SiteContext], dict[str, str]]


def build_site(
    out: Path,
    *,
    election: Election,
    view: District,
    total: Tally,
    result: SeatsResult,
    areas: Sequence[Area],
    deceased: dict[int, tuple[int, ...]],
    authority: str,
    at: datetime,
) -> list[Path]:
    """Write the site into `out/site/`; `out` is the published folder with every other file already in it."""
    env = _env()
    lists, elected = list_entries(view, total, result, deceased)
    site = site_data(out, election, total, result, authority, at, lists, elected)
    shown = _shown_units(out, election, areas)
    paths, reads = _read_published(out, shown)
    stations = _station_rows(out, shown, reads)
    pages = _area_pages(env, site, areas, shown, stations, view, multi=len(election.districts) > 1)
    ctx = SiteContext(
        out=out,
        env=env,
        election=election,
        site=site,
        lists=lists,
        files=_file_rows(out, paths, reads, election),
    )
    for builder in PAGE_BUILDERS:
        pages.update(builder(ctx))
    return atomic_write_many(out / SITE_DIR, pages)


def list_entries(
    view: District, total: Tally, result: SeatsResult, deceased: dict[int, tuple[int, ...]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each list with its votes, share, seats and candidates (elected how, successor rank, deceased), and
    the elected candidates in alphabetical order."""
    n = dutch.number
    seats = {int(k): v for k, v in result.seats.items()}
    elected_steps = elected_order(result)
    groups = {g.number: g for g in result.groups}
    valid = total.votes_on_lists
    counted = {lst.number: lst for lst in total.lists}
    lists: list[dict[str, Any]] = []
    elected_rows: list[dict[str, Any]] = []
    colours = list_colours(len(view.lists))
    for i, lst in enumerate(view.lists):
        votes = counted[lst.number].votes
        how = {cand: (rule, where) for number, cand, _, rule, where in elected_steps if number == lst.number}
        ranking = (result.ranking or {}).get(str(lst.number), [])
        rank_of = {pos: r for r, pos in enumerate((p for p in ranking if p not in how), start=1)}
        dead = set(deceased.get(lst.number, ()))
        candidates = []
        for c, v in zip(lst.candidates, counted[lst.number].candidate_votes, strict=True):
            step = how.get(c.position)
            label = ""
            if step is not None:
                rule, where = step
                label = "gekozen (voorkeur)" if rule == "preference" else "gekozen"
                label += f", {where.lower()}" if where else ""
                elected_rows.append(
                    {
                        "sort": (c.last_name.lower(), c.initials),
                        "name": c.display_name,
                        "locality": c.locality or "",
                        "list": f"{lst.number} {lst.name}",
                        "how": "met voorkeurstemmen" if rule == "preference" else "op volgorde van de lijst",
                    }
                )
            candidates.append(
                {
                    "position": "" if lst.number in groups else c.position,
                    "name": c.display_name,
                    "locality": c.locality or "",
                    "votes": n(v),
                    "elected": label,
                    "rank": "overleden" if c.position in dead else (f"opvolger {rank_of[c.position]}"
                                                                      if c.position in rank_of else ""),
                }
            )  # fmt: skip
        lists.append(
            {
                "number": lst.number,
                "name": lst.name,
                "colour": colours[i],
                "votes": n(votes),
                "share": dutch.percentage(Fraction(100 * votes, valid or 1), 1, trim=False),
                "seats": str(seats.get(lst.number, 0)),
                "candidates": candidates,
                "deceased": [
                    f"Kandidaat {p} is overleden (artikel P 19a van de Kieswet)." for p in sorted(dead)
                ],
                "group": _group_split(groups[lst.number]) if lst.number in groups else None,
            }
        )
    elected_rows.sort(key=lambda r: r.pop("sort"))
    return lists, elected_rows


def site_data(
    out: Path,
    election: Election,
    total: Tally,
    result: SeatsResult,
    authority: str,
    at: datetime,
    lists: list[dict[str, Any]],
    elected: list[dict[str, Any]],
) -> dict[str, Any]:
    """The numbers every page shows, formatted as the Kiesraad prints them; `areas` is filled by the area
    pages."""
    n = dutch.number
    threshold = next((s for s in result.steps if isinstance(s, PreferenceThresholdStep)), None)
    multi = len(election.districts) > 1
    return {
        "election_name": election.name,
        "election_date": dutch.long_date(election.date),
        "authority": authority,
        "generated": dutch.timestamp(at),
        "lists": lists,
        "elected": elected,
        "seats": str(election.seats),
        "valid": n(total.votes_on_lists),
        "eligible": n(total.eligible_voters),
        "admitted": n(total.admitted_voters),
        "blank": n(total.blank),
        "invalid": n(total.invalid),
        "ballots": n(total.ballots_cast),
        "quota": dutch.mixed(result.quota),
        "threshold": (
            dutch.preference_threshold(threshold.percentage, threshold.threshold) if threshold else "-"
        ),
        "areas_title": "Kieskringen en gemeenten" if multi else "Gemeente en stembureaus",
        "published_name": out.name,
        "areas": [],
    }


#: A unit the drill-down shows: (area above, code, name, digest, its summary if it checks out).
Shown = tuple[Area, str, str, bytes, Summary | KeyedPart | None]


def _shown_units(out: Path, election: Election, areas: Sequence[Area]) -> list[Shown]:
    """The units of the drill-down: the municipalities of each kieskring, or the council's municipality."""
    shown: list[Shown] = []
    for area in areas:
        if len(election.districts) > 1:
            for code, digest in area.children:
                shown.append((area, code, _name(election, code), digest,
                              _open_published_part(out / code, digest)))  # fmt: skip
        else:
            shown.append(
                (area, area.id, area.name, area.digest, _open_published_part(out / area.id, area.digest))
            )
    return shown


def _read_published(out: Path, shown: list[Shown]) -> tuple[list[Path], dict[Path, _FileRead]]:
    """One pass over every published file: each is read and hashed once, and the 510b files the summaries
    vouch for are parsed for their stations (by two workers for a national folder: ~1 GB of 510b)."""
    vouched = {out / code: s.eml_sha256 for _, code, _, _, s in shown if s is not None and s.eml_sha256}
    paths = sorted(p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] != SITE_DIR)
    is_count = {p for folder in vouched for p in _counts_of(folder)}
    jobs = [(str(p), vouched[p.parent] if p in is_count else None) for p in paths]
    reads = dict(zip(paths, _read_files(jobs, sum(p.stat().st_size for p in is_count)), strict=True))
    return paths, reads


def _station_rows(
    out: Path, shown: list[Shown], reads: dict[Path, _FileRead]
) -> dict[str, tuple[StationRow, ...]]:
    """Each shown unit's stations, from the first of its 510b files that its summary vouches for."""
    stations: dict[str, tuple[StationRow, ...]] = {}
    for _, code, _, _, summary in shown:
        if summary is None:
            continue
        for p in _counts_of(out / code):
            rows = reads[p].stations
            if rows is not None:
                stations[code] = rows
                break
    return stations


def _area_pages(
    env: Environment,
    site: dict[str, Any],
    areas: Sequence[Area],
    shown: list[Shown],
    stations: dict[str, tuple[StationRow, ...]],
    view: District,
    *,
    multi: bool,
) -> dict[str, str]:
    """The drill-down: a page per area (kieskring or municipality) and per municipality of a kieskring;
    adds each area to `site["areas"]` for the overview."""
    n = dutch.number
    pages: dict[str, str] = {}
    for area in areas:
        page = f"gebied-{area.id}.html"
        site["areas"].append(
            {
                "name": area.name,
                "page": page,
                "eligible": n(area.tally.eligible_voters),
                "ballots": n(area.tally.ballots_cast),
                "list_votes": _list_votes(area.tally),
            }
        )
        if not multi:
            pages[page] = _area_page(env, site, area.id, area.name, "Gemeente", area.digest, area.tally, view,
                                     stations.get(area.id, ()))  # fmt: skip
            continue
        children: list[dict[str, Any]] = []
        for parent, code, name, digest, summary in shown:
            if parent is not area or summary is None:
                continue
            t = tally_from_counts(summary.counts)
            child_page = f"gebied-{code}.html"
            keyed = _keyed_text(summary)
            children.append(
                {"name": name, "page": child_page, "ballots": n(t.ballots_cast), "list_votes": _list_votes(t),
                 "source": keyed}
            )  # fmt: skip
            kind = f"Gemeente · {keyed}" if keyed else "Gemeente"
            pages[child_page] = _area_page(env, site, code, name, kind, digest, t, view,
                                           stations.get(code, ()))  # fmt: skip
        pages[page] = _area_page(
            env, site, area.id, area.name, "Kieskring", area.digest, area.tally, view, (), children
        )
    return pages


def _file_rows(
    out: Path, paths: list[Path], reads: dict[Path, _FileRead], election: Election
) -> list[dict[str, Any]]:
    """Every published file (outside the site) with its size, SHA-256 and what it is."""
    names: dict[str, str] = {m.code: m.name for m in election.municipalities}
    rows = []
    for path in paths:
        rel = path.relative_to(out).as_posix()
        read = reads[path]
        rows.append({"path": rel, "href": "../" + rel, "size": dutch.number(read.size),
                     "sha256": read.sha256.hex(), "what": describe(rel, names)})  # fmt: skip
    return rows


def _overview_pages(ctx: SiteContext) -> dict[str, str]:
    """The seats (with the chart), the lists, one page per list, the areas overview and the files."""
    chart = seat_bars([(f"{e['number']} {e['name']}", e["colour"], int(e["seats"])) for e in ctx.lists])
    pages = {
        "index.html": ctx.render("index.html", title="Uitslag", chart=chart),
        "lijsten.html": ctx.render("lists.html", title="Lijsten"),
        "gebieden.html": ctx.render("areas.html", title=ctx.site["areas_title"]),
        "bestanden.html": ctx.render("files.html", title="Bestanden", files=ctx.files),
    }
    for entry in ctx.lists:
        pages[f"lijst-{entry['number']}.html"] = ctx.render(
            "list.html", title=f"Lijst {entry['number']}", l=entry
        )
    return pages


def _stylesheet(ctx: SiteContext) -> dict[str, str]:
    return {"style.css": resources.files("central").joinpath("site/style.css").read_text(encoding="utf-8")}


PAGE_BUILDERS: list[PageBuilder] = [_overview_pages, audit_page, phone_check_page, _stylesheet]


def _group_split(g: GroupOutcome) -> dict[str, Any] | None:
    """A list group's seats per list (Kieswet P 12, P 13) for its page; None for a party with one list."""
    if len(g.members) < 2:
        return None
    return {
        "quota": dutch.mixed(g.group_quota),
        "members": [
            {"where": member_label(m.districts), "votes": dutch.number(m.votes), "seats": str(m.seats)}
            for m in g.members
        ],
    }


def _name(election: Election, code: str) -> str:
    try:
        return election.municipality(code).name
    except KeyError:
        return code


def _area_page(
    env: Environment,
    site: dict[str, Any],
    area_id: str,
    name: str,
    kind: str,
    digest: bytes,
    t: Tally,
    view: District,
    stations: Sequence[StationRow],
    children: Sequence[dict[str, Any]] = (),
) -> str:
    n = dutch.number
    names = {lst.number: lst.name for lst in view.lists}
    rows = [{**c, "cells": _cells(c["list_votes"])} for c in children] or [
        {
            "name": station_label(st.id, st.name),
            "page": "",
            "ballots": n(st.ballots),
            "cells": _number_cells(st.list_votes),
        }
        for st in stations
    ]
    area = {
        "name": name,
        "kind": kind,
        "digest": digest.hex(),
        "eligible": n(t.eligible_voters),
        "admitted": n(t.admitted_voters),
        "blank": n(t.blank),
        "invalid": n(t.invalid),
        "ballots": n(t.ballots_cast),
        "lists": [
            {"label": f"{lst.number} {names.get(lst.number, '')}", "votes": n(lst.votes)} for lst in t.lists
        ],
        "children": rows,
        "children_title": "Gemeenten" if children else "Stembureaus",
    }
    return env.get_template("area.html").render(title=name, a=area, site=site, root="")


def station_label(unit_id: str, name: str) -> str:
    """A station as a reader knows it: its number and name ("1 Stembureau Sporthal"), not the EML id
    ("0276::SB1") the 510b carries."""
    number = unit_id.rpartition("::")[2].removeprefix("SB")
    if not name.strip() or "::" in name:  # a 510b that names its stations by their id
        return f"Stembureau {number}"
    return f"{number} {name}"


def _cells(values: Sequence[str]) -> Markup:
    """A row's number cells as one string, escaped as the template would: a national site has ~270,000 of
    them, and a loop in the template costs ~8 µs a cell."""
    return Markup("".join([f'<td class="num">{escape(v)}</td>' for v in values]))


def _number_cells(values: Sequence[int]) -> Markup:
    """`_cells` of `dutch.number(v)` for each value: grouped with commas, all turned to dots at once (a cell's
    digits, dots and minus need no escaping)."""
    return Markup("".join([f'<td class="num">{v:,}</td>' for v in values]).replace(",", "."))
