"""assetmap: community assets, neighbourhoods, deprivation and access for English areas."""
__version__ = "0.1.0"


def explore(area, layer: str = "imd", m=None, **kwargs):
    """An area's layer on a folium map, composable like geopandas' ``explore`` (see
    :mod:`assetmap.explorer`; folium is imported only when this is called)."""
    from .explorer import explore as _explore

    return _explore(area, layer=layer, m=m, **kwargs)
