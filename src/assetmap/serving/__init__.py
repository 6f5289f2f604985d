"""What the web pages serve, prepared once per loaded area without any web framework.

:mod:`.summary` (an area's counts, legends and map settings), :mod:`.pages` (the asset pages),
:mod:`.profiles` (the neighbourhood profiles and their CSV), :mod:`.hours` (opening hours),
:mod:`.search` (the lookup's filters), :mod:`.locate` (the postcode nearest a point),
:mod:`.colours` (the colour ramps), :mod:`.links` (safe links) and :mod:`.coords`
(longitude/latitude to the British National Grid). The web layer (``app/``) calls these and
renders; it never computes with numpy, pandas or shapely itself.
"""
