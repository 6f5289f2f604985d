"""Query parameters parsed strictly (:func:`assetmap.params.parse_int`), and URL ``<int:…>`` parts
that match ASCII digits only (werkzeug's converter takes any Unicode digit: ``/x/١٢`` was ``/x/12``)."""
from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from assetmap.params import parse_int


def int_arg(name: str, default: int | None = None, lo: int | None = None, hi: int | None = None) -> int | None:
    """The query parameter ``name`` as a whole number, ``default`` when absent or empty; a 400 naming it otherwise."""
    text = request.args.get(name, "")
    if text == "":
        return default
    try:
        return parse_int(text, name, lo, hi)
    except ValueError as exc:
        abort(400, str(exc))


class AsciiIntegerConverter(IntegerConverter):
    regex = r"[0-9]+"


def register_params(app: Flask) -> None:
    """Before any blueprint is registered: ``<int:…>`` in every route matches ASCII digits only."""
    app.url_map.converters["int"] = AsciiIntegerConverter


def whole_number(raw: str | None, lo: int, hi: int) -> int | None:
    """``raw`` as an int in ``lo..hi`` when it is ASCII digits within bounds, else None (the caller says why)."""
    try:
        return parse_int(raw, "value", lo, hi)
    except ValueError:
        return None
