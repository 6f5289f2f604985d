"""Walking access: from every postcode to the nearest assets on the street network.

The walk network from the OSM extract, snapping points onto it, its contraction, the
multi-source searches (``access``), the walking stage of the build (``stage``) and the public
lookup's precomputed nearest assets (``lookup``), and a walking route between two points at
request time (``route``).
"""
