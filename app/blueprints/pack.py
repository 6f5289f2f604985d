"""The committee pack (a print page and a PDF with a map image) and the scenario pack and CSV.

The library gathers the figures (:mod:`assetmap.serving.pack`, :mod:`assetmap.serving.scenario_export`)
and draws the images once per choice of categories (:class:`assetmap.serving.packmap.PackImages`);
these views only parse the request and send what it made.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from assetmap.gap.scenarios import ScenarioError
from assetmap.serving.coords import bng_to_lonlat
from assetmap.serving.pack import PackError, pack_categories, pack_data, sources
from assetmap.serving.packpdf import pack_blocks, render_pdf, source_blocks
from assetmap.serving.scenario_export import scenario_blocks, scenario_csv, scenario_report

from ..state import current_state
from .api import scenario_changes, scenario_model

bp = Blueprint("pack", __name__)


def gap_view_and_categories(slug: str, purpose: str = "make a pack"):
    """The area's view and the kinds of place asked for (``?category=`` repeated); 404 for a build
    without the gap measure (saying it is needed to ``purpose``), 400 naming an unknown kind."""
    view = current_state().area(slug)
    if not view.has_gaps:
        abort(404, description=f"{view.name} was built without the gap measure; rebuild it to {purpose}")
    try:
        cats = pack_categories(view, [c[:400] for c in request.args.getlist("category")[:40]])
    except PackError as exc:
        abort(400, description=str(exc))
    return view, cats


def _data(view, cats: list[str]) -> dict:
    return view.images.cached(("pack", tuple(cats)), lambda: pack_data(view, cats))


def _binary(body: bytes, mimetype: str, name: str | None = None) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['DATA_MAX_AGE']}"
    if name:
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _chart(view, cats: list[str], fmt: str) -> bytes:
    labels = {k: c["label"] for k, c in view.ar.taxonomy["categories"].items()}
    return view.images.equity_chart(view.ar.equity_by_decile, labels, cats, view.gap_layers["threshold_min"], fmt)


@bp.get("/area/<slug>/pack")
def pack(slug: str):
    """The committee pack as a page laid out for print (File › Print, or the PDF link)."""
    view, cats = gap_view_and_categories(slug)
    choices = [c for c in view.walk_choices if f"shortfall_{c['key']}" in view.ar.neighbourhoods]
    return render_template("pack.html", view=view, pack=_data(view, cats), chosen=cats, choices=choices)


@bp.get("/area/<slug>/pack-map.png")
def pack_map(slug: str):
    view, cats = gap_view_and_categories(slug)
    return _binary(view.images.priority_map(cats, _data(view, cats)["top"]), "image/png")


@bp.get("/area/<slug>/equity-chart.svg")
def equity_chart(slug: str):
    """The equity chart of the chosen categories (?category=, repeatable), as SVG."""
    view, cats = gap_view_and_categories(slug)
    return _binary(_chart(view, cats, "svg"), "image/svg+xml")


@bp.get("/area/<slug>/pack.pdf")
def pack_pdf(slug: str):
    view, cats = gap_view_and_categories(slug)
    data = _data(view, cats)

    def make() -> bytes:
        blocks = pack_blocks(data, view.images.priority_map(cats, data["top"]), _chart(view, cats, "png"))
        return render_pdf(f"{view.name}: committee pack", blocks)
    body = view.images.cached(("pdf", tuple(cats)), make)
    return _binary(body, "application/pdf", f"{slug}-committee-pack.pdf")


def _scenario(slug: str):
    """The scenario's report for its category, the site (lon, lat) and the view, or a 400/404."""
    model = scenario_model(slug)
    view = current_state().area(slug)
    changes, site, where = scenario_changes(slug, model)
    opened = next((c.category for c in changes if c.kind == "open"), None)
    if opened is None:
        raise ScenarioError("a scenario pack is for a new place: give open=<category>")
    model.category(opened)
    result = model.run(changes)
    label = view.ar.taxonomy["categories"].get(opened, {}).get("label", opened)
    report = scenario_report(result, opened, label, where, model.threshold)
    return view, report, bng_to_lonlat(*site) if site else None


def _scenario_map(view, report: dict, site) -> bytes:
    change = {n["lsoa21_code"]: n["change_min"] for n in report["neighbourhoods"]}
    key = (report["category"], report["where"], round(site[0], 6) if site else None, round(site[1], 6) if site else None)
    return view.images.change_map(key, change, site)


@bp.get("/area/<slug>/scenario-pack")
def scenario_pack(slug: str):
    try:
        view, report, _ = _scenario(slug)
    except ScenarioError as exc:
        return jsonify({"error": str(exc), "status": exc.status}), exc.status
    return render_template("scenario_pack.html", view=view, report=report, query=request.query_string.decode())


@bp.get("/area/<slug>/scenario-map.png")
def scenario_map(slug: str):
    try:
        view, report, site = _scenario(slug)
    except ScenarioError as exc:
        return jsonify({"error": str(exc), "status": exc.status}), exc.status
    return _binary(_scenario_map(view, report, site), "image/png")


@bp.get("/area/<slug>/scenario.csv")
def scenario_table(slug: str):
    """?…the scenario's parameters…&table=neighbourhoods|deciles"""
    try:
        view, report, _ = _scenario(slug)
        text = scenario_csv(report, request.args.get("table", "neighbourhoods")[:40])
    except (ScenarioError, ValueError) as exc:
        status = getattr(exc, "status", 400)
        return jsonify({"error": str(exc), "status": status}), status
    resp = Response(text, mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{slug}-scenario-{report["category"]}.csv"'
    return resp


@bp.get("/area/<slug>/scenario.pdf")
def scenario_pdf(slug: str):
    try:
        view, report, site = _scenario(slug)
    except ScenarioError as exc:
        return jsonify({"error": str(exc), "status": exc.status}), exc.status
    data = {"sources": sources(view)}
    blocks = scenario_blocks(report, view.name, _scenario_map(view, report, site)) + source_blocks(data)
    return _binary(render_pdf(f"{view.name}: scenario", blocks), "application/pdf", f"{slug}-scenario.pdf")
