"""Constants shared across the library: coordinate reference systems and the IoD domains."""
from __future__ import annotations

BNG = "EPSG:27700"  # British National Grid: every measurement in metres
WGS84 = "EPSG:4326"  # longitude/latitude: what the web map and the downloads use

# The seven domains of the English Indices of Deprivation 2025, in the IoD's order ("housing" is
# barriers to housing and services). With "imd" (the index) they name the <domain>_score/_rank/_decile
# columns of the neighbourhoods.
IOD_DOMAINS = ("income", "employment", "education", "health", "crime", "housing", "environment")
