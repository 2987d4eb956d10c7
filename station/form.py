"""The station report form: sections and fields in the order of the paper model, with its Dutch labels.

Why: a typist keys from paper, so the screen must follow the paper box by box (spec/reports.md §1.7, §2, §3.1,
§5.1) — the letters A…J, the tick boxes and yes/no questions, then per list the candidate votes and the list
total. Every field carries the field path of `StationReport` (shared.domain.validation) so that validation
findings can be shown at the box they concern. One form per model variant:

- ``cso_first``: Na 31-2 Bijlage 1 (B1-1 extra onderzoek, B1-2 verschillen, B1-3 telresultaten);
- ``cso_next``: Na 14-2 Bijlage 1 (B1-2 gecorrigeerde telresultaten);
- ``dso_first``: N 10-1 Deel 2, after "Over het proces-verbaal" and the "Controles en correcties" insert;
- ``dso_next``: Na 14-1 (corrected results of a decentral count).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

import msgspec

from shared.domain.election import CandidateList
from shared.domain.station_report import ReportModel, StationReport
from shared.domain.validation import Leaf, get_field, set_field

FieldKind = Literal["count", "tick"]


class FormField(msgspec.Struct, frozen=True, kw_only=True):
    """One box on paper. `question` groups tick boxes of one question (shown once, before its first box)."""

    path: str
    kind: FieldKind
    label: str
    letter: str = ""
    question: str | None = None


class FormSection(msgspec.Struct, frozen=True, kw_only=True):
    """A rubric of the paper model, or one list's page of candidate votes (`list_number` set)."""

    key: str
    title: str
    fields: tuple[FormField, ...]
    list_number: int | None = None


class Form(msgspec.Struct, frozen=True, kw_only=True):
    """The whole form of one model for one election's lists."""

    model: ReportModel
    sections: tuple[FormSection, ...]

    def fields(self) -> Iterator[tuple[FormSection, FormField]]:
        for section in self.sections:
            for f in section.fields:
                yield section, f

    def paths(self) -> list[str]:
        return [f.path for _, f in self.fields()]

    def field(self, path: str) -> FormField:
        for _, f in self.fields():
            if f.path == path:
                return f
        raise KeyError(path)

    def section_of(self, path: str) -> FormSection | None:
        """The section holding the field `path`, or any field under it (a question, a whole list)."""
        for section, f in self.fields():
            if f.path == path or f.path.startswith(path + ".") or f.path.startswith(path + "["):
                return section
        return None


def get(report: StationReport, path: str) -> Leaf:
    """The value of the box at `path` (see shared.domain.validation for the path syntax)."""
    return get_field(report, path)


def set(report: StationReport, path: str, value: Leaf) -> None:
    """Set the box at `path` in place; a value of the wrong kind or out of range raises InputError."""
    set_field(report, path, value)


# ---------------------------------------------------------------------------------------------------- labels

_YES_NO = (("yes", "Ja"), ("no", "Nee"))


def _question(path: str, question: str, answers: Sequence[tuple[str, str]] = _YES_NO) -> list[FormField]:
    return [
        FormField(path=f"{path}.{box}", kind="tick", label=label, question=question) for box, label in answers
    ]


def _voters(voter_cards: bool, title: str) -> FormSection:
    fields = [
        FormField(path="voters.poll_cards", kind="count", letter="A", label="Stempassen"),
        FormField(
            path="voters.proxy_certificates",
            kind="count",
            letter="B",
            label="Volmachtbewijzen (schriftelijk of via ingevulde achterkant stempas of kiezerspas)"
            if voter_cards
            else "Volmachtbewijzen (schriftelijk of via ingevulde achterkant stempas)",
        ),
    ]
    if voter_cards:
        fields.append(FormField(path="voters.voter_cards", kind="count", letter="C", label="Kiezerspassen"))
    fields.append(
        FormField(
            path="voters.admitted_voters",
            kind="count",
            letter="D",
            label="Totaal toegelaten kiezers (A+B+C)" if voter_cards else "Totaal toegelaten kiezers (A+B)",
        )
    )
    return FormSection(key="voters", title=title, fields=tuple(fields))


