"""The dependency rule of ARCHITECTURE §3, checked on the source: tiers talk only through paper and files.

- `shared` imports no tier and not the `telketen` command package;
- `shared.domain` is pure: standard library (minus what touches files, clock, randomness, processes or
  the network), msgspec and cryptography, and nothing of `shared` outside the domain but the error tree;
- `station` imports only `shared`; `municipality` imports `shared` and `station`;
- `hoofdstembureau` and `central` import only `shared` — never another tier.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIERS = ("station", "municipality", "hoofdstembureau", "central")
ALLOWED = {
    "shared": {"shared"},
    "station": {"shared", "station"},
    "municipality": {"shared", "station", "municipality"},
    "hoofdstembureau": {"shared", "hoofdstembureau"},
    "central": {"shared", "central"},
}
OWN = {"shared", "station", "municipality", "hoofdstembureau", "central", "telketen"}
IMPURE_STDLIB = {
    "os",
    "io",
    "pathlib",
    "time",
    "datetime",
    "random",
    "secrets",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "shutil",
    "urllib",
    "http",
    "glob",
    "uuid",
    "threading",
    "asyncio",
    "multiprocessing",
    "getpass",
    "signal",
    "select",
    "ssl",
    "fileinput",
    "logging",
    "builtins",
}
DOMAIN_THIRD_PARTY = {"msgspec", "cryptography"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["shared", *TIERS])
def test_packages_import_only_what_the_architecture_allows(package: str) -> None:
    bad = [
        f"{path.relative_to(REPO)}:{line} imports {name}"
        for path in sources(package)
        for line, name in imports_of(path)
        if name.split(".")[0] in OWN and name.split(".")[0] not in ALLOWED[package]
    ]
    assert not bad, "dependency rule broken:\n" + "\n".join(bad)


def test_domain_is_pure() -> None:
    bad = []
    for path in sources("shared/domain"):
        for line, name in imports_of(path):
            top = name.split(".")[0]
            where = f"{path.relative_to(REPO)}:{line} imports {name}"
            if top in IMPURE_STDLIB:
                bad.append(where)
            elif top == "shared":
                if not (name.startswith("shared.domain") or name == "shared.errors"):
                    bad.append(where)
            elif top not in sys.stdlib_module_names and top not in DOMAIN_THIRD_PARTY and top != "__future__":
                bad.append(where)
    assert not bad, "shared.domain must stay pure:\n" + "\n".join(bad)


def test_the_rule_checker_catches_a_violation(tmp_path: Path) -> None:
    """The checker itself can fail: an import of another tier is seen."""
    f = tmp_path / "x.py"
    f.write_text("import os\nfrom central.app import thing\n", encoding="utf-8")
    names = [name for _, name in imports_of(f)]
    assert names == ["os", "central.app"]
