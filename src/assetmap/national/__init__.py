"""National builds: England's ranks on an area's neighbourhoods (``ranks``) and districts cut from a
bigger build without recomputing its walks (``views``)."""