def _votes(lists: Sequence[CandidateList], title: str) -> FormSection:
    n = len(lists)
    fields = [
        FormField(
            path=f"votes.list_votes[{i}]",
            kind="count",
            letter=f"E.{lst.number}",
            label=f"Totaal lijst {lst.number} - {lst.name}",
        )
        for i, lst in enumerate(lists)
    ]
    last = lists[-1].number if n else 0
    fields += [
        FormField(
            path="votes.votes_on_candidates",
            kind="count",
            letter="E",
            label=f"Totaal stemmen op kandidaten (tel E.1 t/m E.{last} op)",
        ),
        FormField(path="votes.blank", kind="count", letter="F", label="Blanco stemmen"),
        FormField(path="votes.invalid", kind="count", letter="G", label="Ongeldige stemmen"),
        FormField(
            path="votes.ballots_cast", kind="count", letter="H", label="Totaal uitgebrachte stemmen (E+F+G)"
        ),
    ]
    return FormSection(key="votes", title=title, fields=tuple(fields))


def _differences(title: str) -> FormSection:
    compare = "Vergelijk D (totaal toegelaten kiezers) en H (totaal uitgebrachte stemmen)"
    fields = [
        FormField(path="differences.equal", kind="tick", label="D en H zijn gelijk", question=compare),
        FormField(
            path="differences.more_counted",
            kind="tick",
            question=compare,
            label="H is groter dan D (meer uitgebrachte stemmen dan toegelaten kiezers)",
        ),
        FormField(
            path="differences.more_ballots",
            kind="count",
            letter="I",
            label="Aantal méér getelde stemmen (bereken: H min D)",
        ),
        FormField(
            path="differences.fewer_counted",
            kind="tick",
            question=compare,
            label="H is kleiner dan D (minder uitgebrachte stemmen dan toegelaten kiezers)",
        ),
        FormField(
            path="differences.fewer_ballots",
            kind="count",
            letter="J",
            label="Aantal minder getelde stemmen (bereken: D min H)",
        ),
    ]
    explained = (
        "Zijn er tijdens de stemming dingen opgeschreven die het verschil tussen D en H volledig verklaren?"
    )
    fields += [
        FormField(path="differences.explained_yes", kind="tick", label="Ja", question=explained),
        FormField(
            path="differences.explained_no",
            kind="tick",
            label="Nee, er is een onverklaard verschil",
            question=explained,
        ),
    ]
    return FormSection(key="differences", title=title, fields=tuple(fields))


def _list_sections(lists: Sequence[CandidateList], prefix: str) -> list[FormSection]:
    out = []
    for i, lst in enumerate(lists):
        fields = [
            FormField(
                path=f"lists[{i}].candidate_votes[{j}]",
                kind="count",
                letter=str(c.position),
                label=c.display_name,
            )
            for j, c in enumerate(lst.candidates)
        ]
        fields.append(
            FormField(
                path=f"lists[{i}].total",
                kind="count",
                letter=f"E.{lst.number}",
                label="Totaal lijst (kolom 1 + 2 + 3 + 4)",
            )
        )
        out.append(
            FormSection(
                key=f"list_{lst.number}",
                title=f"{prefix}Lijst {lst.number} - {lst.name}",
                fields=tuple(fields),
                list_number=lst.number,
            )
        )
    return out


def _cso_first_extras() -> list[FormSection]:
    ei = "extra_investigation"
    cd = "counting_differences"
    return [
        FormSection(
            key=ei,
            title="B1-1 Extra onderzoek: opmerkingen gemeentelijk stembureau",
            fields=tuple(
                _question(
                    f"{ei}.other_reason",
                    "Heeft het gemeentelijk stembureau extra onderzoek gedaan "
                    "vanwege een andere reden dan een onverklaard verschil?",
                )
                + _question(
                    f"{ei}.ballots_recounted",
                    "Zijn de stembiljetten naar aanleiding van het extra onderzoek (gedeeltelijk) herteld?",
                )
            ),
        ),
        FormSection(
            key=cd,
            title="B1-2 Verschillen met telresultaten stembureau",
            fields=tuple(
                _question(
                    f"{cd}.unexplained_difference",
                    "Was er in de telresultaten van het stembureau een "
                    "onverklaard verschil tussen het totaal aantal getelde stembiljetten en het aantal "
                    "toegelaten kiezers?",
                )
                + _question(
                    f"{cd}.list_totals_differ",
                    "Is er een verschil tussen het totaal aantal getelde "
                    "stembiljetten per lijst zoals eerder vastgesteld door het stembureau en zoals "
                    "geteld door het gemeentelijk stembureau?",
                )
            ),
        ),
    ]


