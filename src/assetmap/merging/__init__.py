"""Merging: OpenStreetMap and curated records into one list of assets.

Candidate matching (name, distance, category), the merge itself with each asset's provenance and
review queue, and the merge's evaluation against hand-judged pairs (``merge_eval``).
"""
