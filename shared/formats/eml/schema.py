"""XSD validation against the official EML_NL v1.2.2 schemas (lxml, XSD 1.0).

The schemas are not copied into the repository: they are found through `TELKETEN_EML_SCHEMAS` or, by default,
in `../shared/data/eml/schemas/v1.2.2/xsd` beside the repository. When they are not there, `schema_dir()` says
so (None) and the check reports "schema not checked" instead of pretending. Schemas load from local files
only.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.errors import EnvironmentProblem
from shared.formats.eml.xml import Element, parse_xml

ENV_VAR = "TELKETEN_EML_SCHEMAS"

#: Message id → schema file of the v1.2.2 release.
SCHEMA_FILES = {
    "110a": "110a-electionevent-kiesraad-strict.xsd",
    "110b": "110b-electionevent-kiesraad-strict.xsd",
    "230b": "230-candidatelist-kiesraad-strict.xsd",
    "230c": "230-candidatelist-kiesraad-strict.xsd",
    "520": "520-result-kiesraad-strict.xsd",
}


def default_schema_dir() -> Path:
    return (
        Path(__file__).resolve().parents[3].parent / "shared" / "data" / "eml" / "schemas" / "v1.2.2" / "xsd"
    )


def schema_dir() -> Path | None:
    """Where the XSDs are, or None when they are not available on this machine."""
    configured = os.environ.get(ENV_VAR)
    path = Path(configured) if configured else default_schema_dir()
    return path if (path / SCHEMA_FILES["110a"]).is_file() else None


def schema_file(message_id: str) -> str | None:
    if message_id.startswith("510"):
        return "510-count-kiesraad-strict.xsd"
    return SCHEMA_FILES.get(message_id)


@cache
def _load(path: str) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(path, parser))


def schema_for(message_id: str) -> Any:
    """The compiled schema for a message type; None when there is none for it. Missing XSDs are an error."""
    directory = schema_dir()
    if directory is None:
        raise EnvironmentProblem(
            f"EML_NL schemas not found; set {ENV_VAR} to the v1.2.2 xsd folder",
            where=str(default_schema_dir()),
        )
    name = schema_file(message_id)
    if name is None:
        return None
    return _load(str(directory / name))


def validate_root(root: Element, message_id: str) -> list[str]:
    """Schema errors of a parsed message as 'line N: message' strings (empty when valid)."""
    schema = schema_for(message_id)
    if schema is None:
        return [f"no schema for message type {message_id}"]
    if schema.validate(root.getroottree()):
        return []
    return [f"line {err.line}: {err.message}" for err in schema.error_log]


def validate(data: bytes, where: str = "<eml>") -> list[str]:
    """Validate the bytes of an EML file against its v1.2.2 schema."""
    root = parse_xml(data, where)
    return validate_root(root, (root.get("Id") or "").strip())
