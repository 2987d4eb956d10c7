"""The dependency rule of ARCHITECTURE §3, checked on the source: tiers talk only through paper and files.

- `shared` imports no tier and not the `telketen` command package;
- `shared.domain` is pure: standard library (minus what touches files, clock, randomness, processes or
  the network), msgspec and cryptography, and nothing of `shared` outside the domain but the error tree;
- `station` imports only `shared`; `municipality` imports `shared` and `station`;
- `hoofdstembureau` and `central` import only `shared` — never another tier;
- `telketen/verify` reaches no tier and not the central office's seat code, by any route.
"""

from __future__ import annotations

import ast
import re
import shutil
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


# ----------------------------------------------------------------------------------------------- verify
#: `telketen verify` must be able to catch an error of any tier or of the central office's seat code, so it
#: may not run that code: no tier, and not the seat modules it re-implements (telketen/verify/law.py).
VERIFY_FORBIDDEN_TOPS = {"station", "municipality", "hoofdstembureau", "central"}
VERIFY_FORBIDDEN_MODULES = {"shared.domain.apportionment", "shared.domain.candidates", "shared.domain.seats"}
#: Calls that import by name at run time; their module argument must be a literal naming an allowed module.
DYNAMIC_IMPORTS = {
    "__import__",
    "import_module",
    "find_spec",
    "find_loader",
    "spec_from_file_location",
    "files",
    "read_text",
    "read_binary",
    "open_text",
    "open_binary",
    "path",
    "contents",
    "is_resource",
    "as_file",
    "run_module",
    "get_data",
    "iter_modules",
    "walk_packages",
}
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def forbidden_for_verify(name: str) -> bool:
    return name.split(".")[0] in VERIFY_FORBIDDEN_TOPS or any(
        name == m or name.startswith(m + ".") for m in VERIFY_FORBIDDEN_MODULES
    )


def module_file(name: str, roots: list[Path]) -> Path | None:
    for root in roots:
        base = root.joinpath(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def module_name(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if path.is_relative_to(root):
            parts = list(path.relative_to(root).with_suffix("").parts)
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    raise ValueError(path)


def imported_names(path: Path, roots: list[Path]) -> list[tuple[int, str]]:
    """Every module a file imports, relative imports resolved, `from pkg import mod` counted as pkg.mod."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, roots).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if module:
                found.append((node.lineno, module))
            if not forbidden_for_verify(module):
                found.extend((node.lineno, f"{module}.{alias.name}".lstrip(".")) for alias in node.names)
    return found


def dynamic_import_problems(path: Path) -> list[str]:
    """Imports the AST import nodes do not show: `__import__`, `importlib`, `importlib.resources`/`util`,
    `runpy`, `pkgutil` calls, and any string that is the name of a forbidden module (`sys.modules[...]`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            # a dotted name only: a bare "central" is also a summary's role, not a module
            text = node.value.strip()
            if "." in text and _MODULE_NAME.fullmatch(text) and forbidden_for_verify(text):
                bad.append(f"{path}:{node.lineno} names module {text!r} in a string")
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "modules"
            and isinstance(node.slice, ast.Constant)
            and forbidden_for_verify(str(node.slice.value))
        ):
            bad.append(f"{path}:{node.lineno} takes {node.slice.value} from sys.modules")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called not in DYNAMIC_IMPORTS:
            continue
        args = [*node.args, *(k.value for k in node.keywords)]
        if called in ("files", "path", "read_text", "read_binary", "open_text", "open_binary", "contents"):
            # the same method names exist on Path & co.; only a call with a literal module argument counts
            args = [a for a in args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if not args:
                continue
        if not args or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:1]):
            bad.append(f"{path}:{node.lineno} imports by a computed name ({called}), which cannot be checked")
            continue
        first = args[0]
        assert isinstance(first, ast.Constant)
        if forbidden_for_verify(str(first.value)):
            bad.append(f"{path}:{node.lineno} imports {first.value} through {called}()")
    return bad


def verify_import_problems(roots: list[Path]) -> list[str]:
    """What `telketen/verify` reaches that it must not: directly, through any of our modules it imports
    (transitively), or by a dynamic import; `roots` are searched in order for our packages."""
    start = sorted((roots[0] / "telketen" / "verify").rglob("*.py"))
    bad: list[str] = []
    for path in start:
        bad.extend(dynamic_import_problems(path))
    seen: set[Path] = set()
    queue = [(p, [module_name(p, roots)]) for p in start]
    while queue:
        path, chain = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for line, name in imported_names(path, roots):
            if name.split(".")[0] not in OWN:
                continue
            if forbidden_for_verify(name):
                bad.append(f"{path}:{line} imports {name} (via {' -> '.join(chain)})")
                continue
            target = module_file(name, roots)
            if target is not None and target not in seen:
                queue.append((target, [*chain, name]))
    return sorted(set(bad))


def test_verify_runs_no_tier_and_not_the_seat_code_it_checks() -> None:
    problems = verify_import_problems([REPO])
    assert not problems, "telketen/verify must stay independent:\n" + "\n".join(problems)


BYPASSES = {
    "tier import": "from central.app import create_app\n",
    "plain import": "import hoofdstembureau.service\n",
    "relative import": "from ... import municipality\n",
    "seat code": "from shared.domain.seats import compute\n",
    "seat module by from-import": "from shared.domain import apportionment\n",
    "import_module": "import importlib\nimportlib.import_module('municipality.service')\n",
    "__import__": "__import__('central')\n",
    "importlib.resources": "from importlib import resources\nresources.files('hoofdstembureau')\n",
    "importlib.util": "import importlib.util\nimportlib.util.find_spec('central.app')\n",
    "computed name": "import importlib\nNAME = 'x'\nimportlib.import_module(NAME)\n",
    "name in a string": "import sys\nmod = sys.modules['shared.domain.candidates']\n",
    "sys.modules": "import sys\nmod = sys.modules['central']\n",
    "through a shared module": "from shared.sneaky import compute\n",
}


@pytest.mark.parametrize("bypass", sorted(BYPASSES))
def test_the_verify_import_check_sees_each_bypass(tmp_path: Path, bypass: str) -> None:
    """A copy of telketen/verify with one bypass planted fails the check; the clean copy passes."""
    shutil.copytree(REPO / "telketen" / "verify", tmp_path / "telketen" / "verify")
    (tmp_path / "telketen" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shared").mkdir()
    sneaky = "from shared.domain.seats import compute\n"
    (tmp_path / "shared" / "sneaky.py").write_text(sneaky, encoding="utf-8")
    roots = [tmp_path, REPO]
    assert verify_import_problems(roots) == []
    (tmp_path / "telketen" / "verify" / "planted.py").write_text(BYPASSES[bypass], encoding="utf-8")
    problems = verify_import_problems(roots)
    assert problems and all("planted.py" in p or "sneaky.py" in p for p in problems), problems
