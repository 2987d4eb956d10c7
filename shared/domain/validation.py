"""Validation of one typed station report with the official rule codes (spec/station-reports.md).

Findings are data, never exceptions: a paper report may be wrong and must still be typed exactly as it is, so
that the typist and the coordinator see *which* rule the paper breaks (F = fout, the paper is inconsistent; W
= waarschuwing, remarkable but possibly right). The codes, fields and masking follow the Kiesraad's Abacus so
that users recognise them. Only input that cannot be a paper report at all (negative or too large counts,
lists that do not match the election, a C box on a municipal election) is refused outright by `check_shape`
with an `InputError` — the "F.0xx" series is empty for that reason.

Legal basis: the station counts admitted voters and ballots and writes them in its proces-verbaal (Kieswet N
9–N 11); under central counting the municipality counts the candidate votes and may investigate (Kieswet
hoofdstuk N, model Na 31-2); voter cards (kiezerspassen) do not exist for municipal elections (Kieswet K 6).

Field paths name leaves of `StationReport` as `voters.admitted_voters`, `votes.list_votes[0]`,
`lists[2].total`, `lists[2].candidate_votes[5]`, `differences.equal`, `extra_investigation.other_reason` (a
yes/no question) or `extra_investigation.other_reason.yes` (one box). `get_field`, `set_field`, `leaf_paths`
and `differing_fields` are the one place that understands this syntax; the entry form and double entry use
them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, TypeGuard

import msgspec

from shared.domain.election import District
from shared.domain.station_report import MAX_COUNT, ReportModel, StationReport, YesNo
from shared.errors import InputError

Level = Literal["gsb", "csb"]
Kind = Literal["error", "warning"]

#: Categories without voter cards (kiezerspas, Kieswet K 6): municipal and island council elections.
NO_VOTER_CARD_CATEGORIES = frozenset({"GR", "ER"})


def has_voter_cards(category: str) -> bool:
    """Whether box C (kiezerspassen) exists for this election category (Kieswet K 6)."""
    return category not in NO_VOTER_CARD_CATEGORIES


class ValidationContext(msgspec.Struct, frozen=True, kw_only=True):
    """What validation needs besides the report.

    `level`: "gsb" (the municipality types a station report) or "csb" (a central body re-keys a
    municipality's totals: no tick boxes; F.1xx, F.301–F.311, F.313 and W.201–W.203 do not apply).
    `lists`: (list number, number of candidates) in ballot order. `voter_cards`: whether box C exists.
    `eligible_voters`: Z, only for CSB entry. `model`: the paper model expected, if the caller knows it.
    """

    level: Level = "gsb"
    lists: tuple[tuple[int, int], ...]
    voter_cards: bool
    eligible_voters: int | None = None
    model: ReportModel | None = None


def context_for(
    district: District,
    category: str,
    *,
    level: Level = "gsb",
    model: ReportModel | None = None,
    eligible_voters: int | None = None,
) -> ValidationContext:
    """The context for reports of one district of an election of `category` (EML ElectionCategory)."""
    return ValidationContext(
        level=level,
        lists=tuple((lst.number, len(lst.candidates)) for lst in district.lists),
        voter_cards=has_voter_cards(category),
        eligible_voters=eligible_voters,
        model=model,
    )


class ValidationResult(msgspec.Struct, frozen=True, kw_only=True):
    """One finding: its official code, error or warning, the fields to highlight, the list for F.4xx."""

    code: str
    kind: Kind
    fields: tuple[str, ...]
    list_number: int | None = None


class ValidationResults(msgspec.Struct, frozen=True, kw_only=True):
    """Errors and warnings, each sorted by code (stable within a code: lists in ballot order)."""

    errors: tuple[ValidationResult, ...] = ()
    warnings: tuple[ValidationResult, ...] = ()

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def has_warnings(self) -> bool:
        return bool(self.warnings)

    @property
    def all(self) -> tuple[ValidationResult, ...]:
        return self.errors + self.warnings

    def codes(self) -> list[str]:
        return [r.code for r in self.all]


# ----------------------------------------------------------------------------------------------- field paths

_SEGMENT = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")
#: Fields that identify rather than count: never typed, never compared, never blanked.
_NOT_TYPED = frozenset({"model", "number"})

Leaf = int | bool | None


def _segments(path: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for part in path.split("."):
        m = _SEGMENT.fullmatch(part)
        if m is None:
            raise InputError(f"not a field path: {path!r}", where=path)
        out.append((m.group(1), int(m.group(2)) if m.group(2) is not None else None))
    return out


def _resolve(report: StationReport, path: str) -> tuple[object, str | int]:
    """The container holding the leaf named by `path`, and the attribute name or list index within it."""
    segments = _segments(path)
    obj: object = report
    for i, (name, index) in enumerate(segments):
        last = i == len(segments) - 1
        if name in _NOT_TYPED or not isinstance(obj, msgspec.Struct) or name not in obj.__struct_fields__:
            raise InputError("no such field on this report", where=path)
        if last and index is None:
            return obj, name
        value = getattr(obj, name)
        if index is not None:
            if not isinstance(value, list) or not 0 <= index < len(value):
                raise InputError(f"index {index} is out of range", where=path)
            if last:
                return value, index
            value = value[index]
        if value is None:
            raise InputError("this part is not on this report model", where=path)
        obj = value
    raise InputError("empty field path", where=path)  # pragma: no cover - split() never yields nothing


def get_field(report: StationReport, path: str) -> Leaf:
    """The value of one leaf field (a count, a tick box, or None for an absent box C)."""
    container, key = _resolve(report, path)
    value = container[key] if isinstance(key, int) else getattr(container, key)  # type: ignore[index]
    if isinstance(value, msgspec.Struct | list):
        raise InputError("names a group, not a single field", where=path)
    return value  # type: ignore[no-any-return]


def set_field(report: StationReport, path: str, value: Leaf) -> None:
    """Set one leaf field in place, refusing a value of the wrong kind or out of range (it names the path)."""
    current = get_field(report, path)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise InputError("expects a tick (true/false)", where=path)
    elif current is None:
        raise InputError("box C (kiezerspassen) does not exist for this election", where=path)
    else:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError("expects a whole number", where=path)
        if not 0 <= value <= MAX_COUNT:
            raise InputError(f"{value} is outside 0‥{MAX_COUNT:_}".replace("_", " "), where=path)
    container, key = _resolve(report, path)
    if isinstance(key, int):
        container[key] = value  # type: ignore[index]
    else:
        setattr(container, key, value)


#: Typed field names per struct class (`__struct_fields__` less `_NOT_TYPED`), filled on first use.
_TYPED_FIELDS: dict[type, tuple[str, ...]] = {}


def _is_struct(value: object) -> TypeGuard[msgspec.Struct]:
    # `isinstance(value, msgspec.Struct)` is several times slower, and this runs once per box.
    return isinstance(type(value), msgspec.StructMeta)


def _typed_fields(obj: msgspec.Struct) -> tuple[str, ...]:
    cls = type(obj)
    names = _TYPED_FIELDS.get(cls)
    if names is None:
        names = _TYPED_FIELDS[cls] = tuple(n for n in obj.__struct_fields__ if n not in _NOT_TYPED)
    return names


def _add_leaves(obj: msgspec.Struct, prefix: str, out: list[tuple[str, Leaf]]) -> None:
    for name in _typed_fields(obj):
        value = getattr(obj, name)
        path = prefix + name
        if isinstance(value, list):
            for i, item in enumerate(value):
                if _is_struct(item):
                    _add_leaves(item, f"{path}[{i}].", out)
                else:
                    out.append((f"{path}[{i}]", item))
        elif _is_struct(value):
            _add_leaves(value, path + ".", out)
        elif value is not None:  # None: an absent part (box C of a municipal election, another model's pages)
            out.append((path, value))


def leaf_paths(report: StationReport) -> list[tuple[str, Leaf]]:
    """Every typed leaf with its value, in the report's structural order."""
    out: list[tuple[str, Leaf]] = []
    _add_leaves(report, "", out)
    return out


def _differing_leaves(a: msgspec.Struct, b: msgspec.Struct, prefix: str, out: list[str]) -> bool:
    """Append the paths of the leaves that differ between two structs of one type, skipping equal parts.

    Why: two entries of a station are almost always equal list by list, so comparing whole parts first
    (C-speed `==`) avoids naming ~1,100 candidate boxes per comparison. Returns False, with `out` partly
    filled, as soon as the two do not have the same leaf paths (a part or box C on one side only, lists of
    other lengths): there the order of `differing_fields` needs every path of both.
    """
    for name in _typed_fields(a):
        va, vb = getattr(a, name), getattr(b, name)
        if va == vb:
            continue
        path = prefix + name
        if isinstance(va, list):
            if not isinstance(vb, list) or len(va) != len(vb):
                return False
            for i, (ia, ib) in enumerate(zip(va, vb, strict=True)):
                if _is_struct(ia) or _is_struct(ib):
                    if ia == ib:
                        continue
                    if type(ia) is not type(ib) or not _differing_leaves(ia, ib, f"{path}[{i}].", out):
                        return False
                elif ia != ib:
                    out.append(f"{path}[{i}]")
        elif _is_struct(va):
            if type(vb) is not type(va) or not _differing_leaves(va, vb, path + ".", out):
                return False
        elif va is None or vb is None or isinstance(vb, list) or _is_struct(vb):
            return False
        else:
            out.append(path)  # two single boxes that are not equal
    return True


def differing_fields(first: StationReport, second: StationReport) -> list[str]:
    """W.001: the paths of every field whose value differs between two entries (including missing ones)."""
    out: list[str] = []
    if type(first) is type(second) and _differing_leaves(first, second, "", out):
        return out
    first_leaves, second_leaves = leaf_paths(first), leaf_paths(second)
    a, b = dict(first_leaves), dict(second_leaves)
    order = [p for p, _ in first_leaves] + [p for p, _ in second_leaves if p not in a]
    return [p for p in order if a.get(p, "absent") != b.get(p, "absent")]


def copy_report(report: StationReport) -> StationReport:
    """A deep copy, so that a stored entry is never changed through a report the caller still holds."""
    return msgspec.msgpack.decode(msgspec.msgpack.encode(report), type=StationReport)


def blank_fields(report: StationReport, paths: Sequence[str]) -> StationReport:
    """A copy with the given leaves emptied (0, unticked): what a typist re-keys in a correction entry."""
    out = copy_report(report)
    for path in paths:
        current = get_field(out, path)
        if current is not None:
            set_field(out, path, False if isinstance(current, bool) else 0)
    return out


# ------------------------------------------------------------------------------------------------- the shape

_EXTRAS: dict[ReportModel, frozenset[str]] = {
    "cso_first": frozenset({"extra_investigation", "counting_differences"}),
    "cso_next": frozenset(),
    "dso_first": frozenset({"about_report", "checks_and_corrections"}),
    "dso_next": frozenset(),
}
_ALL_EXTRAS = ("extra_investigation", "counting_differences", "about_report", "checks_and_corrections")


def _counts_in_range(obj: msgspec.Struct) -> bool:
    """Whether every count is within 0‥MAX_COUNT, checked a whole list at a time (its extremes, no paths).

    False also for anything that is not a plain count or tick, so that the leaf-by-leaf scan of
    `check_shape` names the first box that is wrong exactly as it always has.
    """
    try:
        for name in _typed_fields(obj):
            value = getattr(obj, name)
            if isinstance(value, list):
                if not value:
                    continue
                if _is_struct(value[0]):
                    for item in value:
                        if not (_is_struct(item) and _counts_in_range(item)):
                            return False
                else:
                    ordered = sorted(value)  # sorting compares ints on a fast path that min() and max() lack
                    if not (ordered[0] >= 0 and ordered[-1] <= MAX_COUNT):
                        return False
            elif _is_struct(value):
                if not _counts_in_range(value):
                    return False
            elif value is not None and not 0 <= value <= MAX_COUNT:
                return False
    except TypeError:
        return False
    return True


def check_shape(report: StationReport, ctx: ValidationContext) -> None:
    """Refuse a report that cannot be a filled-in paper form of this election (InputError naming the field).

    Everything else — any combination of numbers and ticks a person can write on paper — is accepted
    and judged by `validate`.
    """
    if ctx.model is not None and report.model != ctx.model:
        raise InputError(f"report is model {report.model}, expected {ctx.model}", where="model")
    wanted = frozenset() if ctx.level == "csb" else _EXTRAS[report.model]
    for name in _ALL_EXTRAS:
        present = getattr(report, name) is not None
        if present and name not in wanted:
            raise InputError(f"this part is not on model {report.model} ({ctx.level})", where=name)
        if not present and name in wanted:
            raise InputError(f"this part of model {report.model} is missing", where=name)
    if ctx.voter_cards and report.voters.voter_cards is None:
        raise InputError("box C (kiezerspassen) is required for this election", where="voters.voter_cards")
    if not ctx.voter_cards and report.voters.voter_cards is not None:
        raise InputError(
            "box C (kiezerspassen) does not exist for a municipal election", where="voters.voter_cards"
        )
    n = len(ctx.lists)
    if len(report.votes.list_votes) != n:
        raise InputError(
            f"{len(report.votes.list_votes)} list totals, the election has {n} lists",
            where="votes.list_votes",
        )
    if len(report.lists) != n:
        raise InputError(f"{len(report.lists)} lists, the election has {n}", where="lists")
    for i, (entry, (number, candidates)) in enumerate(zip(report.lists, ctx.lists, strict=True)):
        if entry.number != number:
            raise InputError(
                f"list number {entry.number}, expected {number} here", where=f"lists[{i}].number"
            )
        if len(entry.candidate_votes) != candidates:
            raise InputError(
                f"{len(entry.candidate_votes)} candidates, list {number} has {candidates}",
                where=f"lists[{i}].candidate_votes",
            )
    if not _counts_in_range(report):
        for path, value in leaf_paths(report):
            if isinstance(value, bool) or value is None:
                continue
            if not 0 <= value <= MAX_COUNT:
                raise InputError(f"{value} is outside 0‥999 999 999", where=path)
    if ctx.eligible_voters is not None and not 0 <= ctx.eligible_voters <= MAX_COUNT:
        raise InputError(f"{ctx.eligible_voters} is outside 0‥999 999 999", where="eligible_voters")


# ------------------------------------------------------------------------------------------------- the rules


class _Findings:
    """Collects findings while the rules run; sorted by code at the end."""

    def __init__(self) -> None:
        self.items: list[ValidationResult] = []

    def error(self, code: str, *fields: str, list_number: int | None = None) -> None:
        self.items.append(ValidationResult(code=code, kind="error", fields=fields, list_number=list_number))

    def warning(self, code: str, *fields: str) -> None:
        self.items.append(ValidationResult(code=code, kind="warning", fields=fields))

    def results(self) -> ValidationResults:
        ordered = sorted(self.items, key=lambda r: r.code)  # stable: F.4xx stay in ballot order
        return ValidationResults(
            errors=tuple(r for r in ordered if r.kind == "error"),
            warnings=tuple(r for r in ordered if r.kind == "warning"),
        )


def _at_or_above_percentage(value: int, total: int, percentage: int) -> bool:
    """value ≥ percentage % of total, threshold rounded up, integers only; never when both are 0."""
    if value == 0 and total == 0:
        return False
    return value >= -(-total * percentage // 100)


def _extra_investigation(report: StationReport, f: _Findings) -> None:
    """F.101/F.102: B1-1, the GSB's extra investigation for another reason than an unexplained difference."""
    ei = report.extra_investigation
    if ei is None:
        return
    path = "extra_investigation"
    if ei.other_reason.empty != ei.ballots_recounted.empty:
        f.error("F.101", f"{path}.other_reason", f"{path}.ballots_recounted")
    if ei.other_reason.both or ei.ballots_recounted.both:
        f.error(
            "F.102", *[f"{path}.{q}" for q in ("other_reason", "ballots_recounted") if getattr(ei, q).both]
        )


def _counting_differences(report: StationReport, f: _Findings) -> None:
    """F.111/F.112: B1-2, differences with the station's own counts (both questions must be answered once)."""
    cd = report.counting_differences
    if cd is None:
        return
    questions = {
        "unexplained_difference": cd.unexplained_difference,
        "list_totals_differ": cd.list_totals_differ,
    }
    empty = [f"counting_differences.{q}" for q, yn in questions.items() if yn.empty]
    both = [f"counting_differences.{q}" for q, yn in questions.items() if yn.both]
    if empty:
        f.error("F.111", *empty)
    if both:
        f.error("F.112", *both)


def _about_report_and_checks(report: StationReport, f: _Findings) -> None:
    """F.121–F.135: DSO "about the report" and the "controles en correcties" insert (first session).

    The insert records a re-examination by the GSB on its own initiative (Kieswet hoofdstuk N) and whether
    it led to a corrigendum; a request of the central body cannot exist yet during the first session.
    """
    about, checks = report.about_report, report.checks_and_corrections
    if about is None or checks is None:
        return
    unanswered = [
        f"about_report.{q}"
        for q in ("corrigendum_present", "checks_page_present")
        if not getattr(about, q).answered
    ]
    if unanswered:
        f.error("F.121", *unanswered)
    corrigendum = about.corrigendum_present
    if (
        corrigendum.yes
        and not corrigendum.no
        and about.checks_page_present.no
        and not about.checks_page_present.yes
    ):
        f.error("F.122", "about_report.corrigendum_present", "about_report.checks_page_present")
    own = checks.corrected_own_initiative
    filled = (
        checks.reason_unexplained_difference
        or checks.reason_other_error
        or not own.empty
        or not checks.corrected_csb_request.empty
    )
    page_present = about.checks_page_present.yes and not about.checks_page_present.no
    if page_present or filled:
        missing = []
        if not (checks.reason_unexplained_difference or checks.reason_other_error):
            missing.append("checks_and_corrections.reason_unexplained_difference")
            missing.append("checks_and_corrections.reason_other_error")
        if own.empty:
            missing.append("checks_and_corrections.corrected_own_initiative")
        if missing:
            f.error("F.131", *missing)
    own_fields = ("checks_and_corrections.corrected_own_initiative", "about_report.corrigendum_present")
    corrigendum_yes = corrigendum.yes and not corrigendum.no
    corrigendum_no = corrigendum.no and not corrigendum.yes
    if own.no and not own.yes and corrigendum_yes:
        f.error("F.132", *own_fields)
    if own.yes and not own.no and corrigendum_no:
        f.error("F.133", *own_fields)
    both = [
        f"checks_and_corrections.{q}"
        for q in ("corrected_own_initiative", "corrected_csb_request")
        if getattr(checks, q).both
    ]
    if both:
        f.error("F.134", *both)
    if not checks.corrected_csb_request.empty:
        f.error("F.135", "checks_and_corrections.corrected_csb_request")


def _totals(report: StationReport, f: _Findings) -> None:
    """F.201–F.204: the sums on the voters-and-votes page (D = A + B + C; E = ΣE.x; H = E + F + G)."""
    v, votes = report.voters, report.votes
    c = v.voter_cards or 0
    if v.poll_cards + v.proxy_certificates + c != v.admitted_voters:
        fields = ["voters.poll_cards", "voters.proxy_certificates"]
        if v.voter_cards is not None:
            fields.append("voters.voter_cards")
        f.error("F.201", *fields, "voters.admitted_voters")
    list_sum = sum(votes.list_votes)
    if list_sum > 0 and votes.votes_on_candidates == 0:
        f.error("F.204", "votes.votes_on_candidates")  # masks F.202 and F.203
        return
    if list_sum != votes.votes_on_candidates:
        f.error(
            "F.202",
            *[f"votes.list_votes[{i}]" for i in range(len(votes.list_votes))],
            "votes.votes_on_candidates",
        )
    if votes.votes_on_candidates + votes.blank + votes.invalid != votes.ballots_cast:
        f.error("F.203", "votes.votes_on_candidates", "votes.blank", "votes.invalid", "votes.ballots_cast")


def _differences(report: StationReport, f: _Findings) -> None:
    """F.301–F.310, F.313: the D/H comparison ticks, I and J, and "fully explained?" (GSB only)."""
    d, h = report.voters.admitted_voters, report.votes.ballots_cast
    diff = report.differences
    p = "differences"
    if diff.equal and d != h:
        f.error("F.301", f"{p}.equal")
    if diff.more_counted and h <= d:
        f.error("F.302", f"{p}.more_counted")
    if diff.fewer_counted and h >= d:
        f.error("F.303", f"{p}.fewer_counted")
    if [diff.equal, diff.more_counted, diff.fewer_counted].count(True) != 1:
        f.error("F.304", f"{p}.equal", f"{p}.more_counted", f"{p}.fewer_counted")
    if d == h and (diff.more_ballots or diff.fewer_ballots):
        f.error("F.305", *[f"{p}.{n}" for n in ("more_ballots", "fewer_ballots") if getattr(diff, n)])
    if h > d and diff.more_ballots != h - d:
        f.error("F.306", f"{p}.more_ballots")
    if h > d and diff.fewer_ballots:
        f.error("F.307", f"{p}.more_ballots", f"{p}.fewer_ballots")
    if h < d and diff.fewer_ballots != d - h:
        f.error("F.308", f"{p}.fewer_ballots")
    if h < d and diff.more_ballots:
        f.error("F.309", f"{p}.more_ballots", f"{p}.fewer_ballots")
    explained = YesNo(yes=diff.explained_yes, no=diff.explained_no)
    if d != h and not explained.answered:
        f.error("F.310", f"{p}.explained_yes", f"{p}.explained_no")
    if d == h and not explained.empty:
        f.error("F.313", f"{p}.explained_yes", f"{p}.explained_no")
    checks = report.checks_and_corrections
    if (
        checks is not None
        and diff.explained_no
        and not diff.explained_yes
        and not checks.reason_unexplained_difference
    ):
        f.error("F.311", f"{p}.explained_no", "checks_and_corrections.reason_unexplained_difference")


def _csb_differences(report: StationReport, f: _Findings) -> None:
    """F.312: on a municipality's totals, D = H − I + J must hold (only I and J exist there)."""
    d, h = report.voters.admitted_voters, report.votes.ballots_cast
    diff = report.differences
    if d != h - diff.more_ballots + diff.fewer_ballots:
        f.error(
            "F.312",
            "voters.admitted_voters",
            "votes.ballots_cast",
            "differences.more_ballots",
            "differences.fewer_ballots",
        )


def _lists(report: StationReport, f: _Findings) -> None:
    """F.401–F.403 per list: list total against its candidates and against E.x (F.401 masks the others)."""
    for i, entry in enumerate(report.lists):
        candidates = sum(entry.candidate_votes)
        ex = report.votes.list_votes[i]
        if (candidates > 0 or ex > 0) and entry.total == 0:
            f.error("F.401", f"lists[{i}].total", list_number=entry.number)
            continue
        if entry.total != candidates:
            f.error("F.402", f"lists[{i}]", list_number=entry.number)
        if entry.total != ex:
            f.error("F.403", f"lists[{i}].total", f"votes.list_votes[{i}]", list_number=entry.number)


def _warnings(report: StationReport, ctx: ValidationContext, f: _Findings) -> None:
    """W.201–W.206: remarkable numbers the typist must confirm against the paper."""
    votes = report.votes
    h, d = votes.ballots_cast, report.voters.admitted_voters
    if ctx.level == "gsb":
        if _at_or_above_percentage(votes.blank, h, 3):
            f.warning("W.201", "votes.blank")
        if _at_or_above_percentage(votes.invalid, h, 3):
            f.warning("W.202", "votes.invalid")
        gap = abs(d - h)
        # Abacus: |D−H| / H ≥ 2 % OR |D−H| ≥ 15 (H = 0 with D > 0 counts as an infinite ratio).
        if gap > 0 and (gap * 100 >= 2 * h or gap >= 15):
            f.warning("W.203", "voters.admitted_voters", "votes.ballots_cast")
    if h == 0:
        f.warning("W.204", "votes.ballots_cast")
    if ctx.level == "csb":
        z = ctx.eligible_voters or 0
        if z == 0:
            f.warning("W.205", "eligible_voters")  # masks W.206
        elif z < report.voters.poll_cards:
            f.warning("W.206", "eligible_voters", "voters.poll_cards")


def validate(report: StationReport, ctx: ValidationContext) -> ValidationResults:
    """Every rule for this report's model and level; checks the shape first (InputError if malformed)."""
    check_shape(report, ctx)
    f = _Findings()
    if ctx.level == "gsb":
        _extra_investigation(report, f)
        _counting_differences(report, f)
        _about_report_and_checks(report, f)
    _totals(report, f)
    if ctx.level == "gsb":
        _differences(report, f)
    else:
        _csb_differences(report, f)
    _lists(report, f)
    _warnings(report, ctx, f)
    return f.results()
