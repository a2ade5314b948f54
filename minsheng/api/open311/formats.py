"""GeoReport v2 output in its two formats: JSON and schemaless XML (UTF-8, with declaration).

The JSON follows the spec's "Spark convention" mapping of the XML: a list of objects, empty
values as null. In XML a list becomes repeated elements named by `ITEM_NAMES`.
"""

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 - writing only

from django.http import HttpResponse

FORMATS = ("json", "xml")
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element name of one item in each list.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _xml_fill(SubElement(element, item_name), item)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, value: Any) -> bytes:
    """`value` under an element named `root`, with the XML declaration."""
    element = Element(root)
    _xml_fill(element, value)
    return XML_DECLARATION + tostring(element, encoding="unicode").encode()


def _json_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_nulls(v) for v in value]
    return None if value == "" else value


def render(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """The response for `value` in `fmt` ("json" or "xml"); `root` names the XML root."""
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json.dumps(_json_nulls(value), ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """GeoReport errors: a list of {code, description}."""
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(fmt if fmt in FORMATS else "json", "errors", errors, status=status)
