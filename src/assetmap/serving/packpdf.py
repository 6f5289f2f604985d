"""The committee pack and the scenario pack as PDF (reportlab): the same content as the print page.

A document is a list of blocks — ``("h1"|"h2"|"p"|"small", text)``, ``("image", png_bytes, width_cm)``,
``("table", header, rows)`` — so both packs share one renderer. Text from the data (names of
places and neighbourhoods) is escaped before reportlab reads it as its mark-up.
"""
from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

Block = tuple
HEX = re.compile(r"#[0-9a-fA-F]{6}")  # a cell holding only a colour is painted in it (legends)


def _styles():
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    return {"h1": base["Title"], "h2": base["Heading2"], "p": base["BodyText"],
            "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
            "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=8, leading=9.5),
            "head": ParagraphStyle("head", parent=base["BodyText"], fontSize=8, leading=9.5, fontName="Helvetica-Bold")}


def _table(header: list[str], rows: list[list], styles, width: float, weights: list[float] | None = None):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(escape(str(h)), styles["head"]) for h in header]]
    data += [[Paragraph(escape("–" if v is None else str(v)), styles["cell"]) for v in r] for r in rows]
    w = weights or [1.0] * len(header)
    t = Table(data, repeatRows=1, colWidths=[width * x / sum(w) for x in w] if len(header) > 4 or weights else None)
    swatches = [("BACKGROUND", (j, i + 1), (j, i + 1), colors.HexColor(v)) for i, r in enumerate(rows)
                for j, v in enumerate(r) if isinstance(v, str) and HEX.fullmatch(v)]
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef0")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"), *swatches]))
    return t


def render_pdf(title: str, blocks: list[Block]) -> bytes:
    """The blocks as an A4 PDF (portrait, 1.5 cm margins)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=1.5 * cm, rightMargin=1.5 * cm, topMargin=1.5 * cm,
                            bottomMargin=1.5 * cm, title=title, author="assetmap", creator="assetmap")
    story: list = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "p", "small"):
            story.append(Paragraph(escape(str(block[1])), styles[kind]))
        elif kind == "image":
            from reportlab.lib.utils import ImageReader

            reader = ImageReader(io.BytesIO(block[1]))
            w, h = reader.getSize()
            width = min(block[2] * cm, doc.width)
            story.append(Image(io.BytesIO(block[1]), width=width, height=min(width * h / w, doc.height * 0.8)))
        elif kind == "table":
            if block[2]:
                story.append(_table(block[1], block[2], styles, doc.width, block[3] if len(block) > 3 else None))
        story.append(Spacer(1, 0.2 * cm))
    doc.build(story)
    return buf.getvalue()


def pack_blocks(data: dict, map_png: bytes, chart_png: bytes) -> list[Block]:
    """The committee pack's blocks, from :func:`assetmap.serving.pack.pack_data`."""
    cats = ", ".join(c["label"] for c in data["categories"])
    z = data["threshold_min"]
    eq = data["equity"]
    blocks: list[Block] = [
        ("h1", f"{data['area']}: where to act first"),
        ("p", f"Kinds of place: {cats}. Built {data['built_at'] or 'on an unknown date'}; "
              f"OpenStreetMap data of {data['osm_date'] or 'unknown date'}."),
        ("h2", "Map: priority for the chosen kinds of place"),
        ("image", map_png, 18),
        ("small", "Numbers on the map are the ranks in the table of top priorities below. Dots: the places of "
                  "the chosen kinds. Drawn from the build's own data (no map tiles)."),
        ("table", ["Colour", "Priority", "Neighbourhoods"],
         [[lg["colour"], lg["label"], lg["lsoas"]] for lg in data["legend"]]),
        ("table", ["Kind of place", "Map colour", "Places"], [[c["label"], c["colour"], c["count"]]
                                                              for c in data["categories"]]),
        ("h2", "Top priorities"),
        ("p", data["explained"]["priority"]),
        ("table", ["#", "Neighbourhood", "Priority", "Need decile (England)", "IMD decile", "Why",
                   "Already inside"],
         [[t["rank"], f"{t['lsoa21_name']} ({t['lsoa21_code']})", f"{t['priority']:,.0f}", t["need_decile"],
           t["imd_decile"], t["reasons"]["text"], "; ".join(t["reasons"]["inside"]) or "none"] for t in data["top"]],
         [0.5, 2.4, 1.1, 1.1, 0.9, 4.0, 2.0]),
        ("h2", "Fairness of access by deprivation"),
        ("image", chart_png, 16),
        ("p", data["explained"]["palma"]),
        ("p", data["explained"]["fgt"]),
        ("table", ["Kind of place", "Mean walk (min)", "Palma ratio", f"Share over {z:g} min (FGT0)",
                   "Mean shortfall (FGT1)", "Severity (FGT2)"],
         [[e["label"], e["mean_min"], e["palma"], _pct(e["fgt0"]), e["fgt1"], e["fgt2"]] for e in eq["summary"]]),
        ("table", ["Kind of place", *[f"Decile {d}" for d in eq["deciles"]]],
         [[r["label"], *r["by_decile"]] for r in eq["rows"]]),
    ]
    return blocks + source_blocks(data)


def source_blocks(data: dict) -> list[Block]:
    return [("h2", "Sources, licences and dates"),
            ("table", ["Source", "Licence", "Date", "Attribution"],
             [[s["label"], s["licence"], f"{s['date']} ({s['date_from']})" if s["date_from"] else s["date"],
               s["attribution"]] for s in data["sources"]])]


def _pct(v) -> str | None:
    return None if v is None else f"{v * 100:.0f}%"
