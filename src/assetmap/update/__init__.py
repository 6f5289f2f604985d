"""Keeping a build fresh from OpenStreetMap changes (``assetmap update``): change files applied to the
build's extract, the affected features, network and tiles redone, then the stages after reading.

``changes`` reads and applies change files, ``derive`` makes one from two extracts, ``stage`` runs
the update, ``tiles`` settles the base map, ``replication`` follows a replication server.
"""
