"""Namespace-robust, safe XML helpers for EML_NL.

Real files differ in prefixes, indentation, XML declaration and line endings; every lookup here goes by
namespace URI and local name, never by prefix. Parsing never touches the network, never expands entities and
refuses a DOCTYPE outright (an EML file has no use for one, and it is the door for entity tricks). Every
failure becomes an `EmlError` naming the file, the line and the element path, so a user sees one clear line.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeAlias

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.errors import EmlError

EML_NS = "urn:oasis:names:tc:evs:schema:eml"
KR_NS = "http://www.kiesraad.nl/extensions"
XAL_NS = "urn:oasis:names:tc:ciq:xsdschema:xAL:2.0"
XNL_NS = "urn:oasis:names:tc:ciq:xsdschema:xNL:2.0"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

C14N_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"

#: An lxml element (`lxml.etree._Element`); Any for mypy, since lxml has no type hints.
Element: TypeAlias = Any


def e(name: str) -> str:
    """Clark name of an EML core element."""
    return f"{{{EML_NS}}}{name}"


def kr(name: str) -> str:
    """Clark name of a Kiesraad extension element."""
    return f"{{{KR_NS}}}{name}"


def xal(name: str) -> str:
    return f"{{{XAL_NS}}}{name}"


def xnl(name: str) -> str:
    return f"{{{XNL_NS}}}{name}"


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe, and construction is cheap (~µs).
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, where: str) -> Element:
    """Parse bytes into the root element; refuse what is not a well-formed, DTD-free XML document."""
    if not data.strip():
        raise EmlError("the file is empty", where=where)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        msg = str(exc.msg if exc.msg else exc).splitlines()[0]
        raise EmlError(f"not well-formed XML (line {line}): {msg}", where=where) from None
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot honour
        raise EmlError(f"cannot be read as XML: {exc}", where=where) from None
    if root is None:
        raise EmlError("not an XML document", where=where)
    doctype = root.getroottree().docinfo.doctype
    if doctype:
        raise EmlError("a DOCTYPE is not allowed in an EML_NL file (no DTDs, no entities)", where=where)
    return root


def local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return "?"
    return tag.rsplit("}", 1)[-1]


def element_path(el: Element) -> str:
    """The /EML/Count/... path of an element by local names, with 1-based indexes where siblings repeat."""
    parts: list[str] = []
    node: Element | None = el
    while node is not None:
        parent = node.getparent()
        name = local_name(node.tag)
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def fail(where: str, el: Element, rule: str) -> NoReturn:
    """Raise the one-line error for an element that breaks a rule: file:line, element path, rule."""
    raise EmlError(f"{element_path(el)}: {rule}", where=f"{where}:{el.sourceline}")


def child(parent: Element, tag: str, where: str) -> Element:
    """The first child with this Clark tag; missing is an error naming the parent."""
    found = parent.find(tag)
    if found is None:
        fail(where, parent, f"missing required element {local_name(tag)}")
    return found


def opt_child(parent: Element, tag: str) -> Element | None:
    return parent.find(tag)


def text(el: Element | None) -> str:
    """Element text with whitespace collapsed as for xs:token (what the schemas declare names to be)."""
    if el is None or el.text is None:
        return ""
    raw: str = el.text
    return " ".join(raw.split())


def opt_text(el: Element | None) -> str | None:
    """Element text, None when the element is absent or empty (an empty xnl:NamePrefix means no prefix)."""
    t = text(el)
    return t or None


def attr(el: Element, name: str, where: str) -> str:
    value: str | None = el.get(name)
    if value is None:
        fail(where, el, f"missing required attribute {name}")
    return value.strip()


#: The most digits a number in an EML file may have. The XSD types (xs:nonNegativeInteger, xs:positiveInteger)
#: are unbounded, but no count, number or position of a Dutch election needs more than 8 digits (18 million
#: voters); 10 leaves room and stays far below Python's 4,300-digit limit on `int(str)` (a traceback).
MAX_DIGITS = 10


def is_number(value: str) -> bool:
    """ASCII digits only and at most MAX_DIGITS of them: what a fast path may hand to `int` unchecked."""
    return value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS


def int_text(el: Element, where: str) -> int:
    """A non-negative integer element (xs:nonNegativeInteger): digits only, surrounding whitespace allowed."""
    t = el.text.strip() if el.text else ""
    if not (t.isascii() and t.isdigit()):
        fail(where, el, f"expected a non-negative integer, found {t!r}")
    return _bounded(t, el, "the number", where)


def int_value(value: str, el: Element, what: str, where: str) -> int:
    v = value.strip()
    if not (v.isascii() and v.isdigit()):
        fail(where, el, f"{what} must be a non-negative integer, found {v!r}")
    return _bounded(v, el, what, where)


def _bounded(digits: str, el: Element, what: str, where: str) -> int:
    if len(digits) > MAX_DIGITS:
        fail(where, el, f"{what} has {len(digits)} digits; at most {MAX_DIGITS} are accepted")
    return int(digits)
