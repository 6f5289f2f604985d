"""OGC API – Features over the built areas, served by pygeoapi's core (see :mod:`.service`)."""
from .collections import BNG, CRS84, CollectionData, area_collections
from .service import BadParameter, OgcService

__all__ = ["BNG", "CRS84", "BadParameter", "CollectionData", "OgcService", "area_collections"]