def _dso_first_extras() -> list[FormSection]:
    ab = "about_report"
    cc = "checks_and_corrections"
    reason = "Waarom heeft het gemeentelijk stembureau de telresultaten onderzocht?"
    corrected = (
        ("no", "Nee, de oorspronkelijke telresultaten waren correct"),
        ("yes", "Ja, er zijn gecorrigeerde telresultaten"),
    )
    return [
        FormSection(
            key=ab,
            title="Over het proces-verbaal",
            fields=tuple(
                _question(
                    f"{ab}.corrigendum_present",
                    "Is er een corrigendum bij het papieren proces-verbaal aanwezig?",
                    (
                        ("yes", "Ja, ik heb twee documenten (een proces-verbaal en een corrigendum)"),
                        ("no", "Nee, ik heb één document (alleen een proces-verbaal)"),
                    ),
                )
                + _question(
                    f"{ab}.checks_page_present",
                    "Is voorin het proces-verbaal de extra pagina controles en correcties ingevoegd?",
                    (
                        ("yes", "Ja, de pagina 'controles en correcties' is aanwezig"),
                        ("no", "Nee, de pagina ontbreekt"),
                    ),
                )
            ),
        ),
        FormSection(
            key=cc,
            title="Controles en correcties",
            fields=(
                FormField(
                    path=f"{cc}.reason_unexplained_difference",
                    kind="tick",
                    label="Vanwege een onverklaard verschil",
                    question=reason,
                ),
                FormField(
                    path=f"{cc}.reason_other_error",
                    kind="tick",
                    label="Vanwege (het vermoeden van) een andere fout",
                    question=reason,
                ),
                *_question(
                    f"{cc}.corrected_own_initiative",
                    "Op eigen initiatief van het gemeentelijk stembureau: "
                    "Zijn er gecorrigeerde telresultaten?",
                    corrected,
                ),
                *_question(
                    f"{cc}.corrected_csb_request",
                    "Op verzoek van het centraal stembureau: Zijn er gecorrigeerde telresultaten?",
                    corrected,
                ),
            ),
        ),
    ]


_COUNT_TITLES: dict[ReportModel, tuple[str, str, str, str]] = {
    "cso_first": ("B1-3.1 ", "B1-3.2 ", "B1-3.3 ", "B1-3.5 "),
    "cso_next": ("B1-2.1 ", "B1-2.2 ", "B1-2.3 ", "B1-2.4 "),
    "dso_first": ("2.1 ", "2.2 ", "2.3 ", "2.4 "),
    "dso_next": ("", "", "", ""),
}


def build_form(model: ReportModel, lists: Sequence[CandidateList], *, voter_cards: bool) -> Form:
    """The form of `model` for the election's lists (ballot order); `voter_cards` False hides box C (GR)."""
    t_voters, t_votes, t_diff, t_lists = _COUNT_TITLES[model]
    sections: list[FormSection] = []
    if model == "cso_first":
        sections += _cso_first_extras()
    elif model == "dso_first":
        sections += _dso_first_extras()
    sections.append(_voters(voter_cards, f"{t_voters}Toegelaten kiezers"))
    sections.append(_votes(lists, f"{t_votes}Uitgebrachte stemmen"))
    sections.append(_differences(f"{t_diff}Verschillen tussen aantal kiezers en uitgebrachte stemmen"))
    sections += _list_sections(lists, t_lists)
    return Form(model=model, sections=tuple(sections))
