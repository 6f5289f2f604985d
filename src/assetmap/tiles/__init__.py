"""Tiles: the base map as vector tiles in a PMTiles archive.

Roads, water, green space, buildings and labels from the OSM extract (``basemap``), cut into
tiles and packed (``vectortiles``), each tile encoded as Mapbox Vector Tile (``mvt``).
"""
