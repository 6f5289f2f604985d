"""The colour ramps the maps and pages use, as data, and the text colour that reads on each."""
from __future__ import annotations

# IMD decile colours, decile 1 (most deprived 10% of England's LSOAs) first: a 10-class
# sequential yellow-green-blue ramp (ColorBrewer YlGnBu, interpolated to 10 classes), darkest
# for the most deprived.
DECILE_COLOURS = ("#081d58", "#22318d", "#2355a4", "#1f80b8", "#31a6c2",
                  "#5dc0c0", "#97d6b9", "#cfecb3", "#eff9b5", "#ffffd9")
# Walking-time classes (minutes, upper bounds) for the walking layer: a sequential ramp, light for
# a short walk, dark for a long one (ColorBrewer YlOrRd, 6 classes).
WALK_CLASSES = ((5, "#ffffb2"), (10, "#fed976"), (15, "#feb24c"), (20, "#fd8d3c"), (30, "#f03b20"),
                (None, "#bd0026"))
# map layers of the gap measure: colours as data (ColorBrewer Purples / Oranges; the 3x3 bivariate
# scheme after Joshua Stevens: need along pink, gap along teal, both high = dark blue)
GAP_QUINTILE_COLOURS = ("#54278f", "#756bb1", "#9e9ac8", "#cbc9e2", "#f2f0f7")  # quintile 1 = biggest gap
PRIORITY_COLOURS = ("#7f2704", "#d94801", "#fd8d3c", "#fdd0a2", "#fff5eb")  # class 1 = highest priority
BIVARIATE_COLOURS = {"1-1": "#e8e8e8", "1-2": "#ace4e4", "1-3": "#5ac8c8",
                     "2-1": "#dfb0d6", "2-2": "#a5add3", "2-3": "#5698b9",
                     "3-1": "#be64ac", "3-2": "#8c62aa", "3-3": "#3b4994"}
NO_DATA = "#bdbdbd"  # a measure without a value

# every ramp above, for the palette stylesheet (app/palette.py) that turns colours into classes
RAMPS = (DECILE_COLOURS, tuple(c for _, c in WALK_CLASSES), GAP_QUINTILE_COLOURS, PRIORITY_COLOURS,
         tuple(BIVARIATE_COLOURS.values()))


def text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (WCAG relative luminance)."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"
