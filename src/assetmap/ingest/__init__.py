"""Ingest: read an area's sources and cut them to the area.

The OpenStreetMap extract (assets, coverage), the neighbourhoods (LSOA boundaries, Census
population, IoD2025 deprivation), Code-Point Open postcodes, the curated lists, the place and
street gazetteer, downloading the sources (``fetch``), and what a build read, kept beside its
outputs for a refresh (``inputs``).
"""
