"""Constants shared across the library: coordinate reference systems and the IoD domains."""
from __future__ import annotations

BNG = "EPSG:27700"  # British National Grid: every measurement in metres
WGS84 = "EPSG:4326"  # longitude/latitude: what the web map and the downloads use

# The seven domains of the English Indices of Deprivation 2025, in the IoD's order ("housing" is
# barriers to housing and services). With "imd" (the index) they name the <domain>_score/_rank/_decile
# columns of the neighbourhoods.
IOD_DOMAINS = ("income", "employment", "education", "health", "crime", "housing", "environment")

# The overall index and each domain with the IoD's own name for it (the pages' labels).
IOD_MEASURES = (
    ("imd", "Index of Multiple Deprivation (overall)"), ("income", "Income"), ("employment", "Employment"),
    ("education", "Education, skills and training"), ("health", "Health and disability"), ("crime", "Crime"),
    ("housing", "Barriers to housing and services"), ("environment", "Living environment"),
)
