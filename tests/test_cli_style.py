"""One command-line style across the tiers (issue 15): every sub-command explains itself, the typed hash
groups take one shape everywhere, a file that cannot be read is worded one way, and every error is one line
on stderr in the form `telketen: error: <where>: <what>`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from shared.adapters.files import read_input
from shared.cli_options import add_hash_options
from shared.errors import InputError
from telketen.cli import build_parser, main


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], str, str]]:
    """(command path, help, description) of every sub-command below `parser`."""
    found = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help or "" for a in action._choices_actions}
        for name, child in action.choices.items():
            found.append(((*path, name), helps.get(name, ""), child.description or ""))
            found += _walk(child, (*path, name))
    return found


def test_every_sub_command_of_every_tier_has_help_and_a_description() -> None:
    tree = _walk(build_parser(), ())
    assert len(tree) > 50  # the whole tree was walked, not one level
    aliases = {"hsb"}  # argparse lists an alias's parser under its own name without a help line
    missing = [
        " ".join(path) + (" (help)" if not h else "") + (" (description)" if not d else "")
        for path, h, d in tree
        if (not h and path[-1] not in aliases and path[0] not in aliases) or not d
    ]
    assert missing == []


def _hash_parser(many: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="t")
    add_hash_options(parser, many_230b=many)
    return parser


def test_typed_groups_are_two_arguments_in_every_tier() -> None:
    args = _hash_parser(False).parse_args(["--hash-110a", "1a2b", "3c4d", "--hash-230b", "aaaa", "bbbb"])
    assert args.hash_110a == ("1a2b", "3c4d")
    assert args.hash_230b == ("aaaa", "bbbb")
    many = _hash_parser(True).parse_args(["--hash-230b", "1111", "2222", "--hash-230b", "3333", "4444"])
    assert many.hash_230b == [("1111", "2222"), ("3333", "4444")]
    for tier in ("municipality", "hsb", "central"):
        init = build_parser(tier)._subparsers._group_actions[0].choices[tier]  # type: ignore[union-attr]
        sub = init._subparsers._group_actions[0].choices["init"]
        shapes = {a.dest: a.metavar for a in sub._actions if a.dest in ("hash_110a", "hash_230b")}
        assert shapes == {"hash_110a": ("G1", "G2"), "hash_230b": ("G1", "G2")}, tier


def test_the_old_quoted_form_still_works_with_a_deprecation_line(capsys: pytest.CaptureFixture[str]) -> None:
    args = _hash_parser(True).parse_args(["--hash-110a", "1a2b 3c4d", "--hash-230b", "aaaa bbbb"])
    assert args.hash_110a == ("1a2b", "3c4d") and args.hash_230b == [("aaaa", "bbbb")]
    err = capsys.readouterr().err
    assert "deprecated" in err and "--hash-110a 1a2b 3c4d" in err


def test_three_groups_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _hash_parser(False).parse_args(["--hash-110a", "1a2b", "3c4d", "5e6f"])
    assert exc.value.code == 2
    assert "--hash-110a G1 G2" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["eml", "check", "{missing}"],
        ["eml", "info", "{missing}"],
        ["seats", "{missing}"],
        ["keys", "show", "{missing}"],
        ["plausibility", "{missing}"],
        ["paper", "encode", "{missing}", "--out", "{tmp}/x.png"],
        ["audit", "evaluate", "{missing}", "{missing}"],
    ],
)
def test_a_missing_file_is_worded_one_way(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nothing.xml")
    code = main([a.format(missing=missing, tmp=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines()[-1] == f"telketen: error: {missing}: file not found"


def test_read_input_words_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^.*: file not found$"):
        read_input(tmp_path / "x")
    with pytest.raises(InputError, match="is a folder, expected a file"):
        read_input(tmp_path)


def test_eml_check_of_a_non_eml_file_is_an_error_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    assert main(["eml", "check", str(notes)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"telketen: error: {notes}: not well-formed XML")


def test_demo_refuses_a_non_empty_folder_before_printing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.txt").write_text("earlier work")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"telketen: error: {tmp_path}: choose an empty or new folder")


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["verify", "--lang", "de", "x"], "verify"),
        (["municipality", "status", "--no-such-option"], "telketen"),  # the top parser finds leftovers
        (["hsb", "init", "--hash-110a", "1a2b", "3c4d", "5e6f"], "hoofdstembureau init"),
        (["central"], "central"),
    ],
)
def test_usage_errors_have_the_one_error_format(
    argv: list[str], where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1].startswith(f"telketen: error: {where}: ")
