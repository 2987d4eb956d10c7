"""The entry form (paper order, Dutch labels), the entry logic (REPORT.json, totals, findings per section)
and the terminal form driven by a script of keystrokes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from rich.console import Console

from shared.domain.double_entry import Actor, DataEntry, claim, entry_results, finalise, save
from shared.domain.election import Candidate, CandidateList
from shared.domain.station_report import ReportModel, StationReport, empty_report, report_from_tally
from shared.domain.tally import ListTally, Tally
from shared.domain.validation import Leaf, ValidationContext, ValidationResults, leaf_paths, validate
from shared.errors import InputError
from shared.i18n.catalogue import RULES
from station import form as form_module
from station.entry import (
    GENERAL,
    EntrySession,
    apply_values,
    encode_report,
    group_by_section,
    parse_typed,
    read_report_json,
    running_totals,
)
from station.form import build_form
from station.terminal import run_terminal_form

LISTS = [
    CandidateList(
        number=1,
        name="Partij Een",
        candidates=(
            Candidate(position=1, last_name="Jansen", initials="A."),
            Candidate(position=2, last_name="Berg", initials="B.", prefix="van den"),
            Candidate(position=3, last_name="Smit", initials="C.", first_name="Carla"),
        ),
    ),
    CandidateList(
        number=2,
        name="Lijst Twee",
        candidates=(
            Candidate(position=1, last_name="Visser", initials="D."),
            Candidate(position=2, last_name="Bakker", initials="E."),
        ),
    ),
]
SHAPE = [(1, 3), (2, 2)]
GR = ValidationContext(lists=tuple(SHAPE), voter_cards=False)
PS = ValidationContext(lists=tuple(SHAPE), voter_cards=True)
MODELS: list[ReportModel] = ["cso_first", "cso_next", "dso_first", "dso_next"]
TALLY = Tally(
    poll_cards=100,
    proxy_certificates=5,
    admitted_voters=105,
    blank=2,
    invalid=3,
    lists=(ListTally(1, 60, (10, 20, 30)), ListTally(2, 40, (15, 25))),
)


def paper(model: ReportModel = "cso_next") -> StationReport:
    return report_from_tally(model, TALLY, with_voter_cards=False)


# ------------------------------------------------------------------------------------------------------ form


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("voter_cards", [False, True])
def test_the_form_has_every_box_of_the_report_once(model: ReportModel, voter_cards: bool) -> None:
    form = build_form(model, LISTS, voter_cards=voter_cards)
    report = empty_report(model, SHAPE, with_voter_cards=voter_cards)
    paths = form.paths()
    assert len(paths) == len(set(paths))
    assert sorted(paths) == sorted(p for p, _ in leaf_paths(report))
    for path in paths:
        form_module.get(report, path)  # every box resolves


def test_paper_order_of_letters_and_sections_cso_first() -> None:
    form = build_form("cso_first", LISTS, voter_cards=False)
    assert [s.title for s in form.sections] == [
        "B1-1 Extra onderzoek: opmerkingen gemeentelijk stembureau",
        "B1-2 Verschillen met telresultaten stembureau",
        "B1-3.1 Toegelaten kiezers",
        "B1-3.2 Uitgebrachte stemmen",
        "B1-3.3 Verschillen tussen aantal kiezers en uitgebrachte stemmen",
        "B1-3.5 Lijst 1 - Partij Een",
        "B1-3.5 Lijst 2 - Lijst Twee",
    ]
    letters = [f.letter for _, f in form.fields() if f.letter and not f.path.startswith("lists")]
    assert letters == ["A", "B", "D", "E.1", "E.2", "E", "F", "G", "H", "I", "J"]
    labels = {f.letter: f.label for _, f in form.fields() if f.letter}
    assert labels["D"] == "Totaal toegelaten kiezers (A+B)"
    assert labels["H"] == "Totaal uitgebrachte stemmen (E+F+G)"
    assert labels["E"] == "Totaal stemmen op kandidaten (tel E.1 t/m E.2 op)"
    list_one = form.sections[5]
    assert [f.label for f in list_one.fields] == [
        "Jansen, A.",
        "Berg, B. van den",
        "Smit, C. (Carla)",
        "Totaal lijst (kolom 1 + 2 + 3 + 4)",
    ]
    assert list_one.fields[-1].path == "lists[0].total" and list_one.list_number == 1
    diff = [f.path.removeprefix("differences.") for f in form.sections[4].fields]
    assert diff == [
        "equal",
        "more_counted",
        "more_ballots",
        "fewer_counted",
        "fewer_ballots",
        "explained_yes",
        "explained_no",
    ]


def test_voter_cards_and_dso_pages() -> None:
    ps = build_form("dso_first", LISTS, voter_cards=True)
    assert [f.letter for f in ps.sections[2].fields] == ["A", "B", "C", "D"]
    assert ps.sections[2].fields[-1].label == "Totaal toegelaten kiezers (A+B+C)"
    assert [s.key for s in ps.sections[:2]] == ["about_report", "checks_and_corrections"]
    assert ps.sections[2].title == "2.1 Toegelaten kiezers"
    questions = [f.question for f in ps.sections[0].fields]
    assert questions[0] == questions[1] != questions[2] == questions[3]
    assert build_form("cso_next", LISTS, voter_cards=False).sections[0].title == "B1-2.1 Toegelaten kiezers"


def test_form_get_and_set() -> None:
    report = paper()
    form_module.set(report, "lists[1].candidate_votes[1]", 26)
    assert form_module.get(report, "lists[1].candidate_votes[1]") == 26
    with pytest.raises(InputError) as err:
        form_module.set(report, "votes.blank", "2")  # type: ignore[arg-type]
    assert err.value.where == "votes.blank"
    form = build_form("cso_next", LISTS, voter_cards=False)
    section = form.section_of("lists[1]")
    assert section is not None and section.key == "list_2"
    assert form.section_of("eligible_voters") is None


# ----------------------------------------------------------------------------------------------------- entry


def test_parse_typed() -> None:
    form = build_form("cso_first", LISTS, voter_cards=False)
    count, tick = form.field("voters.poll_cards"), form.field("differences.equal")
    assert parse_typed(count, "1.234") == 1234 and parse_typed(count, " 12 345 ") == 12345
    assert parse_typed(count, "") == 0
    assert parse_typed(tick, "x") is True and parse_typed(tick, "J") is True
    assert parse_typed(tick, "n") is False and parse_typed(tick, "") is False
    for field, text in [(count, "12a"), (count, "-3"), (count, "1000000000"), (tick, "misschien")]:
        with pytest.raises(InputError) as err:
            parse_typed(field, text)
        assert err.value.where == field.path


def test_report_json_as_a_whole_report_and_as_paths() -> None:
    blank = empty_report("cso_next", SHAPE, with_voter_cards=False)
    whole = read_report_json(encode_report(paper()), blank, GR, where="R.json")
    assert whole == paper()
    values = {p: v for p, v in leaf_paths(paper()) if v}
    by_path = read_report_json(json.dumps(values).encode(), blank, GR, where="R.json")
    assert by_path == paper()


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b"{not json", "R.json", "not valid JSON"),
        (b"[1, 2]", "R.json", "expected a JSON object"),
        (b'{"voters.nonsense": 3}', "R.json:voters.nonsense", "no such field"),
        (b'{"voters.poll_cards": "12"}', "R.json:voters.poll_cards", "number or true/false"),
        (b'{"voters.poll_cards": -4}', "R.json:voters.poll_cards", "outside"),
        (b'{"differences.equal": 1}', "R.json:differences.equal", "tick"),
        (b'{"voters.voter_cards": 3}', "R.json:voters.voter_cards", "does not exist"),
        (b'{"model": "cso_next", "voters": {"poll_cards": "x"}}', "R.json", "not a station report"),
        (b'{"model": "cso_next", "lists": []}', "R.json:votes.list_votes", "lists"),
        (b'{"model": "dso_next"}', "R.json:model", "this entry is cso_next"),
    ],
)
def test_bad_report_json_is_refused_naming_file_and_field(data: bytes, where: str, message: str) -> None:
    blank = empty_report("cso_next", SHAPE, with_voter_cards=False)
    with pytest.raises(InputError, match=message) as err:
        read_report_json(data, blank, GR, where="R.json")
    assert err.value.where == where


def test_apply_values_does_not_change_its_input() -> None:
    blank = empty_report("cso_next", SHAPE, with_voter_cards=False)
    out = apply_values(blank, {"votes.blank": 3})
    assert out.votes.blank == 3 and blank.votes.blank == 0


def test_running_totals() -> None:
    report = paper()
    report.voters.poll_cards = 90
    report.lists[1].candidate_votes[0] = 20
    t = running_totals(report)
    assert (t.abc, t.d, t.list_sum, t.e, t.efg, t.h) == (95, 105, 100, 100, 105, 105)
    assert t.candidate_sums == ((1, 60, 60), (2, 45, 40))
    ps = report_from_tally("cso_next", TALLY, with_voter_cards=True)
    assert ps.voters.voter_cards is not None
    ps.voters.voter_cards = 7
    assert running_totals(ps).abc == 112


def test_findings_grouped_by_section_in_form_order() -> None:
    form = build_form("cso_next", LISTS, voter_cards=False)
    report = paper()
    report.voters.poll_cards = 101  # F.201 on voters
    report.differences.equal = False  # F.304 on differences
    report.lists[1].candidate_votes[0] = 16  # F.402 on list 2
    session = EntrySession(form, GR, report)
    grouped = session.results_by_section()
    assert list(grouped) == ["voters", "differences", "list_2"]
    assert [r.code for r in grouped["voters"]] == ["F.201"]
    assert [r.code for r in grouped["list_2"]] == ["F.402"]
    csb = ValidationContext(level="csb", lists=tuple(SHAPE), voter_cards=False, eligible_voters=0)
    assert group_by_section(form, ValidationResults()) == {}
    z_warning = group_by_section(form, validate(paper(), csb))  # W.205 concerns Z, which is on no box
    assert [r.code for r in z_warning[GENERAL]] == ["W.205"]


def test_every_code_has_a_dutch_message() -> None:
    import re
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "shared" / "domain" / "validation.py").read_text("utf-8")
    codes = set(re.findall(r'"([FW]\.\d{3})"', source)) | {"W.001", "W.002"}
    assert codes == set(RULES)
    assert len(codes) == 39  # 31 errors, 8 warnings


def test_session_commits_call_the_hook_with_a_copy() -> None:
    seen: list[tuple[str, Leaf, int]] = []
    form = build_form("cso_next", LISTS, voter_cards=False)
    session = EntrySession(
        form,
        GR,
        empty_report("cso_next", SHAPE, with_voter_cards=False),
        on_commit=lambda p, v, r: seen.append((p, v, r.voters.poll_cards)),
    )
    session.commit_text("voters.poll_cards", "100")
    session.apply({"votes.blank": 2})
    assert seen == [("voters.poll_cards", 100, 100), ("votes.blank", 2, 100)]
    assert session.progress("voters.poll_cards") == 0 and session.progress(None) == 100
    with pytest.raises(InputError):
        session.apply({"votes.blank": "2"})


# -------------------------------------------------------------------------------------------------- terminal


def script(lines: list[str]) -> tuple[Callable[[str], str], list[str]]:
    prompts: list[str] = []
    it = iter(lines)

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        return next(it)

    return read_line, prompts


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=250, color_system=None, force_terminal=False), out


def keystrokes_for(report: StationReport, model: ReportModel) -> list[str]:
    form = build_form(model, LISTS, voter_cards=False)
    keys = []
    for _, field in form.fields():
        value = form_module.get(report, field.path)
        keys.append(("x" if value else "") if isinstance(value, bool) else str(value))
    return keys


def test_terminal_form_typed_from_a_script() -> None:
    form = build_form("cso_first", LISTS, voter_cards=False)
    target = paper("cso_first")
    keys = keystrokes_for(target, "cso_first")
    keys[form.paths().index("voters.poll_cards")] = "1O0"  # a typo: letter O …
    keys.insert(form.paths().index("voters.poll_cards") + 1, "100")  # … retyped
    committed: list[str] = []
    session = EntrySession(
        form,
        GR,
        empty_report("cso_first", SHAPE, with_voter_cards=False),
        on_commit=lambda p, v, r: committed.append(p),
    )
    read_line, prompts = script(keys)
    con, out = console()
    outcome = run_terminal_form(session, read_line=read_line, console=con)
    assert outcome.finished and outcome.resume_at is None
    assert session.report == target
    assert committed == form.paths()  # every box persisted once, in paper order
    text = out.getvalue()
    assert "'1O0' is geen geheel getal" in text
    assert "A+B = 100   D = 0" in text and "A+B = 105   D = 105" in text
    assert "E.1 t/m E.n = 100   E = 100   E+F+G = 105   H = 105" in text
    assert "✗ fout F.201 A, B en C tellen niet op tot D" in text  # shown while D is still empty
    assert "Klaar: geen fouten of waarschuwingen." in text
    assert "B1-3.1 Toegelaten kiezers" in text and "Lijst 2 - Lijst Twee" in text
    assert prompts[form.paths().index("voters.admitted_voters") + 1].startswith(
        "D Totaal toegelaten kiezers (A+B)"
    )
    assert text.count("Vergelijk D (totaal toegelaten kiezers) en H") == 1


def test_terminal_save_quit_and_resume() -> None:
    form = build_form("cso_next", LISTS, voter_cards=False)
    store: dict[str, StationReport] = {}
    session = EntrySession(
        form,
        GR,
        empty_report("cso_next", SHAPE, with_voter_cards=False),
        on_commit=lambda p, v, r: store.__setitem__("saved", r),
    )
    read_line, _ = script(["100", "5", "<", "6", "q"])
    con, out = console()
    outcome = run_terminal_form(session, read_line=read_line, console=con)
    assert not outcome.finished and outcome.resume_at == "voters.admitted_voters"
    assert store["saved"].voters.poll_cards == 100 and store["saved"].voters.proxy_certificates == 6
    assert "Opgeslagen" in out.getvalue()
    # resume in a new session from what was saved; Enter keeps the saved values
    resumed = EntrySession(form, GR, store["saved"])
    read_line, prompts = script(["106", "?", "", "q"])
    con, out = console()
    outcome = run_terminal_form(
        resumed,
        read_line=read_line,
        console=con,
        start_at=outcome.resume_at,
    )
    assert prompts[0].startswith("D Totaal toegelaten kiezers") and prompts[2].startswith("E.1 ")
    assert resumed.report.voters.admitted_voters == 106 and outcome.resume_at == "votes.list_votes[1]"
    assert "Typ het getal" in out.getvalue()
    with pytest.raises(InputError):
        run_terminal_form(resumed, read_line=read_line, console=con, start_at="voters.nope")


def test_terminal_end_of_input_saves_and_summary_lists_findings() -> None:
    form = build_form("cso_next", LISTS, voter_cards=False)
    session = EntrySession(form, GR, empty_report("cso_next", SHAPE, with_voter_cards=False))

    def eof(prompt: str) -> str:
        raise EOFError

    con, out = console()
    outcome = run_terminal_form(session, read_line=eof, console=con)
    assert outcome.resume_at == "voters.poll_cards"
    keys = keystrokes_for(paper(), "cso_next")
    keys[form.paths().index("votes.blank")] = "40"  # F.203 and W.201
    session = EntrySession(form, GR, empty_report("cso_next", SHAPE, with_voter_cards=False))
    read_line, _ = script(keys)
    con, out = console()
    assert run_terminal_form(session, read_line=read_line, console=con).finished
    text = out.getvalue()
    assert "Fouten en waarschuwingen" in text and "F.203" in text and "W.201" in text
    assert "fouten gaan naar de coördinator" in text


def test_second_entry_shows_w001_through_the_double_entry_state() -> None:
    form = build_form("cso_next", LISTS, voter_cards=False)
    ctx = ValidationContext(lists=tuple(SHAPE), voter_cards=False)
    blank = empty_report("cso_next", SHAPE, with_voter_cards=False)
    anna, bob = Actor("anna", "typist"), Actor("bob", "typist")
    entry, _ = claim(DataEntry(), anna, blank)
    entry = finalise(save(entry, anna, paper(), ctx, 100), anna, ctx)
    entry, got = claim(entry, bob, blank)
    state = {"entry": entry}

    def persist(path: str, value: Leaf, report: StationReport) -> None:
        state["entry"] = save(state["entry"], bob, report, ctx, 50)

    session = EntrySession(
        form, ctx, got.report, on_commit=persist, extra=lambda _: entry_results(state["entry"], bob, ctx)
    )
    read_line, _ = script(["99", "q"])
    con, out = console()
    run_terminal_form(session, read_line=read_line, console=con)
    assert "W.001 Verschil met eerste invoer" in out.getvalue()
    assert state["entry"].second is not None and state["entry"].second.report.voters.poll_cards == 99
